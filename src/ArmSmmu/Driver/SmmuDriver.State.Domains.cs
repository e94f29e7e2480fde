using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

// Driver snapshot sections "domains" and "ats" (version 2): the domains and CD tables created through the driver,
// recreated over their tables in memory so a restored driver keeps mapping and unmapping in them, and the ATS
// streams, ATC bindings and partly received Page Request Groups.
public sealed partial class SmmuDriver
{
    internal static Granule GranuleOf(long pageShift) => pageShift switch
    {
        12 => Granule.Size4K,
        14 => Granule.Size16K,
        16 => Granule.Size64K,
        _ => throw new InvalidDataException($"Snapshot granule page shift {pageShift} is not 12, 14 or 16."),
    };

    private static void PutFlag(StateSection s, string name, bool value) => s.PutNumber(name, value ? 1 : 0);

    private static bool GetFlag(StateSection s, string name) => s.GetNumber(name) != 0;

    private static void SaveTables(StateSection s, IoPageTable table)
    {
        s.PutNumber("granule", table.Config.Granule.PageShift);
        s.PutNumber("inputBits", table.Config.InputBits);
        s.PutNumber("outputBits", table.Config.OutputBits);
        table.SaveTables(s);
    }

    private IoPageTable RestoreTables(StateSection s, PageTableStage stage)
    {
        var config = TableConfig(stage, GranuleOf(s.GetNumber("granule")), (int)s.GetNumber("inputBits"), (int)s.GetNumber("outputBits"));
        return IoPageTable.RestoreTables(Allocator, config, s, SyncRoot);
    }

    private void SaveBindings(StateSection s, object domain) =>
        s.PutList("atsBindings", _atsBindings.GetValueOrDefault(domain, []), static (b, binding) =>
        {
            b.Put("streamId", binding.StreamId);
            if (binding.SubstreamId is { } ssid)
            {
                b.Put("substreamId", ssid);
            }
        });

    private void RestoreBindings(StateSection s, object domain)
    {
        var bindings = s.GetList("atsBindings", static b => (b.GetUInt32("streamId"), b.Has("substreamId") ? b.GetUInt32("substreamId") : (uint?)null));
        if (bindings.Count > 0)
        {
            _atsBindings[domain] = bindings;
        }
    }

    private readonly struct DomainState(SmmuDriver driver) : IStateSection
    {
        public void Save(StateSection section)
        {
            var d = driver;
            section.PutList("stage2", d._stage2Domains.Values, (s, domain) =>
            {
                s.Put("vmid", domain.Vmid);
                PutFlag(s, "stall", domain.Stall);
                PutFlag(s, "usedForNesting", domain.UsedForNesting);
                SaveTables(s, domain.PageTable);
                d.SaveBindings(s, domain);
            });
            section.PutList("stage1", d._stage1Domains.Values, (s, domain) =>
            {
                s.Put("asid", domain.Asid);
                if (domain.Parent is { } parent)
                {
                    s.Put("parentVmid", parent.Vmid);
                }

                PutFlag(s, "el2", domain.El2);
                PutFlag(s, "stall", domain.Stall);
                SaveTables(s, domain.PageTable);
                d.SaveBindings(s, domain);
            });
            section.PutList("cdTables", d._cdTables, static (s, table) =>
            {
                s.Put("streamId", table.StreamId);
                s.PutNumber("substreamIdBits", table.SubstreamIdBits);
                PutFlag(s, "twoLevel", table.IsTwoLevel);
                s.Put("address", table.Address);
                s.PutList("leaves", table.Leaves, static (l, leaf) => l.Put("address", leaf));
            });
        }

        public void Restore(StateSection section)
        {
            var d = driver;
            foreach (var s in section.GetList("stage2", static s => s))
            {
                var tables = d.RestoreTables(s, PageTableStage.Stage2);
                var domain = new Stage2Domain(d, tables.Config, (ushort)s.GetUInt32("vmid"), GetFlag(s, "stall"), tables)
                {
                    UsedForNesting = GetFlag(s, "usedForNesting"),
                };
                d._stage2Domains.Add(domain.Vmid, domain);
                d.RestoreBindings(s, domain);
            }

            foreach (var s in section.GetList("stage1", static s => s))
            {
                var parent = s.Has("parentVmid") ? d._stage2Domains.GetValueOrDefault((ushort)s.GetUInt32("parentVmid")) : null;
                if (s.Has("parentVmid") && parent is null)
                {
                    throw new InvalidDataException($"Snapshot stage-1 domain {s.Node["asid"]} names parent VMID {s.Node["parentVmid"]}, which is not among the stage-2 domains.");
                }

                var tables = d.RestoreTables(s, PageTableStage.Stage1);
                var domain = new Stage1Domain(d, tables.Config, (ushort)s.GetUInt32("asid"), parent, GetFlag(s, "el2"), GetFlag(s, "stall"), tables);
                d._stage1Domains.Add(domain.Asid, domain);
                d.RestoreBindings(s, domain);
            }

            foreach (var s in section.GetList("cdTables", static s => s))
            {
                ulong[] leaves = [.. s.GetList("leaves", static l => l.GetUInt64("address"))];
                d._cdTables.Add(new ContextDescriptorTable(d, s.GetUInt32("streamId"), (int)s.GetNumber("substreamIdBits"), GetFlag(s, "twoLevel"), s.GetUInt64("address"), leaves));
            }
        }
    }

    private readonly struct AtsState(SmmuDriver driver) : IStateSection
    {
        public void Save(StateSection section)
        {
            section.PutList("streams", driver._atsStreams.Order(), static (s, sid) => s.Put("streamId", sid));
            section.PutList("openGroups", driver._openGroups, static (s, group) =>
            {
                s.Put("streamId", group.Key.StreamId);
                s.Put("prgIndex", group.Key.PrgIndex);
                s.PutList("requests", group.Value, static (r, entry) =>
                {
                    var words = entry.ToArray();
                    r.Put("dw0", words[0]);
                    r.Put("dw1", words[1]);
                });
            });
            section.PutNumber("groupsAnswered", driver._groupsAnswered);
            section.PutNumber("groupsFailed", driver._groupsFailed);
        }

        public void Restore(StateSection section)
        {
            foreach (uint sid in section.GetList("streams", static s => s.GetUInt32("streamId")))
            {
                driver._atsStreams.Add(sid);
            }

            foreach (var s in section.GetList("openGroups", static s => s))
            {
                var requests = s.GetList("requests", static r => new Structures.PriQueueEntry([r.GetUInt64("dw0"), r.GetUInt64("dw1")]));
                driver._openGroups[(s.GetUInt32("streamId"), s.GetUInt32("prgIndex"))] = requests;
            }

            driver._groupsAnswered = section.GetNumber("groupsAnswered");
            driver._groupsFailed = section.GetNumber("groupsFailed");
        }
    }
}
