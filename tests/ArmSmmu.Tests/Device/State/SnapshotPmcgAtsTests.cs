using System.Text;
using System.Text.Json.Nodes;

namespace ArmSmmu.Tests.Device.State;

/// <summary>Format version 4: the PMCG's registers and counters and the SMMU's ATS state join the snapshot (docs/save-restore.md).</summary>
public class SnapshotPmcgAtsTests
{
    // Counter 3 counts transactions of every StreamID (EVTYPER.FILTER_SID_SPAN with SMR all ones, IHI0070 §10.4),
    // four translations later the counters are captured into the SVRs.
    private static SnapshotRig Counting()
    {
        var rig = new SnapshotRig();
        rig.BringUp();
        rig.ProgramCounter(3, PmcgEvent.Transactions, 0, span: true);
        for (int i = 0; i < 4; i++)
        {
            rig.Translate(2, i, AccessKind.Read);
        }

        rig.PmcgControl(3, 0); // CAPR
        return rig;
    }

    private static JsonObject Saved(SnapshotRig rig)
    {
        var stream = new MemoryStream();
        rig.Smmu.SaveState(stream);
        return (JsonObject)JsonNode.Parse(stream.ToArray())!;
    }

    private static SnapshotRig Restored(SnapshotRig rig, JsonObject json) => rig.Restored(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())));

    [Fact]
    public void The_pmcg_counters_shadows_and_programming_survive_a_restore_and_go_on_counting()
    {
        var original = Counting();
        var json = Saved(original);
        Assert.Equal("0x4", (string?)json["sections"]!["pmcg"]!["counters"]![3]!["evcntr"]);
        var restored = Restored(original, json);
        var pmcg = restored.Smmu.PerformanceMonitor!;
        Assert.Equal(4UL, pmcg.ReadCounter(3));
        Assert.Equal(4UL, pmcg.ReadRegister64(PmcgRegister.Page1 + PmcgRegister.SVR0 + (3 * 8)));
        Assert.Equal(1u, pmcg.ReadRegister32(PmcgRegister.CR));
        Assert.Equal(1UL << 3, pmcg.ReadRegister64(PmcgRegister.CNTENSET0));

        // The restored group counts: its counting program was rebuilt from CR.E, CNTENSET0, EVTYPER3 and SMR3.
        restored.Translate(1, 0, AccessKind.Read);
        Assert.Equal(5UL, pmcg.ReadCounter(3));
    }

    [Fact]
    public void A_version_3_snapshot_restores_with_the_pmcg_at_reset()
    {
        var original = Counting();
        var json = Saved(original);
        json["version"] = 3;
        Assert.True(((JsonObject)json["sections"]!).Remove("pmcg"));
        Assert.True(((JsonObject)json["sections"]!).Remove("ats"));
        var pmcg = Restored(original, json).Smmu.PerformanceMonitor!;
        Assert.Equal(0UL, pmcg.ReadCounter(3));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.CR));
        Assert.Equal(0UL, pmcg.ReadRegister64(PmcgRegister.CNTENSET0));
    }

    [Fact]
    public void An_unanswered_atc_invalidation_still_fails_the_next_cmd_sync_after_a_restore()
    {
        // IHI0070 §3.9.1.4: an ATS invalidation the function never completed makes the next CMD_SYNC fail with
        // CERROR_ATC_INV_SYNC. The function is a host object: the platform connects it to the restored device again.
        var rig = new SnapshotRig();
        rig.BringUp();
        var function = new AtsEndpoint(rig.Smmu, 1, new AtsEndpointOptions { PageRequests = false }) { AnswersInvalidations = false };
        rig.Submit(Command.AtcInv(1, null, 0, 52, global: false));
        var restored = rig.Restored(SavedStream(rig));
        using var again = new AtsEndpoint(restored.Smmu, 1, new AtsEndpointOptions { PageRequests = false });

        rig.Submit(Command.Sync(SyncCompletionSignal.None, 0, 0));
        restored.Submit(Command.Sync(SyncCompletionSignal.None, 0, 0));
        uint cons = restored.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        Assert.Equal((uint)CommandError.AtcInvSync, (cons >> 24) & 0x7F); // CMDQ_CONS.ERR
        Assert.Equal(rig.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS), cons);
        Assert.Equal(rig.Smmu.ReadRegister32(SmmuRegister.GERROR), restored.Smmu.ReadRegister32(SmmuRegister.GERROR));
        function.Dispose();
    }

    private static MemoryStream SavedStream(SnapshotRig rig)
    {
        var stream = new MemoryStream();
        rig.Smmu.SaveState(stream);
        stream.Position = 0;
        return stream;
    }
}
