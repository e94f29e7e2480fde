using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// Register offsets from the SMMU base (IHI0070 §6.2, digest 1.2): page 0 at 0x0, page 1 at 0x10000.
/// 64-bit registers may also be accessed as two 32-bit halves, the high half at offset + 4.
/// </summary>
public static class SmmuRegister
{
    /// <summary>Offset of register page 1.</summary>
    public const ulong Page1 = 0x10000;

    /// <summary>IDR0: features (32, RO).</summary>
    public const ulong IDR0 = 0x0000;

    /// <summary>IDR1: table/queue sizes (32, RO).</summary>
    public const ulong IDR1 = 0x0004;

    /// <summary>IDR2: VATOS base (32, RO).</summary>
    public const ulong IDR2 = 0x0008;

    /// <summary>IDR3: SMMUv3.1+ features (32, RO).</summary>
    public const ulong IDR3 = 0x000C;

    /// <summary>IDR4: IMPLEMENTATION DEFINED (32, RO).</summary>
    public const ulong IDR4 = 0x0010;

    /// <summary>IDR5: granules, OAS, VAX, STALL_MAX (32, RO).</summary>
    public const ulong IDR5 = 0x0014;

    /// <summary>IIDR: implementation identification (32, RO).</summary>
    public const ulong IIDR = 0x0018;

    /// <summary>AIDR: architecture revision (32, RO).</summary>
    public const ulong AIDR = 0x001C;

    /// <summary>CR0: enables (32, RW).</summary>
    public const ulong CR0 = 0x0020;

    /// <summary>CR0ACK: CR0 acknowledgement (32, RO).</summary>
    public const ulong CR0ACK = 0x0024;

    /// <summary>CR1: table and queue access attributes (32, RW).</summary>
    public const ulong CR1 = 0x0028;

    /// <summary>CR2: E2H, RECINVSID, PTM (32, RW).</summary>
    public const ulong CR2 = 0x002C;

    /// <summary>S2PII: stage-2 permission indirection (64, RW, SMMUv3.4).</summary>
    public const ulong S2PII = 0x0030;

    /// <summary>STATUSR: DORMANT (32, RO).</summary>
    public const ulong STATUSR = 0x0040;

    /// <summary>GBPA: global bypass attributes (32, RW).</summary>
    public const ulong GBPA = 0x0044;

    /// <summary>AGBPA: IMPLEMENTATION DEFINED bypass attributes (32, RW).</summary>
    public const ulong AGBPA = 0x0048;

    /// <summary>IRQ_CTRL: interrupt enables (32, RW).</summary>
    public const ulong IRQ_CTRL = 0x0050;

    /// <summary>IRQ_CTRLACK (32, RO).</summary>
    public const ulong IRQ_CTRLACK = 0x0054;

    /// <summary>GERROR: global errors (32, RO).</summary>
    public const ulong GERROR = 0x0060;

    /// <summary>GERRORN: global error acknowledgement (32, RW).</summary>
    public const ulong GERRORN = 0x0064;

    /// <summary>GERROR_IRQ_CFG0: MSI address (64, RW).</summary>
    public const ulong GERROR_IRQ_CFG0 = 0x0068;

    /// <summary>GERROR_IRQ_CFG1: MSI data (32, RW).</summary>
    public const ulong GERROR_IRQ_CFG1 = 0x0070;

    /// <summary>GERROR_IRQ_CFG2: MSI attributes (32, RW).</summary>
    public const ulong GERROR_IRQ_CFG2 = 0x0074;

    /// <summary>STRTAB_BASE (64, RW).</summary>
    public const ulong STRTAB_BASE = 0x0080;

    /// <summary>STRTAB_BASE_CFG (32, RW).</summary>
    public const ulong STRTAB_BASE_CFG = 0x0088;

    /// <summary>CMDQ_BASE (64, RW).</summary>
    public const ulong CMDQ_BASE = 0x0090;

    /// <summary>CMDQ_PROD (32, RW).</summary>
    public const ulong CMDQ_PROD = 0x0098;

    /// <summary>CMDQ_CONS (32, RW).</summary>
    public const ulong CMDQ_CONS = 0x009C;

    /// <summary>EVENTQ_BASE (64, RW).</summary>
    public const ulong EVENTQ_BASE = 0x00A0;

    /// <summary>Page-0 alias of EVENTQ_PROD (optional; otherwise RAZ/WI).</summary>
    public const ulong EVENTQ_PROD_PAGE0 = 0x00A8;

    /// <summary>Page-0 alias of EVENTQ_CONS (optional; otherwise RAZ/WI).</summary>
    public const ulong EVENTQ_CONS_PAGE0 = 0x00AC;

    /// <summary>EVENTQ_IRQ_CFG0: MSI address (64, RW).</summary>
    public const ulong EVENTQ_IRQ_CFG0 = 0x00B0;

    /// <summary>EVENTQ_IRQ_CFG1: MSI data (32, RW).</summary>
    public const ulong EVENTQ_IRQ_CFG1 = 0x00B8;

    /// <summary>EVENTQ_IRQ_CFG2: MSI attributes (32, RW).</summary>
    public const ulong EVENTQ_IRQ_CFG2 = 0x00BC;

    /// <summary>PRIQ_BASE (64, RW).</summary>
    public const ulong PRIQ_BASE = 0x00C0;

    /// <summary>Page-0 alias of PRIQ_PROD (optional; otherwise RAZ/WI).</summary>
    public const ulong PRIQ_PROD_PAGE0 = 0x00C8;

    /// <summary>Page-0 alias of PRIQ_CONS (optional; otherwise RAZ/WI).</summary>
    public const ulong PRIQ_CONS_PAGE0 = 0x00CC;

    /// <summary>PRIQ_IRQ_CFG0: MSI address (64, RW).</summary>
    public const ulong PRIQ_IRQ_CFG0 = 0x00D0;

    /// <summary>PRIQ_IRQ_CFG1: MSI data (32, RW).</summary>
    public const ulong PRIQ_IRQ_CFG1 = 0x00D8;

    /// <summary>PRIQ_IRQ_CFG2: MSI attributes and LO (32, RW).</summary>
    public const ulong PRIQ_IRQ_CFG2 = 0x00DC;

    /// <summary>GATOS_CTRL (32, RW).</summary>
    public const ulong GATOS_CTRL = 0x0100;

    /// <summary>GATOS_SID (64, RW).</summary>
    public const ulong GATOS_SID = 0x0108;

    /// <summary>GATOS_ADDR (64, RW).</summary>
    public const ulong GATOS_ADDR = 0x0110;

    /// <summary>GATOS_PAR (64, RO).</summary>
    public const ulong GATOS_PAR = 0x0118;

    /// <summary>MPAMIDR (32, RO).</summary>
    public const ulong MPAMIDR = 0x0130;

    /// <summary>GMPAM (32, RW).</summary>
    public const ulong GMPAM = 0x0138;

    /// <summary>GBPMPAM (32, RW).</summary>
    public const ulong GBPMPAM = 0x013C;

    /// <summary>VATOS_SEL (32, RW).</summary>
    public const ulong VATOS_SEL = 0x0180;

    /// <summary>IDR6: ECMDQ information (32, RO).</summary>
    public const ulong IDR6 = 0x0190;

    /// <summary>EVENTQ_PROD, page 1 (32, RW while EVENTQEN = 0).</summary>
    public const ulong EVENTQ_PROD = 0x100A8;

    /// <summary>EVENTQ_CONS, page 1 (32, RW).</summary>
    public const ulong EVENTQ_CONS = 0x100AC;

    /// <summary>PRIQ_PROD, page 1 (32, RW while PRIQEN = 0).</summary>
    public const ulong PRIQ_PROD = 0x100C8;

    /// <summary>PRIQ_CONS, page 1 (32, RW).</summary>
    public const ulong PRIQ_CONS = 0x100CC;

    private static readonly Dictionary<ulong, string> Names = new()
    {
        [IDR0] = nameof(IDR0),
        [IDR1] = nameof(IDR1),
        [IDR2] = nameof(IDR2),
        [IDR3] = nameof(IDR3),
        [IDR4] = nameof(IDR4),
        [IDR5] = nameof(IDR5),
        [IIDR] = nameof(IIDR),
        [AIDR] = nameof(AIDR),
        [CR0] = nameof(CR0),
        [CR0ACK] = nameof(CR0ACK),
        [CR1] = nameof(CR1),
        [CR2] = nameof(CR2),
        [S2PII] = nameof(S2PII),
        [STATUSR] = nameof(STATUSR),
        [GBPA] = nameof(GBPA),
        [AGBPA] = nameof(AGBPA),
        [IRQ_CTRL] = nameof(IRQ_CTRL),
        [IRQ_CTRLACK] = nameof(IRQ_CTRLACK),
        [GERROR] = nameof(GERROR),
        [GERRORN] = nameof(GERRORN),
        [GERROR_IRQ_CFG0] = nameof(GERROR_IRQ_CFG0),
        [GERROR_IRQ_CFG1] = nameof(GERROR_IRQ_CFG1),
        [GERROR_IRQ_CFG2] = nameof(GERROR_IRQ_CFG2),
        [STRTAB_BASE] = nameof(STRTAB_BASE),
        [STRTAB_BASE_CFG] = nameof(STRTAB_BASE_CFG),
        [CMDQ_BASE] = nameof(CMDQ_BASE),
        [CMDQ_PROD] = nameof(CMDQ_PROD),
        [CMDQ_CONS] = nameof(CMDQ_CONS),
        [EVENTQ_BASE] = nameof(EVENTQ_BASE),
        [EVENTQ_PROD_PAGE0] = nameof(EVENTQ_PROD_PAGE0),
        [EVENTQ_CONS_PAGE0] = nameof(EVENTQ_CONS_PAGE0),
        [EVENTQ_IRQ_CFG0] = nameof(EVENTQ_IRQ_CFG0),
        [EVENTQ_IRQ_CFG1] = nameof(EVENTQ_IRQ_CFG1),
        [EVENTQ_IRQ_CFG2] = nameof(EVENTQ_IRQ_CFG2),
        [PRIQ_BASE] = nameof(PRIQ_BASE),
        [PRIQ_PROD_PAGE0] = nameof(PRIQ_PROD_PAGE0),
        [PRIQ_CONS_PAGE0] = nameof(PRIQ_CONS_PAGE0),
        [PRIQ_IRQ_CFG0] = nameof(PRIQ_IRQ_CFG0),
        [PRIQ_IRQ_CFG1] = nameof(PRIQ_IRQ_CFG1),
        [PRIQ_IRQ_CFG2] = nameof(PRIQ_IRQ_CFG2),
        [GATOS_CTRL] = nameof(GATOS_CTRL),
        [GATOS_SID] = nameof(GATOS_SID),
        [GATOS_ADDR] = nameof(GATOS_ADDR),
        [GATOS_PAR] = nameof(GATOS_PAR),
        [MPAMIDR] = nameof(MPAMIDR),
        [GMPAM] = nameof(GMPAM),
        [GBPMPAM] = nameof(GBPMPAM),
        [VATOS_SEL] = nameof(VATOS_SEL),
        [IDR6] = nameof(IDR6),
        [EVENTQ_PROD] = nameof(EVENTQ_PROD),
        [EVENTQ_CONS] = nameof(EVENTQ_CONS),
        [PRIQ_PROD] = nameof(PRIQ_PROD),
        [PRIQ_CONS] = nameof(PRIQ_CONS),
    };

    private static readonly HashSet<ulong> Wide =
    [
        S2PII, GERROR_IRQ_CFG0, STRTAB_BASE, CMDQ_BASE, EVENTQ_BASE, EVENTQ_IRQ_CFG0, PRIQ_BASE, PRIQ_IRQ_CFG0,
        GATOS_SID, GATOS_ADDR, GATOS_PAR,
    ];

    /// <summary>True for the 64-bit registers (which also accept two 32-bit accesses).</summary>
    /// <param name="offset">Offset of the register's low half.</param>
    /// <returns>Whether the register is 64 bits wide.</returns>
    public static bool Is64Bit(ulong offset) => Wide.Contains(offset);

    /// <summary>
    /// The specification's name of the register at <paramref name="offset"/>, e.g. <c>CR0ACK</c>; the high half of a
    /// 64-bit register is named like <c>STRTAB_BASE[63:32]</c>; 0x0E00-0x0EFF is <c>IMPDEF+0xNN</c>.
    /// </summary>
    /// <param name="offset">Offset from the SMMU base.</param>
    /// <returns>The name, or null for an unassigned offset.</returns>
    public static string? NameOf(ulong offset)
    {
        if (Names.TryGetValue(offset, out string? name))
        {
            return name;
        }

        if (offset >= 4 && Wide.Contains(offset - 4))
        {
            return Names[offset - 4] + "[63:32]";
        }

        if (offset is >= 0x0E00 and <= 0x0EFF)
        {
            return string.Create(CultureInfo.InvariantCulture, $"IMPDEF+0x{offset - 0x0E00:X2}");
        }

        return null;
    }
}

/// <summary>CR0 / CR0ACK enable bits (IHI0070 §6.3.9). VMW [8:6] is a field, see <see cref="Cr0Register"/>.</summary>
[Flags]
public enum Cr0Flags : uint
{
    /// <summary>No enables.</summary>
    None = 0,

    /// <summary>SMMUEN: translation through the Stream table (else GBPA).</summary>
    SMMUEN = 1,

    /// <summary>PRIQEN: PRI queue enable.</summary>
    PRIQEN = 2,

    /// <summary>EVENTQEN: event queue enable.</summary>
    EVENTQEN = 4,

    /// <summary>CMDQEN: command queue enable.</summary>
    CMDQEN = 8,

    /// <summary>ATSCHK: ATS-translated traffic is checked against STE.EATS.</summary>
    ATSCHK = 0x10,
}

/// <summary>IRQ_CTRL / IRQ_CTRLACK bits (IHI0070 §6.3.16).</summary>
[Flags]
public enum IrqCtrlFlags : uint
{
    /// <summary>No interrupts enabled.</summary>
    None = 0,

    /// <summary>GERROR_IRQEN.</summary>
    GERROR_IRQEN = 1,

    /// <summary>PRIQ_IRQEN.</summary>
    PRIQ_IRQEN = 2,

    /// <summary>EVENTQ_IRQEN.</summary>
    EVENTQ_IRQEN = 4,
}

/// <summary>GERROR / GERRORN bits (IHI0070 §6.3.18): an error is active while the two registers differ in its bit.</summary>
[Flags]
public enum GerrorFlags : uint
{
    /// <summary>No errors.</summary>
    None = 0,

    /// <summary>CMDQ_ERR: command error, reason in CMDQ_CONS.ERR.</summary>
    CMDQ_ERR = 1,

    /// <summary>EVENTQ_ABT_ERR: event queue access aborted.</summary>
    EVENTQ_ABT_ERR = 4,

    /// <summary>PRIQ_ABT_ERR: PRI queue access aborted.</summary>
    PRIQ_ABT_ERR = 8,

    /// <summary>MSI_CMDQ_ABT_ERR: CMD_SYNC MSI aborted.</summary>
    MSI_CMDQ_ABT_ERR = 0x10,

    /// <summary>MSI_EVENTQ_ABT_ERR: event queue MSI aborted.</summary>
    MSI_EVENTQ_ABT_ERR = 0x20,

    /// <summary>MSI_PRIQ_ABT_ERR: PRI queue MSI aborted.</summary>
    MSI_PRIQ_ABT_ERR = 0x40,

    /// <summary>MSI_GERROR_ABT_ERR: GERROR MSI aborted.</summary>
    MSI_GERROR_ABT_ERR = 0x80,

    /// <summary>SFM_ERR: service failure mode entered.</summary>
    SFM_ERR = 0x100,

    /// <summary>CMDQP_ERR: ECMDQ error (GERROR only).</summary>
    CMDQP_ERR = 0x200,

    /// <summary>DPT_ERR (SMMUv3.3).</summary>
    DPT_ERR = 0x400,
}

/// <summary>CMDQ_CONS.ERR codes, bits [30:24] (IHI0070 §7.1, digest 4.5).</summary>
public enum CommandError : byte
{
    /// <summary>CERROR_NONE.</summary>
    None = 0,

    /// <summary>CERROR_ILL: illegal command (reserved opcode, bad or non-zero reserved field, not valid here).</summary>
    Ill = 1,

    /// <summary>CERROR_ABT: external abort fetching the command.</summary>
    Abt = 2,

    /// <summary>CERROR_ATC_INV_SYNC: a CMD_SYNC could not complete an earlier CMD_ATC_INV.</summary>
    AtcInvSync = 3,
}

/// <summary>Field helpers for raw CR0 values (IHI0070 §6.3.9); <see cref="Cr0Register"/> is the structured view.</summary>
public static class Cr0
{
    /// <summary>CR0.VMW, bits [8:6].</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <returns>The VMID wildcard field.</returns>
    public static uint GetVmw(uint cr0) => (uint)Bits.Extract(cr0, 8, 6);

    /// <summary>CR0 with VMW replaced.</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <param name="vmw">New VMW, 0..7.</param>
    /// <returns>The new CR0 value.</returns>
    public static uint WithVmw(uint cr0, uint vmw) => (uint)Bits.Insert(cr0, 8, 6, vmw);

    /// <summary>The enable bits of a CR0 value.</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <returns>SMMUEN, PRIQEN, EVENTQEN, CMDQEN, ATSCHK.</returns>
    public static Cr0Flags Flags(uint cr0) => (Cr0Flags)(cr0 & 0x1F);
}
