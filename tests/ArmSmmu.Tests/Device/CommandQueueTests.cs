using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>The command queue consumer: opcodes, command errors and recovery, wrap-around, CMD_SYNC (IHI0070 §3.5, §4, §7.1).</summary>
public class CommandQueueTests
{
    private const ulong MsiTarget = 0x3000_0000;

    private static DeviceHarness Started(SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.EnableCommandQueueOnly();
        return h;
    }

    private static uint Cons(DeviceHarness h) => h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);

    private static bool CmdqErrorActive(DeviceHarness h) =>
        ((h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN)) & (uint)GerrorFlags.CMDQ_ERR) != 0;

    // IHI0070 §7.1: the command stops the queue with CERROR_ILL, CONS on it; Linux's fix-up (replace with CMD_SYNC,
    // acknowledge GERRORN) lets the queue finish without a PROD write.
    private static void AssertIllegal(DeviceHarness h, Command command)
    {
        uint index = h.CommandProducer;
        h.SubmitRaw(command);
        uint cons = Cons(h);
        Assert.True(CmdqErrorActive(h), $"{command} should be CERROR_ILL");
        Assert.Equal(index, cons & 0xFFFFF);
        Assert.Equal((uint)CommandError.Ill, (cons >> 24) & 0x7F);

        Assert.True(Command.Sync(SyncCompletionSignal.None).TryWrite(h.Memory, DeviceHarness.CommandSlot(index)));
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.False(CmdqErrorActive(h));
        Assert.Equal(h.CommandProducer, Cons(h));
    }

    public static TheoryData<byte> ReservedOpcodes =>
    [
        // IHI0070 §4.1.1 (digest 4.1): reserved, v3.2 VMS (no MPAM), Secure-queue-only, DPT (no IDR3.DPT), IMPDEF.
        0x00, 0x07, 0x08, 0x0F, 0x14, 0x18, 0x1A, 0x24, 0x29, 0x31, 0x42, 0x47, 0x50, 0x51, 0x52, 0x53, 0x58, 0x5A,
        0x60, 0x70, 0x73, 0x80, 0x85, 0x8F, 0x90, 0xFF,
    ];

    [Theory]
    [MemberData(nameof(ReservedOpcodes))]
    public void Reserved_secure_and_implementation_defined_opcodes_are_cerror_ill(byte opcode)
    {
        AssertIllegal(Started(), new Command(opcode));
    }

    [Fact]
    public void Every_architected_opcode_of_a_full_featured_smmu_is_consumed()
    {
        // IHI0070 §4.1.1: each of these is legal on the Non-secure queue of the default device.
        var h = Started();
        Command[] commands =
        [
            Command.PrefetchConfig(1),
            new Command { Opcode = CommandOpcode.PrefetchAddr, StreamId = 1, Address = 0x1000 },
            Command.CfgiSte(1, leaf: true),
            Command.CfgiSteRange(0x10, 3),
            Command.CfgiAll(),
            Command.CfgiCd(1, 0, leaf: true),
            Command.CfgiCdAll(1),
            Command.TlbiNhAll(1),
            Command.TlbiNhAsid(1, 2),
            Command.TlbiNhVa(1, 2, 0x4000, leaf: true),
            Command.TlbiNhVa(1, 2, 0x4000, leaf: false, num: 3, scale: 1, ttl: 3, tg: RangeGranule.Size4K),
            Command.TlbiNhVaa(1, 0x4000, leaf: true),
            Command.TlbiEl2All(),
            Command.TlbiEl2Asid(2),
            Command.TlbiEl2Va(2, 0x4000, leaf: true),
            Command.TlbiEl2Vaa(0x4000, leaf: true),
            Command.TlbiS12Vmall(1),
            Command.TlbiS2Ipa(1, 0x8000, leaf: true),
            Command.TlbiNsnhAll(),
            Command.AtcInv(1, null, 0, 52, global: false),
            Command.PriResp(1, 5, 3, PriResponseCode.Failure),
            Command.PriResp(1, null, 3, PriResponseCode.InvalidRequest),
            Command.PriResp(1, null, 3, PriResponseCode.Success),
            Command.Resume(1, 0x77, retry: true, abort: false),
            Command.StallTerm(1),
            Command.Sync(SyncCompletionSignal.Sev),
        ];
        h.Submit(commands);
        Assert.False(CmdqErrorActive(h));
        Assert.Equal(h.CommandProducer, Cons(h));
        Assert.Equal(1, h.Smmu.Statistics.CommandCount(CommandOpcode.TlbiS2Ipa));
        Assert.Equal(3, h.Smmu.Statistics.CommandCount(CommandOpcode.PriResp));
    }

    public static TheoryData<string> IllegalForFeatures => ["El2NoHyp", "S2OnS1Only", "S1OnS2Only", "AtcNoAts", "PriNoPri", "StallNoStall", "RangeNoRil"];

    [Theory]
    [MemberData(nameof(IllegalForFeatures))]
    public void Commands_for_absent_features_are_cerror_ill(string case_)
    {
        // IHI0070 §4.1 (digest 4.3 notes): a command not valid for the implemented features is CERROR_ILL.
        (SmmuFeatures features, Command[] commands) = case_ switch
        {
            "El2NoHyp" => (SmmuFeatures.Default with { Hyp = false }, new[] { Command.TlbiEl2All(), Command.TlbiEl2Asid(1), Command.TlbiEl2Va(1, 0x1000, true), Command.TlbiEl2Vaa(0x1000, true) }),
            "S2OnS1Only" => (SmmuFeatures.Default with { Stage2 = false }, new[] { Command.TlbiS12Vmall(1), Command.TlbiS2Ipa(1, 0x1000, true) }),
            "S1OnS2Only" => (SmmuFeatures.Default with { Stage1 = false }, new[] { Command.TlbiNhAll(1), Command.TlbiNhAsid(1, 1), Command.TlbiNhVa(1, 1, 0x1000, true), Command.TlbiNhVaa(1, 0x1000, true), Command.CfgiCd(1, 0, true), Command.CfgiCdAll(1) }),
            "AtcNoAts" => (SmmuFeatures.Default with { Ats = false }, new[] { Command.AtcInv(1, null, 0, 52, false) }),
            "PriNoPri" => (SmmuFeatures.Default with { Pri = false }, new[] { Command.PriResp(1, null, 0, PriResponseCode.Success) }),
            "StallNoStall" => (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, new[] { Command.Resume(1, 0, true, false), Command.StallTerm(1) }),
            _ => (SmmuFeatures.Default with { RangeInvalidation = false }, new[] { Command.TlbiNhVa(1, 1, 0x1000, true, num: 1, scale: 0, ttl: 0, tg: RangeGranule.Size4K), Command.TlbiS2Ipa(1, 0x1000, true, ttl: 3, tg: RangeGranule.Size4K) }),
        };
        var h = Started(features);
        foreach (var command in commands)
        {
            AssertIllegal(h, command);
        }
    }

    [Fact]
    public void Malformed_parameters_are_cerror_ill()
    {
        var h = Started();
        // IHI0070 §4.1.5/§4.3: SSec = 1 on the Non-secure queue.
        AssertIllegal(h, Command.CfgiSte(1, true) with { SSec = true });
        AssertIllegal(h, Command.CfgiCd(1, 0, true) with { SSec = true });
        AssertIllegal(h, Command.PrefetchConfig(1) with { SSec = true });
        AssertIllegal(h, Command.Resume(1, 0, true, false) with { SSec = true });
        // IHI0070 §4.7.3: CMD_SYNC CS = 0b11 is ILLEGAL.
        AssertIllegal(h, Command.Sync(SyncCompletionSignal.Reserved));
        // IHI0070 §4.7.1: PRI_RESP Resp = 0b11 is ILLEGAL.
        AssertIllegal(h, Command.PriResp(1, null, 0, (PriResponseCode)3));
        // IHI0070 §4.4.1.1: TG != 0 with NUM = SCALE = TTL = 0 is reserved; TG = 0 makes NUM/SCALE/TTL RES0.
        AssertIllegal(h, Command.TlbiNhVa(1, 1, 0x1000, true, num: 0, scale: 0, ttl: 0, tg: RangeGranule.Size4K));
        AssertIllegal(h, Command.TlbiNhVa(1, 1, 0x1000, true, num: 2, scale: 0, ttl: 0, tg: RangeGranule.None));
        // TG = 16KB with TTL = 0b01 is a level-1 hint with IDR5.DS (the default), ILLEGAL as a single granule without
        // it: CommandAuditTests.Section_4_4_1_1_ttl_01_with_a_16kb_granule_*.
    }

    [Fact]
    public void Command_error_freezes_the_queue_until_gerrorn_and_processing_resumes_without_a_prod_write()
    {
        var h = Started();
        h.Smmu.WriteRegister32(SmmuRegister.IRQ_CTRL, 0); // no GERROR interrupt needed here
        uint bad = h.CommandProducer;
        // IHI0070 §7.1: [bad, SYNC(MSI)] — the SYNC after the bad command has no effect while CMDQ_ERR is active.
        h.SubmitRaw(new Command(0x00), Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 0xA5A5));
        Assert.Equal(bad, Cons(h) & 0xFFFFF);
        Assert.Equal(1u, (Cons(h) >> 24) & 0x7F);
        Assert.Equal(0u, h.Memory.ReadUInt32(MsiTarget));
        Assert.Equal(1L, h.Smmu.Statistics.CommandErrors);

        // Another PROD write while the error is active consumes nothing.
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, MsiTarget + 4, 0x5A5A));
        Assert.Equal(bad, Cons(h) & 0xFFFFF);
        Assert.Equal(0u, h.Memory.ReadUInt32(MsiTarget + 4));

        // Linux replaces the bad command with CMD_SYNC and acknowledges: processing restarts from CONS.
        Assert.True(Command.Sync(SyncCompletionSignal.None).TryWrite(h.Memory, DeviceHarness.CommandSlot(bad)));
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(h.CommandProducer, Cons(h)); // ERR cleared with the error no longer active
        Assert.Equal(0xA5A5u, h.Memory.ReadUInt32(MsiTarget));
        Assert.Equal(0x5A5Au, h.Memory.ReadUInt32(MsiTarget + 4));
    }

    [Fact]
    public void Aborting_queue_memory_is_cerror_abt_and_a_retry_after_acknowledge_succeeds()
    {
        var h = Started();
        uint index = h.CommandProducer;
        Assert.True(Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 7).TryWrite(h.Memory, DeviceHarness.CommandSlot(index)));
        h.CommandProducer = index + 1;
        h.Memory.AddAbortRange(DeviceHarness.CommandSlot(index), 16);
        h.Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, h.CommandProducer);

        // IHI0070 §7.1: an external abort on the command fetch is CERROR_ABT (0x02), CONS on that command.
        Assert.True(CmdqErrorActive(h));
        Assert.Equal(index, Cons(h) & 0xFFFFF);
        Assert.Equal((uint)CommandError.Abt, (Cons(h) >> 24) & 0x7F);
        Assert.Equal(2u, (uint)CommandError.Abt);

        h.Memory.ClearAbortRanges();
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(h.CommandProducer, Cons(h));
        Assert.Equal(7u, h.Memory.ReadUInt32(MsiTarget));
    }

    [Fact]
    public void A_small_queue_wraps_over_several_laps()
    {
        // IHI0070 §3.5.1: index = low LOG2SIZE bits, wrap = bit LOG2SIZE; a full queue (PROD = CONS + 4 entries) is legal.
        var memory = new SparseMemory();
        var smmu = new SmmuV3(memory);
        const ulong queue = 0x1100_0000;
        const int log2 = 2;
        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, queue | log2);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.CMDQEN);
        uint prod = 0;
        uint counter = 0;
        for (int batch = 0; batch < 5; batch++)
        {
            int count = batch == 2 ? 4 : 3; // one batch fills the queue completely
            for (int i = 0; i < count; i++)
            {
                counter++;
                Command.Sync(SyncCompletionSignal.Irq, MsiTarget, counter).TryWrite(memory, queue + ((prod & 3) * 16));
                prod = (prod + 1) & 7;
            }

            smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, prod);
            Assert.Equal(prod, smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
            Assert.Equal(counter, memory.ReadUInt32(MsiTarget));
        }

        Assert.Equal(16u, counter); // four laps of four entries
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.GERROR));
        // Bits of CMDQ_PROD above the wrap bit are RES0 (IHI0070 §6.3.27).
        smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, 0xFFF0 | prod);
        Assert.Equal(prod, smmu.ReadRegister32(SmmuRegister.CMDQ_PROD));
    }

    [Fact]
    public void Cmdqen_zero_stops_consumption_and_enabling_it_resumes()
    {
        var h = Started();
        h.WriteAndPoll(SmmuRegister.CR0, 0, SmmuRegister.CR0ACK);
        uint before = Cons(h);
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 9));
        // IHI0070 §6.3.9: with CMDQEN = 0 no command is processed.
        Assert.Equal(before, Cons(h));
        Assert.Equal(0u, h.Memory.ReadUInt32(MsiTarget));
        h.WriteAndPoll(SmmuRegister.CR0, (uint)Cr0Flags.CMDQEN, SmmuRegister.CR0ACK);
        Assert.Equal(h.CommandProducer, Cons(h));
        Assert.Equal(9u, h.Memory.ReadUInt32(MsiTarget));
    }

    [Fact]
    public void Cmd_sync_sig_irq_writes_the_msi_and_linux_msi_polling_sees_zero_in_the_sync_slot()
    {
        var h = Started();
        // IHI0070 §4.7.3: CS = SIG_IRQ with MSIAddress != 0 writes the 32-bit MSIData to MSIAddress.
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 0xCAFE_F00D));
        Assert.Equal(0xCAFE_F00Du, h.Memory.ReadUInt32(MsiTarget));

        // Linux: MSIAddress = the SYNC's own slot, MSIData = 0; completion = first 32 bits of the slot read 0.
        uint index = h.CommandProducer;
        ulong slot = DeviceHarness.CommandSlot(index);
        var sync = Command.Sync(SyncCompletionSignal.Irq, slot, 0);
        Assert.NotEqual(0u, (uint)sync.Dw0);
        h.SubmitRaw(sync);
        Assert.Equal(0u, h.Memory.ReadUInt32(slot));
        Assert.Equal(sync.Dw1, h.Memory.ReadUInt64(slot + 8));
        // IHI0070 §3.18.2: an MSI each, and the CMD_SYNC wired line each time (the default SMMU has both).
        Assert.Equal([SmmuInterrupt.CommandSync, SmmuInterrupt.CommandSync], h.Interrupts);
    }

    [Fact]
    public void Cmd_sync_msi_abort_sets_msi_cmdq_abt_err_and_the_sync_still_completes()
    {
        var h = Started();
        h.Memory.AddAbortRange(MsiTarget, 0x1000);
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 1));
        // IHI0070 §3.18.1/§7.5: an aborted CMD_SYNC MSI is visible as GERROR.MSI_CMDQ_ABT_ERR (bit 4).
        Assert.Equal((uint)GerrorFlags.MSI_CMDQ_ABT_ERR, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(1u << 4, (uint)GerrorFlags.MSI_CMDQ_ABT_ERR);
        Assert.Equal(h.CommandProducer, Cons(h));
    }

    [Fact]
    public void Cmd_sync_sig_irq_without_address_pulses_the_wired_line_and_sig_sev_sends_an_event()
    {
        var h = Started();
        h.Submit(); // a plain SYNC: no signal
        Assert.Empty(h.Interrupts);
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq));
        Assert.Equal([SmmuInterrupt.CommandSync], h.Interrupts);
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Sev));
        Assert.Equal([SmmuInterrupt.CommandSync, SmmuInterrupt.SendEvent], h.Interrupts);

        // IHI0070 §4.7.3: SIG_SEV with IDR0.SEV = 0 behaves as SIG_NONE; SIG_IRQ without MSI support is wired.
        var noSev = Started(SmmuFeatures.Default with { Sev = false, Msi = false });
        noSev.SubmitRaw(Command.Sync(SyncCompletionSignal.Sev));
        Assert.Empty(noSev.Interrupts);
        noSev.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, MsiTarget, 3));
        Assert.Equal([SmmuInterrupt.CommandSync], noSev.Interrupts);
        Assert.Equal(0u, noSev.Memory.ReadUInt32(MsiTarget));
    }

    [Fact]
    public void Statistics_count_consumed_commands_by_opcode_and_command_errors()
    {
        var h = Started();
        h.Submit(Command.CfgiAll(), Command.TlbiNsnhAll());
        Assert.Equal(1, h.Smmu.Statistics.CommandCount(CommandOpcode.CfgiSteRange));
        Assert.Equal(1, h.Smmu.Statistics.CommandCount(CommandOpcode.TlbiNsnhAll));
        Assert.Equal(1, h.Smmu.Statistics.CommandCount(CommandOpcode.Sync));
        Assert.Equal(3, h.Smmu.Statistics.Commands);
        AssertIllegal(h, new Command(0x00));
        Assert.Equal(1, h.Smmu.Statistics.CommandErrors);
        Assert.Equal(4, h.Smmu.Statistics.Commands); // the SYNC that replaced it
    }
}
