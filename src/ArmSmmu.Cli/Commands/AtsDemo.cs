using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Device;
using ArmSmmu.Driver;
using ArmSmmu.Structures;
using Spectre.Console;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// The second half of <c>smmu demo</c>: the shared-virtual-addressing loop of a PCIe function with ATS and PRI
/// (IHI0070 §3.9.1, §8). The function touches a page nobody mapped, its Translation Request completes with no
/// permission, its page request reaches the host's handler through the PRI queue, the handler maps the page,
/// CMD_PRI_RESP answers Success and the retried request succeeds; then the ATC answers, an unmap reaches it, and a
/// stream without ATS shows F_BAD_ATS_TREQ.
/// </summary>
internal static class AtsDemo
{
    private const uint Sid = 0x40;
    private const uint Pasid = 1;
    private const ulong Va = 0x7F12_3000;
    private const ulong Pa = 0xC000_0000;

    public static void Show(CliContext context)
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { PasidBits = 4 });
        iommu.CreatePasid(Sid, Pasid);
        iommu.ConfigureStream(Sid + 1, StreamMode.Stage1);

        var steps = new Table { Title = new TableTitle("ATS and PRI: a PCIe function faults a page in (IHI0070 §3.9.1, §8)") };
        steps.AddColumns("#", "Step", "Result");
        void Step(string what, string result) => steps.AddRow(new Text((steps.Rows.Count + 1).ToString(CultureInfo.InvariantCulture)), new Text(what), new Text(result));

        var pageRequests = new List<PriQueueEntry>();
        var responses = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) =>
        {
            if (c.Opcode == CommandOpcode.PriResp)
            {
                responses.Add(c);
            }
        };
        iommu.SetPageFaultHandler(group =>
        {
            pageRequests.AddRange(group.Requests);
            foreach (var request in group.Requests)
            {
                iommu.Map(group.StreamId, request.PageAddress, Pa, 0x1000, IoPagePermissions.ReadWrite, group.SubstreamId);
                Step("host: the page-fault handler maps the page", $"{Hex(request.PageAddress)} -> {Hex(Pa)} (PASID {group.SubstreamId})");
            }

            return PriResponseCode.Success;
        });

        var endpoint = iommu.EnableAts(Sid);
        Step("host: EnableAts (STE.EATS = 0b01, ATC_INV + CMD_SYNC)", $"StreamID {Hex(Sid)}, {AtsEndpointOptions.Default.AtcEntries}-entry ATC");
        var first = iommu.Device.RequestAtsTranslation(new TranslationRequest(Sid, Va, AccessKind.Write, Pasid));
        Step($"function: Translation Request {Hex(Va)} (PASID {Pasid}, write)", $"{first}: no access, no event (§3.9.1.2)");

        endpoint.PageResponseReceived += (_, r) => Step("function: PRG response arrives", r.ToString());
        var result = endpoint.Translate(Va + 0x10, AccessKind.Write, Pasid);
        Step($"function: Translate {Hex(Va + 0x10)}: page request (rows 3-4), then a new Translation Request", result.ToString());
        var again = endpoint.Translate(Va + 0x20, AccessKind.Read, Pasid);
        Step($"function: Translate {Hex(Va + 0x20)}", $"{again} from the ATC");
        var dma = iommu.Device.Translate(new TranslationRequest(Sid, result.PhysicalAddress, AccessKind.Write, Kind: TransactionKind.AtsTranslated));
        Step($"function: Translated write to {Hex(result.PhysicalAddress)}", $"{dma} (CR0.ATSCHK = 0)");
        iommu.Unmap(Sid, Va, 0x1000, Pasid);
        Step("host: Unmap (TLBI_NH_VA, SYNC, ATC_INV, SYNC)", $"ATC entries left: {endpoint.AtcCount}");
        var other = iommu.Device.RequestAtsTranslation(new TranslationRequest(Sid + 1, Va, AccessKind.Read));
        Step($"function {Hex(Sid + 1)} (no ATS): Translation Request", other.ToString());
        context.Console.Write(steps);

        var s = endpoint.Statistics;
        context.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Function 0x{Sid:X}: {s.AtcHits} ATC hit, {s.TranslationRequests} Translation Requests, {s.PageRequests} page request, {s.PageResponses} PRG response, {s.InvalidationsReceived} invalidations received ({s.EntriesInvalidated} entries)."));
        foreach (var entry in pageRequests)
        {
            context.Console.Write(FieldTable.Create($"PRI queue entry: {entry}", entry.Describe()));
        }

        foreach (var command in responses)
        {
            context.Console.Write(FieldTable.Create($"Command: {command}", command.Describe()));
        }

        foreach (var record in iommu.DrainEvents())
        {
            context.Console.Write(FieldTable.Create($"Event record: {record}", record.Describe()));
        }
    }

    private static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");
}
