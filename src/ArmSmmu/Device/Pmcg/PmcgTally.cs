using System.Runtime.CompilerServices;

namespace ArmSmmu.Device;

/// <summary>The events one transaction caused, for the PMCG to count against its StreamID (IHI0070 §10.3).</summary>
internal struct PmcgCounts
{
    public int TlbMisses;
    public int ConfigCacheMisses;
    public int TableWalkAccesses;
    public int ConfigStructureAccesses;
    public int AtsTranslationRequests;
    public int AtsTranslatedTransactions;
}

/// <summary>
/// The event hooks of the translation pipeline. The pipeline stages know nothing of StreamIDs or counters; while a
/// PMCG counts, <see cref="SmmuV3"/> arms this per-thread tally around one transaction and hands the totals to the
/// PMCG afterwards. Unarmed, every hook is one thread-local test, and the hooks sit only on slow paths (a walk, a
/// configuration fetch): the TLB hit path has none.
/// </summary>
internal static class PmcgTally
{
    [ThreadStatic]
    private static bool t_armed;

    // Set by the first Begin in the process and never cleared: until a PMCG has counted, a hook is one static load
    // instead of a thread-local access (a call to the TLS resolver where the runtime is a shared library), which a
    // TLB miss made twice.
    private static volatile bool s_used;

    [ThreadStatic]
    private static PmcgCounts t_counts;

    /// <summary>True while a counted transaction is in progress on this thread.</summary>
    public static bool Armed => s_used && t_armed;

    /// <summary>Starts a tally; the returned state is what <see cref="End"/> restores (a memory callback may translate too).</summary>
    public static (bool Armed, PmcgCounts Counts) Begin()
    {
        s_used = true;
        var outer = (t_armed, t_counts);
        t_armed = true;
        t_counts = default;
        return outer;
    }

    /// <summary>Ends the tally and returns its counts.</summary>
    public static PmcgCounts End((bool Armed, PmcgCounts Counts) outer)
    {
        var counts = t_counts;
        (t_armed, t_counts) = outer;
        return counts;
    }

    // Until a PMCG has counted in this process, a hook is one inlined static load and a branch; after that, it calls
    // AddWhenArmed, which tests this thread's flag before it touches the thread's counts. A hook that called a
    // non-inlined Armed (NativeAOT inlines nothing that touches a thread static) cost 22 instructions unarmed, and a
    // TLB miss ran two (bench/callgrind/miss.sh s1miss).

    /// <summary>Event 2: the TLB had no entry for the transaction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountTlbMiss()
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.TlbMisses, 1);
        }
    }

    /// <summary>Event 3: an STE or CD lookup missed the configuration cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountConfigCacheMiss()
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.ConfigCacheMisses, 1);
        }
    }

    /// <summary>Event 4: descriptors read by a walk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountTableWalkAccesses(int reads)
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.TableWalkAccesses, reads);
        }
    }

    /// <summary>Event 5: one L1STD, STE, L1CD or CD read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountConfigStructureAccess()
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.ConfigStructureAccesses, 1);
        }
    }

    /// <summary>Event 6: the transaction is a PCIe ATS Translation Request. The hook for the ATS path of Translate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountAtsTranslationRequest()
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.AtsTranslationRequests, 1);
        }
    }

    /// <summary>Event 7: the transaction is a PCIe ATS Translated transaction passed through. The hook for the ATS path of Translate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountAtsTranslatedTransaction()
    {
        if (s_used)
        {
            AddWhenArmed(PmcgEvent.AtsTranslatedTransactions, 1);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddWhenArmed(PmcgEvent counted, int n)
    {
        if (!t_armed)
        {
            return;
        }

        ref var counts = ref t_counts;
        switch (counted)
        {
            case PmcgEvent.TlbMisses:
                counts.TlbMisses += n;
                break;
            case PmcgEvent.ConfigCacheMisses:
                counts.ConfigCacheMisses += n;
                break;
            case PmcgEvent.TableWalkAccesses:
                counts.TableWalkAccesses += n;
                break;
            case PmcgEvent.ConfigStructureAccesses:
                counts.ConfigStructureAccesses += n;
                break;
            case PmcgEvent.AtsTranslationRequests:
                counts.AtsTranslationRequests += n;
                break;
            case PmcgEvent.AtsTranslatedTransactions:
                counts.AtsTranslatedTransactions += n;
                break;
        }
    }

    private enum PmcgEvent
    {
        TlbMisses,
        ConfigCacheMisses,
        TableWalkAccesses,
        ConfigStructureAccesses,
        AtsTranslationRequests,
        AtsTranslatedTransactions,
    }
}
