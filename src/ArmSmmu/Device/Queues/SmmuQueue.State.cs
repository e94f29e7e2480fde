namespace ArmSmmu.Device;

// Snapshot fields base, prod and cons of a queue's section: the registers as stored, so OVFLG/OVACKFLG and
// CMDQ_CONS.ERR travel with them (IHI0070 §7.1, §7.4). The geometry (entry size, IDR1 limit) comes from the
// features of the device restored into, which must match the saved one.
public partial struct SmmuQueue : IRegisterSection
{
    void IRegisterSection.Exchange(RegisterFields fields) => Exchange(fields);

    internal void Exchange(RegisterFields fields)
    {
        Base = fields.Register("base", Base);
        Prod = fields.Register("prod", Prod);
        Cons = fields.Register("cons", Cons);
    }
}
