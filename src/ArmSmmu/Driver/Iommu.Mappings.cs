using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// Mappings: page-table writes, and the TLB invalidations unmapping needs.
public sealed partial class Iommu
{
    /// <summary>
    /// Maps [<paramref name="iova"/>, +<paramref name="size"/>) to <paramref name="pa"/> in the stage-1 tables of a Stage1 or
    /// Nested stream (for Nested, <paramref name="pa"/> is an IPA), or in the only tables of a Stage2 stream.
    /// Descriptor writes only: no TLBI is needed for a new mapping (digest §8.5 step 6).
    /// </summary>
    /// <param name="streamId">A configured stream.</param>
    /// <param name="iova">Input address, granule aligned.</param>
    /// <param name="pa">Output address, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <param name="permissions">Access rights and memory type.</param>
    /// <param name="pasid">The PASID whose context to change; null for the default context.</param>
    public void Map(uint streamId, ulong iova, ulong pa, ulong size, IoPagePermissions permissions, uint? pasid = null)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            if (state.Mode == StreamMode.Stage2 && pasid is null)
            {
                state.Stage2!.MapLocked(iova, pa, size, permissions);
                return;
            }

            Stage1(state, pasid).MapLocked(iova, pa, size, permissions);
        }
    }

    /// <summary>Unmaps a range mapped with <see cref="Map"/> and invalidates it: TLBI_NH_VA (TLBI_EL2_VA in EL2-E2H, TLBI_S2_IPA for a Stage2 stream) with range fields when the SMMU has them, then CMD_SYNC.</summary>
    /// <param name="streamId">A configured stream.</param>
    /// <param name="iova">Input address, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <param name="pasid">The PASID; null for the default context.</param>
    /// <returns>Bytes unmapped.</returns>
    /// <exception cref="InvalidOperationException">Nothing was mapped in the range.</exception>
    public ulong Unmap(uint streamId, ulong iova, ulong size, uint? pasid = null)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            ulong bytes = state.Mode == StreamMode.Stage2 && pasid is null
                ? state.Stage2!.UnmapLocked(iova, size)
                : Stage1(state, pasid).UnmapLocked(iova, size);
            return bytes != 0 ? bytes : NothingMapped("in", iova, size, streamId, PasidText(pasid));
        }
    }

    /// <summary>Changes the permissions of a mapped range (break-before-make with TLBI + SYNC, since valid entries may be cached).</summary>
    /// <param name="streamId">A configured stream.</param>
    /// <param name="iova">Input address, granule aligned.</param>
    /// <param name="size">Bytes; every page must be mapped.</param>
    /// <param name="permissions">The new permissions.</param>
    /// <param name="pasid">The PASID; null for the default context.</param>
    public void Protect(uint streamId, ulong iova, ulong size, IoPagePermissions permissions, uint? pasid = null)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            if (state.Mode == StreamMode.Stage2 && pasid is null)
            {
                state.Stage2!.Protect(iova, size, permissions);
                return;
            }

            Stage1(state, pasid).Protect(iova, size, permissions);
        }
    }

    /// <summary>Maps IPAs to PAs in the stage-2 tables of a Stage2 or Nested stream.</summary>
    /// <param name="streamId">A Stage2 or Nested stream.</param>
    /// <param name="ipa">IPA, granule aligned.</param>
    /// <param name="pa">PA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <param name="permissions">Access rights (S2AP) and memory type.</param>
    public void MapStage2(uint streamId, ulong ipa, ulong pa, ulong size, IoPagePermissions permissions)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            var s2 = RequireStage2(state);
            CheckOutsideStructureWindow(state, ipa, size);
            s2.MapLocked(ipa, pa, size, permissions);
        }
    }

    /// <summary>Unmaps IPAs of a Stage2 or Nested stream: TLBI_S2_IPA per range (plus TLBI_NH_ALL of the VMID for Nested) + CMD_SYNC.</summary>
    /// <param name="streamId">A Stage2 or Nested stream.</param>
    /// <param name="ipa">IPA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <returns>Bytes unmapped.</returns>
    /// <exception cref="InvalidOperationException">Nothing was mapped in the range.</exception>
    public ulong UnmapStage2(uint streamId, ulong ipa, ulong size)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            var s2 = RequireStage2(state);
            CheckOutsideStructureWindow(state, ipa, size);
            ulong bytes = s2.UnmapLocked(ipa, size);
            return bytes != 0 ? bytes : NothingMapped("at stage 2 in", ipa, size, streamId, string.Empty);
        }
    }
}
