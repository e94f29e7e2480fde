namespace ArmSmmu.Device;

// Device snapshot section "pmcg" (version 4): every PMCG register a guest can program or observe (IHI0070 §10.5)
// and the counters with their shadow values (docs/save-restore.md). The ID registers and CFGR follow from the
// features, which must match.
public sealed partial class SmmuPerformanceMonitor : IStateSection
{
    void IStateSection.Save(StateSection section)
    {
        lock (_lock)
        {
            section.Put("cr", _control);
            section.Put("cntenset0", _counterEnables);
            section.Put("intenset0", _interruptEnables);
            section.Put("ovsset0", Interlocked.Read(ref _overflows));
            section.Put("irqCtrl", _irqControl);
            section.Put("irqCfg0", _irqCfg0);
            section.Put("irqCfg1", _irqCfg1);
            section.Put("irqCfg2", _irqCfg2);
            section.Put("irqStatus", _irqStatus);
            section.PutList("counters", Enumerable.Range(0, _counters.Length), (s, n) =>
            {
                s.Put("evcntr", Volatile.Read(ref _counters[n]));
                s.Put("svr", _shadows[n]);
                s.Put("evtyper", _eventTypes[n]);
                s.Put("smr", _streamMatches[n]);
            });
        }
    }

    void IStateSection.Restore(StateSection section)
    {
        lock (_lock)
        {
            var counters = section.GetList("counters", static s => (Value: s.GetUInt64("evcntr"), Shadow: s.GetUInt64("svr"), Type: s.GetUInt32("evtyper"), Match: s.GetUInt32("smr")));
            if (counters.Count != _counters.Length)
            {
                throw new InvalidDataException($"Snapshot field '$.sections.pmcg.counters' holds {counters.Count} counters; this PMCG has {_counters.Length} (CFGR.NCTR + 1).");
            }

            for (int n = 0; n < counters.Count; n++)
            {
                (_counters[n], _shadows[n], _eventTypes[n], _streamMatches[n]) = counters[n];
            }

            _control = section.GetUInt32("cr");
            _counterEnables = section.GetUInt64("cntenset0");
            _interruptEnables = section.GetUInt64("intenset0");
            _overflows = section.GetUInt64("ovsset0");
            _irqControl = section.GetUInt32("irqCtrl");
            _irqCfg0 = section.GetUInt64("irqCfg0");
            _irqCfg1 = section.GetUInt32("irqCfg1");
            _irqCfg2 = section.GetUInt32("irqCfg2");
            _irqStatus = section.GetUInt32("irqStatus");
            Reprogram(); // which counters count follows from CR.E, CNTENSET0, EVTYPERn and SMRn
        }
    }
}
