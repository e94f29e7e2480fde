using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>The driver as Secure firmware and the seed-style API's security state (IHI0070 §3.10, §4.1.6, §6.3 SMMU_S_*).</summary>
public class SecureDriverTests
{
    private const ulong Page = 0x1000;
    private const ulong Iova = 0x10_0000;
    private const ulong SecurePa = 0x8_4000_0000;
    private const ulong NonSecurePa = 0x8_8000_0000;

    private static (Iommu Ns, Iommu Secure) BothSides(uint sid)
    {
        var iommu = new Iommu();
        var secure = iommu.Secure!;
        secure.ConfigureStream(sid, StreamMode.Stage1);
        secure.Map(sid, Iova, SecurePa, 4 * Page, IoPagePermissions.ReadWrite);
        iommu.ConfigureStream(sid, StreamMode.Stage1);
        iommu.Map(sid, Iova, NonSecurePa, 4 * Page, IoPagePermissions.ReadWrite);
        return (iommu, secure);
    }

    [Fact]
    public void Section_3_10_secure_firmware_brings_up_the_secure_page_and_leaves_the_non_secure_one()
    {
        var iommu = new Iommu();
        uint cr0 = iommu.Device.ReadRegister32(SmmuRegister.CR0);
        Assert.Equal(0u, iommu.Device.ReadRegister32(0x8020)); // S_CR0 at reset

        _ = iommu.Secure!;
        // S_CR0: SMMUEN [0], EVENTQEN [2], CMDQEN [3]; S_IRQ_CTRL: GERROR_IRQEN [0], EVENTQ_IRQEN [2].
        Assert.Equal(0xDu, iommu.Device.ReadRegister32(0x8024));
        Assert.Equal(0x5u, iommu.Device.ReadRegister32(0x8054));
        Assert.NotEqual(0UL, iommu.Device.ReadRegister64(0x8080) & ~0x3FUL); // S_STRTAB_BASE
        Assert.Equal(cr0, iommu.Device.ReadRegister32(SmmuRegister.CR0));
        Assert.Empty(iommu.Secure!.Driver.CommandFailures); // every reset command was legal on the Secure queue
    }

    [Fact]
    public void Section_3_10_the_security_state_parameter_selects_the_side_that_configured_the_stream()
    {
        var (ns, secure) = BothSides(sid: 6);
        var s = ns.Translate(6, Iova + 0x10, AccessKind.Write, secure: true);
        var n = ns.Translate(6, Iova + 0x10, AccessKind.Write);
        Assert.Equal(SecurePa + 0x10, s.PhysicalAddress);
        Assert.False(s.Attributes.NonSecure); // the driver's descriptors leave NS = 0: Secure output
        Assert.Equal(NonSecurePa + 0x10, n.PhysicalAddress);
        Assert.True(n.Attributes.NonSecure);
        Assert.Equal(SecurePa + 0x10, secure.Translate(6, Iova + 0x10, AccessKind.Write).PhysicalAddress); // always Secure there
    }

    [Fact]
    public void Section_4_1_6_a_secure_unmap_invalidates_the_secure_translation_only()
    {
        var (ns, secure) = BothSides(sid: 6);
        Assert.True(ns.Translate(6, Iova, AccessKind.Read, secure: true).IsSuccess);
        Assert.True(ns.Translate(6, Iova, AccessKind.Read).IsSuccess);

        secure.Unmap(6, Iova, Page);
        var fault = ns.Translate(6, Iova, AccessKind.Read, secure: true);
        Assert.Equal(EventType.FTranslation, fault.Fault);
        Assert.Equal(NonSecurePa, ns.Translate(6, Iova, AccessKind.Read).PhysicalAddress);

        // The fault went to the Secure event queue, which the Secure side drains; the Non-secure queue has nothing.
        Assert.Equal(EventType.FTranslation, Assert.Single(secure.DrainEvents()).Type);
        Assert.Empty(ns.DrainEvents());
        Assert.Empty(secure.Driver.CommandFailures);
    }

    [Fact]
    public void Section_6_3_46_without_secure_impl_there_is_no_secure_side()
    {
        var iommu = new Iommu(SmmuFeatures.Default with { Secure = false });
        Assert.Null(iommu.Secure);
        var driver = new SmmuDriver(iommu.Device, iommu.Memory, iommu.Driver.Allocator, SmmuDriverOptions.Default with { SecureWorld = true });
        Assert.Throws<NotSupportedException>(driver.Probe);
    }

    [Fact]
    public void A_reset_brings_both_sides_up_again_empty()
    {
        var (ns, secure) = BothSides(sid: 6);
        ns.Reset();
        Assert.Equal(0xDu, ns.Device.ReadRegister32(0x8024)); // S_CR0ACK after the Secure side came up again
        Assert.Equal(TranslationOutcome.Faulted, ns.Translate(6, Iova, AccessKind.Read, secure: true).Outcome);
        Assert.Throws<InvalidOperationException>(secure.Reset);

        secure.ConfigureStream(6, StreamMode.Bypass);
        Assert.Equal(TranslationOutcome.Bypassed, ns.Translate(6, Iova, AccessKind.Read, secure: true).Outcome);
        Assert.Equal(TranslationOutcome.Faulted, ns.Translate(6, Iova, AccessKind.Read).Outcome);
    }
}
