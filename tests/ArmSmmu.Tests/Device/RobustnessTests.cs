using ArmSmmu.Structures;
using CsCheck;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Guest mistakes are never exceptions (ARCHITECTURE.md): random STEs, CDs, descriptors, commands and register
/// writes only ever produce the events and errors the architecture defines.
/// </summary>
public class RobustnessTests
{
    private const uint Sid = 3;
    private const ulong Cd = DeviceHarness.CdTableBase;

    private static readonly Gen<ulong[]> Words8 = Gen.ULong.Array[8];

    private static DeviceHarness NewDevice()
    {
        // 4 GiB of backed memory: random pointers above it abort, exercising the *_FETCH and F_WALK_EABT paths.
        var h = new DeviceHarness(memory: new SparseMemory(0x1_0000_0000));
        h.Reset();
        return h;
    }

    [Fact]
    public void Random_ste_and_cd_words_give_a_result_and_every_recorded_fault_is_in_the_event_queue()
    {
        Gen.Select(Words8, Words8, Gen.ULong, Gen.UInt[0, 3], Gen.Bool).Sample((ste, cd, address, access, withSsid) =>
        {
            var h = NewDevice();
            // Keep the CD pointer inside memory half of the time so CD decoding is reached, not only F_CD_FETCH.
            if ((ste[1] & 1) == 0)
            {
                ste[0] = (ste[0] & ~0x00FF_FFFF_FFFF_FFC0UL) | Cd;
            }

            for (int i = 0; i < 8; i++)
            {
                h.Memory.WriteUInt64(h.SteAddress(Sid) + ((ulong)i * 8), ste[i]);
                h.Memory.WriteUInt64(Cd + ((ulong)i * 8), cd[i]);
            }

            h.Submit(Command.CfgiAll());
            var request = new TranslationRequest(Sid, address, (AccessKind)(access % 3), withSsid ? (uint)(address & 0xFFFFF) : null);
            var result = h.Smmu.Translate(request);
            var events = h.DrainEvents();
            Assert.Equal(result.FaultRecorded ? 1 : 0, events.Count);
            if (result.FaultRecorded)
            {
                Assert.Equal(result.Fault, events[0].Type);
                Assert.Equal(Sid, events[0].StreamId);
            }

            Assert.Equal(result.Outcome is TranslationOutcome.Translated or TranslationOutcome.Bypassed, result.IsSuccess);
        }, iter: 400);
    }

    [Fact]
    public void Random_translation_tables_never_throw()
    {
        Gen.Select(Gen.ULong.Array[64], Gen.ULong, Gen.Bool).Sample((descriptors, address, write) =>
        {
            var h = NewDevice();
            ulong table = h.NewTable();
            for (int i = 0; i < descriptors.Length; i++)
            {
                // Tables point at one another or anywhere; the walker must cope with loops and aborts alike.
                h.Memory.WriteUInt64(table + ((ulong)(i % 512) * 8) + ((address >> 12) & 0x1F8), descriptors[i]);
            }

            Assert.True(DeviceHarness.LinuxCd(1, table).TryWrite(h.Memory, Cd));
            h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(Cd));
            var result = write ? h.Write(Sid, address & 0x0000_FFFF_FFFF_FFFF) : h.Read(Sid, address & 0x0000_FFFF_FFFF_FFFF);
            Assert.True(result.IsSuccess || result.Outcome == TranslationOutcome.Faulted);
            Assert.Equal(result.FaultRecorded ? 1 : 0, h.DrainEvents().Count);
        }, iter: 300);
    }

    [Fact]
    public void Random_commands_are_consumed_or_stop_the_queue_with_a_command_error_that_software_can_clear()
    {
        Gen.Select(Gen.ULong, Gen.ULong).Sample((dw0, dw1) =>
        {
            var h = NewDevice();
            h.SubmitRaw(new Command(dw0, dw1));
            uint cons = h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
            bool error = ((h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN)) & 1) != 0;
            if (error)
            {
                // IHI0070 §7.1: CONS stays on the command; ERR names the reason (only ILL is possible from a fetched command).
                Assert.Equal(h.CommandProducer - 1, cons & 0xFFFFF);
                Assert.Equal((uint)CommandError.Ill, (cons >> 24) & 0x7F);

                // Linux's fix-up: overwrite with CMD_SYNC, acknowledge, the queue drains.
                Assert.True(Command.Sync(SyncCompletionSignal.None).TryWrite(h.Memory, DeviceHarness.CommandQueueBase + ((cons & 0xFF) * 16)));
                h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
            }

            Assert.Equal(h.CommandProducer, h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS) & 0xFFFFF);
            h.Submit(Command.CfgiAll()); // the queue still works afterwards
        }, iter: 2000);
    }

    [Fact]
    public void Random_register_writes_between_translations_never_throw()
    {
        var offsets = Gen.UInt[0, 0x4FFF].Select(o => (ulong)(o * 4) % 0x200 | (o >= 0x4000 ? 0x10000UL : 0));
        Gen.Select(offsets, Gen.UInt, Gen.ULong).Array[20].Sample(writes =>
        {
            var h = NewDevice();
            foreach (var (offset, value, address) in writes)
            {
                h.Smmu.WriteRegister32(offset, value);
                var result = h.Smmu.Translate(new TranslationRequest((uint)(address & 0xFF), address, AccessKind.Read));
                Assert.True(result.IsSuccess || result.Outcome is TranslationOutcome.Faulted or TranslationOutcome.Stalled);
            }
        }, iter: 300);
    }
}
