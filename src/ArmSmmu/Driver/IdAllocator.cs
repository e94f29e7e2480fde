namespace ArmSmmu.Driver;

/// <summary>Hands out ASIDs or VMIDs from 1 (0 is reserved: VMID 0 tags stage-1-only and bypass STEs, digest §8.2).</summary>
internal sealed partial class IdAllocator(int bits, string name)
{
    private readonly HashSet<ushort> _used = [];
    private readonly uint _limit = 1u << bits;
    private uint _next = 1;

    public int InUse => _used.Count;

    public ushort Allocate()
    {
        for (uint tried = 1; tried < _limit; tried++)
        {
            ushort id = (ushort)_next;
            _next = _next + 1 >= _limit ? 1 : _next + 1;
            if (_used.Add(id))
            {
                return id;
            }
        }

        throw new InvalidOperationException($"All {_limit - 1} {name}s are in use; dispose a domain first.");
    }

    public void Free(ushort id) => _used.Remove(id);

    public void Clear()
    {
        _used.Clear();
        _next = 1;
    }
}
