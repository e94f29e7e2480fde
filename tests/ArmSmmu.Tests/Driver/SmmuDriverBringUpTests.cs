using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>Probe and the reset sequence of the host driver (digest §8.1-§8.3, IHI0070 §3.11).</summary>
public class SmmuDriverBringUpTests
{
    internal static SmmuDriver NewDriver(SmmuFeatures? features = null, SmmuDriverOptions? options = null, SparseMemory? memory = null)
    {
        memory ??= new SparseMemory();
        var device = new SmmuV3(memory, features);
        var allocator = new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000);
        return new SmmuDriver(device, memory, allocator, options);
    }

    [Fact]
    public void Initialize_with_PRI_enables_all_three_queues_and_the_smmu()
    {
        var driver = NewDriver();
        driver.Initialize();
        var smmu = driver.Device;

        // IHI0070 §6.3.9: SMMUEN | PRIQEN | EVENTQEN | CMDQEN = 0xF; IRQ_CTRL EVENTQ | PRIQ | GERROR = 0x7.
        Assert.Equal(0xFu, smmu.ReadRegister32(SmmuRegister.CR0ACK));
        Assert.Equal(0x7u, smmu.ReadRegister32(SmmuRegister.IRQ_CTRLACK));
        Assert.Equal(0xD75u, smmu.ReadRegister32(SmmuRegister.CR1));
        // The driver writes RECINVSID with PTM = 0: the SMMU takes part in broadcast TLB maintenance (IHI0070 §3.17).
        Assert.Equal(0x2u, smmu.ReadRegister32(SmmuRegister.CR2));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.GERROR) ^ smmu.ReadRegister32(SmmuRegister.GERRORN));
        Assert.NotEqual(0UL, driver.PriQueueAddress);
    }

    [Fact]
    public void Initialize_without_PRI_acknowledges_0xD_and_configures_the_queues()
    {
        var driver = NewDriver(options: new SmmuDriverOptions { EnablePri = false, CommandQueueLog2Size = 7, EventQueueLog2Size = 5 });
        driver.Initialize();
        var smmu = driver.Device;

        Assert.Equal(0xDu, smmu.ReadRegister32(SmmuRegister.CR0ACK));
        Assert.Equal(0x5u, smmu.ReadRegister32(SmmuRegister.IRQ_CTRLACK));
        Assert.Equal(0UL, driver.PriQueueAddress);

        // *Q_BASE = RA | ADDR | LOG2SIZE (digest §8.2); the queues are naturally aligned.
        ulong cmdqBase = smmu.ReadRegister64(SmmuRegister.CMDQ_BASE);
        Assert.Equal(7UL, cmdqBase & 0x1F);
        Assert.Equal(driver.CommandQueueAddress, cmdqBase & 0x00FF_FFFF_FFFF_FFE0);
        Assert.Equal(0UL, driver.CommandQueueAddress % (128 * 16));
        ulong eventqBase = smmu.ReadRegister64(SmmuRegister.EVENTQ_BASE);
        Assert.Equal(5UL, eventqBase & 0x1F);
        Assert.Equal(driver.EventQueueAddress, eventqBase & 0x00FF_FFFF_FFFF_FFE0);

        // CFGI_ALL, TLBI_EL2_ALL (Hyp) and TLBI_NSNH_ALL, each with a CMD_SYNC: six commands consumed.
        Assert.Equal(6u, smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.Equal(1, smmu.Statistics.CommandCount(CommandOpcode.CfgiSteRange));
        Assert.Equal(1, smmu.Statistics.CommandCount(CommandOpcode.TlbiEl2All));
        Assert.Equal(1, smmu.Statistics.CommandCount(CommandOpcode.TlbiNsnhAll));
    }

    [Fact]
    public void Eight_stream_id_bits_give_a_linear_table_of_abort_STEs()
    {
        var driver = NewDriver(new SmmuFeatures { StreamIdBits = 8 });
        driver.Initialize();

        Assert.False(driver.Capabilities.TwoLevelStreamTable);
        // STRTAB_BASE_CFG: FMT 00 linear, LOG2SIZE 8 (digest §8.2).
        Assert.Equal(8u, driver.Device.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG));
        Assert.Equal(driver.StreamTableAddress, driver.Device.ReadRegister64(SmmuRegister.STRTAB_BASE) & 0x00FF_FFFF_FFFF_FFC0);
        var memory = (SparseMemory)driver.Memory;
        Assert.Equal(1UL, memory.ReadUInt64(driver.StreamTableAddress));             // STE 0: V = 1, Config abort
        Assert.Equal(1UL, memory.ReadUInt64(driver.StreamTableAddress + (255 * 64))); // STE 255
    }

    [Fact]
    public void Sixteen_stream_id_bits_give_a_two_level_table_with_lazy_level_2()
    {
        var driver = NewDriver(new SmmuFeatures { StreamIdBits = 16 });
        driver.Initialize();

        Assert.True(driver.Capabilities.TwoLevelStreamTable);
        // Digest §8.2 example: FMT 01, SPLIT 8, LOG2SIZE 16 = 0x10210.
        Assert.Equal(0x10210u, driver.Device.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG));
        Assert.Equal(0, driver.StreamTableLevel2Count);

        ulong ste = driver.SteAddress(0x1234);
        var memory = (SparseMemory)driver.Memory;
        var l1std = new L1StreamTableDescriptor(memory.ReadUInt64(driver.StreamTableAddress + (0x12 * 8)));
        Assert.Equal(9u, l1std.Span); // SPLIT + 1: 256 STEs
        Assert.Equal(l1std.L2Ptr + (0x34 * 64), ste);
        Assert.Equal(1UL, memory.ReadUInt64(ste));
        Assert.Equal(1, driver.StreamTableLevel2Count);

        // The new L1STD is visible to the SMMU: an abort STE aborts silently (no C_BAD_STREAMID).
        var result = driver.Device.Translate(new TranslationRequest(0x1234, 0x1000, AccessKind.Read));
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.None, result.Fault);
    }

    [Fact]
    public void Probe_refuses_a_command_queue_of_64_entries()
    {
        // Digest §8.1: Linux needs CMDQS >= 7 (more than one 64-command batch).
        var driver = NewDriver(new SmmuFeatures { CommandQueueLog2Size = 6 });
        var error = Assert.Throws<NotSupportedException>(driver.Probe);
        Assert.Contains("CMDQS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_decodes_widths_and_queue_sizes()
    {
        var driver = NewDriver(new SmmuFeatures { Asid16 = false, Vmid16 = true, RangeInvalidation = false, EventQueueLog2Size = 4, StallModel = StallModel.TerminateOnly });
        var caps = driver.Probe();

        Assert.Equal(8, caps.AsidBits);
        Assert.Equal(16, caps.VmidBits);
        Assert.False(caps.RangeInvalidation);
        Assert.Equal(StallModel.TerminateOnly, caps.StallModel);
        Assert.Equal(4, caps.EventQueueLog2Size); // min(IDR1.EVENTQS 4, option 7)
        Assert.Equal(8, caps.CommandQueueLog2Size); // min(IDR1.CMDQS 19, option 8)
        Assert.Equal(20, caps.SubstreamIdBits);
        Assert.True(caps.Hyp);
        Assert.False(caps.E2H);
    }

    [Fact]
    public void E2H_option_sets_CR2_E2H()
    {
        var driver = NewDriver(options: new SmmuDriverOptions { UseE2H = true });
        driver.Initialize();
        Assert.Equal(0x3u, driver.Device.ReadRegister32(SmmuRegister.CR2)); // E2H | RECINVSID (PTM = 0: broadcast TLB maintenance on)
        Assert.True(driver.Capabilities.E2H);
    }

    [Fact]
    public void Shutdown_disables_the_smmu_and_returns_the_memory()
    {
        var driver = NewDriver();
        driver.Initialize();
        driver.SteAddress(0x300);
        driver.Shutdown();

        Assert.Equal(0u, driver.Device.ReadRegister32(SmmuRegister.CR0ACK));
        Assert.Equal(0, driver.Allocator.AllocationCount);
        driver.Initialize();
        Assert.Equal(0xFu, driver.Device.ReadRegister32(SmmuRegister.CR0ACK));
    }
}
