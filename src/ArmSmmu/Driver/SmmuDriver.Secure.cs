using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <content>
/// The driver as Secure firmware (<see cref="SmmuDriverOptions.SecureWorld"/>): the same bring-up, table and command
/// code, aimed at the SMMU_S_* page and naming Secure StreamIDs (IHI0070 §3.10, §4.1.6, §6.3).
/// </content>
public sealed partial class SmmuDriver
{
    private const ulong SecurePage = SmmuRegister.S_IDR0;

    // IHI0070 §6.2: each SMMU_S_* register sits at 0x8000 above its Non-secure twin, the Secure event queue's PROD and
    // CONS in page 0. The ID registers, which Secure software reads too, and everything above the event queue's
    // registers (no Secure PRI queue, ATOS or VATOS here) keep their offsets.
    private ulong Page(ulong offset) => !Options.SecureWorld ? offset : offset switch
    {
        SmmuRegister.EVENTQ_PROD => SmmuRegister.S_EVENTQ_PROD,
        SmmuRegister.EVENTQ_CONS => SmmuRegister.S_EVENTQ_CONS,
        >= SmmuRegister.CR0 and < SmmuRegister.PRIQ_BASE => offset + SecurePage,
        _ => offset,
    };

    // IHI0070 §6.3.45-§6.3.46: the Secure side exists with S_IDR1.SECURE_IMPL; without S_IDR1.SEL2 its streams
    // translate with stage 1 only; no Secure ATS or PRI; S_SIDSIZE, S_IDR0.STALL_MODEL and MSI describe it.
    private SmmuCapabilities SecureCapabilities(SmmuCapabilities caps)
    {
        var sIdr0 = new SIdr0Register(Device.ReadRegister32(SmmuRegister.S_IDR0));
        var sIdr1 = new SIdr1Register(Device.ReadRegister32(SmmuRegister.S_IDR1));
        if (!sIdr1.SECURE_IMPL)
        {
            throw new NotSupportedException("SMMU_S_IDR1.SECURE_IMPL = 0: this SMMU has no Secure programming interface.");
        }

        if (!caps.Stage1)
        {
            throw new NotSupportedException("Secure streams need stage 1 when S_IDR1.SEL2 = 0, and IDR0.S1P = 0.");
        }

        int sidBits = (int)sIdr1.S_SIDSIZE;
        return caps with
        {
            Stage2 = false,
            Hyp = false,
            E2H = false,
            Pri = false,
            PriQueue = false,
            Ats = false,
            StreamIdBits = sidBits,
            TwoLevelStreamTable = caps.TwoLevelStreamTable && sidBits > Split,
            StallModel = (StallModel)sIdr0.STALL_MODEL,
            Msi = sIdr0.MSI,
        };
    }

    // IHI0070 §4.1.6: from the Secure queue, SSec = 1 names a Secure StreamID.
    private Command WithSecurity(in Command command) =>
        Options.SecureWorld && command.Opcode is CommandOpcode.PrefetchConfig or CommandOpcode.PrefetchAddr or CommandOpcode.CfgiSte
            or CommandOpcode.CfgiSteRange or CommandOpcode.CfgiCd or CommandOpcode.CfgiCdAll or CommandOpcode.Resume or CommandOpcode.StallTerm
            ? command with { SSec = true }
            : command;

    // IHI0070 §3.11: TLB invalidation at reset. Secure firmware invalidates its own StreamWorlds (S-EL1, EL3), not the
    // Non-secure ones TLBI_NSNH_ALL would name from its queue.
    private Command[] TlbResetCommands() => Options.SecureWorld
        ? [Command.TlbiNhAll(0), new Command { Opcode = CommandOpcode.TlbiEl3All }]
        : [Command.TlbiNsnhAll()];
}
