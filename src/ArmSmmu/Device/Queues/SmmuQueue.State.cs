using ArmSmmu.Device.State;

namespace ArmSmmu.Device;

// Snapshot fields base, prod and cons of a queue's section: the registers as stored, so OVFLG/OVACKFLG and
// CMDQ_CONS.ERR travel with them (IHI0070 §7.1, §7.4). The geometry (entry size, IDR1 limit) comes from the
// features of the device restored into, which must match the saved one.
public partial struct SmmuQueue : IStateSection
{
    readonly void IStateSection.Save(StateSection section) => SaveState(section);

    void IStateSection.Restore(StateSection section) => RestoreState(section);

    internal readonly void SaveState(StateSection section)
    {
        section.Put("base", Base);
        section.Put("prod", Prod);
        section.Put("cons", Cons);
    }

    internal void RestoreState(StateSection section)
    {
        Base = section.GetUInt64("base");
        Prod = section.GetUInt32("prod");
        Cons = section.GetUInt32("cons");
    }
}
