using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>Translations from several threads while another remaps and invalidates (IHI0070 §3.21.3, §4.7.3 CMD_SYNC).</summary>
public class ConcurrencyTests
{
    private const uint Sid = 0x40;
    private const ushort Asid = 9;
    private const ulong Va = 0x0100_0000;
    private const ulong PaBase = 0x4000_0000;
    private const int Pages = 16;
    private const int Remaps = 200;

    private static ulong PaFor(int version) => PaBase + ((ulong)version * 0x10_0000);

    [Fact]
    public void Results_are_old_or_new_before_sync_and_only_new_after()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        for (int i = 0; i < Pages; i++)
        {
            h.Map4K(pgd, Va + ((ulong)i * 0x1000), PaBase + ((ulong)i * 0x1000), DeviceHarness.S1ReadWrite);
        }

        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        // Page 0 is remapped over and over: version v maps it to PaFor(v). `completed` is the last version whose
        // TLBI + SYNC finished; `written` the last version whose PTE was written.
        int completed = 0;
        int written = 0;
        int iterations = 0;
        bool stop = false;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var readers = new Thread[3];
        for (int t = 0; t < readers.Length; t++)
        {
            int seed = t;
            readers[t] = new Thread(() =>
            {
                var random = new Random(seed);
                try
                {
                    while (!Volatile.Read(ref stop))
                    {
                        int before = Volatile.Read(ref completed);
                        var result = h.Read(Sid, Va + 0x10);
                        int after = Volatile.Read(ref written);
                        if (!result.IsSuccess)
                        {
                            errors.Enqueue($"fault {result}");
                            continue;
                        }

                        ulong offset = result.PhysicalAddress - PaBase - 0x10;
                        int version = (int)(offset / 0x10_0000);
                        if (offset % 0x10_0000 != 0 || version < before || version > after)
                        {
                            errors.Enqueue($"PA 0x{result.PhysicalAddress:X} outside versions {before}..{after}");
                        }

                        // Other pages: TLB hits that must never change.
                        int page = random.Next(1, Pages);
                        var other = h.Write(Sid, Va + ((ulong)page * 0x1000));
                        if (other.PhysicalAddress != PaBase + ((ulong)page * 0x1000))
                        {
                            errors.Enqueue($"page {page} -> {other}");
                        }

                        Interlocked.Increment(ref iterations);
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e.ToString());
                }
            });
            readers[t].Start();
        }

        // On a loaded machine the readers may not be scheduled before the writer is done; the remaps must overlap
        // their translations for the test to mean anything, so start remapping once every reader is running.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref iterations) >= readers.Length, TimeSpan.FromSeconds(60)));
        for (int v = 1; v <= Remaps; v++)
        {
            h.Map4K(pgd, Va, PaFor(v), DeviceHarness.S1ReadWrite);
            Volatile.Write(ref written, v);
            h.Submit(Command.TlbiNhVa(0, Asid, Va, leaf: true));
            Volatile.Write(ref completed, v);

            // IHI0070 §4.7.3: after the SYNC the new mapping, and only it, is used.
            Assert.Equal(PaFor(v) + 0x10, h.Read(Sid, Va + 0x10).PhysicalAddress);
        }

        SpinWait.SpinUntil(() => Volatile.Read(ref iterations) >= 20 * readers.Length, TimeSpan.FromSeconds(60));
        Volatile.Write(ref stop, true);
        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Empty(errors);
        Assert.True(h.Smmu.Statistics.Tlb.Hits > 0);
    }
}
