using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>
/// A device driven with raw MMIO (as <see cref="DeviceHarness"/>) with one ATS stream: StreamID 0x10, stage 1, two
/// CDs (S1CDMax 1, S1DSS 0b10: no PASID uses CD 0, PASID 1 uses CD 1), STE.EATS = 0b01.
/// CD 0 maps <see cref="ReadWriteVa"/> read/write and <see cref="ReadOnlyVa"/> read-only; <see cref="UnmappedVa"/> is not
/// mapped. CD 1 maps <see cref="PasidVa"/> read/write for EL0 (so EL0-executable, IHI0070 §13.7).
/// </summary>
internal sealed class AtsHarness
{
    public const uint Sid = 0x10;
    public const ulong ReadWriteVa = 0x4000_0000;
    public const ulong ReadOnlyVa = 0x4000_1000;
    public const ulong UnmappedVa = 0x4000_2000;
    public const ulong PasidVa = 0x5000_0000;
    public const ulong ReadWritePa = 0x8000_0000;
    public const ulong ReadOnlyPa = 0x8000_1000;
    public const ulong PasidPa = 0x9000_0000;

    public AtsHarness(SmmuFeatures? features = null, AtsEnable eats = AtsEnable.Full)
    {
        H = new DeviceHarness(features);
        H.Reset();
        Root0 = H.NewTable();
        Root1 = H.NewTable();
        H.Map4K(Root0, ReadWriteVa, ReadWritePa, DeviceHarness.S1ReadWrite);
        H.Map4K(Root0, ReadOnlyVa, ReadOnlyPa, DeviceHarness.S1ReadOnly);
        H.Map4K(Root1, PasidVa, PasidPa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, Root0).TryWrite(H.Memory, DeviceHarness.CdTableBase));
        Assert.True(DeviceHarness.LinuxCd(2, Root1).TryWrite(H.Memory, DeviceHarness.CdTableBase + 64));
        Ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 1, s1dss: 2) with { EATS = eats };
        H.SetSte(Sid, Ste);
    }

    public DeviceHarness H { get; }

    public SmmuV3 Smmu => H.Smmu;

    public ulong Root0 { get; }

    public ulong Root1 { get; }

    public StreamTableEntry Ste { get; }

    public AtsCompletion Request(ulong address, AccessKind access, uint? pasid = null, bool privileged = false, uint sid = Sid) =>
        Smmu.RequestAtsTranslation(new TranslationRequest(sid, address, access, pasid, privileged));

    public TranslationResult Translated(ulong address, AccessKind access = AccessKind.Read, uint sid = Sid) =>
        Smmu.Translate(new TranslationRequest(sid, address, access, Kind: TransactionKind.AtsTranslated));

    /// <summary>Sets CR0.ATSCHK (with the queues and SMMUEN as the reset left them).</summary>
    public void SetAtsCheck(bool on) =>
        H.WriteAndPoll(SmmuRegister.CR0, on ? 0xDu | (uint)Cr0Flags.ATSCHK : 0xDu, SmmuRegister.CR0ACK);
}

/// <summary>An <see cref="IAtsEndpoint"/> that records what the SMMU sent it.</summary>
internal sealed class RecordingEndpoint : IAtsEndpoint
{
    public List<AtcInvalidation> Invalidations { get; } = [];

    public List<PageRequestGroupResponse> Responses { get; } = [];

    public bool Answers { get; set; } = true;

    public bool Invalidate(in AtcInvalidation invalidation)
    {
        Invalidations.Add(invalidation);
        return Answers;
    }

    public void ReceivePageResponse(in PageRequestGroupResponse response) => Responses.Add(response);
}
