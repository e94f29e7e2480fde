using ArmSmmu.Structures;

namespace ArmSmmu;

// Event queue and PRI queue producers, global errors and interrupts (IHI0070 §3.5, §7.2-§7.5, §8).
public sealed partial class SmmuV3
{
    private const int EventBytes = 32;
    private const int PriBytes = 16;

    private readonly Dictionary<(uint StreamId, ushort Stag), bool> _stalls = [];
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

        int log2 = EventQueueLog2Size;
        if (FreeSlot(_eventqProd, _eventqCons, _eventqBase, log2, EventBytes) is not ulong slot)
        {
            // A full queue discards the record and enters overflow if not already in it.
            if (!stall)
            {
                EnterOverflow(ref _eventqProd, _eventqCons);
            }

            return false;
        }

        if (!record.TryWrite(_memory, slot))
        {
            RaiseGlobalError(GerrorFlags.EVENTQ_ABT_ERR);
            return false;
        }

        Statistics.CountEvent(record.Type, written: true);
        if (AdvanceProducer(ref _eventqProd, _eventqCons, log2))
        {
            // IHI0070 §3.18.2: the event queue interrupt is triggered by the transition from empty to non-empty.
            SignalQueueInterrupt(IrqCtrlFlags.EVENTQ_IRQEN, _eventqIrqCfg0, _eventqIrqCfg1, GerrorFlags.MSI_EVENTQ_ABT_ERR, SmmuInterrupt.EventQueue);
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
                return false;
            }

            int log2 = PriQueueLog2Size;
            bool lastOnly = (_priqIrqCfg2 & (1u << 31)) != 0;
            if (FreeSlot(_priqProd, _priqCons, _priqBase, log2, PriBytes) is not ulong slot)
            {
                EnterOverflow(ref _priqProd, _priqCons);

                // IHI0070 §6.3.36: with LO = 1, a Last request discarded by overflow still generates the interrupt.
                if (lastOnly && request.Last)
                {
                    SignalQueueInterrupt(IrqCtrlFlags.PRIQ_IRQEN, _priqIrqCfg0, _priqIrqCfg1, GerrorFlags.MSI_PRIQ_ABT_ERR, SmmuInterrupt.PriQueue);
                }

                return false;
            }

            if (!request.TryWrite(_memory, slot))
            {
                RaiseGlobalError(GerrorFlags.PRIQ_ABT_ERR);
                return false;
            }

            bool wasEmpty = AdvanceProducer(ref _priqProd, _priqCons, log2);
            // IHI0070 §6.3.36: LO = 1 signals requests with Last = 1; LO = 0 signals the transition from empty to
            // non-empty (§3.18.2), not every entry.
            if (lastOnly ? request.Last : wasEmpty)
            {
                SignalQueueInterrupt(IrqCtrlFlags.PRIQ_IRQEN, _priqIrqCfg0, _priqIrqCfg1, GerrorFlags.MSI_PRIQ_ABT_ERR, SmmuInterrupt.PriQueue);
            }

            return true;
        }
    }

    // IHI0070 §3.5.1: full when the indexes are equal and the wrap bits differ.
    private static bool IsQueueFull(uint prod, uint cons, int log2Size) => (prod ^ cons) == (1u << log2Size);

    // The entry at PROD of an output queue (event or PRI), or null when the queue is full (IHI0070 §3.5).
    private static ulong? FreeSlot(uint prodRegister, uint consRegister, ulong baseRegister, int log2, int entryBytes)
    {
        uint wrapMask = WrapMask(log2);
        uint prod = prodRegister & wrapMask;
        if (IsQueueFull(prod, consRegister & wrapMask, log2))
        {
            return null;
        }

        return QueueAddress(baseRegister, log2, entryBytes) + ((ulong)(prod & ((1u << log2) - 1)) * (ulong)entryBytes);
    }

    // Publishes the entry just written at PROD, keeping OVFLG; true when the queue was empty before it.
    private static bool AdvanceProducer(ref uint prodRegister, uint consRegister, int log2)
    {
        uint wrapMask = WrapMask(log2);
        uint prod = prodRegister & wrapMask;
        prodRegister = (prodRegister & (1u << 31)) | ((prod + 1) & wrapMask);
        return prod == (consRegister & wrapMask);
    }

    // IHI0070 §7.4: OVFLG toggles only when the queue is not already in overflow (OVFLG == CONS.OVACKFLG).
    private static void EnterOverflow(ref uint prodRegister, uint consRegister)
    {
        if ((prodRegister >> 31) == (consRegister >> 31))
        {
            prodRegister ^= 1u << 31;
        }
    }

    private void SignalQueueInterrupt(IrqCtrlFlags enable, ulong cfg0, uint cfg1, GerrorFlags msiAbort, SmmuInterrupt line)
    {
        if ((_irqCtrl & (uint)enable) == 0)
        {
            return;
        }

        ulong msiAddress = cfg0 & IrqCfg0Mask;
        if (Features.Msi && msiAddress != 0)
        {
            if (!_memory.TryWriteUInt32(msiAddress, cfg1))
            {
                RaiseGlobalError(msiAbort);
            }
        }
        else
        {
            Raise(line);
        }
    }

    // IHI0070 §7.5: an error is activated by toggling its GERROR bit, only when it is not already active.
    private void RaiseGlobalError(GerrorFlags flag)
    {
        if (GlobalErrorActive(flag))
        {
            return;
        }

        _gerror ^= (uint)flag;
        Statistics.CountGlobalError();
        if (flag == GerrorFlags.MSI_GERROR_ABT_ERR || (_irqCtrl & (uint)IrqCtrlFlags.GERROR_IRQEN) == 0)
        {
            return; // an aborted GERROR MSI does not itself signal GERROR
        }

        ulong msiAddress = _gerrorIrqCfg0 & IrqCfg0Mask;
        if (Features.Msi && msiAddress != 0)
        {
            if (!_memory.TryWriteUInt32(msiAddress, _gerrorIrqCfg1))
            {
                RaiseGlobalError(GerrorFlags.MSI_GERROR_ABT_ERR);
            }
        }
        else
        {
            Raise(SmmuInterrupt.GlobalError);
        }
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

            _stalls[(streamId, stag)] = true;
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
        // IHI0070 §4.6.1: a RESUME naming no stalled transaction is ignored.
        if (_stalls.Remove((streamId, stag)))
        {
            StallResolved?.Invoke(this, new StallResolvedEventArgs(streamId, stag, retry, abort));
        }
    }

    private void TerminateStalls(uint streamId) => TerminateStallsWhere(k => k.StreamId == streamId);

    private void TerminateAllStalls() => TerminateStallsWhere(static _ => true);

    private void TerminateStallsWhere(Func<(uint StreamId, ushort Stag), bool> match)
    {
        foreach (var key in _stalls.Keys.Where(match).ToList())
        {
            _stalls.Remove(key);
            StallResolved?.Invoke(this, new StallResolvedEventArgs(key.StreamId, key.Stag, retry: false, abort: true));
        }

        // A terminated transaction is no longer stalled: a record still held for it would name a dead STAG.
        int held = _heldStallRecords.Count;
        for (int i = 0; i < held; i++)
        {
            var record = _heldStallRecords.Dequeue();
            if (!match((record.StreamId, record.StallTag)))
            {
                _heldStallRecords.Enqueue(record);
            }
        }
    }
}
