using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>
/// The register state of one SMMU programming interface, grouped by what owns it: control, global errors, the
/// Stream table, and each queue with its interrupt. Reset is each bank at its reset value and a copy is one struct
/// assignment, so no list of fields has to be kept in step. A Secure interface (the SMMU_S_* page) is a second
/// instance of the same banks.
/// </summary>
internal struct RegisterBanks
{
    /// <summary>CR0-CR2, GBPA, IRQ_CTRL.</summary>
    public ControlBank Control;

    /// <summary>GERROR, GERRORN, GERROR_IRQ_CFG0-2.</summary>
    public GlobalErrorBank GlobalError;

    /// <summary>STRTAB_BASE, STRTAB_BASE_CFG.</summary>
    public StreamTableBank StreamTable;

    /// <summary>CMDQ_BASE, CMDQ_PROD, CMDQ_CONS (the command queue has no interrupt of its own; CMD_SYNC carries its MSI).</summary>
    public SmmuQueue CommandQueue;

    /// <summary>EVENTQ_BASE, EVENTQ_PROD, EVENTQ_CONS, EVENTQ_IRQ_CFG0-2.</summary>
    public OutputQueueBank EventQueue;

    /// <summary>PRIQ_BASE, PRIQ_PROD, PRIQ_CONS, PRIQ_IRQ_CFG0-2.</summary>
    public OutputQueueBank PriQueue;

    /// <summary>GATOS_SID, GATOS_ADDR, GATOS_PAR (GATOS_CTRL.RUN always reads 0).</summary>
    public AtosBank Atos;

    /// <summary>The reset state of an SMMU with <paramref name="features"/>: everything zero but GBPA, each queue sized by IDR1.</summary>
    /// <param name="features">The implementation.</param>
    /// <returns>The reset values.</returns>
    public static RegisterBanks AtReset(SmmuFeatures features) => new()
    {
        Control = ControlBank.AtReset(features.GbpaAbortAtReset),
        CommandQueue = new SmmuQueue(Command.Size, features.CommandQueueLog2Size),
        EventQueue = OutputQueueBank.AtReset(EventRecord.Size, features.EventQueueLog2Size),
        PriQueue = OutputQueueBank.AtReset(PriQueueEntry.Size, features.PriQueueLog2Size),
    };
}
