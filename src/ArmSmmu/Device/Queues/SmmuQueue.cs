using System.Globalization;
using System.Runtime.CompilerServices;
using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>
/// One circular queue in memory — the command, event or PRI queue (IHI0070 §3.5) — as its three registers describe
/// it: <see cref="Base"/> (*_BASE), <see cref="Prod"/> (*_PROD) and <see cref="Cons"/> (*_CONS), held exactly as
/// stored, with the geometry the implementation fixes (entry size, the IDR1 maximum LOG2SIZE).
/// </summary>
/// <remarks>
/// <para>
/// PROD and CONS hold the index in bits [LOG2SIZE-1:0] and the wrap flag in bit LOG2SIZE (IHI0070 §3.5.1, digest 1.10);
/// bit 31 is OVFLG in an event or PRI queue's PROD and OVACKFLG in its CONS (§7.4), and CMDQ_CONS.ERR is bits
/// [30:24] (§7.1). The device keeps one per queue in its registers; a driver keeps one as its copy of the same
/// registers (its own PROD or CONS, the other side as last read).
/// </para>
/// <para>A mutable struct: update it through a field or a <c>ref</c>, never through a copy.</para>
/// </remarks>
public partial struct SmmuQueue
{
    /// <summary>Largest LOG2SIZE the architecture allows: 2^19 entries (IHI0070 §6.3.26).</summary>
    public const int MaxLog2Size = 19;

    /// <summary>Bit 31: OVFLG in EVENTQ/PRIQ_PROD, OVACKFLG in EVENTQ/PRIQ_CONS (IHI0070 §7.4).</summary>
    public const uint OverflowFlag = 1u << 31;

    private const ulong Log2SizeField = 0x1F;                 // *_BASE.LOG2SIZE, [4:0]
    private const ulong AddressField = 0x00FF_FFFF_FFFF_FFE0; // *_BASE.ADDR, [55:5]
    private const int ErrShift = 24;                          // CMDQ_CONS.ERR, [30:24]
    private const uint ErrField = 0x7Fu << ErrShift;

    private ulong _base;
    private uint _cons;
    private int _log2Size; // derived from _base whenever it is written: every pointer operation needs it

    /// <summary>A queue of <paramref name="entrySize"/>-byte entries whose LOG2SIZE is capped at <paramref name="log2SizeLimit"/>.</summary>
    /// <param name="entrySize">Bytes per entry: <see cref="Command.Size"/>, <see cref="EventRecord.Size"/> or <see cref="PriQueueEntry.Size"/>.</param>
    /// <param name="log2SizeLimit">The implementation's maximum LOG2SIZE (IDR1.CMDQS, EVENTQS or PRIQS), 0..19.</param>
    /// <exception cref="ArgumentOutOfRangeException">An entry size that is not a positive power of two, or a limit outside 0..19.</exception>
    public SmmuQueue(int entrySize, int log2SizeLimit)
    {
        if (entrySize <= 0 || (entrySize & (entrySize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(entrySize), entrySize, "A queue entry is a positive power of two bytes.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(log2SizeLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2SizeLimit, MaxLog2Size);
        EntrySize = entrySize;
        Log2SizeLimit = log2SizeLimit;
    }

    /// <summary>Bytes per entry.</summary>
    public readonly int EntrySize { get; }

    /// <summary>The implementation's maximum LOG2SIZE (IDR1.xQS).</summary>
    public readonly int Log2SizeLimit { get; }

    /// <summary>*_BASE as stored: RA/WA [62], ADDR [55:5], LOG2SIZE [4:0].</summary>
    public ulong Base
    {
        readonly get => _base;
        set
        {
            _base = value;
            _log2Size = Math.Min((int)(value & Log2SizeField), Log2SizeLimit);
        }
    }

    /// <summary>*_PROD as stored.</summary>
    public uint Prod { get; set; }

    /// <summary>*_CONS as stored; written with release semantics (see <see cref="ConsAcquire"/>).</summary>
    public uint Cons
    {
        readonly get => _cons;
        set => Volatile.Write(ref _cons, value);
    }

    /// <summary>
    /// *_CONS read with acquire semantics, without the device's lock: a driver polling CMDQ_CONS that sees a command
    /// consumed then sees what the command did (the TLB entries it removed), as the release write of CONS follows them.
    /// </summary>
    internal readonly uint ConsAcquire => Volatile.Read(ref Unsafe.AsRef(in _cons));

    /// <summary>Effective log2 of the number of entries: *_BASE.LOG2SIZE capped at <see cref="Log2SizeLimit"/> (IHI0070 §6.3.26).</summary>
    public readonly int Log2Size => _log2Size;

    /// <summary>Number of entries, 2^<see cref="Log2Size"/>.</summary>
    public readonly uint Capacity => 1u << Log2Size;

    /// <summary>The bits of PROD/CONS that hold index and wrap flag, [LOG2SIZE:0].</summary>
    public readonly uint IndexAndWrapMask => (2u << Log2Size) - 1;

    /// <summary>
    /// Address of entry 0: *_BASE.ADDR aligned down to the queue size, at least 32 bytes — the low address bits
    /// below that are ignored (IHI0070 §6.3.26).
    /// </summary>
    public readonly ulong Address
    {
        get
        {
            ulong bytes = Math.Max(32UL, (ulong)EntrySize << Log2Size);
            return Base & AddressField & ~(bytes - 1);
        }
    }

    /// <summary>Empty: PROD and CONS have equal indexes and equal wrap flags (IHI0070 §3.5.1).</summary>
    public readonly bool IsEmpty => ((Prod ^ Cons) & IndexAndWrapMask) == 0;

    /// <summary>Full: equal indexes, different wrap flags (IHI0070 §3.5.1).</summary>
    public readonly bool IsFull => ((Prod ^ Cons) & IndexAndWrapMask) == Capacity;

    /// <summary>Entries between CONS and PROD, 0 .. <see cref="Capacity"/> while the pointers are consistent.</summary>
    public readonly uint Count => EntriesFrom(Cons);

    /// <summary>
    /// PROD is at most one full queue ahead of CONS. Anything else (PROD behind CONS with equal wrap flags, or ahead
    /// with different ones) is an inconsistent pair the architecture leaves CONSTRAINED UNPREDICTABLE (IHI0070 §3.5.1).
    /// </summary>
    public readonly bool IsConsistent => Count <= Capacity;

    /// <summary>OVFLG differs from OVACKFLG: the producer has discarded entries the consumer has not acknowledged (IHI0070 §7.4).</summary>
    public readonly bool OverflowPending => ((Prod ^ Cons) & OverflowFlag) != 0;

    /// <summary>CMDQ_CONS.ERR, the reason the command at CONS failed (IHI0070 §7.1); valid while GERROR.CMDQ_ERR is active.</summary>
    public readonly CommandError Error => (CommandError)((Cons & ErrField) >> ErrShift);

    /// <summary>Entries from <paramref name="pointer"/> up to PROD, wrap-aware.</summary>
    /// <param name="pointer">A CONS-like pointer (bits above the wrap flag are ignored).</param>
    /// <returns>0 .. 2^(LOG2SIZE+1)-1.</returns>
    public readonly uint EntriesFrom(uint pointer) => (Prod - pointer) & IndexAndWrapMask;

    /// <summary>Index and wrap flag of <paramref name="pointer"/>, without OVFLG, ERR or bits above the wrap flag.</summary>
    /// <param name="pointer">A PROD or CONS value.</param>
    /// <returns>Bits [LOG2SIZE:0].</returns>
    public readonly uint IndexAndWrap(uint pointer) => pointer & IndexAndWrapMask;

    /// <summary>The index of <paramref name="pointer"/>, bits [LOG2SIZE-1:0].</summary>
    /// <param name="pointer">A PROD or CONS value.</param>
    /// <returns>0 .. <see cref="Capacity"/> - 1.</returns>
    public readonly uint Index(uint pointer) => pointer & (Capacity - 1);

    /// <summary>The wrap flag of <paramref name="pointer"/>, bit LOG2SIZE.</summary>
    /// <param name="pointer">A PROD or CONS value.</param>
    /// <returns>True when set.</returns>
    public readonly bool Wrap(uint pointer) => (pointer & Capacity) != 0;

    /// <summary>Address of the entry <paramref name="pointer"/> indexes.</summary>
    /// <param name="pointer">A PROD or CONS value (only its index bits count).</param>
    /// <returns><see cref="Address"/> + index × <see cref="EntrySize"/>.</returns>
    public readonly ulong SlotAddress(uint pointer) => Address + ((ulong)Index(pointer) * (uint)EntrySize);

    /// <summary>
    /// <paramref name="pointer"/> advanced by one entry: the index wraps to 0 and toggles the wrap flag; bit 31
    /// (OVFLG/OVACKFLG) is kept, as a consumer must when it advances CONS (digest 8.6); ERR and bits above the wrap
    /// flag are cleared.
    /// </summary>
    /// <param name="pointer">A PROD or CONS value.</param>
    /// <returns>The next value.</returns>
    public readonly uint Next(uint pointer) => (pointer & OverflowFlag) | ((pointer + 1) & IndexAndWrapMask);

    /// <summary>The entry at PROD, where a producer writes next, unless the queue is full.</summary>
    /// <param name="address">The entry's address; 0 when full.</param>
    /// <returns>False when the queue is full.</returns>
    public readonly bool TryGetFreeSlot(out ulong address)
    {
        bool free = !IsFull;
        address = free ? SlotAddress(Prod) : 0;
        return free;
    }

    /// <summary>Publishes the entry written at PROD: PROD moves on by one, keeping OVFLG.</summary>
    /// <returns>Whether the queue was empty before (the event queue interrupts on that transition, IHI0070 §3.18.2).</returns>
    public bool AdvanceProducer()
    {
        bool wasEmpty = IsEmpty;
        Prod = Next(Prod);
        return wasEmpty;
    }

    /// <summary>Consumes the entry at CONS: CONS moves on by one, keeping OVACKFLG and clearing ERR.</summary>
    public void AdvanceConsumer() => Cons = Next(Cons);

    /// <summary>
    /// A producer discarded an entry because the queue was full: OVFLG toggles, unless an earlier overflow is still
    /// unacknowledged (IHI0070 §7.4).
    /// </summary>
    public void SignalOverflow()
    {
        if (!OverflowPending)
        {
            Prod ^= OverflowFlag;
        }
    }

    /// <summary>The consumer acknowledges an overflow: OVACKFLG takes the value of OVFLG (IHI0070 §7.4, digest 8.6).</summary>
    public void AcknowledgeOverflow() => Cons = (Cons & ~OverflowFlag) | (Prod & OverflowFlag);

    /// <summary>The command at CONS failed: CONS stays on it and ERR records why (IHI0070 §7.1).</summary>
    /// <param name="error">The CERROR code.</param>
    public void StopOnCommandError(CommandError error) => Cons = (Cons & IndexAndWrapMask) | (((uint)error << ErrShift) & ErrField);

    /// <summary>Base, pointers and their decoded index and wrap.</summary>
    /// <returns>A one-line summary.</returns>
    public override readonly string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"base 0x{Base:X} ({Capacity} x {EntrySize} B at 0x{Address:X}), PROD 0x{Prod:X}, CONS 0x{Cons:X}, {Count} queued{(IsFull ? " (full)" : string.Empty)}{(OverflowPending ? ", overflow" : string.Empty)}");
}
