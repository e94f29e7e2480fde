namespace ArmSmmu.Driver;

// Driver snapshot sections "asids" and "vmids": the IDs in use and where the next search starts.
internal sealed partial class IdAllocator : IStateSection
{
    public void Save(StateSection section)
    {
        section.Put("next", _next);
        section.PutList("used", _used.Order(), static (s, id) => s.Put("id", id));
    }

    public void Restore(StateSection section)
    {
        _next = section.GetUInt32("next");
        _used.Clear();
        foreach (uint id in section.GetList("used", static s => s.GetUInt32("id")))
        {
            _used.Add(id < _limit ? (ushort)id : throw new InvalidDataException($"Snapshot ID {id} exceeds the {_limit - 1} this SMMU provides."));
        }
    }
}
