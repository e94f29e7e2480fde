using System.Collections.Concurrent;
using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// The shared-virtual-addressing loop end to end (IHI0070 §3.9.1, §4.5, §8): a function's Translation Request
/// finds no page, its page request reaches the host's handler, the handler maps the page, CMD_PRI_RESP answers, the
/// retry succeeds; unmaps reach the ATC in Linux's order.
/// </summary>
public class SvaFaultLoopTests
{
    private const uint Sid = 0x10;
    private const ulong Va = 0x7F00_0000;

    // Maps each requested page to a PA derived from (StreamID, PASID, page), once.
    private static ulong PaFor(uint sid, uint? pasid, ulong page) =>
        0x1_0000_0000UL + ((ulong)sid << 24) + ((ulong)(pasid ?? 0) << 20) + ((page - Va) & 0xF_F000);

    private static Func<PageRequestGroup, PriResponseCode> Mapper(Iommu iommu, ConcurrentDictionary<(uint, uint?, ulong), bool>? mapped = null) => group =>
    {
        foreach (var request in group.Requests)
        {
            if (mapped is null || mapped.TryAdd((group.StreamId, group.SubstreamId, request.PageAddress), true))
            {
                iommu.Map(group.StreamId, request.PageAddress, PaFor(group.StreamId, group.SubstreamId, request.PageAddress), 0x1000, IoPagePermissions.ReadWrite, group.SubstreamId);
            }
        }

        return PriResponseCode.Success;
    };

    [Fact]
    public void A_missing_page_is_requested_mapped_and_the_retry_succeeds()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        var endpoint = iommu.EnableAts(Sid);
        iommu.SetPageFaultHandler(Mapper(iommu));

        var result = endpoint.Translate(Va + 0x88, AccessKind.Write);

        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(PaFor(Sid, null, Va) + 0x88, result.PhysicalAddress);
        var stats = endpoint.Statistics;
        Assert.Equal(2, stats.TranslationRequests); // the failed one and the retry
        Assert.Equal(1, stats.PageRequests);
        Assert.Equal(1, stats.PageResponses);
        Assert.Equal((1L, 0L), iommu.PageRequestGroups);
        Assert.Empty(iommu.DrainEvents()); // ATS faults are never recorded (IHI0070 §3.9.1)

        // The ATC now answers, and the Translated transaction passes the SMMU (ATSCHK = 0, Linux's default).
        Assert.Equal(result.PhysicalAddress, endpoint.Translate(Va + 0x88, AccessKind.Read).PhysicalAddress);
        Assert.Equal(1, endpoint.Statistics.AtcHits);
        var dma = iommu.Device.Translate(new TranslationRequest(Sid, result.PhysicalAddress, AccessKind.Write, Kind: TransactionKind.AtsTranslated));
        Assert.Equal(TranslationOutcome.Bypassed, dma.Outcome);
    }

    [Fact]
    public void Unmap_invalidates_the_atc_after_the_tlb_tlbi_sync_atc_inv_sync()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        var endpoint = iommu.EnableAts(Sid);
        iommu.Map(Sid, Va, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);
        Assert.True(endpoint.Translate(Va, AccessKind.Read).IsSuccess);
        Assert.Equal(1, endpoint.AtcCount);

        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);
        iommu.Unmap(Sid, Va, 0x1000);

        // IHI0070 §4.5.1 (and Linux): the TLB first, completed, then the ATC, completed.
        int atc = commands.FindIndex(c => c.Opcode == CommandOpcode.AtcInv);
        Assert.True(atc > 0);
        Assert.Equal(CommandOpcode.Sync, commands[atc - 1].Opcode);
        Assert.Contains(commands.Take(atc - 1), c => c.Opcode == CommandOpcode.TlbiNhVa);
        Assert.Equal(CommandOpcode.Sync, commands[atc + 1].Opcode);
        Assert.Equal(Va, commands[atc].Address);
        Assert.Equal(0u, commands[atc].AtcSize);
        Assert.Equal(0, endpoint.AtcCount);

        // Without a page request service answering, the function now sees no access.
        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(Va, AccessKind.Read).Outcome);
    }

    [Fact]
    public void A_group_the_handler_cannot_serve_fails_the_translation()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        var endpoint = iommu.EnableAts(Sid);
        iommu.SetPageFaultHandler(_ => PriResponseCode.InvalidRequest);

        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(Va, AccessKind.Read).Outcome);
        Assert.Equal((1L, 1L), iommu.PageRequestGroups);
        Assert.Equal(1, endpoint.Statistics.PageRequests);
    }

    [Fact]
    public void Several_functions_and_pasids_fault_in_their_pages_concurrently()
    {
        var iommu = new Iommu();
        var mapped = new ConcurrentDictionary<(uint, uint?, ulong), bool>();
        uint[] sids = [0x10, 0x11, 0x12];
        var endpoints = new Dictionary<uint, AtsEndpoint>();
        foreach (uint sid in sids)
        {
            iommu.ConfigureStream(sid, StreamMode.Stage1, new StreamOptions { PasidBits = 4 });
            iommu.CreatePasid(sid, 1);
            iommu.CreatePasid(sid, 2);
            endpoints[sid] = iommu.EnableAts(sid, new AtsEndpointOptions { AtcEntries = 8 });
        }

        iommu.SetPageFaultHandler(Mapper(iommu, mapped));
        var work = from sid in sids
                   from pasid in new uint?[] { null, 1, 2 }
                   select (sid, pasid);
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = 4 }, w =>
        {
            // Each worker walks 16 pages twice: faults in first, ATC hits or re-requests (8-entry ATC) after.
            for (int round = 0; round < 2; round++)
            {
                for (ulong page = 0; page < 16; page++)
                {
                    ulong va = Va + (page * 0x1000) + 0x10;
                    var r = endpoints[w.sid].Translate(va, page % 2 == 0 ? AccessKind.Write : AccessKind.Read, w.pasid);
                    ulong expected = PaFor(w.sid, w.pasid, va & ~0xFFFUL) + 0x10;
                    if (!r.IsSuccess || r.PhysicalAddress != expected)
                    {
                        failures.Add($"SID {w.sid} PASID {w.pasid} VA 0x{va:X}: {r}");
                    }
                }
            }
        });

        Assert.Empty(failures);
        Assert.Equal(3 * 3 * 16, mapped.Count);
        foreach (var endpoint in endpoints.Values)
        {
            var s = endpoint.Statistics;
            Assert.Equal(3 * 16, s.PageRequests); // one per page and context: the handler maps each once
            Assert.True(s.Evictions > 0);
        }

        Assert.Equal(9 * 16, iommu.PageRequestGroups.Answered);
    }
}
