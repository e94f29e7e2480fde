namespace ArmSmmu.Caches;

// Invalidation of a whole Secure StreamWorld (IHI0070 §3.10.1, §4.4): the Secure side's commands reach only the
// Secure StreamWorlds' tags, the Non-secure commands' scopes never name them.
internal sealed partial class Tlb
{
    /// <summary>
    /// Every entry of one StreamWorld: CMD_TLBI_NH_ALL on the Secure command queue (<see cref="StreamWorld.Secure"/>,
    /// without Secure EL2 no VMID) and CMD_TLBI_EL3_ALL (<see cref="StreamWorld.El3"/>) (IHI0070 §4.4.2.1, §4.4.2.12).
    /// </summary>
    /// <param name="world">The StreamWorld.</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateWorld(StreamWorld world) =>
        Invalidate(new WorldScope(world, world));
}
