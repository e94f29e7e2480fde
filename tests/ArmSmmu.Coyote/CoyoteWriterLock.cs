namespace ArmSmmu.Caches;

/// <summary>
/// The caches' writer lock as this test build sees it. The library declares <c>Lock WriteLock</c>, which in
/// ArmSmmu.dll is <see cref="System.Threading.Lock"/>; the Coyote rewriter (1.7.11) does not know that type, so a writer
/// blocked on it would stall the whole controlled schedule. Declared in the caches' own namespace, this class wins name
/// lookup over <c>System.Threading.Lock</c> for the linked cache sources, so their <c>lock</c> statements compile to
/// <see cref="System.Threading.Monitor"/>, which the rewriter replaces by Coyote's controlled monitor. The mutual
/// exclusion is the same; only who schedules the waiting writer changes.
/// </summary>
internal sealed class Lock;
