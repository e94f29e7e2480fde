using System.Numerics;

namespace ArmSmmu.Device;

// Counting (IHI0070 §10.2-§10.4): which counters count what, StreamID filters, overflow, capture and the interrupt.
public sealed partial class SmmuPerformanceMonitor
{
    // The enabled counters, rebuilt on every write that changes what is counted: counting reads one immutable array.
    private volatile CounterSlot[] _program = [];

    // Called by the device after each transaction while counting (with the events its pipeline stages tallied).
    internal void Record(uint streamId, bool secure, in PmcgCounts counts)
    {
        foreach (ref readonly var slot in _program.AsSpan())
        {
            int delta = slot.Event switch
            {
                PmcgEvent.Cycles or PmcgEvent.Transactions => 1,
                PmcgEvent.TlbMisses => counts.TlbMisses,
                PmcgEvent.ConfigCacheMisses => counts.ConfigCacheMisses,
                PmcgEvent.TableWalkAccesses => counts.TableWalkAccesses,
                PmcgEvent.ConfigStructureAccesses => counts.ConfigStructureAccesses,
                PmcgEvent.AtsTranslationRequests => counts.AtsTranslationRequests,
                _ => counts.AtsTranslatedTransactions,
            };

            // IHI0070 §10.3: event 0 is the one architected event not filtered by StreamID. With no Secure
            // observation (§10.4, SCR.SO = 0), filterable events match Non-secure StreamIDs only.
            if (delta != 0 && (slot.Event == PmcgEvent.Cycles || (!secure && (streamId & slot.Care) == slot.Match)))
            {
                Add(slot.Counter, (ulong)delta);
            }
        }
    }

    // IHI0070 §10.5.2.1: an increment is atomic with respect to register writes of the counter.
    private void Add(int counter, ulong delta)
    {
        ref ulong value = ref _counters[counter];
        ulong old;
        do
        {
            old = Volatile.Read(ref value);
        }
        while (Interlocked.CompareExchange(ref value, (old + delta) & _valueMask, old) != old);

        // IHI0070 §10.2.1: overflow is a carry out of the counter's top bit; counting goes on from the wrapped value.
        if (delta > _valueMask - old)
        {
            Overflow(counter);
        }
    }

    private void Overflow(int counter)
    {
        lock (_lock)
        {
            ulong bit = 1UL << counter;
            Interlocked.Or(ref _overflows, bit);

            // IHI0070 §10.5.2.2: OVFCAP makes the overflow capture every counter, as a CAPR write does.
            if (Features.Capture && (_eventTypes[counter] & OverflowCapture) != 0)
            {
                Capture();
            }

            // IHI0070 §10.5.2.19: the interrupt needs INTEN[n] and IRQEN at the time of the overflow; it is signalled
            // after OVS, the counter and the captured values are visible (§10.2.1), as they are here.
            if ((_interruptEnables & bit) != 0 && (_irqControl & 1) != 0)
            {
                SignalInterrupt();
            }
        }
    }

    // IHI0070 §10.5.2.11: every implemented counter into its SVR.
    private void Capture()
    {
        for (int i = 0; i < _counters.Length; i++)
        {
            _shadows[i] = Volatile.Read(ref _counters[i]);
        }
    }

    // IHI0070 §10.5.2.19, §10.5.2.21: IRQEN enables both the wired output (when the SMMU has wired outputs) and the MSI
    // (when CFGR.MSI and IRQ_CFG0.ADDR != 0), as for the SMMU's own sources (§3.18.2). An aborted MSI sets
    // IRQ_STATUS.IRQ_ABT (§10.5.2.24); the PMCG has no GERROR bit of its own.
    private void SignalInterrupt()
    {
        if (Features.Msi && _irqCfg0 != 0 && !_device.Memory.TryWriteUInt32(_irqCfg0, _irqCfg1))
        {
            _irqStatus |= 1;
        }

        _device.RaisePerformanceMonitorInterrupt();
    }

    // Called with _lock held after any write to CR, CNTENSET/CLR, EVTYPERn or SMRn.
    private void Reprogram()
    {
        var slots = new List<CounterSlot>();
        // IHI0070 §10.5.2.14: CR.E takes precedence over every CNTEN bit.
        ulong enabled = (_control & 1) != 0 ? _counterEnables : 0;
        while (enabled != 0)
        {
            int counter = BitOperations.TrailingZeroCount(enabled);
            enabled &= enabled - 1;
            uint eventType = _eventTypes[counter] & EventMask;
            // An event the group does not count (CEID bit clear, or an IMPLEMENTATION DEFINED number) counts nothing.
            if (eventType < 64 && (Ceid0 & (1UL << (int)eventType)) != 0)
            {
                slots.Add(Filter(counter, (PmcgEvent)eventType));
            }
        }

        _program = [.. slots];
        _device.SetPerformanceMonitorCounting(slots.Count > 0);
    }

    // IHI0070 §10.4: SID_FILTER_TYPE = 1 takes every counter's filter from EVTYPER0 and SMR0.
    private CounterSlot Filter(int counter, PmcgEvent eventType)
    {
        int source = Features.GlobalFilter ? 0 : counter;
        uint match = _streamMatches[source];
        if ((_eventTypes[source] & FilterSidSpan) == 0)
        {
            return new CounterSlot(counter, eventType, match, _streamIdMask); // ExactSID
        }

        // PartialSID: the lowest 0 of STREAMID is at Y-1 and the Y bits up to it are ignored; all ones (AllSIDManySECSID)
        // and all ones but the top implemented bit (AllSIDOneSECSID) ignore every bit.
        int ignored = BitOperations.TrailingZeroCount(~(ulong)match) + 1;
        uint care = ignored >= 32 ? 0 : _streamIdMask & ~((1u << ignored) - 1);
        return new CounterSlot(counter, eventType, match & care, care);
    }

    // One enabled counter: its event and the StreamID filter (streamId & Care) == Match.
    private readonly record struct CounterSlot(int Counter, PmcgEvent Event, uint Match, uint Care);
}
