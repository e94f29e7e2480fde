using ArmSmmu.Structures;

namespace ArmSmmu.Fuzz;

/// <summary>Where the fuzz inputs' structures live, and the registers a selector names.</summary>
internal static class FuzzLayout
{
    public const ulong StreamTable = 0x1000_0000;
    public const ulong CommandQueue = 0x1100_0000;
    public const ulong EventQueue = 0x1200_0000;
    public const ulong ContextDescriptors = 0x1300_0000;
    public const ulong PriQueue = 0x1400_0000;
    public const ulong PageTables = 0x2000_0000;

    /// <summary>Backed memory: 4 GB, so random pointers above it abort (the *_FETCH and F_WALK_EABT paths).</summary>
    public const ulong MemorySize = 0x1_0000_0000;

    /// <summary>
    /// The device fuzzed: the default features with small caches. Building the default device (a 4096-entry TLB, three
    /// 1024-entry configuration caches) took longer than running a typical input, and small caches put the eviction
    /// and refill paths on the fuzzer's map as well.
    /// </summary>
    public static readonly SmmuFeatures Features = new()
    {
        TlbEntries = 64,
        TlbWays = 4,
        ConfigCacheEntries = 16,
        Stage1WalkCacheEntries = 16,
        Stage2WalkCacheEntries = 16,
        TableIpaCacheEntries = 8,
    };

    public static readonly ulong[] Regions = [StreamTable, CommandQueue, EventQueue, ContextDescriptors, PriQueue, PageTables, PageTables + 0x8_0000];

    /// <summary>The registers a driver writes, page 0 and page 1 (IHI0070 §6.3).</summary>
    public static readonly ulong[] Registers =
    [
        SmmuRegister.CR0, SmmuRegister.CR1, SmmuRegister.CR2, SmmuRegister.GBPA, SmmuRegister.IRQ_CTRL, SmmuRegister.GERRORN,
        SmmuRegister.GERROR_IRQ_CFG0, SmmuRegister.GERROR_IRQ_CFG1, SmmuRegister.GERROR_IRQ_CFG2, SmmuRegister.STRTAB_BASE,
        SmmuRegister.STRTAB_BASE_CFG, SmmuRegister.CMDQ_BASE, SmmuRegister.CMDQ_PROD, SmmuRegister.CMDQ_CONS, SmmuRegister.EVENTQ_BASE,
        SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS, SmmuRegister.EVENTQ_PROD_PAGE0, SmmuRegister.EVENTQ_CONS_PAGE0,
        SmmuRegister.EVENTQ_IRQ_CFG0, SmmuRegister.EVENTQ_IRQ_CFG1, SmmuRegister.EVENTQ_IRQ_CFG2, SmmuRegister.PRIQ_BASE,
        SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS, SmmuRegister.PRIQ_IRQ_CFG0, SmmuRegister.PRIQ_IRQ_CFG1,
        SmmuRegister.PRIQ_IRQ_CFG2, SmmuRegister.GATOS_CTRL, SmmuRegister.GATOS_SID, SmmuRegister.GATOS_ADDR, SmmuRegister.STATUSR,
    ];

    /// <summary>A known register, or (top bit set) any aligned offset in pages 0 and 1.</summary>
    public static ulong Register(ushort selector, int width) => (selector & 0x8000) == 0
        ? Registers[selector % Registers.Length] & ~(ulong)(width - 1)
        : (ulong)(selector & 0x7FFF) * (ulong)width % 0x2_0000;

    public static readonly byte[] Opcodes = [.. Enum.GetValues<CommandOpcode>().Select(o => (byte)o).Distinct()];
}
