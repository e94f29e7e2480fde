using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// Save and restore of the seed-style API with its driver and device (docs/save-restore.md): the streams, their
// domains, CD tables and ATS functions are rebuilt over the tables in memory.
public sealed partial class Iommu
{
    private static readonly SnapshotDocument StateFormat = new("armsmmu.iommu", oldestVersion: 1, currentVersion: 1);

    /// <summary>
    /// Writes the whole IOMMU — the <see cref="SmmuDriver.SaveState"/> snapshot of <see cref="Driver"/> (with the
    /// device's), every stream with its mode, options, STE, domains and PASIDs, the ATS functions' options, the drained
    /// <see cref="Faults"/>, and the <see cref="Secure"/> side when it was brought up — as one JSON document.
    /// Memory is not included: save it alongside.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON goes; left open.</param>
    /// <remarks>Host objects are not saved: the page-fault handler (set it again on the restored Iommu) and the ATS functions' ATC contents (they restart empty).</remarks>
    public void SaveState(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RequireNonSecureWorld();
        StateSection document;
        lock (_lock)
        {
            document = StateFormat.Create();
            SaveSide(document, includeDevice: true);
            if (_secure is { } secure)
            {
                secure.SaveSide(document.Child("secure"), includeDevice: false);
            }
        }

        SnapshotDocument.Write(document, destination);
    }

    /// <summary>
    /// Creates an Iommu from a snapshot written by <see cref="SaveState"/>, without bringing the SMMU up: the device,
    /// driver, streams, PASIDs and mappings are those of the saved Iommu, and <see cref="Map"/>, <see cref="Unmap"/>,
    /// <see cref="Translate"/> and the rest behave exactly as they would have on it.
    /// </summary>
    /// <param name="source">A snapshot; left open.</param>
    /// <param name="device">A new SMMU with the saved features (see <see cref="SmmuV3.RestoreState"/>).</param>
    /// <param name="memory">The memory saved with the snapshot (for the default constructor's Iommu: a <see cref="SparseMemory"/> holding it).</param>
    /// <param name="allocator">A new allocator over the saved window (<see cref="DefaultStructureBase"/> and <see cref="DefaultStructureSize"/> for the default constructor's).</param>
    /// <param name="options">The saved Iommu's driver options; null for the defaults.</param>
    /// <returns>The restored Iommu.</returns>
    /// <exception cref="InvalidDataException">Not an Iommu snapshot, an unreadable version, or a malformed section.</exception>
    /// <exception cref="InvalidOperationException">The features, options or allocator window differ from the saved ones.</exception>
    public static Iommu RestoreState(Stream source, SmmuV3 device, IPhysicalMemory memory, PhysicalAllocator allocator, SmmuDriverOptions? options = null)
    {
        var document = StateFormat.Read(source, out _);
        var iommu = new Iommu(new SmmuDriver(device, memory, allocator, options));
        iommu.RestoreSide(document, includeDevice: true);
        if (document.Has("secure"))
        {
            iommu._secure = new Iommu(new SmmuDriver(device, memory, allocator, iommu.Driver.Options with { SecureWorld = true }));
            iommu._secure.RestoreSide(document.RequireChild("secure"), includeDevice: false);
        }

        return iommu;
    }

    private void SaveSide(StateSection side, bool includeDevice)
    {
        lock (_lock)
        {
            side.Node["driver"] = Driver.SaveStateDocument(includeDevice).Node;
            side.PutList("streams", _streams.Values.OrderBy(static s => s.StreamId), SaveStream);
            side.PutList("faults", _faults, static (s, record) => PutWords(s, record.ToArray()));
        }
    }

    private void RestoreSide(StateSection side, bool includeDevice)
    {
        var driver = side.RequireChild("driver");
        Driver.RestoreStateDocument(driver, SmmuDriver.CheckStateHeader(driver), includeDevice);
        foreach (var s in side.GetList("streams", static s => s))
        {
            RestoreStream(s);
        }

        _faults.AddRange(side.GetList("faults", static s => new EventRecord(GetWords(s, EventRecord.Size / 8))));
    }

    private void SaveStream(StateSection s, StreamState state)
    {
        s.Put("streamId", state.StreamId);
        s.Node["mode"] = state.Mode.ToString();
        var options = state.Options;
        s.PutNumber("granule", options.Granule.PageShift);
        s.PutNumber("inputAddressBits", options.InputAddressBits);
        s.PutNumber("intermediateAddressBits", options.IntermediateAddressBits);
        s.PutNumber("stall", options.Stall ? 1 : 0);
        if (options.PasidBits is { } bits)
        {
            s.PutNumber("pasidBits", bits);
        }

        s.PutNumber("enabled", state.Enabled ? 1 : 0);
        PutWords(s.Child("ste"), state.Ste.ToArray());
        if (state.Cds is { } cds)
        {
            s.Put("cdTable", cds.Address);
        }

        if (state.Default is { } context)
        {
            s.Put("defaultAsid", context.Asid);
        }

        if (state.Stage2 is { } s2)
        {
            s.Put("stage2Vmid", s2.Vmid);
        }

        s.PutList("pasids", state.Pasids.OrderBy(static p => p.Key), static (p, pair) =>
        {
            p.Put("pasid", pair.Key);
            p.Put("asid", pair.Value.Asid);
        });
        if (_atsEndpoints.TryGetValue(state.StreamId, out var endpoint))
        {
            var ats = s.Child("ats");
            ats.PutNumber("atcEntries", endpoint.Options.AtcEntries);
            ats.Node["replacement"] = endpoint.Options.Replacement.ToString();
            ats.PutNumber("pageRequests", endpoint.Options.PageRequests ? 1 : 0);
            ats.PutNumber("pageResponseTimeoutMs", (long)endpoint.Options.PageResponseTimeout.TotalMilliseconds);
            ats.PutNumber("maxPageRequestsPerTranslation", endpoint.Options.MaxPageRequestsPerTranslation);
        }
    }

    private void RestoreStream(StateSection s)
    {
        var options = new StreamOptions
        {
            Granule = SmmuDriver.GranuleOf(s.GetNumber("granule")),
            InputAddressBits = (int)s.GetNumber("inputAddressBits"),
            IntermediateAddressBits = (int)s.GetNumber("intermediateAddressBits"),
            Stall = s.GetNumber("stall") != 0,
            PasidBits = s.Has("pasidBits") ? (int)s.GetNumber("pasidBits") : null,
        };
        var mode = Enum.TryParse<StreamMode>(s.GetString("mode"), out var m) ? m : throw new InvalidDataException($"Snapshot stream mode '{s.GetString("mode")}' is unknown.");
        var state = new StreamState(s.GetUInt32("streamId"), mode, options)
        {
            Enabled = s.GetNumber("enabled") != 0,
            Ste = new StreamTableEntry(GetWords(s.RequireChild("ste"), StreamTableEntry.Size / 8)),
            Cds = s.Has("cdTable") ? Find(Driver.ContextDescriptorTables, t => t.Address, s.GetUInt64("cdTable"), "CD table") : null,
            Default = s.Has("defaultAsid") ? FindAsid(s.GetUInt32("defaultAsid")) : null,
            Stage2 = s.Has("stage2Vmid") ? Find(Driver.Stage2Domains, d => d.Vmid, s.GetUInt32("stage2Vmid"), "stage-2 domain of VMID") : null,
        };
        foreach (var (pasid, asid) in s.GetList("pasids", static p => (p.GetUInt32("pasid"), p.GetUInt32("asid"))))
        {
            state.Pasids.Add(pasid, FindAsid(asid));
        }

        _streams.Add(state.StreamId, state);
        if (s.Has("ats"))
        {
            // The driver snapshot already holds STE.EATS and the ATC bindings; the function is new, its ATC empty.
            var ats = s.RequireChild("ats");
            CreateEndpoint(state.StreamId, new AtsEndpointOptions
            {
                AtcEntries = (int)ats.GetNumber("atcEntries"),
                Replacement = Enum.Parse<AtcReplacement>(ats.GetString("replacement")),
                PageRequests = ats.GetNumber("pageRequests") != 0,
                PageResponseTimeout = TimeSpan.FromMilliseconds(ats.GetNumber("pageResponseTimeoutMs")),
                MaxPageRequestsPerTranslation = (int)ats.GetNumber("maxPageRequestsPerTranslation"),
            });
        }
    }

    private Stage1Domain FindAsid(uint asid) => Find(Driver.Stage1Domains, d => d.Asid, asid, "stage-1 domain of ASID");

    private static T Find<T>(IEnumerable<T> items, Func<T, ulong> key, ulong value, string what) =>
        items.FirstOrDefault(i => key(i) == value) ?? throw new InvalidDataException($"Snapshot names a {what} 0x{value:X} that its driver section does not hold.");

    private static void PutWords(StateSection s, ulong[] words)
    {
        for (int i = 0; i < words.Length; i++)
        {
            s.Put($"dw{i}", words[i]);
        }
    }

    private static ulong[] GetWords(StateSection s, int count)
    {
        var words = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            words[i] = s.GetUInt64($"dw{i}");
        }

        return words;
    }
}
