namespace ArmSmmu.Device;

/// <summary>
/// The ATC of an <see cref="AtsEndpoint"/>: Translation Completions cached by (PASID, privilege, translation size,
/// untranslated base), of bounded size with LRU or FIFO replacement. Not thread-safe: its owner locks.
/// </summary>
internal sealed class AddressTranslationCache(int capacity, AtcReplacement replacement)
{
    private readonly Dictionary<Key, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new(); // most recently inserted (or used, for LRU) first
    private readonly int[] _shiftCounts = new int[65];
    private byte[] _shifts = []; // the translation sizes present, so a lookup probes only those

    public int Count => _map.Count;

    public long Evictions { get; private set; }

    public bool TryLookup(ulong address, AccessKind access, uint? pasid, bool privileged, out ulong translated, out byte shift)
    {
        foreach (byte s in _shifts)
        {
            var key = new Key(pasid, privileged, (byte)s, address & ~Bits.Mask(s));
            if (_map.TryGetValue(key, out var node) && node.Value.Completion.Permits(access))
            {
                if (replacement == AtcReplacement.LeastRecentlyUsed)
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                }

                translated = node.Value.Completion.Translate(address);
                shift = s;
                return true;
            }
        }

        translated = 0;
        shift = 0;
        return false;
    }

    public void Insert(ulong untranslatedAddress, uint? pasid, bool privileged, in AtsCompletion completion)
    {
        var key = new Key(pasid, privileged, completion.SizeShift, untranslatedAddress & ~Bits.Mask(completion.SizeShift));
        if (_map.Remove(key, out var old))
        {
            _order.Remove(old);
            Recount(key.Shift, -1);
        }
        else if (_map.Count >= capacity)
        {
            var victim = _order.Last!;
            Remove(victim);
            Evictions++;
        }

        _map[key] = _order.AddFirst(new Entry(key, completion));
        Recount(key.Shift, +1);
    }

    // PCIe ATS invalidation: without a PASID it reaches the entries requested without one; with a PASID, that
    // PASID's entries, and with Global also every global entry (none here: an SMMUv3 never grants Global).
    public int Invalidate(in AtcInvalidation invalidation)
    {
        int removed = 0;
        for (var node = _order.First; node is not null;)
        {
            var next = node.Next;
            var entry = node.Value;
            bool context = entry.Key.Pasid == invalidation.SubstreamId || (invalidation.Global && entry.Completion.Global);
            if (context && invalidation.Covers(entry.Key.Base, entry.Key.Shift))
            {
                Remove(node);
                removed++;
            }

            node = next;
        }

        return removed;
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _map.Remove(node.Value.Key);
        Recount(node.Value.Key.Shift, -1);
    }

    private void Recount(byte shift, int delta)
    {
        int before = _shiftCounts[shift];
        _shiftCounts[shift] += delta;
        if ((before == 0) != (_shiftCounts[shift] == 0))
        {
            _shifts = [.. Enumerable.Range(0, 65).Where(s => _shiftCounts[s] != 0).Select(s => (byte)s)];
        }
    }

    private readonly record struct Key(uint? Pasid, bool Privileged, byte Shift, ulong Base);

    private sealed record Entry(Key Key, AtsCompletion Completion);
}
