using System.Globalization;
using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Decoding;

/// <summary>A register <c>smmu decode reg</c> and <c>smmu info</c> can decode, with its decoder in ArmSmmu.Structures.</summary>
/// <param name="Name">The specification's name, as <see cref="SmmuRegister.NameOf"/> spells it.</param>
/// <param name="Offset">Offset from the SMMU base.</param>
/// <param name="Describe">Decoder; the second argument is the queue LOG2SIZE for PROD/CONS registers, when known.</param>
internal sealed record RegisterKind(string Name, ulong Offset, Func<ulong, int?, IReadOnlyList<DecodedField>> Describe)
{
    /// <summary>True for a 64-bit register.</summary>
    public bool Is64Bit => SmmuRegister.Is64Bit(Offset);

    /// <summary>True for a queue PROD/CONS register, whose index/wrap split needs the queue size.</summary>
    public bool IsQueueIndex { get; private init; }

    /// <summary>Every decodable register, in offset order.</summary>
    public static IReadOnlyList<RegisterKind> All { get; } = WithSecurePage(
    [
        Of(SmmuRegister.IDR0, v => new Idr0Register((uint)v).Describe()),
        Of(SmmuRegister.IDR1, v => new Idr1Register((uint)v).Describe()),
        Of(SmmuRegister.IDR2, v => new Idr2Register((uint)v).Describe()),
        Of(SmmuRegister.IDR3, v => new Idr3Register((uint)v).Describe()),
        Of(SmmuRegister.IDR4, v => [new DecodedField("IMPLEMENTATION DEFINED", "[31:0]", v, string.Create(CultureInfo.InvariantCulture, $"0x{v:X}"))]),
        Of(SmmuRegister.IDR5, v => new Idr5Register((uint)v).Describe()),
        Of(SmmuRegister.IIDR, v => new IidrRegister((uint)v).Describe()),
        Of(SmmuRegister.AIDR, v => new AidrRegister((uint)v).Describe()),
        Of(SmmuRegister.CR0, v => new Cr0Register((uint)v).Describe()),
        Of(SmmuRegister.CR0ACK, v => new Cr0Register((uint)v).Describe()),
        Of(SmmuRegister.CR1, v => new Cr1Register((uint)v).Describe()),
        Of(SmmuRegister.CR2, v => new Cr2Register((uint)v).Describe()),
        Of(SmmuRegister.GBPA, v => new GbpaRegister((uint)v).Describe()),
        Of(SmmuRegister.IRQ_CTRL, v => new IrqCtrlRegister((uint)v).Describe()),
        Of(SmmuRegister.IRQ_CTRLACK, v => new IrqCtrlRegister((uint)v).Describe()),
        Of(SmmuRegister.GERROR, v => new GerrorRegister((uint)v).Describe()),
        Of(SmmuRegister.GERRORN, v => new GerrorRegister((uint)v).Describe()),
        Of(SmmuRegister.GERROR_IRQ_CFG0, v => new IrqCfg0Register(v).Describe()),
        Of(SmmuRegister.GERROR_IRQ_CFG2, v => new IrqCfg2Register((uint)v).Describe()),
        Of(SmmuRegister.STRTAB_BASE, v => new StreamTableBaseRegister(v).Describe()),
        Of(SmmuRegister.STRTAB_BASE_CFG, v => new StreamTableBaseCfgRegister((uint)v).Describe()),
        Of(SmmuRegister.CMDQ_BASE, v => new QueueBaseRegister(v).Describe()),
        Queue(SmmuRegister.CMDQ_PROD, QueueIndexRole.CommandProducer),
        Queue(SmmuRegister.CMDQ_CONS, QueueIndexRole.CommandConsumer),
        Of(SmmuRegister.EVENTQ_BASE, v => new QueueBaseRegister(v).Describe()),
        Queue(SmmuRegister.EVENTQ_PROD_PAGE0, QueueIndexRole.OverflowingProducer),
        Queue(SmmuRegister.EVENTQ_CONS_PAGE0, QueueIndexRole.OverflowingConsumer),
        Of(SmmuRegister.EVENTQ_IRQ_CFG0, v => new IrqCfg0Register(v).Describe()),
        Of(SmmuRegister.EVENTQ_IRQ_CFG2, v => new IrqCfg2Register((uint)v).Describe()),
        Of(SmmuRegister.PRIQ_BASE, v => new QueueBaseRegister(v).Describe()),
        Queue(SmmuRegister.PRIQ_PROD_PAGE0, QueueIndexRole.OverflowingProducer),
        Queue(SmmuRegister.PRIQ_CONS_PAGE0, QueueIndexRole.OverflowingConsumer),
        Of(SmmuRegister.PRIQ_IRQ_CFG0, v => new IrqCfg0Register(v).Describe()),
        Of(SmmuRegister.PRIQ_IRQ_CFG2, v => new IrqCfg2Register((uint)v).Describe()),
        Of(SmmuRegister.GATOS_CTRL, v => new GatosCtrlRegister((uint)v).Describe()),
        Of(SmmuRegister.GATOS_SID, v => new GatosSidRegister(v).Describe()),
        Of(SmmuRegister.GATOS_ADDR, v => new GatosAddrRegister(v).Describe()),
        Of(SmmuRegister.GATOS_PAR, v => new GatosParRegister(v).Describe()),
        Queue(SmmuRegister.EVENTQ_PROD, QueueIndexRole.OverflowingProducer),
        Queue(SmmuRegister.EVENTQ_CONS, QueueIndexRole.OverflowingConsumer),
        Queue(SmmuRegister.PRIQ_PROD, QueueIndexRole.OverflowingProducer),
        Queue(SmmuRegister.PRIQ_CONS, QueueIndexRole.OverflowingConsumer),
    ]);

    // IHI0070 §6.2: the SMMU_S_* page holds the S_IDRs and, at 0x8000 above them, twins of the Non-secure page-0
    // registers with the same layouts (S_EVENTQ_PROD/CONS in page 0); it goes between page 0 and page 1.
    private static RegisterKind[] WithSecurePage(RegisterKind[] nonSecure)
    {
        var twins = nonSecure
            .Where(k => k.Offset < 0x10000 && SmmuRegister.NameOf(k.Offset + SmmuRegister.S_IDR0) is { } name && name.StartsWith("S_", StringComparison.Ordinal) && k.Offset >= SmmuRegister.CR0)
            .Select(k => k with { Name = SmmuRegister.NameOf(k.Offset + SmmuRegister.S_IDR0)!, Offset = k.Offset + SmmuRegister.S_IDR0 });
        RegisterKind[] ids =
        [
            Of(SmmuRegister.S_IDR0, v => new SIdr0Register((uint)v).Describe()),
            Of(SmmuRegister.S_IDR1, v => new SIdr1Register((uint)v).Describe()),
        ];
        return [.. nonSecure.Where(k => k.Offset < 0x10000), .. ids, .. twins, .. nonSecure.Where(k => k.Offset >= 0x10000)];
    }

    /// <summary>
    /// The register named <paramref name="nameOrOffset"/>: a name (case-insensitive, optional <c>SMMU_</c> prefix) or a
    /// hex offset from the SMMU base (page-1 registers at 0x10000 and up).
    /// </summary>
    /// <param name="nameOrOffset">What the user typed.</param>
    /// <returns>The register.</returns>
    /// <exception cref="CliUsageException">Unknown name or offset, or a register without a decoder.</exception>
    public static RegisterKind Find(string nameOrOffset)
    {
        string name = nameOrOffset.StartsWith("SMMU_", StringComparison.OrdinalIgnoreCase) ? nameOrOffset[5..] : nameOrOffset;
        RegisterKind? kind = All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
        if (kind is not null)
        {
            return kind;
        }

        if (HexWords.TryParse(nameOrOffset, out ulong offset, out _))
        {
            kind = All.FirstOrDefault(k => k.Offset == offset);
            if (kind is not null)
            {
                return kind;
            }

            string? known = SmmuRegister.NameOf(offset);
            throw new CliUsageException(known is null
                ? $"register '{nameOrOffset}': no SMMU register at offset 0x{offset:X}."
                : $"register '{nameOrOffset}': {known} at offset 0x{offset:X} has no field decoder; decodable registers: {Names}.");
        }

        throw new CliUsageException($"register '{nameOrOffset}' is not a register name or hex offset; decodable registers: {Names}.");
    }

    private static string Names => string.Join(", ", All.Select(k => k.Name).Distinct());

    private static RegisterKind Of(ulong offset, Func<ulong, IReadOnlyList<DecodedField>> describe) =>
        new(SmmuRegister.NameOf(offset) ?? throw new InvalidOperationException($"no name for 0x{offset:X}"), offset, (v, _) => describe(v));

    private static RegisterKind Queue(ulong offset, QueueIndexRole role) =>
        new(SmmuRegister.NameOf(offset) ?? throw new InvalidOperationException($"no name for 0x{offset:X}"), offset, (v, qs) => QueueIndexRegister.Describe((uint)v, role, qs))
        {
            IsQueueIndex = true,
        };
}
