using ArmSmmu.Device;
using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <content>Save and restore of the driver with its device (docs/save-restore.md).</content>
public sealed partial class SmmuDriver
{
    private static readonly SnapshotDocument StateFormat = new("armsmmu.smmu-driver", oldestVersion: 1, currentVersion: 2);

    /// <summary>
    /// Writes the driver's software state — its copies of the queue indexes, the stream table and its level-2
    /// tables, the ASID and VMID allocators, the <see cref="Allocator"/>'s ranges, the overflow and command-failure
    /// counts, the domains and CD tables created through it (IDs, table roots, ATS bindings) — together with the
    /// whole <see cref="SmmuV3.SaveState"/> snapshot of <see cref="Device"/>, as one JSON document. Memory is not
    /// included: save it alongside.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON goes; left open.</param>
    /// <remarks>
    /// After <see cref="RestoreState"/> the domains and CD tables are new objects over the same tables, found in
    /// <see cref="Stage1Domains"/>, <see cref="Stage2Domains"/> and <see cref="ContextDescriptorTables"/>.
    /// </remarks>
    public void SaveState(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        SnapshotDocument.Write(SaveStateDocument(includeDevice: true), destination);
    }

    /// <summary>
    /// Restores a snapshot written by <see cref="SaveState"/> into this driver and its device. The driver must be new
    /// (never initialised), constructed with the same <see cref="Options"/> over a device with the same features,
    /// the memory saved with the snapshot, and a <see cref="PhysicalAllocator"/> over the same window that has handed
    /// nothing out; afterwards the driver submits, drains and allocates exactly as the saved one would have, and its
    /// domains and CD tables (<see cref="Stage1Domains"/>, <see cref="Stage2Domains"/>,
    /// <see cref="ContextDescriptorTables"/>) map, unmap and write CDs in the saved tables.
    /// </summary>
    /// <param name="source">A snapshot; left open.</param>
    /// <exception cref="InvalidDataException">Not a driver snapshot, an unreadable version, or a malformed section.</exception>
    /// <exception cref="InvalidOperationException">
    /// The driver is initialised, or the options, device features or allocator window differ from the saved ones.
    /// </exception>
    /// <remarks>A version-1 snapshot (before domains joined) restores with no domain objects: their IDs and memory stay reserved.</remarks>
    public void RestoreState(Stream source)
    {
        var document = StateFormat.Read(source, out int version);
        RestoreStateDocument(document, version, includeDevice: true);
    }

    // The driver's part of a snapshot. The Secure side's driver (Iommu.Secure) shares the device and the allocator
    // with the Non-secure one, so its document leaves both out (includeDevice: false).
    internal StateSection SaveStateDocument(bool includeDevice)
    {
        lock (_lock)
        {
            var document = StateFormat.Create();
            document.Node["options"] = Options.ToString();
            if (includeDevice)
            {
                document.Node["device"] = Device.SaveStateDocument().Node;
            }

            VisitStateSections(new SaveVisitor(document.Child("sections")), includeDevice);
            return document;
        }
    }

    internal static int CheckStateHeader(StateSection document) => StateFormat.CheckHeader(document);

    internal void RestoreStateDocument(StateSection document, int version, bool includeDevice)
    {
        lock (_lock)
        {
            if (_initialized)
            {
                throw new InvalidOperationException("Restore a driver snapshot into a new SmmuDriver, not one that is already initialised.");
            }

            string savedOptions = document.GetString("options");
            if (savedOptions != Options.ToString())
            {
                throw new InvalidOperationException($"The snapshot was saved by a driver with other options; construct the SmmuDriver with the same SmmuDriverOptions. Saved: {savedOptions}");
            }

            if (includeDevice)
            {
                var device = document.RequireChild("device");
                int deviceVersion = SmmuV3.StateFormat.CheckHeader(device);
                Device.RestoreStateDocument(device, deviceVersion);
            }

            // The geometry of the driver's queue copies and the ID widths follow from the probe, as at Initialize.
            var caps = Probe();
            CreateIdAllocators();
            _commandQueue = new SmmuQueue(Command.Size, caps.CommandQueueLog2Size);
            _eventQueue = new SmmuQueue(EventRecord.Size, caps.EventQueueLog2Size);
            _priQueue = caps.PriQueue ? new SmmuQueue(PriQueueEntry.Size, caps.PriQueueLog2Size) : default;
            var restore = new RestoreVisitor(document.RequireChild("sections"), version);
            VisitStateSections(restore, includeDevice);
            restore.RequireAllSectionsKnown();
        }
    }

    // Every piece of driver state, once; a new piece joins with one line (docs/save-restore.md).
    private void VisitStateSections(IStateVisitor visitor, bool includeAllocator)
    {
        var driver = new DriverState(this);
        visitor.Section("driver", ref driver);
        visitor.Registers("commandQueue", ref _commandQueue);
        visitor.Registers("eventQueue", ref _eventQueue);
        visitor.Registers("priQueue", ref _priQueue);
        visitor.Section("asids", ref _asids);
        visitor.Section("vmids", ref _vmids);
        if (includeAllocator)
        {
            var allocator = Allocator;
            visitor.Section("allocator", ref allocator);
        }

        var domains = new DomainState(this);
        visitor.Section("domains", ref domains, sinceVersion: 2);
        var ats = new AtsState(this);
        visitor.Section("ats", ref ats, sinceVersion: 2);
    }

    // Section "driver": the scalars and the stream table the driver allocated.
    private readonly struct DriverState(SmmuDriver driver) : IStateSection
    {
        public void Save(StateSection section)
        {
            section.PutNumber("initialized", driver._initialized ? 1 : 0);
            section.Put("streamTable", driver._streamTable);
            section.PutNumber("streamTableLog2Size", driver._streamTableLog2Size);
            section.PutList("l2Tables", driver._l2Tables, static (s, a) => s.Put("address", a));
            section.Put("abortedIndex", driver._abortedIndex);
            section.PutNumber("eventOverflows", driver._eventOverflows);
            section.PutNumber("priOverflows", driver._priOverflows);
            section.PutList("commandFailures", driver._commandFailures, static (s, f) =>
            {
                var words = f.Command.ToArray();
                s.Put("dw0", words[0]);
                s.Put("dw1", words[1]);
                s.Put("error", (uint)f.Error);
                s.Put("index", f.Index);
            });
        }

        public void Restore(StateSection section)
        {
            driver._initialized = section.GetNumber("initialized") != 0;
            driver._streamTable = section.GetUInt64("streamTable");
            driver._streamTableLog2Size = (int)section.GetNumber("streamTableLog2Size");
            driver._l2Tables = [.. section.GetList("l2Tables", static s => s.GetUInt64("address"))];
            driver._abortedIndex = section.GetUInt32("abortedIndex");
            driver._eventOverflows = section.GetNumber("eventOverflows");
            driver._priOverflows = section.GetNumber("priOverflows");
            driver._commandFailures.Clear();
            driver._commandFailures.AddRange(section.GetList("commandFailures", static s => new CommandFailure(
                new Command([s.GetUInt64("dw0"), s.GetUInt64("dw1")]), (CommandError)s.GetUInt32("error"), s.GetUInt32("index"))));
        }
    }
}
