using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>
/// The global control registers: CR0 (CR0ACK reads the same), CR1, CR2, GBPA and IRQ_CTRL (IRQ_CTRLACK reads the
/// same) (IHI0070 §6.3.9-§6.3.16).
/// </summary>
internal partial struct ControlBank
{
    // CR0, CR2 and GBPA are read by translations, which take no lock.

    /// <summary>CR0: the enables.</summary>
    public volatile uint Cr0;

    /// <summary>CR1: table and queue access attributes.</summary>
    public uint Cr1;

    /// <summary>CR2: E2H, RECINVSID, PTM.</summary>
    public volatile uint Cr2;

    /// <summary>GBPA: what happens to traffic while SMMUEN = 0.</summary>
    public volatile uint Gbpa;

    /// <summary>IRQ_CTRL: the interrupt enables.</summary>
    public uint IrqCtrl;

    /// <summary>CR2 through its field view.</summary>
    public readonly Cr2Register Cr2Fields => new(Cr2);

    /// <summary>
    /// Everything off; GBPA is IMPLEMENTATION DEFINED at reset (IHI0070 §6.3.14): SHCFG = 0b01 (use incoming), ABORT
    /// as the features say.
    /// </summary>
    /// <param name="gbpaAbort">GBPA.ABORT at reset.</param>
    /// <returns>The reset values.</returns>
    public static ControlBank AtReset(bool gbpaAbort) => new() { Gbpa = new GbpaRegister(0) { SHCFG = 1, ABORT = gbpaAbort }.Value };

    /// <summary>Whether CR0 has <paramref name="flag"/> set (CR0ACK follows CR0 at once in this model).</summary>
    /// <param name="flag">An enable.</param>
    /// <returns>True when set.</returns>
    public readonly bool Enabled(Cr0Flags flag) => (Cr0 & (uint)flag) != 0;

    /// <summary>Whether IRQ_CTRL has <paramref name="source"/> enabled.</summary>
    /// <param name="source">An interrupt enable.</param>
    /// <returns>True when set.</returns>
    public readonly bool InterruptEnabled(IrqCtrlFlags source) => (IrqCtrl & (uint)source) != 0;
}
