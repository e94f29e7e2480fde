using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Reliability;

/// <summary>Stream and CD (re)configuration, followed by the CFGI_* the architecture prescribes (IHI0070 §4.3).</summary>
internal sealed partial class IsolationWorld
{
    private static readonly int[] CdCounts = [1, 2, 4];

    /// <summary>Writes a fresh CD table and STE for <paramref name="kind"/>; the caller issues the CFGI.</summary>
    private void Configure(StreamState stream, StreamKind kind)
    {
        stream.Kind = kind;
        stream.Stage2 = kind is StreamKind.Stage2 or StreamKind.Nested ? _c.Pick(_stage2) : null;
        stream.Cds = [];
        if (kind is StreamKind.Stage1 or StreamKind.Nested)
        {
            var candidates = _stage1.Where(s => s.Parent == stream.Stage2).ToArray();
            stream.Cds = [.. Enumerable.Range(0, _c.Pick(CdCounts)).Select(_ => _c.Pick(candidates))];
            stream.CdTable = _h.AllocatePage();
            for (int i = 0; i < stream.Cds.Length; i++)
            {
                WriteCd(stream, i);
            }
        }

        if (kind == StreamKind.Nested)
        {
            stream.Stage2!.EverNested = true;
        }

        Assert.True(Ste(stream).TryWrite(_h.Memory, _h.SteAddress(stream.Sid)));
    }

    private void Reconfigure()
    {
        var stream = _c.Pick(_streams);
        if (_c.Coin() && stream.Cds.Length > 0)
        {
            // Point one CD at another space of the same VMID: CFGI_CD, CFGI_CD_ALL, CFGI_STE or CFGI_ALL.
            int ssid = _c.Next(stream.Cds.Length);
            stream.Cds[ssid] = _c.Pick(_stage1.Where(s => s.Parent == stream.Stage2).ToArray());
            WriteCd(stream, ssid);
            Log($"CD {stream.Sid}/{ssid} -> [{stream.Cds[ssid]}]");
            Sync(_c.Next(4) switch
            {
                0 => [Command.CfgiCd(stream.Sid, (uint)ssid, leaf: true)],
                1 => [Command.CfgiCdAll(stream.Sid)],
                2 => [Command.CfgiSte(stream.Sid, leaf: true)], // also drops CDs fetched through the STE (digest 3.4)
                _ => [Command.CfgiAll()],
            });
            return;
        }

        Configure(stream, (StreamKind)_c.Next(5));
        Log($"STE -> {stream}");
        uint range = (uint)_c.Next(4);
        Sync(_c.Next(3) switch
        {
            0 => [Command.CfgiSte(stream.Sid, leaf: true)],
            1 => [Command.CfgiSteRange(stream.Sid & ~((2u << (int)range) - 1), range)],
            _ => [Command.CfgiAll()],
        });
    }

    private void WriteCd(StreamState stream, int ssid)
    {
        var space = stream.Cds[ssid];
        var ttb1 = space.Ttb1 ?? space.Ttb0;
        var cd = new ContextDescriptor
        {
            T0SZ = (uint)(64 - space.Ttb0.Format.InputBits),
            TG0 = Tg0(space.Ttb0.Format.PageShift),
            IR0 = 1,
            OR0 = 1,
            SH0 = 3,
            T1SZ = (uint)(64 - ttb1.Format.InputBits),
            TG1 = ttb1.Format.PageShift switch { 12 => Tg1Granule.Size4K, 14 => Tg1Granule.Size16K, _ => Tg1Granule.Size64K },
            IR1 = 1,
            OR1 = 1,
            SH1 = 3,
            EPD1 = space.Ttb1 is null,
            V = true,
            IPS = 5,
            AA64 = true,
            A = true,
            ASET = true,
            ASID = space.Asid,
            TTB0 = space.Ttb0.Root,
            TTB1 = ttb1.Root,
            MAIR = 0xF404FF44,
        };
        Assert.True(cd.TryWrite(_h.Memory, stream.CdTable + ((ulong)ssid * 64)));
    }

    private static Tg0Granule Tg0(int pageShift) => pageShift switch { 12 => Tg0Granule.Size4K, 14 => Tg0Granule.Size16K, _ => Tg0Granule.Size64K };

    private static StreamTableEntry Ste(StreamState stream)
    {
        var ste = stream.Kind switch
        {
            StreamKind.Abort => StreamTableEntry.Abort,
            StreamKind.Bypass => StreamTableEntry.BypassEntry,
            StreamKind.Stage1 => new StreamTableEntry { V = true, Config = SteConfig.Stage1Translate },
            StreamKind.Stage2 => new StreamTableEntry { V = true, Config = SteConfig.Stage2Translate },
            _ => new StreamTableEntry { V = true, Config = SteConfig.Nested },
        };
        if (stream.Cds.Length > 0)
        {
            // Without a SubstreamID CD 0 is used; SubstreamIDs 1.. select the others (IHI0070 §5.2 S1DSS).
            ste = ste with
            {
                S1ContextPtr = stream.CdTable,
                S1CDMax = (uint)Math.Log2(stream.Cds.Length),
                S1DSS = DefaultSubstream.Substream0,
                S1CIR = 1,
                S1COR = 1,
                S1CSH = 3,
                S1STALLD = true,
            };
        }

        if (stream.Stage2 is { } s2)
        {
            var format = s2.Tables.Format;
            ste = ste with
            {
                S2VMID = s2.Vmid,
                S2T0SZ = (uint)(64 - format.InputBits),
                // S2SL0 counts down from level 2 (4 KB) or level 3 (16 KB, 64 KB) (IHI0070 §5.2, VTCR_EL2.SL0).
                S2SL0 = (uint)((format.PageShift == 12 ? 2 : 3) - format.StartLevel),
                S2IR0 = 1,
                S2OR0 = 1,
                S2SH0 = 3,
                S2TG = Tg0(format.PageShift),
                S2PS = 5,
                S2AA64 = true,
                S2TTB = s2.Tables.Root,
            };
        }

        return ste;
    }
}
