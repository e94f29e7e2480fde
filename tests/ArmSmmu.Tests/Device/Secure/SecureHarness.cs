using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>
/// A device whose Non-secure side is brought up as Linux does (<see cref="DeviceHarness"/>) and whose Secure side is
/// brought up by "Secure firmware" with raw writes to the SMMU_S_* page (IHI0070 §6.3, offsets from the spec's
/// register map, not from the model's tables): a linear Secure Stream table, the Secure command and event queues.
/// </summary>
internal sealed class SecureHarness
{
    // SMMU_S_* offsets (IHI0070 §6.2: the Secure page 0 registers at 0x8000 + the Non-secure offset).
    public const ulong SIdr0 = 0x8000;
    public const ulong SIdr1 = 0x8004;
    public const ulong SCr0 = 0x8020;
    public const ulong SCr0Ack = 0x8024;
    public const ulong SCr2 = 0x802C;
    public const ulong SInit = 0x803C;
    public const ulong SGbpa = 0x8044;
    public const ulong SIrqCtrl = 0x8050;
    public const ulong SGerror = 0x8060;
    public const ulong SGerrorN = 0x8064;
    public const ulong SStrtabBase = 0x8080;
    public const ulong SStrtabBaseCfg = 0x8088;
    public const ulong SCmdqBase = 0x8090;
    public const ulong SCmdqProd = 0x8098;
    public const ulong SCmdqCons = 0x809C;
    public const ulong SEventqBase = 0x80A0;
    public const ulong SEventqProd = 0x80A8;
    public const ulong SEventqCons = 0x80AC;
    public const ulong SGatosCtrl = 0x8100;
    public const ulong SGatosSid = 0x8108;
    public const ulong SGatosAddr = 0x8110;
    public const ulong SGatosPar = 0x8118;

    public const ulong SecureStreamTable = 0x1400_0000;
    public const ulong SecureCommandQueue = 0x1500_0000;
    public const ulong SecureEventQueue = 0x1600_0000;
    private const int Log2 = 6;

    private uint _prod;

    public SecureHarness(SmmuFeatures? features = null)
    {
        Ns = new DeviceHarness(features);
        Ns.Reset();
        Smmu.InterruptRaised += (_, e) =>
        {
            if (e.Secure)
            {
                SecureInterrupts.Add(e.Source);
            }
        };

        for (uint sid = 0; sid < 256; sid++)
        {
            Memory.WriteUInt64(SecureStreamTable + (sid * 64), 1); // V = 1, Config = abort
        }

        Smmu.WriteRegister64(SStrtabBase, SecureStreamTable);
        Smmu.WriteRegister32(SStrtabBaseCfg, 8); // linear, LOG2SIZE 8
        Smmu.WriteRegister64(SCmdqBase, SecureCommandQueue | Log2);
        Smmu.WriteRegister64(SEventqBase, SecureEventQueue | Log2);
        Smmu.WriteRegister32(SIrqCtrl, 0x5); // GERROR_IRQEN, EVENTQ_IRQEN
        Smmu.WriteRegister32(SCr0, 0xD);     // SMMUEN, EVENTQEN, CMDQEN
    }

    public DeviceHarness Ns { get; }

    public SmmuV3 Smmu => Ns.Smmu;

    public SparseMemory Memory => Ns.Memory;

    public List<SmmuInterrupt> SecureInterrupts { get; } = [];

    public bool CommandErrorActive => ((Smmu.ReadRegister32(SGerror) ^ Smmu.ReadRegister32(SGerrorN)) & 1) != 0;

    public void SetSecureSte(uint sid, in StreamTableEntry ste) => Assert.True(ste.TryWrite(Memory, SecureStreamTable + (sid * 64UL)));

    /// <summary>Writes the commands and a CMD_SYNC to the Secure command queue and publishes S_CMDQ_PROD.</summary>
    public void SubmitSecure(params Command[] commands)
    {
        foreach (var command in commands.Append(Command.Sync(SyncCompletionSignal.None)))
        {
            Assert.True(command.TryWrite(Memory, SecureCommandQueue + ((_prod & ((1u << Log2) - 1)) * 16)));
            _prod = (_prod + 1) & ((2u << Log2) - 1);
        }

        Smmu.WriteRegister32(SCmdqProd, _prod);
    }

    public List<EventRecord> DrainSecureEvents()
    {
        var events = new List<EventRecord>();
        uint wrap = (2u << Log2) - 1;
        for (uint cons = Smmu.ReadRegister32(SEventqCons) & wrap; cons != (Smmu.ReadRegister32(SEventqProd) & wrap); cons = (cons + 1) & wrap)
        {
            Assert.True(EventRecord.TryRead(Memory, SecureEventQueue + ((cons & ((1u << Log2) - 1)) * 32), out var record));
            events.Add(record);
            Smmu.WriteRegister32(SEventqCons, (cons + 1) & wrap);
        }

        return events;
    }

    /// <summary>A stage-1 stream (one CD, 4K 48-bit table) on the Secure or the Non-secure side; returns its table root.</summary>
    public ulong Stage1Stream(bool secure, uint sid, ushort asid, Func<ContextDescriptor, ContextDescriptor>? cd = null, uint strw = 0)
    {
        ulong root = Ns.NewTable();
        ulong cdAddress = Ns.AllocatePage();
        var descriptor = DeviceHarness.LinuxCd(asid, root);
        Assert.True((cd?.Invoke(descriptor) ?? descriptor).TryWrite(Memory, cdAddress));
        var ste = DeviceHarness.LinuxStage1Ste(cdAddress) with { STRW = (StreamWorldEncoding)strw };
        if (secure)
        {
            SetSecureSte(sid, ste);
        }
        else
        {
            Ns.SetSte(sid, ste);
        }

        return root;
    }

    public TranslationResult Read(bool secure, uint sid, ulong va) =>
        Smmu.Translate(new TranslationRequest(sid, va, AccessKind.Read, Secure: secure));
}
