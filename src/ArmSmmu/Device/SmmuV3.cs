using ArmSmmu.Caches;
using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Translation;

namespace ArmSmmu;

/// <summary>
/// The SMMUv3 device: MMIO registers (page 0 at 0x0, page 1 at 0x10000), the command, event and PRI queues in
/// memory, and the translation pipeline (stream table, context descriptors, TLB, VMSAv8-64 walks).
/// </summary>
/// <remarks>
/// Register writes and command processing are serialised by one lock and complete before the write returns
/// (CR0ACK, IRQ_CTRLACK and GBPA.Update follow at once; a CMDQ_PROD write consumes the commands). Register reads take
/// the same lock, except CMDQ_CONS, which a driver polls and which is read with acquire semantics instead.
/// <see cref="Translate"/> may be called from any number of threads at the same time, also while the device is
/// being programmed; a TLB hit takes no lock and allocates nothing.
/// </remarks>
public sealed partial class SmmuV3
{
    private readonly IPhysicalMemory _memory;
    private readonly Tlb _tlb;
    private readonly WalkCaches _walkCaches;
    private readonly ConfigurationCaches _configCaches;
    private readonly ConfigurationLookup _configuration;
    private readonly TranslationUnit _translation;
    private readonly Walker _walker;
    private readonly ExplanationRecorder? _recorder;
    private readonly Lock _lock;

    /// <summary>Creates an SMMU that masters <paramref name="memory"/>, in its reset state.</summary>
    /// <param name="memory">The bus the SMMU reads structures from and writes events to.</param>
    /// <param name="features">Implementation choices; null gives the full-featured default.</param>
    public SmmuV3(IPhysicalMemory memory, SmmuFeatures? features = null)
        : this(memory, features, recorder: null)
    {
    }

    // A recorder makes every pipeline stage note what it does: the probe device of Explain. With nonSecure, this is
    // that device's Secure side (SmmuV3.Secure.cs): its own registers, configuration and walk caches, the shared TLB.
    private SmmuV3(IPhysicalMemory memory, SmmuFeatures? features, ExplanationRecorder? recorder, SmmuV3? nonSecure = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Features = features ?? SmmuFeatures.Default;
        Features.Validate();
        _memory = memory;
        _recorder = recorder;
        _lock = nonSecure?._lock ?? new Lock();
        _nonSecure = nonSecure;
        // SmmuV3.DriverCheck.cs; the Secure side (IHI0070 §3.10) is not checked: its writes do not pass the Non-secure side's view.
        _driverCheck = Features.CheckDriver && recorder is null && nonSecure is null ? new DriverChecker(memory) : null;
        _walkCaches = new WalkCaches(Features.Stage1WalkCacheEntries, Features.Stage2WalkCacheEntries, Features.TableIpaCacheEntries);
        var walker = new Walker(memory, Features.InputAddressBits, _walkCaches);
        _walker = walker;
        _tlb = nonSecure?._tlb ?? new Tlb(Features.TlbEntries, Features.TlbWays);
        _configCaches = new ConfigurationCaches(Features.ConfigCacheEntries);
        _tlb.Statistics.AddHitSource(_configCaches.FastPathTransactions);
        _tlb.Statistics.AddHitDeduction(_configCaches.TlbMissesThroughCd);
        _tlb.Statistics.AddMissSource(_configCaches.TlbMissesThroughCd);
        _tlb.Statistics.AddMissSource(_configCaches.TlbMissesThroughSte);
        Statistics = new SmmuStatistics(_tlb.Statistics, _configCaches.Ste.Statistics, _configCaches.Cd.Statistics)
        {
            Stage1WalkCache = _walkCaches.Stage1.Statistics,
            Stage2WalkCache = _walkCaches.Stage2.Statistics,
            TableIpaCache = _walkCaches.TableIpa.Statistics,
        };
        PerformanceMonitor = Features.PerformanceMonitor is { } pmcg ? new SmmuPerformanceMonitor(this, pmcg) : null;
        _configuration = new ConfigurationLookup(memory, Features, walker, this, _configCaches, recorder);
        _translation = new TranslationUnit(_tlb, walker, Statistics, recorder);
        _secure = nonSecure is null && Features.Secure ? CreateSecureSide() : null;
        Reset();
    }

    /// <summary>The implementation choices the ID registers advertise.</summary>
    public SmmuFeatures Features { get; }

    /// <summary>
    /// The memory the SMMU masters. With <see cref="SmmuFeatures.CheckDriver"/>, a view of it that writes straight through
    /// and lets the driver-bug detector see the order of the driver's writes: write structures through this one.
    /// </summary>
    public IPhysicalMemory Memory => _driverCheck?.Memory ?? _memory;

    /// <summary>Counters of the caches, walks, commands and events.</summary>
    public SmmuStatistics Statistics { get; }

    /// <summary>Raised when a wired interrupt line pulses: every enabled interrupt, also one that sends an MSI (IHI0070 §3.18.2), unless <see cref="SmmuFeatures.WiredInterrupts"/> is false.</summary>
    /// <remarks>Raised on the thread that caused it, while the device lock is held: handlers may read registers and queues but should not write registers.</remarks>
    public event EventHandler<SmmuInterruptEventArgs>? InterruptRaised;

    /// <summary>Raised when CMD_RESUME or CMD_STALL_TERM resolves a stalled transaction (IHI0070 §4.6.1, §4.6.2).</summary>
    public event EventHandler<StallResolvedEventArgs>? StallResolved;

    /// <summary>Returns every register, queue pointer and cache to its reset state, as a power-on reset would.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _registers = RegisterBanks.AtReset(Features);
            _stalls.Clear();
            _heldStallRecords.Clear();
            _invalidatedHeldStalls.Clear(); // IHI0070 §3.11: no retry of a stall the reset already discarded
            _retryWhenWritable.Clear();
            _nextStag = 0;
            _atcInvalidationTimedOut = false;
            _tlb.InvalidateAll();
            _walkCaches.InvalidateAll();
            _configCaches.InvalidateAll();
        }

        _secure?.Reset();
        PerformanceMonitor?.Reset();
    }

    // Explain's probe starts from this device's registers (its features are the same but for the caches): one copy of
    // every bank, and none of the caches, stalls or held records.
    private void CopyRegistersFrom(SmmuV3 other)
    {
        _registers = other._registers;
        if (_secure is not null && other._secure is not null)
        {
            _secure._registers = other._secure._registers;
        }
    }

    // A pulse of a wired interrupt output, when the implementation has them (IHI0070 §3.18).
    private void RaiseWired(SmmuInterrupt source)
    {
        if (Features.WiredInterrupts)
        {
            InterruptRaised?.Invoke(this, new SmmuInterruptEventArgs(source));
        }
    }
}
