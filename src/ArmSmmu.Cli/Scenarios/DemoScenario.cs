namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// The scenario behind <c>smmu demo</c>: one device of each kind a host attaches (a PASID-capable DMA domain, a guest's
/// stage-2 device, a nested guest device, a bypass stream, an abort stream) and transactions that show a translation of
/// each, plus the faults a driver developer meets first. Kept as scenario JSON so it goes through the same loader and
/// runner as <c>smmu run</c>, and so it doubles as an example of the format.
/// </summary>
internal static class DemoScenario
{
    /// <summary>The name used as the source in messages.</summary>
    public const string Source = "demo";

    /// <summary>The scenario text (docs/scenario-format.md).</summary>
    public const string Json = """
        {
          "name": "demo",
          "description": "Five devices behind one SMMUv3, each attached the way a host driver does it.",
          "streams": [
            {
              "streamId": 16, "mode": "stage1", "pasids": [1, 2],
              "description": "DMA domain: PASID-less DMA uses CD 0; PASIDs 1 and 2 have their own tables.",
              "mappings": [
                { "iova": "0x10000000", "pa": "0x80000000", "size": "64K", "permissions": "rw" },
                { "iova": "0x400000", "pa": "0x90000000", "size": "16K", "permissions": "rw", "pasid": 1 },
                { "iova": "0x400000", "pa": "0x98000000", "size": "4K", "permissions": "r", "pasid": 2 }
              ]
            },
            {
              "streamId": 32, "mode": "stage2",
              "description": "A device assigned to a guest: it issues IPAs, the hypervisor's stage 2 maps them.",
              "mappings": [
                { "iova": "0x40000000", "pa": "0x200000000", "size": "2M", "permissions": "rw" }
              ]
            },
            {
              "streamId": 33, "mode": "nested",
              "description": "A nested guest device: the guest's stage 1 (IOVA to IPA) over the VM's stage 2 (IPA to PA).",
              "mappings": [
                { "iova": "0x1000", "pa": "0x80000000", "size": "8K", "permissions": "rw" },
                { "iova": "0x200000", "pa": "0xA0000000", "size": "4K", "permissions": "rw" }
              ],
              "stage2Mappings": [
                { "iova": "0x80000000", "pa": "0x400000000", "size": "2M", "permissions": "rw" }
              ]
            },
            { "streamId": 48, "mode": "bypass", "description": "Trusted device: STE.Config = bypass." },
            { "streamId": 49, "mode": "abort", "description": "Device not attached: STE.Config = abort." }
          ],
          "transactions": [
            { "streamId": 16, "address": "0x10000040", "access": "read",
              "expect": { "outcome": "translated", "pa": "0x80000040" } },
            { "streamId": 16, "pasid": 1, "address": "0x400100", "access": "write",
              "expect": { "outcome": "translated", "pa": "0x90000100" } },
            { "streamId": 16, "pasid": 2, "address": "0x400100", "access": "read",
              "description": "Same IOVA, other PASID, other page tables.",
              "expect": { "outcome": "translated", "pa": "0x98000100" } },
            { "streamId": 16, "pasid": 2, "address": "0x400100", "access": "write",
              "description": "PASID 2 maps the buffer read-only (AP[2] = 1).",
              "expect": { "outcome": "faulted", "fault": "F_PERMISSION" } },
            { "streamId": 16, "address": "0x20000000", "access": "read",
              "description": "Nothing mapped at this IOVA.",
              "expect": { "outcome": "faulted", "fault": "F_TRANSLATION" } },
            { "streamId": 16, "pasid": 5, "address": "0x400000", "access": "read",
              "description": "PASID 5 was never created: its CD in an existing CD-table leaf has V = 0 (IHI0070 §5.4).",
              "expect": { "outcome": "faulted", "fault": "C_BAD_CD" } },
            { "streamId": 32, "address": "0x40001000", "access": "read",
              "expect": { "outcome": "translated", "pa": "0x200001000" } },
            { "streamId": 33, "address": "0x1010", "access": "read",
              "description": "IOVA 0x1010 -> IPA 0x80000010 -> PA 0x400000010.",
              "expect": { "outcome": "translated", "pa": "0x400000010" } },
            { "streamId": 33, "address": "0x2FF8", "access": "write",
              "expect": { "outcome": "translated", "pa": "0x400001FF8" } },
            { "streamId": 33, "address": "0x200000", "access": "read",
              "description": "Stage 1 gives IPA 0xA0000000, which stage 2 does not map: a stage-2 fault (S2 = 1, CLASS = IN).",
              "expect": { "outcome": "faulted", "fault": "F_TRANSLATION" } },
            { "streamId": 48, "address": "0x12345678", "access": "read",
              "expect": { "outcome": "bypassed", "pa": "0x12345678" } },
            { "streamId": 49, "address": "0x1000", "access": "write",
              "description": "An abort STE terminates silently: no event record.",
              "expect": { "outcome": "faulted" } },
            { "streamId": 16, "address": "0x10000080", "access": "read",
              "description": "Same page as the first transaction: a TLB hit.",
              "expect": { "outcome": "translated", "pa": "0x80000080" } }
          ]
        }
        """;

    /// <summary>The parsed, validated scenario.</summary>
    /// <returns>A new instance each call.</returns>
    public static Scenario Load() => ScenarioLoader.Parse(Json, Source);
}
