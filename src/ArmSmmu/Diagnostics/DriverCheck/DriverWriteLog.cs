namespace ArmSmmu.Diagnostics.DriverCheck;

/// <summary>
/// The driver's view of memory while the driver-bug detector is on (<see cref="SmmuV3.Memory"/>): every write goes
/// straight through, and the log remembers the two things about it that the SMMU cannot see later in memory itself.
/// </summary>
/// <remarks>
/// <para>Write order inside 64-byte structures (IHI0070 §3.21.3.1): STEs and CDs are 64 bytes, 64-byte aligned, with V
/// in their first doubleword: bit 0 for an STE (§5.2), bit 31 for a CD (§5.4). The log cannot tell which a block is when
/// it is written, so it follows both bits and the fetch asks about the one of the structure it fetched. When a write
/// turns V from 0 to 1 the structure is published; a later write
/// that changes another doubleword of it before the driver's next CMD_SYNC means the valid word went first, so the SMMU
/// may have fetched a torn structure. The SMMU reports it when it fetches the structure.</para>
/// <para>Valid-to-valid changes of a doubleword (a page-table entry replaced without being made invalid first, Arm ARM
/// D8.16 break-before-make): the walker reports them when it finds such a leaf.</para>
/// <para>Writes of more than a page are not analysed: they are bulk data or whole-table images, not driver updates.</para>
/// </remarks>
internal sealed class DriverWriteLog : IPhysicalMemory
{
    private const int LargestAnalysedWrite = 4096;
    private const int MaxRemembered = 1 << 16;
    // A translation table descriptor's valid bit (Arm ARM D8.3), the one break-before-make is about.
    private const ulong Valid = 1;

    // STE.V, dw0[0] (IHI0070 §5.2) and CD.V, dw0[31] (§5.4). A block's state is kept under its address plus the
    // index of the valid bit it follows (blocks are 64-byte aligned, so the low bits of the key are free).
    private static readonly (ulong Mask, ulong KeyBit)[] StructureValidBits = [(1UL << 0, 0), (1UL << 31, 1)];

    private readonly IPhysicalMemory _inner;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, BlockState> _blocks = [];
    private readonly Dictionary<ulong, ValidChange> _validChanges = [];
    private long _writes;

    public DriverWriteLog(IPhysicalMemory inner) => _inner = inner;

    /// <inheritdoc />
    public bool TryRead(ulong address, Span<byte> destination) => _inner.TryRead(address, destination);

    /// <inheritdoc />
    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (source.Length == 0 || source.Length > LargestAnalysedWrite)
        {
            return _inner.TryWrite(address, source);
        }

        ulong first = address & ~7UL;
        int words = (int)((((address + (ulong)source.Length - 1) & ~7UL) - first) / 8) + 1;
        Span<ulong> before = stackalloc ulong[words];
        lock (_lock)
        {
            for (int i = 0; i < words; i++)
            {
                _inner.TryReadUInt64(first + ((ulong)i * 8), out before[i]);
            }

            if (!_inner.TryWrite(address, source))
            {
                return false;
            }

            long write = ++_writes;
            for (int i = 0; i < words; i++)
            {
                ulong word = first + ((ulong)i * 8);
                if (_inner.TryReadUInt64(word, out ulong after) && after != before[i])
                {
                    NoteChange(word, before[i], after, write);
                }
            }

            return true;
        }
    }

    /// <summary>CMD_SYNC: every structure published so far is complete; later writes to it are updates, not tearing.</summary>
    public void Synchronised()
    {
        lock (_lock)
        {
            foreach (var (block, state) in _blocks.ToArray())
            {
                if (state.TornWord == 0)
                {
                    _blocks.Remove(block);
                }
                else
                {
                    _blocks[block] = state with { PublishedBy = 0 };
                }
            }
        }
    }

    /// <summary>
    /// Whether the 64-byte structure at <paramref name="address"/> had its valid word written before doubleword
    /// <paramref name="laterWord"/>; the finding is forgotten once taken, so it is reported once.
    /// </summary>
    /// <param name="address">The structure's address (64-byte aligned).</param>
    /// <param name="contextDescriptor">True for a CD (V is dw0[31]), false for an STE (V is dw0[0]).</param>
    /// <param name="laterWord">The first doubleword written after V.</param>
    public bool TakeTorn(ulong address, bool contextDescriptor, out int laterWord)
    {
        ulong key = address | (contextDescriptor ? 1UL : 0UL);
        lock (_lock)
        {
            if (_blocks.TryGetValue(key, out var state) && state.TornWord != 0)
            {
                laterWord = state.TornWord;
                _blocks.Remove(key);
                return true;
            }
        }

        laterWord = 0;
        return false;
    }

    /// <summary>The last valid-to-valid change of the doubleword at <paramref name="address"/> not since broken by an invalid value; forgotten once taken.</summary>
    public bool TakeValidChange(ulong address, out ulong before, out ulong after)
    {
        lock (_lock)
        {
            if (_validChanges.Remove(address, out var change))
            {
                (before, after) = (change.Before, change.After);
                return true;
            }
        }

        (before, after) = (0, 0);
        return false;
    }

    private void NoteChange(ulong word, ulong before, ulong after, long write)
    {
        if ((after & Valid) == 0)
        {
            _validChanges.Remove(word); // the break of break-before-make
        }
        else if ((before & Valid) != 0)
        {
            Remember(_validChanges, word, new ValidChange(before, after));
        }

        ulong block = word & ~63UL;
        foreach (var (mask, keyBit) in StructureValidBits)
        {
            ulong key = block | keyBit;
            if (word == block)
            {
                if ((after & mask) == 0)
                {
                    _blocks.Remove(key);
                }
                else if ((before & mask) == 0)
                {
                    Remember(_blocks, key, new BlockState(write, 0));
                }
            }
            else if (_blocks.TryGetValue(key, out var state) && state.PublishedBy != 0 && write > state.PublishedBy && state.TornWord == 0)
            {
                _blocks[key] = state with { TornWord = (int)((word - block) / 8) };
            }
        }
    }

    // A bound on what is remembered: a driver that never synchronises (or rewrites page tables forever) cannot grow it without limit.
    private static void Remember<T>(Dictionary<ulong, T> table, ulong key, T value)
    {
        if (table.Count >= MaxRemembered && !table.ContainsKey(key))
        {
            table.Clear();
        }

        table[key] = value;
    }

    // PublishedBy: the write that made the structure valid, 0 once a CMD_SYNC closed it; TornWord: the first doubleword changed after it.
    private readonly record struct BlockState(long PublishedBy, int TornWord);

    private readonly record struct ValidChange(ulong Before, ulong After);
}
