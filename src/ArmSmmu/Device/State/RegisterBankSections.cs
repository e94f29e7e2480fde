using ArmSmmu.Device.State;

// Each register bank saves the registers it holds, as stored (IHI0070 §6.3): restoring them writes the fields
// directly, bypassing the write-side effects (guards, ACK handshakes, queue processing) a register write would have.
namespace ArmSmmu.Device;

/// <summary>Snapshot section <c>control</c>.</summary>
internal partial struct ControlBank : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        section.Put("cr0", Cr0);
        section.Put("cr1", Cr1);
        section.Put("cr2", Cr2);
        section.Put("gbpa", Gbpa);
        section.Put("irqCtrl", IrqCtrl);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Cr0 = section.GetUInt32("cr0");
        Cr1 = section.GetUInt32("cr1");
        Cr2 = section.GetUInt32("cr2");
        Gbpa = section.GetUInt32("gbpa");
        IrqCtrl = section.GetUInt32("irqCtrl");
    }
}

/// <summary>Snapshot section <c>globalError</c>: GERROR, GERRORN and the GERROR interrupt.</summary>
internal partial struct GlobalErrorBank : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        section.Put("gerror", Gerror);
        section.Put("gerrorn", Gerrorn);
        Irq.Save(section);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Gerror = section.GetUInt32("gerror");
        Gerrorn = section.GetUInt32("gerrorn");
        Irq.Restore(section);
    }
}

/// <summary>Snapshot section <c>streamTable</c>.</summary>
internal partial struct StreamTableBank : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        section.Put("base", Base);
        section.Put("baseCfg", BaseCfg);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Base = section.GetUInt64("base");
        BaseCfg = section.GetUInt32("baseCfg");
    }
}

/// <summary>Fields <c>irqCfg0</c>-<c>irqCfg2</c> of the section of the source that owns the configuration.</summary>
internal partial struct InterruptConfig : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        section.Put("irqCfg0", Cfg0);
        section.Put("irqCfg1", Cfg1);
        section.Put("irqCfg2", Cfg2);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Cfg0 = section.GetUInt64("irqCfg0");
        Cfg1 = section.GetUInt32("irqCfg1");
        Cfg2 = section.GetUInt32("irqCfg2");
    }
}

/// <summary>Snapshot sections <c>eventQueue</c> and <c>priQueue</c>: the queue's registers and its interrupt.</summary>
internal partial struct OutputQueueBank : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        Queue.SaveState(section);
        Irq.Save(section);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Queue.RestoreState(section);
        Irq.Restore(section);
    }
}

/// <summary>Snapshot section <c>gatos</c> (format version 2): the operation's inputs and its last result (chapter 9).</summary>
internal partial struct AtosBank : IStateSection
{
    /// <inheritdoc/>
    public readonly void Save(StateSection section)
    {
        section.Put("sid", Sid);
        section.Put("addr", Addr);
        section.Put("par", Par);
    }

    /// <inheritdoc/>
    public void Restore(StateSection section)
    {
        Sid = section.GetUInt64("sid");
        Addr = section.GetUInt64("addr");
        Par = section.GetUInt64("par");
    }
}
