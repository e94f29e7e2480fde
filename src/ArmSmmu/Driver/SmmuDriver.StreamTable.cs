using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <content>The stream table: allocation, lazily published level-2 tables, and the STE update procedure.</content>
public sealed partial class SmmuDriver
{
    private const ulong SteBytes = StreamTableEntry.Size;

    private ulong _streamTable;
    private int _streamTableLog2Size;
    private ulong[] _l2Tables = [];

    /// <summary>PA of the stream table (STRTAB_BASE.ADDR).</summary>
    public ulong StreamTableAddress => _streamTable;

    /// <summary>STRTAB_BASE_CFG.LOG2SIZE: the stream table covers StreamIDs 0 .. 2^this - 1.</summary>
    public int StreamTableLog2Size => _streamTableLog2Size;

    /// <summary>Number of level-2 stream tables allocated so far (always 0 for a linear table).</summary>
    public int StreamTableLevel2Count
    {
        get
        {
            lock (_lock)
            {
                return _l2Tables.Count(t => t != 0);
            }
        }
    }

    /// <summary>Whether <paramref name="streamId"/> is inside the stream table.</summary>
    /// <param name="streamId">A StreamID.</param>
    /// <returns>True when the driver can configure it.</returns>
    public bool IsValidStreamId(uint streamId) => _streamTableLog2Size >= 32 || streamId < (1UL << _streamTableLog2Size);

    /// <summary>Reads the STE of <paramref name="streamId"/> from memory (the abort STE if its level-2 table does not exist yet).</summary>
    /// <param name="streamId">A StreamID inside the table.</param>
    /// <returns>The entry as the SMMU would fetch it.</returns>
    public StreamTableEntry ReadSte(uint streamId)
    {
        lock (_lock)
        {
            RequireInitialized();
            CheckStreamId(streamId);
            if (Capabilities.TwoLevelStreamTable && _l2Tables[streamId >> Split] == 0)
            {
                return StreamTableEntry.Abort;
            }

            ulong address = SteAddressLocked(streamId);
            return StreamTableEntry.TryRead(Memory, address, out var ste) ? ste : throw new InvalidOperationException($"STE at 0x{address:X} is unreadable.");
        }
    }

    /// <summary>PA of the STE of <paramref name="streamId"/>; for a 2-level table this allocates and publishes its level-2 table first.</summary>
    /// <param name="streamId">A StreamID inside the table.</param>
    /// <returns>The STE address.</returns>
    public ulong SteAddress(uint streamId)
    {
        lock (_lock)
        {
            RequireInitialized();
            CheckStreamId(streamId);
            return SteAddressLocked(streamId);
        }
    }

    /// <summary>
    /// Installs <paramref name="ste"/> for <paramref name="streamId"/> following IHI0070 §3.21.3.1 so that the SMMU never
    /// sees a half-written valid entry: a valid translating entry is first turned into the abort STE (V = 1,
    /// Config = 0, which uses no other word) + CFGI_STE + SYNC; then words 1..7 are written + CFGI_STE + SYNC; then
    /// word 0, which holds V and Config, + CFGI_STE + SYNC; finally PREFETCH_CONFIG (digest §8.5 step 4).
    /// </summary>
    /// <param name="streamId">A StreamID inside the table.</param>
    /// <param name="ste">The new entry.</param>
    public void WriteSte(uint streamId, in StreamTableEntry ste)
    {
        lock (_lock)
        {
            RequireInitialized();
            CheckStreamId(streamId);
            ulong address = SteAddressLocked(streamId);
            ulong[] target = ste.ToArray();
            ulong dw0 = ReadWord(address);
            var current = new StreamTableEntry(dw0);
            var cfgi = Command.CfgiSte(streamId, leaf: true);

            if (!ste.V || ste.Config == SteConfig.Abort)
            {
                // IHI0070 §3.21.3.1 invalidation: the word with V and Config first; the others are then unused.
                WriteWord(address, target[0]);
                SubmitAndSyncLocked([cfgi]);
                if (WriteWords(address, target))
                {
                    SubmitAndSyncLocked([cfgi]);
                }

                return;
            }

            bool currentUsesOtherWords = current.V && current.Config != SteConfig.Abort;
            if (currentUsesOtherWords && !SameWords(address, target))
            {
                WriteWord(address, StreamTableEntry.Abort.Dw0);
                SubmitAndSyncLocked([cfgi]);
            }

            if (WriteWords(address, target))
            {
                SubmitAndSyncLocked([cfgi]);
            }

            WriteWord(address, target[0]);
            SubmitAndSyncLocked([cfgi]);
            SubmitLocked([Command.PrefetchConfig(streamId)]);
        }
    }

    /// <summary>Writes words 1..7 of a structure that differ from <paramref name="target"/>; returns whether any did.</summary>
    private bool WriteWords(ulong address, ulong[] target)
    {
        bool changed = false;
        for (int i = 1; i < target.Length; i++)
        {
            ulong word = address + ((ulong)i * 8);
            if (ReadWord(word) != target[i])
            {
                WriteWord(word, target[i]);
                changed = true;
            }
        }

        return changed;
    }

    private bool SameWords(ulong address, ulong[] target)
    {
        for (int i = 1; i < target.Length; i++)
        {
            if (ReadWord(address + ((ulong)i * 8)) != target[i])
            {
                return false;
            }
        }

        return true;
    }

    private void CheckStreamId(uint streamId)
    {
        if (!IsValidStreamId(streamId))
        {
            throw new ArgumentOutOfRangeException(nameof(streamId), streamId, $"StreamID {streamId} is outside the stream table (LOG2SIZE {_streamTableLog2Size}).");
        }
    }

    private ulong SteAddressLocked(uint streamId)
    {
        if (!Capabilities.TwoLevelStreamTable)
        {
            return _streamTable + (streamId * SteBytes);
        }

        uint l1Index = streamId >> Split;
        ulong l2 = _l2Tables[l1Index];
        if (l2 == 0)
        {
            l2 = PublishLevel2Table(l1Index);
        }

        return l2 + ((streamId & ((1u << Split) - 1)) * SteBytes);
    }

    // Digest §8.2: a 256-STE level-2 table, every entry abort, then the L1STD (Span = SPLIT + 1).
    private ulong PublishLevel2Table(uint l1Index)
    {
        ulong entries = 1UL << Split;
        ulong bytes = entries * SteBytes;
        ulong l2 = AllocateZeroed(bytes, bytes);
        for (ulong i = 0; i < entries; i++)
        {
            WriteWord(l2 + (i * SteBytes), StreamTableEntry.Abort.Dw0);
        }

        var l1std = new L1StreamTableDescriptor { Span = Split + 1, L2Ptr = l2 };
        WriteWord(_streamTable + (l1Index * (ulong)L1StreamTableDescriptor.Size), l1std.Value);
        _l2Tables[l1Index] = l2;

        // IHI0070 §3.21.3: even an invalid (Span = 0) L1STD may have been cached, so the change needs the non-leaf
        // invalidation; CFGI_STE_RANGE covers every StreamID of the descriptor (2^(Range+1) = 2^SPLIT).
        SubmitAndSyncLocked([Command.CfgiSteRange(l1Index << Split, Split - 1)]);
        return l2;
    }

    private void AllocateStreamTable()
    {
        var caps = Capabilities;
        if (caps.TwoLevelStreamTable)
        {
            // Digest §8.2: at most 2^17 L1 descriptors; LOG2SIZE = that + SPLIT.
            int l1Bits = Math.Min(MaxL1StreamTableBits, caps.StreamIdBits - Split);
            _streamTableLog2Size = l1Bits + Split;
            ulong l1Bytes = Math.Max(64UL, (1UL << l1Bits) * L1StreamTableDescriptor.Size);
            _streamTable = AllocateZeroed(l1Bytes, l1Bytes);
            _l2Tables = new ulong[1 << l1Bits];
            return;
        }

        _streamTableLog2Size = Math.Min(caps.StreamIdBits, Options.MaxLinearStreamIdBits);
        ulong count = 1UL << _streamTableLog2Size;
        ulong size = count * SteBytes;
        _streamTable = AllocateZeroed(size, size);
        for (ulong i = 0; i < count; i++)
        {
            WriteWord(_streamTable + (i * SteBytes), StreamTableEntry.Abort.Dw0);
        }

        _l2Tables = [];
    }

    private void FreeStreamTable()
    {
        foreach (ulong l2 in _l2Tables)
        {
            if (l2 != 0)
            {
                Allocator.Free(l2);
            }
        }

        _l2Tables = [];
        if (_streamTable != 0)
        {
            Allocator.Free(_streamTable);
            _streamTable = 0;
        }
    }
}
