using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Structures;

/// <summary>Event records (IHI0070 §7.3, digest 5.1/5.2) and PRI queue entries (§8, digest 6).</summary>
public class EventAndPriTests
{
    // An F_TRANSLATION (0x10) record as Linux would log "event 0x10 received": a stalled stage-2 fault on a
    // stage-1 table walk. Words composed from the digest 5.1 bit positions.
    private const ulong Sid = 0x0000_0201, Ssid = 0x3_2101, InputAddr = 0xFFFF_0000_DEAD_B000, Ipa = 0x0000_00AB_CDEF_1000;
    private const ushort Stag = 0x5A5A;

    private static readonly ulong[] TranslationWords =
    [
        0x10 | (1UL << 11) | (Ssid << 12) | (Sid << 32),
        Stag | (1UL << 31) | (1UL << 33) | (1UL << 35) | (1UL << 38) | (1UL << 39) | (1UL << 40),
        InputAddr,
        Ipa,
    ];

    [Fact]
    public void Event_0x10_decodes_from_its_words()
    {
        var e = new EventRecord(TranslationWords);
        Assert.Equal(EventType.FTranslation, e.Type);
        Assert.True(e.SSV);
        Assert.Equal((uint)Ssid, e.SubstreamId);
        Assert.Equal((uint)Sid, e.StreamId);
        Assert.Equal(Stag, e.StallTag);
        Assert.True(e.Stall);
        Assert.True(e.PnU);
        Assert.False(e.InD);
        Assert.True(e.RnW);
        Assert.True(e.NSIPA);
        Assert.True(e.S2);
        Assert.Equal(FaultClass.TT, e.Class);
        Assert.Equal(InputAddr, e.InputAddress);
        Assert.Equal(Ipa, e.Ipa);
    }

    [Fact]
    public void Event_0x10_is_rebuilt_field_by_field()
    {
        var e = new EventRecord
        {
            Type = EventType.FTranslation,
            SSV = true,
            SubstreamId = (uint)Ssid,
            StreamId = (uint)Sid,
            StallTag = Stag,
            Stall = true,
            PnU = true,
            RnW = true,
            NSIPA = true,
            S2 = true,
            Class = FaultClass.TT,
            InputAddress = InputAddr,
            Ipa = Ipa,
        };
        Assert.Equal(new EventRecord(TranslationWords), e);
    }

    [Fact]
    public void Describe_lists_only_the_fields_of_the_event_type()
    {
        // Digest 5.2 "Fields present".
        Assert.Equal(
            ["Type", "SSV", "SubstreamID", "StreamID", "STAG", "Stall", "PnU", "InD", "RnW", "NSIPA", "S2", "CLASS", "InputAddr", "IPA"],
            new EventRecord(TranslationWords).Describe().Select(f => f.Name));
        Assert.Contains("TTRnW", new EventRecord(TranslationWords) { Type = EventType.FPermission }.Describe().Select(f => f.Name));
        Assert.Equal(["Type", "SSV", "SubstreamID", "StreamID"], new EventRecord(0x04).Describe().Select(f => f.Name));
        Assert.Equal(["Type", "StreamID"], new EventRecord(0x06).Describe().Select(f => f.Name));
        Assert.Equal(["Type", "SubstreamID", "StreamID"], new EventRecord(0x08).Describe().Select(f => f.Name));
        Assert.Equal(
            ["Type", "SSV", "SubstreamID", "StreamID", "Reason", "PnU", "InD", "RnW", "S2", "CLASS", "InputAddr", "FetchAddr"],
            new EventRecord(0x0B).Describe().Select(f => f.Name));
        Assert.Equal(
            ["Type", "SSV", "SubstreamID", "StreamID", "Reason", "FetchAddr"],
            new EventRecord(0x09).Describe().Select(f => f.Name));
    }

    [Fact]
    public void Describe_gives_positions_meanings_and_in_place_addresses()
    {
        IReadOnlyList<DecodedField> fields = new EventRecord(TranslationWords).Describe();
        Assert.Equal("0x10 F_TRANSLATION", fields[0].Meaning);
        DecodedField cls = fields.Single(f => f.Name == "CLASS");
        Assert.Equal("dw1[41:40]", cls.Bits);
        Assert.Contains("TT", cls.Meaning, StringComparison.Ordinal);
        Assert.Equal(Ipa, fields.Single(f => f.Name == "IPA").Value);
        Assert.StartsWith("F_TRANSLATION SSV=1 SubstreamID=0x32101 StreamID=0x201 STAG=0x5A5A Stall=1", new EventRecord(TranslationWords).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_address_keeps_bits_55_to_3()
    {
        // Digest 5.1: FetchAddr dw3[55:3], bits [2:0] RES0.
        var e = new EventRecord(0x03, 0, 0, 0xFF00_1234_5678_9ABF);
        Assert.Equal(0x0000_1234_5678_9AB8UL, e.FetchAddress);
        Assert.Equal(0x0000_1234_5678_9000UL, e.Ipa);
        Assert.Equal(0x0000_1234_5678_9AB8UL, e.Describe().Single(f => f.Name == "FetchAddr").Value);
    }

    [Fact]
    public void Event_type_names()
    {
        Assert.Equal("C_BAD_STE", EventRecord.TypeName(EventType.CBadSte));
        Assert.Equal("F_WALK_EABT", EventRecord.TypeName(EventType.FWalkEabt));
        Assert.Equal("EVENT_0xE3", EventRecord.TypeName((EventType)0xE3));
    }

    [Fact]
    public void Event_records_round_trip_through_memory()
    {
        var memory = new SparseMemory();
        var e = new EventRecord(TranslationWords);
        Assert.True(e.TryWrite(memory, 0x1000));
        Assert.Equal(TranslationWords[3], memory.ReadUInt64(0x1018));
        Assert.True(EventRecord.TryRead(memory, 0x1000, out EventRecord back));
        Assert.Equal(e, back);
    }

    [Fact]
    public void Pri_entry_decodes_digest_6_positions()
    {
        // SID 0x1234, PASID 0x54321, Priv, R, W, Last, SSV; PRGIndex 0x1AB; page 0x7FFF_1234_5000.
        var p = new PriQueueEntry(
            0x1234 | (0x54321UL << 32) | (1UL << 58) | (1UL << 60) | (1UL << 61) | (1UL << 62) | (1UL << 63),
            0x1AB | 0x7FFF_1234_5000);
        Assert.Equal(0x1234u, p.StreamId);
        Assert.Equal(0x54321u, p.SubstreamId);
        Assert.True(p.Priv && p.Read && p.Write && p.Last && p.SSV);
        Assert.False(p.Exec);
        Assert.Equal(0x1ABu, p.PrgIndex);
        Assert.Equal(0x7FFF_1234_5000UL, p.PageAddress);
        Assert.False(p.IsStopMarker);
        Assert.True(new PriQueueEntry { SSV = true, Last = true }.IsStopMarker);
        Assert.Equal(["StreamID", "SubstreamID", "Priv", "X", "R", "W", "Last", "SSV", "PRGIndex", "Addr"], p.Describe().Select(f => f.Name));
    }
}
