using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Device;

/// <summary>The device driven exactly as Linux's arm-smmu-v3 driver drives it (digest §8.3-§8.6).</summary>
public class LinuxSequenceTests
{
    private const uint Sid = 0x10;
    private const ushort Asid = 1;

    [Fact]
    public void Reset_sequence_leaves_the_queues_and_smmu_enabled()
    {
        var h = new DeviceHarness();
        h.Reset();

        // IHI0070 §6.3.9: CR0ACK reflects SMMUEN | EVENTQEN | CMDQEN.
        Assert.Equal(0xDu, h.Smmu.ReadRegister32(SmmuRegister.CR0ACK));
        Assert.Equal(0x5u, h.Smmu.ReadRegister32(SmmuRegister.IRQ_CTRLACK));
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        // CFGI_ALL + SYNC, TLBI_EL2_ALL + SYNC, TLBI_NSNH_ALL + SYNC were consumed: CONS = PROD = 6.
        Assert.Equal(6u, h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void Stage1_mapping_translates_then_unmap_with_tlbi_faults_and_the_event_is_drained()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        const ulong iova = 0xFFFF_D000;
        const ulong pa = 0x4801_F000;
        h.Map4K(pgd, iova, pa, DeviceHarness.S1ReadWrite);

        // digest §8.5 steps 1-4: CD (written whole, then CFGI_CD), STE through the Linux 6.1 sequence.
        ulong cdTable = DeviceHarness.CdTableBase;
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, cdTable));
        h.Submit(Command.CfgiCd(Sid, 0, leaf: true));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(cdTable));

        var read = h.Read(Sid, iova + 0x44);
        Assert.Equal(TranslationOutcome.Translated, read.Outcome);
        Assert.Equal(pa + 0x44, read.PhysicalAddress);
        Assert.Equal(12, read.PageShift);
        Assert.Equal(MemoryType.Normal, read.Attributes.Memory.Type); // MAIR Attr1 = 0xFF
        Assert.True(h.Write(Sid, iova).IsSuccess);

        // digest §8.5 step 7: clear the PTE, TLBI_NH_VA(ASID, leaf) + SYNC.
        h.Unmap4K(pgd, iova);
        var stale = h.Read(Sid, iova);
        Assert.Equal(pa, stale.PhysicalAddress); // cached until invalidated: allowed (IHI0070 §3.21)
        h.Submit(Command.TlbiNhVa(0, Asid, iova, leaf: true));

        var fault = h.Read(Sid, iova + 0x10);
        Assert.Equal(TranslationOutcome.Faulted, fault.Outcome);
        Assert.Equal(EventType.FTranslation, fault.Fault);
        Assert.True(fault.FaultRecorded);
        Assert.Equal(Termination.Abort, fault.Termination); // CD.A = 1

        var events = h.DrainEvents();
        var record = Assert.Single(events);
        // IHI0070 §7.3.12 F_TRANSLATION: stage 1, CLASS IN, read, unprivileged, data, no SubstreamID.
        Assert.Equal(EventType.FTranslation, record.Type);
        Assert.Equal(Sid, record.StreamId);
        Assert.False(record.SSV);
        Assert.Equal(iova + 0x10, record.InputAddress);
        Assert.True(record.RnW);
        Assert.False(record.PnU);
        Assert.False(record.InD);
        Assert.False(record.S2);
        Assert.False(record.Stall);
        Assert.Equal(FaultClass.IN, record.Class);
        // The whole record, bit for bit (digest §5.1): dw0 = 0x10 | SID << 32, dw1 = RnW (bit 35) | CLASS IN (2 << 40).
        Assert.Equal(0x10UL | ((ulong)Sid << 32), record.Dw0);
        Assert.Equal((1UL << 35) | (2UL << 40), record.Dw1);
        Assert.Equal(iova + 0x10, record.Dw2);
        Assert.Equal(0UL, record.Dw3);
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS) & 0xFF);
        Assert.Contains(SmmuInterrupt.EventQueue, h.Interrupts);
    }

    [Fact]
    public void Detach_to_abort_ste_stops_translation_without_an_event()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        Assert.True(h.Read(Sid, 0x1000).IsSuccess);

        // digest §8.5 step 8: STE -> abort, CFGI_STE + SYNC.
        h.Memory.WriteUInt64(h.SteAddress(Sid), StreamTableEntry.Abort.Dw0);
        h.Submit(Command.CfgiSte(Sid, leaf: true));

        var result = h.Read(Sid, 0x1000);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.False(result.FaultRecorded);
        Assert.Empty(h.DrainEvents()); // IHI0070 §5.2: Config 0b000 aborts silently
    }

    [Fact]
    public void Linux_6_8_hitless_update_from_abort_to_stage1_never_exposes_an_illegal_ste()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        var target = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase);
        ulong address = h.SteAddress(Sid);

        // digest §8.5 "used bits" writer: (a) the bits the abort STE does not use (dw1.., and dw0 above Config)
        // take their target values first, (b) then the critical word dw0, each step followed by CFGI_STE + SYNC.
        h.Memory.WriteUInt64(address + 8, target.Dw1);
        h.Memory.WriteUInt64(address, (target.Dw0 & ~0xFUL) | StreamTableEntry.Abort.Dw0);
        h.Submit(Command.CfgiSte(Sid, leaf: true));
        var during = h.Read(Sid, 0x1000);
        Assert.Equal(TranslationOutcome.Faulted, during.Outcome);
        Assert.Empty(h.DrainEvents()); // IHI0070 §5.2: Config 0b000 ignores every other field, so no C_BAD_STE

        h.Memory.WriteUInt64(address, target.Dw0);
        h.Submit(Command.CfgiSte(Sid, leaf: true));
        Assert.Equal(0x8000_0000UL, h.Read(Sid, 0x1000).PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }
}
