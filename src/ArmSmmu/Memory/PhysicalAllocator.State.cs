namespace ArmSmmu.Memory;

// Driver snapshot section "allocator": the free and allocated ranges, so a restored driver hands out the same
// addresses the saved one would have (docs/save-restore.md).
public sealed partial class PhysicalAllocator : IStateSection
{
    void IStateSection.Save(StateSection section)
    {
        lock (_lock)
        {
            section.Put("base", BaseAddress);
            section.Put("size", Size);
            section.PutList("free", _free, PutRange);
            section.PutList("allocated", _allocated.OrderBy(static a => a.Key), PutRange);
        }
    }

    void IStateSection.Restore(StateSection section)
    {
        lock (_lock)
        {
            if (section.GetUInt64("base") != BaseAddress || section.GetUInt64("size") != Size)
            {
                throw new InvalidOperationException(
                    $"The snapshot's allocator window is {section.Node["base"]} + {section.Node["size"]}; restore it into a driver whose PhysicalAllocator has the same window (0x{BaseAddress:X} + 0x{Size:X}).");
            }

            if (_allocated.Count != 0)
            {
                throw new InvalidOperationException("Restore a driver snapshot into a driver whose PhysicalAllocator has handed nothing out yet.");
            }

            _free.Clear();
            foreach (var (address, length) in section.GetList("free", GetRange))
            {
                _free.Add(address, length);
            }

            _bytesInUse = 0;
            foreach (var (address, length) in section.GetList("allocated", GetRange))
            {
                _allocated.Add(address, length);
                _bytesInUse += length;
            }
        }
    }

    private static void PutRange(StateSection s, KeyValuePair<ulong, ulong> range)
    {
        s.Put("address", range.Key);
        s.Put("size", range.Value);
    }

    private static KeyValuePair<ulong, ulong> GetRange(StateSection s) => new(s.GetUInt64("address"), s.GetUInt64("size"));
}
