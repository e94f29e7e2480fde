using ArmSmmu.Structures;

namespace ArmSmmu;

// Held stall fault records meeting configuration or TLB invalidation (IHI0070 §4.7.3, §7.2.1).
public sealed partial class SmmuV3
{
    // Stalls whose record is still held (not yet visible) when a CFGI or TLBI that may affect them is consumed.
    private readonly HashSet<(uint StreamId, ushort Stag)> _invalidatedHeldStalls = [];

    // Stalls whose held record a CMD_SYNC discarded: IHI0070 §7.2.1 has them retried once the event queue is next
    // writable (a retry either succeeds without a record or faults afresh), oldest first.
    private readonly List<(uint StreamId, ushort Stag)> _retryWhenWritable = [];

    // Called with _lock held after a command was consumed without error, when some stall record is held.
    private void NoteInvalidationOfHeldStalls(in Command c)
    {
        uint streamId = c.StreamId;
        uint ignoredBits;
        switch (c.Opcode)
        {
            case CommandOpcode.CfgiSte or CommandOpcode.CfgiCd or CommandOpcode.CfgiCdAll:
                ignoredBits = 0;
                break;
            case CommandOpcode.CfgiSteRange:
                ignoredBits = c.Range == 31 ? uint.MaxValue : (uint)Bits.Mask((int)c.Range + 1);
                break;
            case >= CommandOpcode.TlbiNhAll and <= CommandOpcode.TlbiNsnhAll:
                // Over-approximation: any TLB invalidation may have removed the translation a stall faulted on;
                // retrying an unaffected stall is permitted (IHI0070 §7.2.1).
                ignoredBits = uint.MaxValue;
                break;
            default:
                return;
        }

        foreach (var record in _heldStallRecords)
        {
            if (((record.StreamId ^ streamId) & ~ignoredBits) == 0)
            {
                _invalidatedHeldStalls.Add((record.StreamId, record.StallTag));
            }
        }
    }

    // IHI0070 §4.7.3: completing a CMD_SYNC means no record of a configuration or translation it invalidated becomes
    // visible afterwards: a still-held record of an invalidated stall is dropped and the transaction retried later.
    private void DiscardInvalidatedHeldStallRecords()
    {
        if (_invalidatedHeldStalls.Count == 0)
        {
            return;
        }

        int held = _heldStallRecords.Count;
        for (int i = 0; i < held; i++)
        {
            var record = _heldStallRecords.Dequeue();
            var key = (record.StreamId, record.StallTag);
            if (_invalidatedHeldStalls.Contains(key))
            {
                _retryWhenWritable.Add(key);
            }
            else
            {
                _heldStallRecords.Enqueue(record);
            }
        }

        _invalidatedHeldStalls.Clear();
        RetryStallsIfWritable();
    }

    // Called with _lock held wherever the event queue may have become writable (after held records are flushed).
    private void RetryStallsIfWritable()
    {
        if (_retryWhenWritable.Count == 0 || !EventQueueWritable)
        {
            return;
        }

        var retries = _retryWhenWritable.ToArray();
        _retryWhenWritable.Clear();
        foreach (var key in retries)
        {
            if (_stalls.Remove(key))
            {
                StallResolved?.Invoke(this, new StallResolvedEventArgs(key.StreamId, key.Stag, retry: true, abort: false));
            }
        }
    }

    // IHI0070 §7.2.1: enabled, not full, and no unacknowledged EVENTQ_ABT_ERR.
    private bool EventQueueWritable =>
        Enabled(Cr0Flags.EVENTQEN) && !GlobalErrorActive(GerrorFlags.EVENTQ_ABT_ERR) && !_registers.EventQueue.Queue.IsFull;

    // A stall that is resumed or terminated no longer has a record to show or a retry to make.
    private void ForgetHeldStall(Func<(uint StreamId, ushort Stag), bool> match)
    {
        int held = _heldStallRecords.Count;
        for (int i = 0; i < held; i++)
        {
            var record = _heldStallRecords.Dequeue();
            if (!match((record.StreamId, record.StallTag)))
            {
                _heldStallRecords.Enqueue(record);
            }
        }

        _retryWhenWritable.RemoveAll(k => match(k));
        _invalidatedHeldStalls.RemoveWhere(k => match(k));
    }
}
