using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <summary>
/// An IOMMU for software that does not want to write an SMMUv3 driver: configure a stream, create PASIDs, map and
/// unmap pages, translate device addresses, read faults. Every operation is carried out the architectural way by an
/// <see cref="SmmuDriver"/>: STE, CD and page-table writes in memory plus commands through the command queue, and
/// <see cref="Translate"/> is <see cref="SmmuV3.Translate"/> itself.
/// </summary>
/// <remarks>
/// <para>Host misuse (an unknown stream, a PASID out of range, overlapping maps, unmapping nothing) throws
/// <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/>. What a device would see (a fault, an
/// abort) comes back as a <see cref="TranslationResult"/> and as event records from <see cref="DrainEvents"/>.</para>
/// <para>PASIDs: a Stage1 or Nested stream has a CD table with S1DSS = 0b10. Transactions without a PASID use the
/// stream's default context, CD 0 (the mappings made with <c>pasid: null</c>). PASID 0 is therefore not a separate
/// context: transactions that carry PASID 0 are terminated with F_STREAM_DISABLED (IHI0070 §5.2), and
/// <see cref="CreatePasid"/> accepts 1 .. 2^PasidBits - 1 (at most 2^20 - 1).</para>
/// <para>Nested streams: the CD table and the stage-1 tables are allocated from the same allocator as everything else, so
/// their addresses are PAs. The driver maps the whole allocator window identity (IPA = PA) in the stream's stage-2
/// domain, which makes those PAs valid IPAs; that IPA window is reserved and <see cref="MapStage2"/> refuses it.</para>
/// <para>Host operations are serialised; <see cref="Translate"/> may run on any number of threads at the same time.</para>
/// </remarks>
public sealed partial class Iommu
{
    /// <summary>Base of the memory the default constructor gives the driver for its structures (just below 4 GB, so that any IPA size reaches it).</summary>
    public const ulong DefaultStructureBase = 0xF000_0000;

    /// <summary>Size of that window.</summary>
    public const ulong DefaultStructureSize = 0x1000_0000;

    // The driver's SyncRoot: host operations reach the driver's domains and queues under it anyway, so a map or an
    // unmap takes one lock, not the Iommu's, the driver's and the tables' in turn (issue #12).
    private readonly Lock _lock;
    private readonly Dictionary<uint, StreamState> _streams = [];
    private readonly List<EventRecord> _faults = [];

    /// <summary>Creates a <see cref="SparseMemory"/>, an <see cref="SmmuV3"/> with <paramref name="features"/> and a driver, and brings the SMMU up.</summary>
    /// <param name="features">The SMMU's features; null for the full-featured default.</param>
    public Iommu(SmmuFeatures? features = null)
        : this(CreateDevice(features, out var memory), memory, new PhysicalAllocator(memory, DefaultStructureBase, DefaultStructureSize))
    {
    }

    /// <summary>Drives an existing SMMU (a simulator's), bringing it up with the reset sequence.</summary>
    /// <param name="device">The SMMU.</param>
    /// <param name="memory">The memory it masters.</param>
    /// <param name="allocator">Where the driver may place structures and page tables (a window of <paramref name="memory"/>).</param>
    /// <param name="options">Driver options; null for the defaults.</param>
    public Iommu(SmmuV3 device, IPhysicalMemory memory, PhysicalAllocator allocator, SmmuDriverOptions? options = null)
        : this(new SmmuDriver(device, memory, allocator, options))
    {
        Driver.Initialize();
    }

    // Over a driver not brought up yet: RestoreState fills it from a snapshot.
    private Iommu(SmmuDriver driver)
    {
        Driver = driver;
        _lock = driver.SyncRoot;
        _device = driver.Device;
        _secureWorld = driver.Options.SecureWorld;
    }

    // The device and the world, held here (both fixed for the driver's life): Translate then reads two fields of this
    // object instead of following Driver to its device and to its options.
    private readonly SmmuV3 _device;
    private readonly bool _secureWorld;

    /// <summary>The SMMU.</summary>
    public SmmuV3 Device => _device;

    /// <summary>The memory the SMMU masters (the <see cref="SparseMemory"/> of the default constructor).</summary>
    public IPhysicalMemory Memory => Driver.Memory;

    /// <summary>The driver underneath, for register-level work.</summary>
    public SmmuDriver Driver { get; }

    /// <summary>TLB hit rate, walks, events and commands, from <see cref="SmmuV3.Statistics"/>.</summary>
    public SmmuStatistics Statistics => Device.Statistics;

    /// <summary>Every event record drained so far, oldest first (see <see cref="DrainEvents"/>).</summary>
    public IReadOnlyList<EventRecord> Faults
    {
        get
        {
            lock (_lock)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>Event queue overflows seen so far: records were lost.</summary>
    public long EventQueueOverflows => Driver.EventQueueOverflows;

    /// <summary>
    /// Explains what the SMMU does with a transaction, step by step (<see cref="SmmuV3.Explain"/>): the STE and CD it
    /// fetches, why an invalid one is invalid, every descriptor it reads, and the result. Changes nothing.
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="address">Input address.</param>
    /// <param name="access">Read, write or instruction fetch.</param>
    /// <param name="pasid">PASID carried by the transaction, or null.</param>
    /// <param name="privileged">Privileged (PnU = 1).</param>
    /// <param name="secure">Secure stream.</param>
    /// <returns>The steps and the result; <c>ToString()</c> prints them one per line.</returns>
    public TranslationExplanation Explain(uint streamId, ulong address, AccessKind access, uint? pasid = null, bool privileged = false, bool secure = false) =>
        Device.Explain(new TranslationRequest(streamId, address, access, pasid, privileged, secure || IsSecureWorld));

    /// <summary>Presents one device transaction to the SMMU (<see cref="SmmuV3.Translate"/>); never throws for a guest-visible outcome.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="address">Input address.</param>
    /// <param name="access">Read, write or instruction fetch.</param>
    /// <param name="pasid">PASID carried by the transaction, or null.</param>
    /// <param name="privileged">Privileged (PnU = 1).</param>
    /// <param name="secure">Secure stream (SEC_SID = 1): translated through the Secure Stream table that <see cref="Secure"/> configures. Always true on <see cref="Secure"/> itself.</param>
    /// <returns>The result: output address, or the fault.</returns>
    public TranslationResult Translate(uint streamId, ulong address, AccessKind access, uint? pasid = null, bool privileged = false, bool secure = false) =>
        _device.Translate(new TranslationRequest(streamId, address, access, pasid, privileged, secure || _secureWorld));

    /// <summary>Answers a stalled transaction (CMD_RESUME): retry it, or terminate it with an abort.</summary>
    /// <param name="streamId">The event's StreamID.</param>
    /// <param name="stallTag">The event's STAG (<see cref="TranslationResult.StallTag"/>).</param>
    /// <param name="retry">True to retry.</param>
    public void Resume(uint streamId, ushort stallTag, bool retry) => Driver.Resume(streamId, stallTag, retry);

    /// <summary>Reads the new event records from the event queue (and acknowledges an overflow); they are also appended to <see cref="Faults"/>.</summary>
    /// <returns>The new records, oldest first.</returns>
    public IReadOnlyList<EventRecord> DrainEvents()
    {
        lock (_lock)
        {
            var records = Driver.DrainEvents();
            _faults.AddRange(records);
            return records;
        }
    }

    /// <summary>Forgets the records in <see cref="Faults"/>.</summary>
    public void ClearFaults()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    /// <summary>Resets the SMMU (as at power-on) and brings it up again: every stream, PASID and mapping is gone.</summary>
    public void Reset()
    {
        RequireNonSecureWorld(); // the device reset clears both sides: it is the Non-secure Iommu's to do
        lock (_lock)
        {
            _secure?.ShutDown();
            ShutDown();
            Device.Reset();
            Driver.Initialize();
            _secure?.Driver.Initialize();
        }
    }

    private static SmmuV3 CreateDevice(SmmuFeatures? features, out IPhysicalMemory memory)
    {
        var device = new SmmuV3(new SparseMemory(), features);
        memory = device.Memory; // with SmmuFeatures.CheckDriver, the view whose writes the driver-bug detector watches
        return device;
    }

    private static string PasidText(uint? pasid) => pasid is null ? string.Empty : $" PASID {pasid}";

    private StreamTableEntry Build(StreamState state)
    {
        var caps = Driver.Capabilities;
        var options = state.Options;
        switch (state.Mode)
        {
            case StreamMode.Abort:
                return StreamTableEntry.Abort;
            case StreamMode.Bypass:
                // Digest §8.5: SHCFG = 0b01 (use the incoming shareability) when the field exists.
                return new StreamTableEntry { V = true, Config = SteConfig.Bypass, SHCFG = caps.AttributeTypesOverride ? 1u : 0u };
            case StreamMode.Stage2:
                state.Stage2 = Driver.CreateStage2Domain(options.Granule, options.IntermediateAddressBits, options.Stall);
                return state.Stage2.ApplyTo(new StreamTableEntry { V = true, Config = SteConfig.Stage2Translate });
            case StreamMode.Stage1:
            case StreamMode.Nested:
                bool nested = state.Mode == StreamMode.Nested;
                if (nested)
                {
                    state.Stage2 = Driver.CreateStage2Domain(options.Granule, options.IntermediateAddressBits, options.Stall);
                    state.Stage2.UsedForNesting = true;
                    MapStructureWindow(state.Stage2);
                }

                int pasidBits = options.PasidBits ?? caps.SubstreamIdBits;
                state.Cds = Driver.CreateContextDescriptorTable(state.StreamId, pasidBits);
                state.Default = Driver.CreateStage1Domain(options.Granule, options.InputAddressBits, state.Stage2, options.Stall);
                state.Cds.Write(0, state.Default.ContextDescriptor);
                var ste = new StreamTableEntry
                {
                    V = true,
                    Config = nested ? SteConfig.Nested : SteConfig.Stage1Translate,
                    S1Fmt = state.Cds.S1Fmt,
                    S1ContextPtr = state.Cds.Address,
                    S1CDMax = state.Cds.S1CDMax,

                    // IHI0070 §5.2: no-PASID traffic uses CD 0; PASID 0 traffic is F_STREAM_DISABLED.
                    S1DSS = state.Cds.S1CDMax > 0 ? DefaultSubstream.Substream0 : DefaultSubstream.Terminate,
                    S1CIR = 1,
                    S1COR = 1,
                    S1CSH = 3,
                    S1STALLD = caps.StallModel == StallModel.StallAndTerminate && !options.Stall,
                    STRW = !nested && caps.E2H ? StreamWorldEncoding.El2 : StreamWorldEncoding.El1,
                };
                return nested ? state.Stage2!.ApplyTo(ste) : ste;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state.Mode, "Unknown stream mode.");
        }
    }

    // The nested-stream choice of the class remarks: the allocator window, identity, at stage 2.
    private void MapStructureWindow(Stage2Domain stage2)
    {
        var (start, end) = StructureWindow(stage2);
        if (end > 1UL << stage2.InputBits)
        {
            throw new ArgumentException($"The driver's structure memory [0x{start:X}, 0x{end:X}) lies beyond the {stage2.InputBits}-bit IPA space of this nested stream; use a larger IntermediateAddressBits.");
        }

        stage2.Map(start, start, end - start, IoPagePermissions.ReadWrite);
    }

    private (ulong Start, ulong End) StructureWindow(Stage2Domain stage2)
    {
        ulong page = stage2.Granule.PageSize;
        ulong start = Driver.Allocator.BaseAddress & ~(page - 1);
        ulong end = (Driver.Allocator.BaseAddress + Driver.Allocator.Size + page - 1) & ~(page - 1);
        return (start, end);
    }

    private void CheckOutsideStructureWindow(StreamState state, ulong ipa, ulong size)
    {
        if (state.Mode != StreamMode.Nested)
        {
            return;
        }

        var (start, end) = StructureWindow(state.Stage2!);
        if (ipa < end && ipa + size > start)
        {
            throw new ArgumentException($"IPAs [0x{start:X}, 0x{end:X}) of a nested stream are reserved: the driver maps its structure memory there identity.", nameof(ipa));
        }
    }

    private void CheckStreamId(uint streamId)
    {
        if (!Driver.IsValidStreamId(streamId))
        {
            throw new ArgumentOutOfRangeException(nameof(streamId), streamId, $"StreamID {streamId} is outside the stream table (2^{Driver.StreamTableLog2Size} streams).");
        }
    }

    private StreamState Get(uint streamId) =>
        _streams.TryGetValue(streamId, out var state) ? state : NotConfigured(streamId);

    // Messages of host misuse are built in these out-of-line helpers: an interpolated string where a map or an unmap
    // looks its stream up put a string builder in that frame (see IoPageTable.ThrowUnbacked).
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StreamState NotConfigured(uint streamId) =>
        throw new ArgumentException($"Stream {streamId} is not configured; call ConfigureStream first.", nameof(streamId));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Stage1Domain NoStage1(StreamState state) =>
        throw new InvalidOperationException($"Stream {state.StreamId} is in {state.Mode} mode; it has no stage-1 tables{(state.Mode == StreamMode.Stage2 ? " and no PASIDs" : string.Empty)}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Stage1Domain NoPasid(StreamState state, uint pasid) =>
        throw new ArgumentException($"Stream {state.StreamId} has no PASID {pasid}; call CreatePasid first.", nameof(pasid));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong NothingMapped(string where, ulong address, ulong size, uint streamId, string pasidText) =>
        throw new InvalidOperationException($"Nothing is mapped {where} 0x{address:X}+0x{size:X} of stream {streamId}{pasidText}.");

    private static ContextDescriptorTable RequireCdTable(StreamState state) =>
        state.Cds ?? throw new InvalidOperationException($"Stream {state.StreamId} is in {state.Mode} mode; PASIDs need a Stage1 or Nested stream.");

    private static Stage2Domain RequireStage2(StreamState state) =>
        state.Stage2 ?? throw new InvalidOperationException($"Stream {state.StreamId} is in {state.Mode} mode; it has no stage 2.");

    private static void CheckPasid(StreamState state, uint pasid, ContextDescriptorTable cds)
    {
        if (cds.SubstreamIdBits == 0)
        {
            throw new InvalidOperationException($"Stream {state.StreamId} has no PASIDs (PasidBits 0 or IDR1.SSIDSIZE 0).");
        }

        if (pasid == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pasid), pasid, "PASID 0 is reserved: the default context (CD 0, S1DSS = 0b10) serves transactions without a PASID, and PASID 0 transactions fault with F_STREAM_DISABLED.");
        }

        if (pasid >= cds.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(pasid), pasid, $"PASID must be 1..{cds.Capacity - 1} for stream {state.StreamId}.");
        }
    }

    private static Stage1Domain Stage1(StreamState state, uint? pasid)
    {
        if (state.Default is null)
        {
            return NoStage1(state);
        }

        if (pasid is null)
        {
            return state.Default;
        }

        return state.Pasids.TryGetValue(pasid.Value, out var domain) ? domain : NoPasid(state, pasid.Value);
    }

    private void TearDown(StreamState state)
    {
        // ATS off at the function first (IHI0070 §3.9.2), then detach (digest §8.5 step 8), then free what the SMMU
        // can no longer reach.
        if (_atsEndpoints.ContainsKey(state.StreamId))
        {
            DisableAts(state.StreamId);
        }

        Driver.WriteSte(state.StreamId, StreamTableEntry.Abort);
        Release(state);
    }

    private static void Release(StreamState state)
    {
        foreach (var domain in state.Pasids.Values)
        {
            domain.Dispose();
        }

        state.Pasids.Clear();
        state.Default?.Dispose();
        state.Cds?.Dispose();
        state.Stage2?.Dispose();
        state.Default = null;
        state.Cds = null;
        state.Stage2 = null;
    }

    private sealed class StreamState(uint streamId, StreamMode mode, StreamOptions options)
    {
        public uint StreamId { get; } = streamId;

        public StreamMode Mode { get; } = mode;

        public StreamOptions Options { get; } = options;

        public bool Enabled { get; set; }

        public StreamTableEntry Ste { get; set; }

        public ContextDescriptorTable? Cds { get; set; }

        public Stage1Domain? Default { get; set; }

        public Stage2Domain? Stage2 { get; set; }

        public Dictionary<uint, Stage1Domain> Pasids { get; } = [];
    }
}
