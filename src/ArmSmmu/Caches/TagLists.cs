namespace ArmSmmu.Caches;

/// <summary>
/// Intrusive doubly linked lists of cache slot indexes, one per tag (the TLB's index tag: StreamWorld, VMID, ASID, kind;
/// a configuration cache's StreamID), so an invalidation visits the entries of its tags and nothing else. Used only
/// under the owning cache's writer lock.
/// </summary>
internal sealed class TagLists
{
    private const int None = -1;
    private readonly int[] _next;
    private readonly int[] _previous;
    private readonly Dictionary<ulong, int> _heads = [];

    /// <summary>Lists over <paramref name="capacity"/> slots.</summary>
    public TagLists(int capacity)
    {
        _next = new int[capacity];
        _previous = new int[capacity];
    }

    /// <summary>Tags with at least one entry.</summary>
    public Dictionary<ulong, int>.KeyCollection Tags => _heads.Keys;

    /// <summary>Number of tags with at least one entry.</summary>
    public int TagCount => _heads.Count;

    /// <summary>Whether <paramref name="tag"/> has at least one entry.</summary>
    public bool Has(ulong tag) => _heads.ContainsKey(tag);

    /// <summary>First slot of <paramref name="tag"/>'s list, or -1.</summary>
    public int Head(ulong tag) => _heads.TryGetValue(tag, out int head) ? head : None;

    /// <summary>Slot after <paramref name="index"/> in its list, or -1.</summary>
    public int Next(int index) => _next[index];

    /// <summary>Adds a slot to the front of its tag's list.</summary>
    public void Link(int index, ulong tag)
    {
        ref int head = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_heads, tag, out bool exists);
        int old = exists ? head : None;
        _next[index] = old;
        _previous[index] = None;
        if (old != None)
        {
            _previous[old] = index;
        }

        head = index;
    }

    /// <summary>Removes a slot from its tag's list (dropping the tag when the list empties).</summary>
    public void Unlink(int index, ulong tag)
    {
        int next = _next[index];
        int previous = _previous[index];
        if (next != None)
        {
            _previous[next] = previous;
        }

        if (previous != None)
        {
            _next[previous] = next;
        }
        else if (next == None)
        {
            _heads.Remove(tag);
        }
        else
        {
            _heads[tag] = next;
        }
    }
}
