// Each register bank saves the registers it holds, as stored (IHI0070 §6.3): restoring them writes the fields
// directly, bypassing the write-side effects (guards, ACK handshakes, queue processing) a register write would have.
namespace ArmSmmu.Device;

/// <summary>Snapshot section <c>control</c>.</summary>
internal partial struct ControlBank : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Cr0 = fields.Register("cr0", Cr0);
        Cr1 = fields.Register("cr1", Cr1);
        Cr2 = fields.Register("cr2", Cr2);
        Gbpa = fields.Register("gbpa", Gbpa);
        IrqCtrl = fields.Register("irqCtrl", IrqCtrl);
    }
}

/// <summary>Snapshot section <c>globalError</c>: GERROR, GERRORN and the GERROR interrupt.</summary>
internal partial struct GlobalErrorBank : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Gerror = fields.Register("gerror", Gerror);
        Gerrorn = fields.Register("gerrorn", Gerrorn);
        Irq.Exchange(fields);
    }
}

/// <summary>Snapshot section <c>streamTable</c>.</summary>
internal partial struct StreamTableBank : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Base = fields.Register("base", Base);
        BaseCfg = fields.Register("baseCfg", BaseCfg);
    }
}

/// <summary>Fields <c>irqCfg0</c>-<c>irqCfg2</c> of the section of the source that owns the configuration.</summary>
internal partial struct InterruptConfig : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Cfg0 = fields.Register("irqCfg0", Cfg0);
        Cfg1 = fields.Register("irqCfg1", Cfg1);
        Cfg2 = fields.Register("irqCfg2", Cfg2);
    }
}

/// <summary>Snapshot sections <c>eventQueue</c> and <c>priQueue</c>: the queue's registers and its interrupt.</summary>
internal partial struct OutputQueueBank : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Queue.Exchange(fields);
        Irq.Exchange(fields);
    }
}

/// <summary>Snapshot section <c>gatos</c> (format version 2): the operation's inputs and its last result (chapter 9).</summary>
internal partial struct AtosBank : IRegisterSection
{
    /// <inheritdoc/>
    public void Exchange(RegisterFields fields)
    {
        Sid = fields.Register("sid", Sid);
        Addr = fields.Register("addr", Addr);
        Par = fields.Register("par", Par);
    }
}
