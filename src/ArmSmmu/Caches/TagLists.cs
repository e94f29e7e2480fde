using System.Runtime.InteropServices;

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

    // Each tag's list head and its position in _tags, the tags present kept dense so that an invalidation tests them
    // from an array: enumerating the dictionary's keys was a third of a TLBI by VA's tag selection (callgrind).
    private readonly Dictionary<ulong, TagHead> _heads = [];
    private readonly List<ulong> _tags = [];

    /// <summary>Lists over <paramref name="capacity"/> slots.</summary>
    public TagLists(int capacity)
    {
        _next = new int[capacity];
        _previous = new int[capacity];
    }

    /// <summary>Tags with at least one entry, in no particular order; valid until the next <see cref="Link"/> or <see cref="Unlink"/>.</summary>
    public ReadOnlySpan<ulong> Tags => CollectionsMarshal.AsSpan(_tags);

    /// <summary>Number of tags with at least one entry.</summary>
    public int TagCount => _tags.Count;

    /// <summary>Whether <paramref name="tag"/> has at least one entry.</summary>
    public bool Has(ulong tag) => _heads.ContainsKey(tag);

    /// <summary>First slot of <paramref name="tag"/>'s list, or -1.</summary>
    public int Head(ulong tag) => _heads.TryGetValue(tag, out var head) ? head.First : None;

    /// <summary>Slot after <paramref name="index"/> in its list, or -1.</summary>
    public int Next(int index) => _next[index];

    /// <summary>Adds a slot to the front of its tag's list.</summary>
    public void Link(int index, ulong tag)
    {
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_heads, tag, out bool exists);
        int old = exists ? head.First : None;
        if (!exists)
        {
            head.Position = _tags.Count;
            _tags.Add(tag);
        }

        _next[index] = old;
        _previous[index] = None;
        if (old != None)
        {
            _previous[old] = index;
        }

        head.First = index;
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
            Drop(tag);
        }
        else
        {
            CollectionsMarshal.GetValueRefOrNullRef(_heads, tag).First = next;
        }
    }

    // The tag's list is empty: out of the dictionary, and out of the dense array by moving the last tag into its place.
    private void Drop(ulong tag)
    {
        _heads.Remove(tag, out var head);
        int last = _tags.Count - 1;
        if (head.Position != last)
        {
            ulong moved = _tags[last];
            _tags[head.Position] = moved;
            CollectionsMarshal.GetValueRefOrNullRef(_heads, moved).Position = head.Position;
        }

        _tags.RemoveAt(last);
    }

    private struct TagHead
    {
        public int First;
        public int Position;
    }
}
