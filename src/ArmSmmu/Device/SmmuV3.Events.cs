using ArmSmmu.Structures;

namespace ArmSmmu;

// Event queue and PRI queue producers, global errors and interrupts (IHI0070 §3.5, §7.2-§7.5, §8).
public sealed partial class SmmuV3
{
    // Each outstanding stall with its age: termination resolves them oldest first, an order a snapshot preserves.
    private readonly Dictionary<(uint StreamId, ushort Stag), ulong> _stalls = [];
    private ulong _stallSequence;
    private ushort _nextStag;

    // IHI0070 §7.4: stall fault records are never discarded; they wait here, oldest first, until the queue is
    // next writable (enabled, not full, no EVENTQ_ABT_ERR).
    private readonly Queue<EventRecord> _heldStallRecords = new();

    /// <summary>Writes an event record to the event queue; returns whether it was written (IHI0070 §7.2, §7.4).</summary>
    private bool RecordEvent(in EventRecord record)
    {
        lock (_lock)
        {
            FlushHeldStallRecords();
            bool written = TryAppendEvent(record, stall: false);
            if (!written)
            {
                Statistics.CountEvent(record.Type, written: false);
            }

            return written;
        }
    }

    /// <summary>Records the fault of a stalled transaction: written now, or held until the queue is writable.</summary>
    private void RecordStallEvent(in EventRecord record)
    {
        lock (_lock)
        {
            FlushHeldStallRecords();
            if (_heldStallRecords.Count > 0 || !TryAppendEvent(record, stall: true))
            {
                _heldStallRecords.Enqueue(record);
            }
        }
    }

    // Called with _lock held whenever the queue may have become writable: CONS moved, EVENTQEN set, error acknowledged.
    private void FlushHeldStallRecords()
    {
        while (_heldStallRecords.Count > 0 && TryAppendEvent(_heldStallRecords.Peek(), stall: true))
        {
            _heldStallRecords.Dequeue();
        }

        RetryStallsIfWritable();
    }

    // Appends one record at PROD. A record that cannot be written is lost unless it is a stall record (the caller
    // holds those): only a lost record in an enabled, full queue signals overflow (IHI0070 §7.4).
    private bool TryAppendEvent(in EventRecord record, bool stall)
    {
        // IHI0070 §7.2: with the queue disabled, records are discarded silently (no overflow).
        if (!Enabled(Cr0Flags.EVENTQEN) || GlobalErrorActive(GerrorFlags.EVENTQ_ABT_ERR))
        {
            return false;
        }

        ref var eventQueue = ref _registers.EventQueue;
        if (!eventQueue.Queue.TryGetFreeSlot(out ulong slot))
        {
            // A full queue discards the record and enters overflow if not already in it.
            if (!stall)
            {
                eventQueue.Queue.SignalOverflow();
            }

            return false;
        }

        if (!record.TryWrite(_memory, slot))
        {
            RaiseGlobalError(GerrorFlags.EVENTQ_ABT_ERR);
            return false;
        }

        Statistics.CountEvent(record.Type, written: true);
        if (eventQueue.Queue.AdvanceProducer())
        {
            // IHI0070 §3.18.2: the event queue interrupt is triggered by the transition from empty to non-empty.
            SignalQueueInterrupt(IrqCtrlFlags.EVENTQ_IRQEN, GerrorFlags.MSI_EVENTQ_ABT_ERR, SmmuInterrupt.EventQueue);
        }

        return true;
    }

    /// <summary>
    /// A device's PCIe Page Request (PRI) arriving at the SMMU: written to the PRI queue when PRIQEN is effective
    /// (IHI0070 §8). Returns false when the request was not queued (queue disabled, full, or aborted).
    /// </summary>
    /// <param name="request">The request, in PRI queue entry format.</param>
    /// <returns>Whether the entry was written.</returns>
    public bool SubmitPageRequest(in PriQueueEntry request)
    {
        if (!PriImplemented)
        {
            throw new InvalidOperationException("This SMMU does not implement PRI (IDR0.PRI = 0); page requests cannot be submitted.");
        }

        lock (_lock)
        {
            // IHI0070 §6.3.9: the effective PRIQEN is PRIQEN && SMMUEN.
            if (!Enabled(Cr0Flags.PRIQEN) || !Enabled(Cr0Flags.SMMUEN) || GlobalErrorActive(GerrorFlags.PRIQ_ABT_ERR))
            {
                AutoRespondFailure(request); // IHI0070 §8.2
                return false;
            }

            ref var priQueue = ref _registers.PriQueue;
            bool lastOnly = (priQueue.Irq.Cfg2 & PriqIrqCfg2Lo) != 0;
            // IHI0070 §8.1: unlike the event queue's (§7.4), an active PRI queue overflow inhibits new entries until
            // software acknowledges it (PRIQ_CONS.OVACKFLG = PRIQ_PROD.OVFLG), even when entries have been consumed.
            if (priQueue.Queue.OverflowPending || !priQueue.Queue.TryGetFreeSlot(out ulong slot))
            {
                priQueue.Queue.SignalOverflow();
                AutoRespondOverflow(request);

                // IHI0070 §6.3.36: with LO = 1, a Last request discarded by overflow still generates the interrupt.
                if (lastOnly && request.Last)
                {
                    SignalQueueInterrupt(IrqCtrlFlags.PRIQ_IRQEN, GerrorFlags.MSI_PRIQ_ABT_ERR, SmmuInterrupt.PriQueue);
                }

                return false;
            }

            if (!request.TryWrite(_memory, slot))
            {
                RaiseGlobalError(GerrorFlags.PRIQ_ABT_ERR);
                AutoRespondFailure(request); // IHI0070 §8.2: a synchronous abort of the write
                return false;
            }

            bool wasEmpty = priQueue.Queue.AdvanceProducer();
            // IHI0070 §6.3.36: LO = 1 signals requests with Last = 1; LO = 0 signals the transition from empty to
            // non-empty (§3.18.2), not every entry.
            if (lastOnly ? request.Last : wasEmpty)
            {
                SignalQueueInterrupt(IrqCtrlFlags.PRIQ_IRQEN, GerrorFlags.MSI_PRIQ_ABT_ERR, SmmuInterrupt.PriQueue);
            }

            return true;
        }
    }

    // Signals an enabled interrupt source (IHI0070 §3.18.2): an MSI when MSIs are supported and its ADDR is not 0, and a
    // pulse of its wired line when wired outputs are implemented — both when both are.
    private void SignalQueueInterrupt(IrqCtrlFlags source, GerrorFlags msiAbort, SmmuInterrupt line)
    {
        if (!_registers.Control.InterruptEnabled(source))
        {
            return;
        }

        SignalInterrupt(IrqConfig(source), msiAbort, line);
    }

    private void SignalInterrupt(in InterruptConfig irq, GerrorFlags msiAbort, SmmuInterrupt line)
    {
        ulong msiAddress = irq.Cfg0 & IrqCfg0Mask;
        if (Features.Msi && msiAddress != 0 && !_memory.TryWriteUInt32(msiAddress, irq.Cfg1))
        {
            RaiseGlobalError(msiAbort);
        }

        RaiseWired(line);
    }

    // IHI0070 §7.5: an error is activated by toggling its GERROR bit, only when it is not already active.
    private void RaiseGlobalError(GerrorFlags flag)
    {
        if (!_registers.GlobalError.TryActivate(flag))
        {
            return;
        }

        Statistics.CountGlobalError();
        if (flag == GerrorFlags.MSI_GERROR_ABT_ERR || !_registers.Control.InterruptEnabled(IrqCtrlFlags.GERROR_IRQEN))
        {
            return; // an aborted GERROR MSI does not itself signal GERROR
        }

        SignalInterrupt(_registers.GlobalError.Irq, GerrorFlags.MSI_GERROR_ABT_ERR, SmmuInterrupt.GlobalError);
    }

    private bool TryBeginStall(uint streamId, out ushort stag)
    {
        lock (_lock)
        {
            stag = 0;
            if (_stalls.Count >= Math.Max(1, Features.StallMax))
            {
                return false;
            }

            // STAGs are unique among this StreamID's outstanding stalls (IHI0070 §3.12.2).
            do
            {
                stag = _nextStag++;
            }
            while (_stalls.ContainsKey((streamId, stag)));

            _stalls[(streamId, stag)] = _stallSequence++;
            return true;
        }
    }

    /// <summary>Number of transactions currently stalled, awaiting CMD_RESUME or CMD_STALL_TERM.</summary>
    public int StalledTransactionCount
    {
        get
        {
            lock (_lock)
            {
                return _stalls.Count;
            }
        }
    }

    private void ResolveStall(uint streamId, ushort stag, bool retry, bool abort)
    {
        // IHI0070 §4.7.1: a RESUME naming no stalled transaction is ignored. One naming a stall whose record is not
        // yet visible may affect it (CONSTRAINED UNPREDICTABLE); this model does, and drops the record with it.
        if (_stalls.Remove((streamId, stag)))
        {
            ForgetHeldStall(k => k == (streamId, stag));
            StallResolved?.Invoke(this, new StallResolvedEventArgs(streamId, stag, retry, abort));
        }
    }

    private void TerminateStalls(uint streamId) => TerminateStallsWhere(k => k.StreamId == streamId);

    private void TerminateAllStalls() => TerminateStallsWhere(static _ => true);

    private void TerminateStallsWhere(Func<(uint StreamId, ushort Stag), bool> match)
    {
        foreach (var key in _stalls.OrderBy(static s => s.Value).Select(static s => s.Key).Where(match).ToList())
        {
            _stalls.Remove(key);
            StallResolved?.Invoke(this, new StallResolvedEventArgs(key.StreamId, key.Stag, retry: false, abort: true));
        }

        // A terminated transaction is no longer stalled: a record still held for it would name a dead STAG.
        ForgetHeldStall(match);
    }
}
