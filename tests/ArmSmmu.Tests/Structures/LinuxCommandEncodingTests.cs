using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Structures;

/// <summary>The command words Linux emits (digest 8.3 step 8, 8.4 "Concrete encodings"), bit for bit.</summary>
public class LinuxCommandEncodingTests
{
    private static void AssertWords(ulong dw0, ulong dw1, Command command)
    {
        Assert.Equal($"0x{dw0:X16} 0x{dw1:X16}", $"0x{command.Dw0:X16} 0x{command.Dw1:X16}");
    }

    [Fact]
    public void CfgiAll_is_CfgiSteRange_with_range_31()
    {
        // Digest 8.3 step 8 / 9.1: CFGI_ALL = opcode 0x04 with dw1 Range 31.
        AssertWords(0x4, 0x1F, Command.CfgiAll());
        Assert.Equal(CommandOpcode.CfgiSteRange, Command.CfgiAll().Opcode);
        Assert.Equal(31u, Command.CfgiAll().Range);
    }

    [Fact]
    public void Sync_with_SEV_matches_Linux_reset_sequence()
    {
        // Digest 8.3 step 8: SYNC dw0 0x0FC02046 = 0x46 | CS SEV (2) << 12 | MSH ISH (3) << 22 | MSIAttr 0xF << 24.
        AssertWords(0x0FC0_2046, 0, Command.Sync(SyncCompletionSignal.Sev, msiAttr: 0xF, msh: 3));
    }

    [Fact]
    public void Sync_with_MSI_polling_points_at_its_own_slot()
    {
        // Digest 8.4 step 4: CS=IRQ gives dw0 0x0FC01046, dw1 = PA of the SYNC slot, MSIData 0.
        const ulong slot = 0x8_1234_5670;
        var sync = Command.Sync(SyncCompletionSignal.Irq, slot, 0, 0xF, 3);
        AssertWords(0x0FC0_1046, slot, sync);
        Assert.Equal(slot, sync.MsiAddress);
        Assert.Equal(SyncCompletionSignal.Irq, sync.CS);
    }

    [Fact]
    public void Sync_msi_address_keeps_bits_55_to_2_only()
    {
        var sync = Command.Sync(SyncCompletionSignal.Irq, 0xFF00_0000_0000_1007, 0xCAFE_F00D);
        Assert.Equal(0x0000_0000_0000_1004UL, sync.Dw1);
        Assert.Equal(0xCAFE_F00DUL << 32 | 0x1046, sync.Dw0);
    }

    [Fact]
    public void Cfgi_ste_cd_and_prefetch()
    {
        AssertWords(0x3 | (0x1234UL << 32), 0x1, Command.CfgiSte(0x1234, leaf: true));
        AssertWords(0x3 | (0x1234UL << 32), 0x0, Command.CfgiSte(0x1234, leaf: false));
        AssertWords(0x5 | (0xABCDUL << 12) | (0x42UL << 32), 0x1, Command.CfgiCd(0x42, 0xABCD, leaf: true));
        AssertWords(0x6 | (0x42UL << 32), 0, Command.CfgiCdAll(0x42));
        AssertWords(0x1 | (0xFFFF_FFFFUL << 32), 0, Command.PrefetchConfig(0xFFFF_FFFF));
        AssertWords(0x4 | (0x100UL << 32), 7, Command.CfgiSteRange(0x100, 7));
    }

    [Fact]
    public void Tlbi_by_asid_vmid_and_globals()
    {
        AssertWords(0x11 | (3UL << 32) | (0xBEEFUL << 48), 0, Command.TlbiNhAsid(3, 0xBEEF));
        AssertWords(0x10 | (9UL << 32), 0, Command.TlbiNhAll(9));
        AssertWords(0x21 | (0x77UL << 48), 0, Command.TlbiEl2Asid(0x77));
        AssertWords(0x28 | (0x1234UL << 32), 0, Command.TlbiS12Vmall(0x1234));
        AssertWords(0x30, 0, Command.TlbiNsnhAll());
        AssertWords(0x20, 0, Command.TlbiEl2All());
    }

    [Fact]
    public void Tlbi_nh_va_with_range_fields()
    {
        // Digest 8.4: dw0 0x12 | NUM<<12 | SCALE<<20 | VMID<<32 | ASID<<48; dw1 (VA & ~0xFFF) | Leaf | TTL<<8 | TG<<10.
        const ulong va = 0xFFFF_8000_1234_5ABC;
        var cmd = Command.TlbiNhVa(5, 0x1001, va, leaf: true, num: 30, scale: 17, ttl: 3, tg: RangeGranule.Size4K);
        AssertWords(
            0x12 | (30UL << 12) | (17UL << 20) | (5UL << 32) | (0x1001UL << 48),
            (va & ~0xFFFUL) | 1 | (3UL << 8) | (1UL << 10),
            cmd);
        Assert.Equal(va & ~0xFFFUL, cmd.Address);
    }

    [Fact]
    public void Tlbi_el2_va_carries_no_vmid_and_vaa_no_asid()
    {
        var el2 = Command.TlbiEl2Va(0x33, 0x4000_0000, leaf: false, tg: RangeGranule.Size64K, ttl: 2, num: 1);
        AssertWords(0x22 | (1UL << 12) | (0x33UL << 48), 0x4000_0000 | (2UL << 8) | (3UL << 10), el2);
        Assert.Equal(0, el2.Vmid);
        AssertWords(0x13 | (4UL << 32), 0x7000 | 1, Command.TlbiNhVaa(4, 0x7FFF, leaf: true));
        AssertWords(0x23, 0x7000, Command.TlbiEl2Vaa(0x7FFF, leaf: false));
    }

    [Fact]
    public void Tlbi_s2_ipa_keeps_ipa_bits_55_to_12()
    {
        // Digest 8.4: 0x2A | NUM<<12 | SCALE<<20 | VMID<<32 / IPA | Leaf | TTL<<8 | TG<<10; IPA field is [55:12].
        var cmd = Command.TlbiS2Ipa(0x22, 0xFF8F_FFFF_FFFF_FFFF, leaf: true, num: 2, scale: 1, ttl: 1, tg: RangeGranule.Size16K);
        AssertWords(0x2A | (2UL << 12) | (1UL << 20) | (0x22UL << 32), 0x008F_FFFF_FFFF_F000 | 1 | (1UL << 8) | (2UL << 10), cmd);
        Assert.Equal(0x008F_FFFF_FFFF_F000UL, cmd.Ipa);
    }

    [Fact]
    public void Atc_inv_with_and_without_substream()
    {
        // Digest 8.4: 0x40 | Global<<9 | SSV<<11 | SSID<<12 | SID<<32 / Size | (addr & ~0xFFF).
        AssertWords(0x40 | (1UL << 9) | (1UL << 11) | (0x99UL << 12) | (0x10UL << 32), 0x12_3000 | 3,
            Command.AtcInv(0x10, 0x99, 0x12_3456, 3, global: true));
        AssertWords(0x40 | (0x10UL << 32), 52, Command.AtcInv(0x10, null, 0, 52, global: false));
    }

    [Fact]
    public void Pri_resp_resume_and_stall_term()
    {
        // Digest 8.4: PRI_RESP 0x41 | SSV<<11 | SSID<<12 | SID<<32 / PRGIndex | Resp<<12.
        AssertWords(0x41 | (1UL << 11) | (5UL << 12) | (7UL << 32), 0x1FF | (2UL << 12), Command.PriResp(7, 5, 0x1FF, PriResponseCode.Success));
        AssertWords(0x41 | (7UL << 32), 3, Command.PriResp(7, null, 3, 0));

        // RESUME 0x44 | Resp<<12 | SID<<32 / STAG, Linux Resp: 0 terminate RAZ/WI, 1 retry, 2 abort.
        AssertWords(0x44 | (1UL << 12) | (8UL << 32), 0xABCD, Command.Resume(8, 0xABCD, retry: true, abort: false));
        AssertWords(0x44 | (2UL << 12) | (8UL << 32), 0xABCD, Command.Resume(8, 0xABCD, retry: false, abort: true));
        AssertWords(0x44 | (8UL << 32), 1, Command.Resume(8, 1, retry: false, abort: false));
        AssertWords(0x45 | (8UL << 32), 0, Command.StallTerm(8));
    }

    [Fact]
    public void Opcode_values_match_digest_4_1()
    {
        Assert.Equal(0x07, (int)CommandOpcode.CfgiVmsPidm);
        Assert.Equal(0x18, (int)CommandOpcode.TlbiEl3All);
        Assert.Equal(0x1A, (int)CommandOpcode.TlbiEl3Va);
        Assert.Equal(0x23, (int)CommandOpcode.TlbiEl2Vaa);
        Assert.Equal(0x2A, (int)CommandOpcode.TlbiS2Ipa);
        Assert.Equal(0x40, (int)CommandOpcode.AtcInv);
        Assert.Equal(0x53, (int)CommandOpcode.TlbiSEl2Vaa);
        Assert.Equal(0x58, (int)CommandOpcode.TlbiSS12Vmall);
        Assert.Equal(0x5A, (int)CommandOpcode.TlbiSS2Ipa);
        Assert.Equal(0x60, (int)CommandOpcode.TlbiSnhAll);
        Assert.Equal(0x73, (int)CommandOpcode.DptiPa);
    }

    [Fact]
    public void Describe_names_the_command_and_its_parameters()
    {
        IReadOnlyList<DecodedField> fields = Command.CfgiSte(0x1234, leaf: true).Describe();
        Assert.Equal(["Opcode", "SSec", "StreamID", "Leaf"], fields.Select(f => f.Name));
        Assert.Contains("CMD_CFGI_STE", fields[0].Meaning, StringComparison.Ordinal);
        Assert.Equal("dw0[63:32]", fields[2].Bits);
        Assert.Equal(0x1234UL, fields[2].Value);
        Assert.Equal("dw1[0]", fields[3].Bits);

        Assert.StartsWith("CMD_SYNC", Command.Sync(SyncCompletionSignal.Sev).ToString(), StringComparison.Ordinal);
        Assert.Contains("SIG_SEV", Command.Sync(SyncCompletionSignal.Sev).Describe().Single(f => f.Name == "CS").Meaning, StringComparison.Ordinal);
        Assert.Equal("CMD_0x99", Command.OpcodeName((CommandOpcode)0x99));
    }

    [Fact]
    public void Commands_round_trip_through_memory_and_abort_cleanly()
    {
        var memory = new SparseMemory(0x1_0000);
        Command cmd = Command.TlbiNhVa(1, 2, 0x5000, leaf: true);
        Assert.True(cmd.TryWrite(memory, 0x100));
        Assert.Equal(cmd.Dw0, memory.ReadUInt64(0x100));
        Assert.Equal(cmd.Dw1, memory.ReadUInt64(0x108));
        Assert.True(Command.TryRead(memory, 0x100, out Command back));
        Assert.Equal(cmd, back);
        Assert.False(Command.TryRead(memory, 0xFFF8, out Command aborted));
        Assert.Equal(default, aborted);
        Assert.False(cmd.TryWrite(memory, 0xFFF8));
        Assert.Equal(0UL, memory.ReadUInt64(0xFFF8));
    }
}
