namespace ArmSmmu.Tests.Device;

/// <summary>
/// STE.S1DSS = 0b01 (IHI0070 §5.2): with substreams (S1CDMax != 0), a transaction without a SubstreamID bypasses
/// stage 1; with no stage 2 it behaves as an STE bypass, output address = input address, while a transaction with a
/// SubstreamID still uses its CD.
/// </summary>
public class S1DssBypassTests
{
    private const uint Sid = 7;
    private const ulong Va = 0x4000_0000;
    private const ulong Pa = 0x8000_0000;

    [Fact]
    public void Section_5_2_s1dss_bypass_passes_transactions_without_a_substreamid_untranslated()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong root = h.NewTable();
        h.Map4K(root, Va, Pa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, root).TryWrite(h.Memory, DeviceHarness.CdTableBase + 64)); // CD 1
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 1, s1dss: 1));

        for (int i = 0; i < 2; i++) // the first and the cached path
        {
            var bypassed = h.Read(Sid, Va + 0x10);
            Assert.True(bypassed.IsSuccess);
            Assert.Equal(Va + 0x10, bypassed.PhysicalAddress);
        }

        Assert.Equal(Pa + 0x10, h.Read(Sid, Va + 0x10, ssid: 1).PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }
}
