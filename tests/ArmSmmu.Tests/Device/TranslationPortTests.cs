using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// A <see cref="TranslationPort"/> translates as the device does and counts where it likes: the results, the events
/// and every statistic must be those of <see cref="SmmuV3.Translate"/>.
/// </summary>
public class TranslationPortTests
{
    // StatisticsTests' sequence through a port: first transaction, hit, miss and walk to a permission fault, denied
    // hit, miss after a TLBI, hit; the same results, events and counts.
    [Fact]
    public void A_port_gives_the_devices_results_events_and_counts()
    {
        var h = new DeviceHarness();
        using var port = h.Smmu.OpenPort();
        StatisticsTests.CachedCdSequence(h, port.Translate);
    }

    // The README's "program the device yourself" snippet, port included, as written there.
    [Fact]
    public void The_readme_device_snippet_translates_as_it_says()
    {
        var memory = new SparseMemory();
        var smmu = new SmmuV3(memory);
        const ulong streamTable = 0x1000_0000;
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(memory, streamTable + (5 * 64)));
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, streamTable);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 8);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.SMMUEN);
        var bypassed = smmu.Translate(new TranslationRequest(StreamId: 5, Address: 0x1000, Access: AccessKind.Read));
        var faulted = smmu.Translate(new TranslationRequest(StreamId: 6, Address: 0x1000, Access: AccessKind.Read));
        using var port = smmu.OpenPort();
        var throughPort = port.Translate(new TranslationRequest(StreamId: 5, Address: 0x2000, Access: AccessKind.Write));

        Assert.Equal((TranslationOutcome.Bypassed, 0x1000UL), (bypassed.Outcome, bypassed.PhysicalAddress));
        Assert.Equal((TranslationOutcome.Faulted, EventType.CBadSte, Termination.Abort), (faulted.Outcome, faulted.Fault, faulted.Termination));
        Assert.Equal((TranslationOutcome.Bypassed, 0x2000UL), (throughPort.Outcome, throughPort.PhysicalAddress));
    }

    [Fact]
    public void Ports_on_two_threads_and_the_device_path_together_count_every_hit_and_a_closed_port_keeps_its_counts()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        for (ulong page = 0; page < 16; page++)
        {
            h.Map4K(pgd, page << 12, 0x8000_0000 + (page << 12), DeviceHarness.S1ReadWrite);
        }

        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(7, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        for (ulong page = 0; page < 16; page++)
        {
            h.Read(7, page << 12); // 16 misses fill the TLB
        }

        h.Smmu.Statistics.Reset();
        const int PerThread = 10_000;
        var ports = new[] { h.Smmu.OpenPort(), h.Smmu.OpenPort() };
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                ulong address = ((ulong)(i % 16) << 12) | 0x40;
                Assert.Equal(0x8000_0040UL + ((ulong)(i % 16) << 12), ports[t].Translate(new(7, address, AccessKind.Read)).PhysicalAddress);
            }
        });
        for (int i = 0; i < 100; i++)
        {
            h.Read(7, 0x3000);
        }

        Assert.Equal((2L * PerThread) + 100, h.Smmu.Statistics.Tlb.Hits);
        foreach (var port in ports)
        {
            port.Dispose();
        }

        AssertDisposed(ports[0]);
        Assert.Equal((2L * PerThread) + 100, h.Smmu.Statistics.Tlb.Hits);
        Assert.Equal((2L * PerThread) + 100, h.Smmu.Statistics.SteCache.Hits);
        Assert.Equal(0L, h.Smmu.Statistics.Tlb.Misses);

        static void AssertDisposed(TranslationPort port)
        {
            var thrown = Assert.Throws<ObjectDisposedException>(() => port.Translate(new(7, 0x1000, AccessKind.Read)));
            Assert.Contains("OpenPort", thrown.Message, StringComparison.Ordinal);
        }
    }
}
