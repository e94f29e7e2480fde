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
        Assert.True(RegimeStructures.Cd(space.Asid, space.Ttb0, space.Ttb1).TryWrite(_h.Memory, stream.CdTable + ((ulong)ssid * 64)));
    }

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
            ste = RegimeStructures.WithCdTable(ste, stream.CdTable, stream.Cds.Length);
        }

        return stream.Stage2 is { } s2 ? RegimeStructures.WithStage2(ste, s2.Vmid, s2.Tables) : ste;
    }
}
