using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// The circular queue on its own (IHI0070 §3.5.1, §6.3.26-§6.3.33, §7.1, §7.4; digest 1.9, 1.10). Expected values
/// come from the spec's rule written out independently: after k entries a pointer holds k mod 2^(QS+1), i.e. index
/// k mod 2^QS in bits [QS-1:0] and wrap flag (k div 2^QS) mod 2 in bit QS.
/// </summary>
public class SmmuQueueTests
{
    private static SmmuQueue Queue(int log2Size, uint prod = 0, uint cons = 0, int entrySize = Command.Size) =>
        new(entrySize, SmmuQueue.MaxLog2Size) { Base = (ulong)log2Size, Prod = prod, Cons = cons };

    // The spec's pointer after k increments from 0: index k mod 2^qs, wrap bit (k >> qs) & 1.
    private static uint PointerAfter(long k, int qs) => (uint)((k % (1L << qs)) | (((k >> qs) & 1) << qs));

    public static TheoryData<int> EveryLog2Size()
    {
        var data = new TheoryData<int>();
        for (int qs = 0; qs <= SmmuQueue.MaxLog2Size; qs++)
        {
            data.Add(qs);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryLog2Size))]
    public void Filling_and_draining_meets_full_and_empty_exactly_at_the_boundaries(int qs)
    {
        long entries = 1L << qs;
        var q = Queue(qs);
        Assert.True(q.IsEmpty);
        Assert.Equal((uint)entries, q.Capacity);

        // Produce one less than a full queue, checking the pointer against the spec's formula near the boundaries.
        for (long k = 1; k < entries; k++)
        {
            Assert.True(q.TryGetFreeSlot(out _));
            q.AdvanceProducer();
            if (k <= 2 || k >= entries - 2)
            {
                Assert.Equal(PointerAfter(k, qs), q.Prod);
            }
        }

        Assert.False(q.IsFull);
        Assert.Equal((uint)(entries - 1), q.Count);

        // The last slot: index back to 0 with the wrap flag set, and the queue is full (IHI0070 §3.5.1).
        q.AdvanceProducer();
        Assert.Equal(1u << qs, q.Prod);
        Assert.True(q.IsFull);
        Assert.False(q.IsEmpty);
        Assert.True(q.IsConsistent);
        Assert.Equal((uint)entries, q.Count);
        Assert.False(q.TryGetFreeSlot(out ulong none));
        Assert.Equal(0UL, none);

        // Drain: empty exactly when CONS catches up, with both wrap flags set.
        for (long k = 1; k <= entries; k++)
        {
            Assert.False(q.IsEmpty);
            q.AdvanceConsumer();
        }

        Assert.Equal(1u << qs, q.Cons);
        Assert.True(q.IsEmpty);

        // Once more round: both pointers come back to 0 (wrap flag clear again).
        for (long k = 0; k < entries; k++)
        {
            q.AdvanceProducer();
            q.AdvanceConsumer();
        }

        Assert.Equal((0u, 0u), (q.Prod, q.Cons));
    }

    [Fact]
    public void Count_full_empty_and_consistency_agree_with_the_spec_for_every_pointer_pair()
    {
        // QS = 2: 4 entries, pointers 0..7 (index [1:0], wrap [2]).
        const int qs = 2;
        for (uint prod = 0; prod < 8; prod++)
        {
            for (uint cons = 0; cons < 8; cons++)
            {
                var q = Queue(qs, prod, cons);
                uint pi = prod & 3, pw = prod >> 2, ci = cons & 3, cw = cons >> 2;
                uint expectedCount = (prod + 8 - cons) % 8;
                Assert.Equal(expectedCount, q.Count);
                Assert.Equal(pi == ci && pw == cw, q.IsEmpty);
                Assert.Equal(pi == ci && pw != cw, q.IsFull);

                // IHI0070 §3.5.1: PROD ahead of CONS with different wraps, or behind with equal wraps, is inconsistent.
                bool inconsistent = (pw != cw && pi > ci) || (pw == cw && pi < ci);
                Assert.Equal(!inconsistent, q.IsConsistent);
            }
        }
    }

    [Fact]
    public void Log2size_above_the_implemented_maximum_behaves_as_the_maximum()
    {
        // Digest 1.9: *_BASE.LOG2SIZE <= IDR1.xQS, values above are capped; the register keeps what was written.
        var q = new SmmuQueue(EventRecord.Size, log2SizeLimit: 7) { Base = 0x1000_0000 | 25 };
        Assert.Equal(7, q.Log2Size);
        Assert.Equal(128u, q.Capacity);
        Assert.Equal(0x1000_0000UL | 25, q.Base);

        q.Base = 0x1000_0000 | 3;
        Assert.Equal(3, q.Log2Size);
        Assert.Equal(0xFu, q.IndexAndWrapMask);
    }

    [Fact]
    public void The_base_address_is_aligned_to_the_queue_size_and_at_least_32_bytes()
    {
        // IHI0070 §6.3.26: ADDR [55:5]; the effective base is aligned to max(queue bytes, 32). RA/WA [62] and
        // LOG2SIZE [4:0] are not address bits.
        const ulong hint = 1UL << 62;
        var events = new SmmuQueue(EventRecord.Size, SmmuQueue.MaxLog2Size) { Base = hint | 0x8_1234_5660 | 3 }; // 8 x 32 B = 256 B
        Assert.Equal(0x8_1234_5600UL, events.Address);
        Assert.Equal(0x8_1234_5600UL + (5 * 32), events.SlotAddress(5));
        Assert.Equal(0x8_1234_5600UL + (5 * 32), events.SlotAddress(0x8000_000D)); // wrap and OVFLG do not move the slot

        var oneCommand = new SmmuQueue(Command.Size, SmmuQueue.MaxLog2Size) { Base = 0x4060 }; // 1 x 16 B: 32 B alignment
        Assert.Equal(0x4060UL, oneCommand.Address);
        var fourCommands = new SmmuQueue(Command.Size, SmmuQueue.MaxLog2Size) { Base = 0x4060 | 2 }; // 4 x 16 B = 64 B
        Assert.Equal(0x4040UL, fourCommands.Address);

        var pri = new SmmuQueue(PriQueueEntry.Size, SmmuQueue.MaxLog2Size) { Base = (1UL << 56) | 0x10_0000 | 4 }; // bit 56 is above ADDR
        Assert.Equal(0x10_0000UL, pri.Address);
        Assert.Equal(0x10_0000UL + (15 * 16), pri.SlotAddress(15));
    }

    [Fact]
    public void Overflow_flag_toggles_once_per_unacknowledged_overflow()
    {
        // IHI0070 §7.4: OVFLG toggles on a discarded entry only while OVFLG == OVACKFLG; software acknowledges by
        // copying OVFLG into OVACKFLG.
        var q = Queue(1);
        Assert.False(q.OverflowPending);

        q.SignalOverflow();
        Assert.Equal(SmmuQueue.OverflowFlag, q.Prod);
        Assert.True(q.OverflowPending);

        q.SignalOverflow(); // still unacknowledged: no second toggle
        Assert.Equal(SmmuQueue.OverflowFlag, q.Prod);

        q.AcknowledgeOverflow();
        Assert.Equal(SmmuQueue.OverflowFlag, q.Cons);
        Assert.False(q.OverflowPending);

        q.SignalOverflow(); // the next overflow toggles back to 0
        Assert.Equal(0u, q.Prod);
        Assert.True(q.OverflowPending);
        q.AcknowledgeOverflow();
        Assert.Equal(0u, q.Cons);

        // The flags ride along as the pointers move, and do not count as entries.
        q.Prod = SmmuQueue.OverflowFlag | 1;
        q.Cons = 1;
        Assert.True(q.IsEmpty);
        Assert.True(q.AdvanceProducer());
        Assert.Equal(SmmuQueue.OverflowFlag | 2, q.Prod);
        Assert.False(q.AdvanceProducer());
        Assert.Equal(SmmuQueue.OverflowFlag | 3, q.Prod);
        Assert.True(q.IsFull);
        q.AcknowledgeOverflow();
        q.AdvanceConsumer();
        Assert.Equal(SmmuQueue.OverflowFlag | 2, q.Cons);
    }

    [Fact]
    public void A_command_error_keeps_cons_on_the_command_and_the_next_advance_clears_err()
    {
        // IHI0070 §7.1: CONS stays on the failing command and ERR [30:24] says why.
        var q = Queue(4, prod: 0x13, cons: 0x12);
        q.StopOnCommandError(CommandError.Abt);
        Assert.Equal(((uint)CommandError.Abt << 24) | 0x12, q.Cons);
        Assert.Equal(CommandError.Abt, q.Error);
        Assert.Equal(0x12u, q.IndexAndWrap(q.Cons));
        Assert.Equal(1u, q.Count);

        q.AdvanceConsumer();
        Assert.Equal(0x13u, q.Cons);
        Assert.Equal(CommandError.None, q.Error);
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Entries_from_a_pointer_counts_wrap_aware()
    {
        // The driver's wait for a CMD_SYNC: entries still ahead of a pointer, across the wrap.
        var q = Queue(2, prod: 0x5); // index 1, wrap 1
        Assert.Equal(2u, q.EntriesFrom(0x3)); // index 3, wrap 0: entries 3 and 0
        Assert.Equal(0u, q.EntriesFrom(0x5));
        Assert.Equal(4u, q.EntriesFrom(0x1)); // a full queue behind PROD
    }

    [Fact]
    public void Host_misuse_of_the_geometry_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmmuQueue(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmmuQueue(24, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmmuQueue(16, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmmuQueue(16, SmmuQueue.MaxLog2Size + 1));
    }
}
