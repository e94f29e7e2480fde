using ArmSmmu.Device;

namespace ArmSmmu;

// Save and restore of the architectural state (docs/save-restore.md).
public sealed partial class SmmuV3
{
    /// <summary>A device snapshot: its format name, and the layouts this build reads (1) and writes (4).</summary>
    internal static readonly SnapshotDocument StateFormat = new("armsmmu.smmuv3", oldestVersion: 1, currentVersion: 4);

    /// <summary>
    /// Writes the device's architectural state — every register, the queue indexes with their overflow and error
    /// flags, GERROR/GERRORN, the outstanding stalls and the stall fault records still held back — to
    /// <paramref name="destination"/> as a versioned JSON snapshot (docs/save-restore.md). Caches are not saved:
    /// a restored device starts with them empty, which the architecture cannot tell apart.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON goes; left open.</param>
    /// <remarks>Memory is not part of the snapshot: save the memory the device masters alongside it.</remarks>
    public void SaveState(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        StateSection document;
        lock (_lock)
        {
            document = SaveStateDocument();
        }

        SnapshotDocument.Write(document, destination);
    }

    /// <summary>
    /// Replaces this device's state with a snapshot written by <see cref="SaveState"/>. The device must have been
    /// constructed with the same <see cref="Features"/> as the saved one and master the memory saved with it;
    /// afterwards it translates, records events and consumes commands exactly as the saved device would have. Its
    /// caches start empty and no interrupt is raised by the restore itself.
    /// </summary>
    /// <param name="source">A snapshot; read to the end of its JSON value, left open.</param>
    /// <exception cref="InvalidDataException">
    /// The stream is not a device snapshot, its version is not one this build reads, or a section is missing or
    /// malformed; the device is left at its reset state.
    /// </exception>
    /// <exception cref="InvalidOperationException">The snapshot was taken of a device with other features.</exception>
    /// <remarks>Call it while no translation is in flight, as for <see cref="Reset"/>.</remarks>
    public void RestoreState(Stream source)
    {
        var document = StateFormat.Read(source, out int version);
        lock (_lock)
        {
            RestoreStateDocument(document, version);
        }
    }

    // The device's part of a snapshot, also embedded by the driver's.
    internal StateSection SaveStateDocument()
    {
        lock (_lock)
        {
            var document = StateFormat.Create();
            document.Node["features"] = Features.ToString();
            VisitStateSections(new SaveVisitor(document.Child("sections")));
            return document;
        }
    }

    internal void RestoreStateDocument(StateSection document, int version)
    {
        lock (_lock)
        {
            RequireSameFeatures(document.GetString("features"));
            Reset();
            try
            {
                var restore = new RestoreVisitor(document.RequireChild("sections"), version);
                VisitStateSections(restore);
                restore.RequireAllSectionsKnown();
            }
            catch
            {
                Reset();
                throw;
            }
        }
    }

    // Every piece of architectural state, once, in a fixed order. A new piece joins here with one line (and a new
    // format version when it is a new section): docs/save-restore.md.
    private void VisitStateSections(IStateVisitor visitor)
    {
        visitor.Registers("control", ref _registers.Control);
        visitor.Registers("globalError", ref _registers.GlobalError);
        visitor.Registers("streamTable", ref _registers.StreamTable);
        visitor.Registers("commandQueue", ref _registers.CommandQueue);
        visitor.Registers("eventQueue", ref _registers.EventQueue);
        visitor.Registers("priQueue", ref _registers.PriQueue);
        var stalls = new StallState(this);
        visitor.Section("stalls", ref stalls);
        visitor.Registers("gatos", ref _registers.Atos, sinceVersion: 2); // IHI0070 chapter 9: GATOS_SID/ADDR/PAR
        _secure?.VisitSecureStateSections(visitor); // IHI0070 §3.10, §6.3 SMMU_S_* (version 3)
        if (PerformanceMonitor is { } pmcg)
        {
            visitor.Section("pmcg", ref pmcg, sinceVersion: 4); // IHI0070 chapter 10
        }

        if (Features.Ats)
        {
            var ats = new AtsState(this);
            visitor.Section("ats", ref ats, sinceVersion: 4); // IHI0070 §3.9.1.4
        }
    }

    private void RequireSameFeatures(string saved)
    {
        string mine = Features.ToString();
        if (saved == mine)
        {
            return;
        }

        // Record ToString: "SmmuFeatures { Name = value, ... }"; name the members that differ.
        static string[] Members(string text) => text.Trim().TrimStart("SmmuFeatures".ToCharArray()).Trim(' ', '{', '}').Split(", ");
        var theirs = Members(saved);
        var savedNames = theirs.Select(m => m.Split(" = ")[0]).ToHashSet();
        // A member added after the snapshot was written (Secure, in version 3) is not held against it: the part it
        // describes restores at reset.
        var differing = Members(mine).Except(theirs).Select(m => m.Split(" = ")[0]).Where(savedNames.Contains).ToList();
        if (differing.Count == 0 && savedNames.IsSubsetOf(Members(mine).Select(m => m.Split(" = ")[0])))
        {
            return;
        }

        string which = differing.Count > 0 ? string.Join(", ", differing) : "(unlisted members)";
        throw new InvalidOperationException(
            $"The snapshot was saved from an SMMU with other features ({which} differ); restore it into an SmmuV3 constructed with the same SmmuFeatures. Saved: {saved}");
    }
}
