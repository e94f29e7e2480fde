namespace ArmSmmu.Driver;

/// <summary>Shared steps of the stage-1 and stage-2 domains.</summary>
internal static class DomainHelpers
{
    /// <summary>Re-maps a fully mapped range with new permissions: collects the output runs, unmaps (with TLBI), maps them again.</summary>
    public static void Remap(IoPageTable table, ulong iova, ulong size, IoPagePermissions permissions, Func<ulong, ulong, ulong> unmap)
    {
        ulong page = table.Config.Granule.PageSize;
        var runs = new List<(ulong Iova, ulong Pa, ulong Size)>();
        for (ulong offset = 0; offset < size; offset += page)
        {
            if (!table.TryIovaToPhys(iova + offset, out ulong pa))
            {
                throw new InvalidOperationException($"Address 0x{iova + offset:X} is not mapped; only mapped ranges can change permissions.");
            }

            if (runs.Count > 0 && runs[^1].Iova + runs[^1].Size == iova + offset && runs[^1].Pa + runs[^1].Size == pa)
            {
                runs[^1] = (runs[^1].Iova, runs[^1].Pa, runs[^1].Size + page);
            }
            else
            {
                runs.Add((iova + offset, pa, page));
            }
        }

        unmap(iova, size);
        foreach (var (runIova, runPa, runSize) in runs)
        {
            table.Map(runIova, runPa, runSize, permissions);
        }
    }
}
