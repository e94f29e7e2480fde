using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>Command submission, wrap and error recovery (digest §8.4, IHI0070 §4.7.3, §7.1).</summary>
public class SmmuDriverCommandTests
{
    [Fact]
    public void Illegal_command_is_recorded_replaced_by_a_sync_and_later_commands_work()
    {
        var driver = SmmuDriverBringUpTests.NewDriver();
        driver.Initialize();
        var smmu = driver.Device;

        // Opcode 0xFF is reserved: CERROR_ILL (IHI0070 §4.1.1, §7.1).
        var bad = new Command(0xFF, 0x1234);
        driver.SubmitAndSync(Command.TlbiNsnhAll(), bad, Command.CfgiAll());

        var failure = Assert.Single(driver.CommandFailures);
        Assert.Equal(bad, failure.Command);
        Assert.Equal(CommandError.Ill, failure.Error);
        Assert.Equal(1, smmu.Statistics.CommandErrors);

        // The error was acknowledged and the commands after the bad one ran.
        Assert.Equal(0u, (smmu.ReadRegister32(SmmuRegister.GERROR) ^ smmu.ReadRegister32(SmmuRegister.GERRORN)) & 1);
        Assert.Equal(2, smmu.Statistics.CommandCount(CommandOpcode.CfgiSteRange)); // reset's CFGI_ALL + this one
        uint prodBefore = smmu.ReadRegister32(SmmuRegister.CMDQ_PROD);
        driver.SubmitAndSync(Command.CfgiSte(3, leaf: true));
        Assert.Equal(smmu.ReadRegister32(SmmuRegister.CMDQ_PROD), smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.NotEqual(prodBefore, smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void Submit_without_sync_also_recovers_from_an_illegal_command()
    {
        var driver = SmmuDriverBringUpTests.NewDriver();
        driver.Initialize();
        driver.Submit(new Command(0x7F));
        driver.SubmitAndSync(Command.PrefetchConfig(1));

        Assert.Equal(0x7F, (int)Assert.Single(driver.CommandFailures).Command.Opcode);
        Assert.Equal(driver.Device.ReadRegister32(SmmuRegister.CMDQ_PROD), driver.Device.ReadRegister32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void Aborting_command_fetch_is_retried_once_then_reported()
    {
        var memory = new ReadAbortMemory();
        var device = new SmmuV3(memory);
        var driver = new SmmuDriver(device, memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000));
        driver.Initialize();

        // The SMMU's fetches of the command queue abort (the driver's writes still land): CERROR_ABT.
        memory.AbortReads(driver.CommandQueueAddress, 256 * 16);
        var error = Assert.Throws<InvalidOperationException>(() => driver.SubmitAndSync(Command.TlbiNsnhAll()));
        Assert.Contains("CERROR_ABT", error.Message, StringComparison.Ordinal);
        Assert.Empty(driver.CommandFailures);

        // Once the memory is back, acknowledging the error lets the queue finish.
        memory.AbortReads(0, 0);
        Assert.Equal(GerrorFlags.CMDQ_ERR, driver.HandleGlobalErrors() & GerrorFlags.CMDQ_ERR);
        driver.SubmitAndSync();
        Assert.Equal(device.ReadRegister32(SmmuRegister.CMDQ_PROD), device.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.Equal(2, device.Statistics.CommandCount(CommandOpcode.TlbiNsnhAll));
    }

    /// <summary>Memory whose reads abort in one range, as a bus error on the SMMU's fetches would.</summary>
    private sealed class ReadAbortMemory : IPhysicalMemory
    {
        private readonly SparseMemory _inner = new();
        private ulong _start;
        private ulong _length;

        public void AbortReads(ulong start, ulong length)
        {
            _start = start;
            _length = length;
        }

        public bool TryRead(ulong address, Span<byte> destination) =>
            (address >= _start + _length || address + (ulong)destination.Length <= _start) && _inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => _inner.TryWrite(address, source);
    }

    [Fact]
    public void Many_commands_wrap_the_queue_and_all_complete()
    {
        var driver = SmmuDriverBringUpTests.NewDriver(options: new SmmuDriverOptions { CommandQueueLog2Size = 7 });
        driver.Initialize();
        var written = new List<Command>();
        driver.CommandWritten += (_, c) => written.Add(c);

        var commands = Enumerable.Range(0, 300).Select(i => Command.CfgiSte((uint)i, leaf: true)).ToArray();
        driver.SubmitAndSync(commands);

        Assert.Equal(300, driver.Device.Statistics.CommandCount(CommandOpcode.CfgiSte));
        // Batches of 64 commands, each closed by a CMD_SYNC (digest §8.4 step 2): 300 = 4 * 64 + 44 -> 5 SYNCs.
        Assert.Equal(5, written.Count(c => c.Opcode == CommandOpcode.Sync));
        uint prod = driver.Device.ReadRegister32(SmmuRegister.CMDQ_PROD);
        Assert.Equal(prod, driver.Device.ReadRegister32(SmmuRegister.CMDQ_CONS));

        // 6 reset commands + 305 now = 311 entries = 2 wraps of 128 plus 55: wrap bit 0, index 55.
        Assert.Equal(55u, prod);
    }
}
