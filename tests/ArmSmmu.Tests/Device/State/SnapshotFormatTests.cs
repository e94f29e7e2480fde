using System.Text;
using System.Text.Json.Nodes;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.State;

/// <summary>The snapshot envelope and its refusals (docs/save-restore.md): host misuse is a clear exception.</summary>
public class SnapshotFormatTests
{
    private static JsonObject Saved(SnapshotRig rig)
    {
        var stream = new MemoryStream();
        rig.Smmu.SaveState(stream);
        return (JsonObject)JsonNode.Parse(stream.ToArray())!;
    }

    private static SnapshotRig BroughtUp()
    {
        var rig = new SnapshotRig();
        rig.BringUp();
        return rig;
    }

    private static Exception RestoreError(JsonObject snapshot, SmmuFeatures? features = null)
    {
        var device = new SmmuV3(new SparseMemory(), features);
        return Assert.ThrowsAny<Exception>(() => device.RestoreState(new MemoryStream(Encoding.UTF8.GetBytes(snapshot.ToJsonString()))));
    }

    [Fact]
    public void The_header_names_the_format_and_version_and_registers_read_as_hexadecimal()
    {
        var json = Saved(BroughtUp());
        Assert.Equal("armsmmu.smmuv3", (string?)json["format"]);
        Assert.Equal(4, (int?)json["version"]);
        Assert.Equal(SmmuFeatures.Default.ToString(), (string?)json["features"]);
        // CR0 as BringUp wrote it: SMMUEN | PRIQEN | EVENTQEN | CMDQEN (IHI0070 §6.3.9).
        Assert.Equal("0xF", (string?)json["sections"]!["control"]!["cr0"]);
        Assert.Equal("0x11000004", (string?)json["sections"]!["commandQueue"]!["base"]);
    }

    [Fact]
    public void A_newer_version_is_refused_naming_both_versions()
    {
        var json = Saved(BroughtUp());
        json["version"] = 5;
        var e = Assert.IsType<InvalidDataException>(RestoreError(json));
        Assert.Contains("version 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads versions 1 to 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer ArmSmmu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_format_or_not_json_is_refused()
    {
        var json = Saved(BroughtUp());
        json["format"] = "armsmmu.driver";
        Assert.Contains("its format is 'armsmmu.driver'", RestoreError(json).Message, StringComparison.Ordinal);

        var device = new SmmuV3(new SparseMemory());
        var e = Assert.Throws<InvalidDataException>(() => device.RestoreState(new MemoryStream("not json"u8.ToArray())));
        Assert.Contains("not JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_with_other_features_refuses_the_snapshot_and_names_what_differs()
    {
        var json = Saved(BroughtUp());
        var e = Assert.IsType<InvalidOperationException>(RestoreError(json, SmmuFeatures.Default with { Pri = false }));
        Assert.Contains("(Pri, Idr0 differ)", e.Message, StringComparison.Ordinal); // IDR0.PRI is bit 16 (IHI0070 §6.3.1)
    }

    [Fact]
    public void A_missing_section_an_unknown_section_and_a_malformed_field_are_refused_and_leave_the_device_at_reset()
    {
        var missing = Saved(BroughtUp());
        ((JsonObject)missing["sections"]!).Remove("eventQueue");
        Assert.Contains("lacks section 'eventQueue'", RestoreError(missing).Message, StringComparison.Ordinal);

        var unknown = Saved(BroughtUp());
        unknown["sections"]!["realmControl"] = new JsonObject();
        Assert.Contains("section 'realmControl' is unknown", RestoreError(unknown).Message, StringComparison.Ordinal);

        var malformed = Saved(BroughtUp());
        malformed["sections"]!["control"]!["cr0"] = 15;
        var device = new SmmuV3(new SparseMemory());
        var e = Assert.Throws<InvalidDataException>(() => device.RestoreState(new MemoryStream(Encoding.UTF8.GetBytes(malformed.ToJsonString()))));
        Assert.Contains("'$.sections.control.cr0' must be a hexadecimal string", e.Message, StringComparison.Ordinal);
        Assert.Equal(0u, device.ReadRegister32(SmmuRegister.CR0)); // nothing half-restored
        Assert.Equal(0UL, device.ReadRegister64(SmmuRegister.CMDQ_BASE));
    }

    [Fact]
    public void A_stall_whose_record_is_held_survives_the_restore_and_is_resumed_by_the_restored_device()
    {
        // IHI0070 §7.4: with the event queue disabled the stall record is held, not lost; it appears once the queue
        // is enabled, and CMD_RESUME with its STAG resolves the stall (§4.7.1).
        var rig = BroughtUp();
        rig.Write(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN));
        rig.Translate(0, 4, AccessKind.Read);
        Assert.Equal(1, rig.Smmu.StalledTransactionCount);
        Assert.Equal(0u, rig.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));

        var snapshot = new MemoryStream();
        rig.Smmu.SaveState(snapshot);
        snapshot.Position = 0;
        var restored = rig.Restored(snapshot);
        Assert.Equal(1, restored.Smmu.StalledTransactionCount);

        restored.Write(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN));
        Assert.Equal(1u, restored.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));
        Assert.True(EventRecord.TryRead(restored.Memory, SnapshotRig.EventQueue, out var record));
        Assert.Equal(EventType.FTranslation, record.Type);
        Assert.True(record.Stall);

        restored.Submit(Command.Resume(0, record.StallTag, retry: true, abort: false));
        Assert.Equal(0, restored.Smmu.StalledTransactionCount);
        Assert.Contains($"stall resolved sid 0 stag {record.StallTag} retry True", restored.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_error_and_its_cerror_code_survive_the_restore()
    {
        // IHI0070 §7.1: CONS stays on the failing command with ERR = CERROR_ILL until GERRORN acknowledges it.
        var rig = BroughtUp();
        rig.Submit(new Command { Opcode = (CommandOpcode)0x7F });
        uint cons = rig.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        Assert.Equal((uint)CommandError.Ill, (cons >> 24) & 0x7F);

        var snapshot = new MemoryStream();
        rig.Smmu.SaveState(snapshot);
        snapshot.Position = 0;
        var restored = rig.Restored(snapshot);
        Assert.Equal(cons, restored.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.Equal((uint)GerrorFlags.CMDQ_ERR, restored.Smmu.ReadRegister32(SmmuRegister.GERROR) & (uint)GerrorFlags.CMDQ_ERR);
    }

    // IHI0070 chapter 9: an address translation operation's inputs and its last PAR are architectural state.
    private static SnapshotRig AfterAtos()
    {
        var rig = BroughtUp();
        rig.Smmu.WriteRegister64(SmmuRegister.GATOS_SID, 0x7);
        rig.Smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, 0x1234_5000 | (1UL << 10) | (1UL << 8)); // stage 1, read
        rig.Smmu.WriteRegister32(SmmuRegister.GATOS_CTRL, 1);
        return rig;
    }

    private static ulong[] Gatos(SmmuV3 smmu) =>
        [smmu.ReadRegister64(SmmuRegister.GATOS_SID), smmu.ReadRegister64(SmmuRegister.GATOS_ADDR), smmu.ReadRegister64(SmmuRegister.GATOS_PAR)];

    private static SmmuV3 Restored(JsonObject snapshot)
    {
        var device = new SmmuV3(new SparseMemory());
        device.RestoreState(new MemoryStream(Encoding.UTF8.GetBytes(snapshot.ToJsonString())));
        return device;
    }

    [Fact]
    public void Version_2_carries_the_gatos_registers_and_their_last_result()
    {
        var rig = AfterAtos();
        ulong[] before = Gatos(rig.Smmu);
        Assert.NotEqual(0UL, before[2]); // the operation left a result (a fault: StreamID 7 has no valid STE)
        Assert.Equal(before, Gatos(Restored(Saved(rig))));
    }

    [Fact]
    public void A_version_1_snapshot_without_gatos_restores_with_the_gatos_registers_at_reset()
    {
        var json = Saved(AfterAtos());
        json["version"] = 1;
        ((JsonObject)json["sections"]!).Remove("gatos");
        Assert.Equal([0UL, 0UL, 0UL], Gatos(Restored(json)));
    }

    // IHI0070 §3.10, §6.3 SMMU_S_*: the Secure side's registers, programmed through the Secure page.
    private static SnapshotRig WithSecureSide()
    {
        var rig = BroughtUp();
        rig.Smmu.WriteRegister64(0x8080, 0x1700_0000);          // S_STRTAB_BASE
        rig.Smmu.WriteRegister32(0x8088, 6);                    // S_STRTAB_BASE_CFG: linear, LOG2SIZE 6
        rig.Smmu.WriteRegister64(0x8090, 0x1710_0000 | 5);      // S_CMDQ_BASE
        rig.Smmu.WriteRegister64(0x80A0, 0x1720_0000 | 5);      // S_EVENTQ_BASE
        rig.Smmu.WriteRegister32(0x8044, (1u << 31) | (0b11u << 14)); // S_GBPA: bypass, NSCFG Non-secure
        rig.Smmu.WriteRegister32(0x8020, 0xD);                  // S_CR0: SMMUEN, EVENTQEN, CMDQEN
        return rig;
    }

    private static ulong[] SecureRegisters(SmmuV3 smmu) =>
        [smmu.ReadRegister32(0x8020), smmu.ReadRegister32(0x8044), smmu.ReadRegister64(0x8080), smmu.ReadRegister32(0x8088), smmu.ReadRegister64(0x8090), smmu.ReadRegister64(0x80A0)];

    [Fact]
    public void Version_3_saves_and_restores_the_secure_programming_interface()
    {
        var rig = WithSecureSide();
        var json = Saved(rig);
        Assert.Equal("0xD", (string?)json["sections"]!["secureControl"]!["cr0"]);
        Assert.Equal(SecureRegisters(rig.Smmu), SecureRegisters(Restored(json)));
    }

    [Fact]
    public void A_version_2_snapshot_restores_with_the_secure_side_at_reset()
    {
        var json = Saved(WithSecureSide());
        json["version"] = 2;
        var sections = (JsonObject)json["sections"]!;
        foreach (string name in new[] { "secureControl", "secureGlobalError", "secureStreamTable", "secureCommandQueue", "secureEventQueue", "secureStalls", "pmcg", "ats" })
        {
            Assert.True(sections.Remove(name));
        }

        json["features"] = ((string)json["features"]!).Replace(", Secure = True", string.Empty, StringComparison.Ordinal); // a version-2 build had no such member
        var restored = Restored(json);
        Assert.Equal(SecureRegisters(new SmmuV3(new SparseMemory())), SecureRegisters(restored));
        Assert.Equal(0xFu, restored.ReadRegister32(SmmuRegister.CR0)); // the Non-secure side restored as saved
    }
}
