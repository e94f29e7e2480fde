using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>Reset returns every register bank to its reset value, whatever was programmed before (IHI0070 §6.3).</summary>
public class RegisterResetTests
{
    // Page 0 up to the last register the model decodes, and the page-1 queue pointers.
    private static IEnumerable<ulong> EveryRegisterOffset() =>
        Enumerable.Range(0, 0x200 / 4).Select(i => (ulong)i * 4)
            .Concat([SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS]);

    [Fact]
    public void Reset_restores_every_programmed_register_of_every_bank()
    {
        var memory = new SparseMemory();
        var smmu = new SmmuV3(memory);
        var fresh = new SmmuV3(new SparseMemory());

        // A non-reset value in each bank: stream table, each queue with its pointers and interrupt, control, and an
        // active global error (an all-zero command at CMDQ index 0 is CERROR_ILL, IHI0070 §7.1).
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, 0x10_0000);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 8);
        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, 0x20_0000 | 4);
        smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, 0x30_0000 | 3);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_PROD, 0x8000_0002);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, 0x8000_0001);
        smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, 0x40_0000 | 2);
        smmu.WriteRegister32(SmmuRegister.PRIQ_PROD, 3);
        smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 2);
        foreach (var (cfg0, cfg1, cfg2) in new[]
        {
            (SmmuRegister.GERROR_IRQ_CFG0, SmmuRegister.GERROR_IRQ_CFG1, SmmuRegister.GERROR_IRQ_CFG2),
            (SmmuRegister.EVENTQ_IRQ_CFG0, SmmuRegister.EVENTQ_IRQ_CFG1, SmmuRegister.EVENTQ_IRQ_CFG2),
            (SmmuRegister.PRIQ_IRQ_CFG0, SmmuRegister.PRIQ_IRQ_CFG1, SmmuRegister.PRIQ_IRQ_CFG2),
        })
        {
            smmu.WriteRegister64(cfg0, 0x50_0000);
            smmu.WriteRegister32(cfg1, 0xD00D);
            smmu.WriteRegister32(cfg2, 0x1);
        }

        smmu.WriteRegister32(SmmuRegister.CR1, 0x3F);
        smmu.WriteRegister32(SmmuRegister.CR2, 0x2);
        smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (1u << 20));
        smmu.WriteRegister32(SmmuRegister.IRQ_CTRL, 0x5);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)(Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN | Cr0Flags.PRIQEN | Cr0Flags.SMMUEN));
        smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, 1);

        var programmed = EveryRegisterOffset().Where(o => smmu.ReadRegister32(o) != fresh.ReadRegister32(o)).ToHashSet();
        ulong[] expected =
        [
            SmmuRegister.CR0, SmmuRegister.CR0ACK, SmmuRegister.CR1, SmmuRegister.CR2, SmmuRegister.GBPA,
            SmmuRegister.IRQ_CTRL, SmmuRegister.IRQ_CTRLACK, SmmuRegister.GERROR,
            SmmuRegister.GERROR_IRQ_CFG0, SmmuRegister.GERROR_IRQ_CFG1, SmmuRegister.GERROR_IRQ_CFG2,
            SmmuRegister.STRTAB_BASE, SmmuRegister.STRTAB_BASE_CFG,
            SmmuRegister.CMDQ_BASE, SmmuRegister.CMDQ_PROD, SmmuRegister.CMDQ_CONS,
            SmmuRegister.EVENTQ_BASE, SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS,
            SmmuRegister.EVENTQ_IRQ_CFG0, SmmuRegister.EVENTQ_IRQ_CFG1, SmmuRegister.EVENTQ_IRQ_CFG2,
            SmmuRegister.PRIQ_BASE, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS,
            SmmuRegister.PRIQ_IRQ_CFG0, SmmuRegister.PRIQ_IRQ_CFG1, SmmuRegister.PRIQ_IRQ_CFG2,
        ];
        Assert.Empty(expected.Except(programmed));
        Assert.Equal(CommandError.Ill, (CommandError)((smmu.ReadRegister32(SmmuRegister.CMDQ_CONS) >> 24) & 0x7F));

        smmu.Reset();

        Assert.All(EveryRegisterOffset(), o => Assert.Equal(fresh.ReadRegister32(o), smmu.ReadRegister32(o)));

        // The reset state works as one: an empty command queue at the new base consumes a CMD_SYNC.
        Assert.True(Command.Sync(SyncCompletionSignal.None).TryWrite(memory, 0x60_0000));
        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, 0x60_0000 | 1);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.CMDQEN);
        smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, 1);
        Assert.Equal(1u, smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
    }
}
