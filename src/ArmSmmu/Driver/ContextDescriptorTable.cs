using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <summary>
/// The CD table of one stream (IHI0070 §5.3, §5.4): linear with 2^S1CDMax CDs, or 2-level (S1Fmt = 0b10) with
/// lazily allocated leaves of 1024 CDs published by an L1CD, as Linux builds it (digest §8.2).
/// </summary>
/// <remarks>
/// The table's addresses go into STE.S1ContextPtr and L1CD.L2Ptr unchanged: for a nested stream they are IPAs,
/// which works because the driver's memory is mapped identity at stage 2 (see <see cref="Iommu"/>).
/// </remarks>
public sealed class ContextDescriptorTable : IDisposable
{
    /// <summary>CDs per 2-level leaf with S1Fmt = 0b10.</summary>
    public const int LeafEntries = 1024;

    private const int LeafBits = 10;
    private readonly SmmuDriver _driver;
    private readonly ulong[] _leaves;
    private bool _disposed;

    internal ContextDescriptorTable(SmmuDriver driver, uint streamId, int substreamIdBits, bool twoLevel)
    {
        _driver = driver;
        StreamId = streamId;
        SubstreamIdBits = substreamIdBits;
        IsTwoLevel = twoLevel;
        if (twoLevel)
        {
            int l1Entries = 1 << (substreamIdBits - LeafBits);
            ulong bytes = Math.Max(64UL, (ulong)l1Entries * L1ContextDescriptor.Size);
            Address = driver.Allocator.Allocate(bytes, bytes);
            _leaves = new ulong[l1Entries];
        }
        else
        {
            ulong bytes = (1UL << substreamIdBits) * ContextDescriptor.Size;
            Address = driver.Allocator.Allocate(bytes, bytes);
            _leaves = [];
        }
    }

    // A table of a driver snapshot: already allocated, its leaves (2-level) at the saved addresses.
    internal ContextDescriptorTable(SmmuDriver driver, uint streamId, int substreamIdBits, bool twoLevel, ulong address, ulong[] leaves)
    {
        _driver = driver;
        StreamId = streamId;
        SubstreamIdBits = substreamIdBits;
        IsTwoLevel = twoLevel;
        Address = address;
        _leaves = leaves;
    }

    /// <summary>The stream the table belongs to (CFGI_CD names it).</summary>
    public uint StreamId { get; }

    /// <summary>STE.S1ContextPtr: the linear table or the L1CD table.</summary>
    public ulong Address { get; }

    /// <summary>SubstreamID bits the table covers: STE.S1CDMax.</summary>
    public int SubstreamIdBits { get; }

    /// <summary>STE.S1CDMax.</summary>
    public uint S1CDMax => (uint)SubstreamIdBits;

    /// <summary>Whether the table is 2-level.</summary>
    public bool IsTwoLevel { get; }

    /// <summary>STE.S1Fmt: 0b00 linear, 0b10 2-level with 64 KB leaves.</summary>
    public CdTableFormat S1Fmt => IsTwoLevel ? CdTableFormat.TwoLevel64K : CdTableFormat.Linear;

    /// <summary>Number of CDs the table can hold.</summary>
    public ulong Capacity => 1UL << SubstreamIdBits;

    /// <summary>
    /// Installs <paramref name="cd"/> for <paramref name="substreamId"/> by IHI0070 §3.21.3.1: a valid entry is first
    /// invalidated (V = 0, CFGI_CD, SYNC); words 1..7 and word 0 with V = 0 are written, CFGI_CD + SYNC; then word 0
    /// with V = 1, CFGI_CD + SYNC.
    /// </summary>
    /// <param name="substreamId">The SubstreamID (0 for the stream's default CD).</param>
    /// <param name="cd">The new CD.</param>
    public void Write(uint substreamId, in ContextDescriptor cd)
    {
        lock (_driver.SyncRoot)
        {
            ulong address = CdAddress(substreamId, allocate: true);
            ulong[] target = cd.ToArray();
            var cfgi = Command.CfgiCd(StreamId, substreamId, leaf: true);
            var current = ReadWord(address);
            ulong invalid = Bits.With(target[0], 31, false);
            if (Bits.IsSet(current, 31))
            {
                WriteWord(address, Bits.With(current, 31, false));
                _driver.SubmitAndSync(cfgi);
            }

            for (int i = 1; i < target.Length; i++)
            {
                WriteWord(address + ((ulong)i * 8), target[i]);
            }

            WriteWord(address, invalid);
            _driver.SubmitAndSync(cfgi);
            if (cd.V)
            {
                WriteWord(address, target[0]);
                _driver.SubmitAndSync(cfgi);
            }
        }
    }

    /// <summary>Makes the CD of <paramref name="substreamId"/> invalid (V = 0, CFGI_CD, SYNC) and clears it.</summary>
    /// <param name="substreamId">The SubstreamID.</param>
    public void Clear(uint substreamId) => Write(substreamId, ContextDescriptor.Invalid);

    /// <summary>Reads the CD of <paramref name="substreamId"/> from memory (invalid when its leaf does not exist).</summary>
    /// <param name="substreamId">The SubstreamID.</param>
    /// <returns>The CD.</returns>
    public ContextDescriptor Read(uint substreamId)
    {
        lock (_driver.SyncRoot)
        {
            ulong address = CdAddress(substreamId, allocate: false);
            return address != 0 && ContextDescriptor.TryRead(_driver.Memory, address, out var cd) ? cd : ContextDescriptor.Invalid;
        }
    }

    /// <summary>Frees the table and its leaves; the STE must no longer point at it.</summary>
    public void Dispose()
    {
        lock (_driver.SyncRoot)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (ulong leaf in _leaves)
            {
                if (leaf != 0)
                {
                    _driver.Allocator.Free(leaf);
                }
            }

            _driver.Allocator.Free(Address);
            _driver.ForgetContextDescriptorTable(this);
        }
    }

    /// <summary>The leaf tables of a 2-level table (0 where not allocated yet), for the driver snapshot.</summary>
    internal IReadOnlyList<ulong> Leaves => _leaves;

    private ulong CdAddress(uint substreamId, bool allocate)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (substreamId >= Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(substreamId), substreamId, $"SubstreamID {substreamId} is outside the CD table (S1CDMax {SubstreamIdBits}).");
        }

        if (!IsTwoLevel)
        {
            return Address + ((ulong)substreamId * ContextDescriptor.Size);
        }

        uint l1Index = substreamId >> LeafBits;
        ulong leaf = _leaves[l1Index];
        if (leaf == 0)
        {
            if (!allocate)
            {
                return 0;
            }

            // IHI0070 §5.4 / digest §3.4: a 64 KB leaf (L2Ptr[15:12] RES0), published by an L1CD, then CFGI_CD with
            // Leaf = 0 because the invalid L1CD may have been cached.
            ulong bytes = (ulong)LeafEntries * ContextDescriptor.Size;
            leaf = _driver.Allocator.Allocate(bytes, bytes);
            _leaves[l1Index] = leaf;
            WriteWord(Address + ((ulong)l1Index * L1ContextDescriptor.Size), new L1ContextDescriptor { V = true, L2Ptr = leaf }.Value);
            _driver.SubmitAndSync(Command.CfgiCd(StreamId, substreamId, leaf: false));
        }

        return leaf + ((ulong)(substreamId & (LeafEntries - 1)) * ContextDescriptor.Size);
    }

    private ulong ReadWord(ulong address) =>
        _driver.Memory.TryReadUInt64(address, out ulong value) ? value : throw new InvalidOperationException($"CD memory at 0x{address:X} is unreadable.");

    private void WriteWord(ulong address, ulong value)
    {
        if (!_driver.Memory.TryWriteUInt64(address, value))
        {
            throw new InvalidOperationException($"CD memory at 0x{address:X} is not writable.");
        }
    }
}
