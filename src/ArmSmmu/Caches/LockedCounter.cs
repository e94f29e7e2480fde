namespace ArmSmmu.Caches;

/// <summary>
/// A count whose writers already hold a lock (a cache's writer lock, the device's): a plain store, no atomic, which on a
/// fill or a command was a stall (docs/performance.md, sixth pass). <see cref="Reset"/> keeps a baseline instead of
/// zeroing, so a reset from another thread that races a count neither loses it nor is undone by it.
/// </summary>
internal struct LockedCounter
{
    private long _count;
    private long _atReset;

    /// <summary>Counted since construction or the last <see cref="Reset"/>.</summary>
    public long Value => Volatile.Read(ref _count) - Volatile.Read(ref _atReset);

    /// <summary>Under the writers' lock: adds <paramref name="amount"/> (a volatile store, so a reader never sees a torn value).</summary>
    /// <param name="amount">What to add.</param>
    public void Add(long amount) => Volatile.Write(ref _count, _count + amount);

    /// <summary>From any thread: counts from zero again.</summary>
    public void Reset() => Volatile.Write(ref _atReset, Volatile.Read(ref _count));
}
