using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <summary>A command the SMMU refused (IHI0070 §7.1), as the driver found it at CMDQ_CONS.</summary>
/// <param name="Command">The command as it was in the queue.</param>
/// <param name="Error">CMDQ_CONS.ERR.</param>
/// <param name="Index">CMDQ_CONS index and wrap of the command.</param>
public readonly record struct CommandFailure(Command Command, CommandError Error, uint Index);

/// <content>Command submission (digest §8.4): write at PROD with wrap, publish PROD, poll CONS past a CMD_SYNC, recover from command errors.</content>
public sealed partial class SmmuDriver
{
    private readonly List<CommandFailure> _commandFailures = [];
    // PROD is the driver's own; CONS is CMDQ_CONS as last read.
    private SmmuQueue _commandQueue;

    /// <summary>Raised for every command the driver writes into the command queue (CMD_SYNCs included), in queue order.</summary>
    public event EventHandler<Command>? CommandWritten;

    /// <summary>PA of the command queue.</summary>
    public ulong CommandQueueAddress => _commandQueue.Address;

    /// <summary>Commands the SMMU refused with CERROR_ILL (or that timed out an ATC invalidation), oldest first.</summary>
    public IReadOnlyList<CommandFailure> CommandFailures
    {
        get
        {
            lock (_lock)
            {
                return [.. _commandFailures];
            }
        }
    }

    /// <summary>Writes <paramref name="commands"/> to the command queue and publishes them (no CMD_SYNC, no wait), as Linux does for CMD_RESUME or PREFETCH_CONFIG.</summary>
    /// <param name="commands">The commands.</param>
    /// <exception cref="InvalidOperationException">The queue stopped with CERROR_ABT twice.</exception>
    /// <exception cref="TimeoutException">The queue never drained enough to make room.</exception>
    public void Submit(params Command[] commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        lock (_lock)
        {
            RequireInitialized();
            SubmitLocked(commands);
        }
    }

    /// <summary>
    /// Writes <paramref name="commands"/> in batches each closed by a CMD_SYNC, publishes PROD and waits until CMDQ_CONS
    /// has passed the last CMD_SYNC, so that every command has completed (IHI0070 §4.7.3). A command the SMMU refuses
    /// as illegal is recorded in <see cref="CommandFailures"/> and replaced in place by a CMD_SYNC (digest §8.4 step 5).
    /// </summary>
    /// <param name="commands">The commands (may be empty: a lone CMD_SYNC).</param>
    /// <exception cref="InvalidOperationException">The queue stopped with CERROR_ABT twice.</exception>
    /// <exception cref="TimeoutException">CMDQ_CONS did not pass the CMD_SYNC in time.</exception>
    public void SubmitAndSync(params Command[] commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        SubmitAndSync(new ReadOnlySpan<Command>(commands));
    }

    /// <summary>As <see cref="SubmitAndSync(Command[])"/>, for commands the caller holds in a span (no array allocated).</summary>
    /// <param name="commands">The commands (may be empty: a lone CMD_SYNC).</param>
    /// <exception cref="InvalidOperationException">The queue stopped with CERROR_ABT twice.</exception>
    /// <exception cref="TimeoutException">CMDQ_CONS did not pass the CMD_SYNC in time.</exception>
    public void SubmitAndSync(params ReadOnlySpan<Command> commands)
    {
        lock (_lock)
        {
            RequireInitialized();
            SubmitAndSyncLocked(commands);
        }
    }

    private void SubmitLocked(ReadOnlySpan<Command> commands)
    {
        int batch = Math.Min(Options.CommandBatchSize, (int)_commandQueue.Capacity);
        while (!commands.IsEmpty)
        {
            int n = Math.Min(batch, commands.Length);
            WaitForSpace(n);
            foreach (var command in commands[..n])
            {
                WriteCommand(command);
            }

            PublishProducer();
            commands = commands[n..];
        }

        ServiceCommandErrors();
    }

    private void SubmitAndSyncLocked(ReadOnlySpan<Command> commands)
    {
        // One slot of every batch is its CMD_SYNC.
        int batch = Math.Min(Options.CommandBatchSize, (int)_commandQueue.Capacity - 1);
        do
        {
            int n = Math.Min(batch, commands.Length);
            WaitForSpace(n + 1);
            foreach (var command in commands[..n])
            {
                WriteCommand(command);
            }

            // Digest §8.4: CS = SIG_NONE; completion is observed as CONS passing the SYNC.
            WriteCommand(Command.Sync(SyncCompletionSignal.None));
            uint afterSync = _commandQueue.Prod;
            PublishProducer();
            WaitForConsumer(afterSync);
            commands = commands[n..];
        }
        while (!commands.IsEmpty);
    }

    private void WriteCommand(in Command command)
    {
        ulong slot = _commandQueue.SlotAddress(_commandQueue.Prod);
        if (!WithSecurity(command).TryWrite(Memory, slot)) // SSec = 1 from Secure firmware (SmmuDriver.Secure.cs)
        {
            ThrowQueueUnwritable(slot);
        }

        _commandQueue.AdvanceProducer();
        CommandWritten?.Invoke(this, command);
    }

    // Out of line: the message's builder in WriteCommand's frame cost every command (see IoPageTable.ThrowUnbacked).
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowQueueUnwritable(ulong slot) =>
        throw new InvalidOperationException($"Command queue memory at 0x{slot:X} is not writable.");

    // IHI0070 §3.21.2: the DSB of step 3 is implicit (memory writes complete before the MMIO write here).
    private void PublishProducer() => Write32(SmmuRegister.CMDQ_PROD, _commandQueue.Prod);

    // Like Linux's arm_smmu_cmdq_poll_until_not_full: the CONS last read can only be behind the SMMU's, so when it
    // already leaves room no MMIO read is needed; otherwise CMDQ_CONS is polled.
    private void WaitForSpace(int entries)
    {
        long start = 0;
        while (_commandQueue.Capacity - _commandQueue.Count < entries)
        {
            _commandQueue.Cons = Read32(SmmuRegister.CMDQ_CONS);
            if (_commandQueue.Capacity - _commandQueue.Count >= entries)
            {
                return;
            }

            if (!ServiceCommandErrors())
            {
                CheckTimeout(ref start, $"CMDQ_CONS (0x{_commandQueue.Cons:X}) to make room for {entries} commands; PROD is 0x{_commandQueue.Prod:X}");
            }
        }
    }

    /// <summary>Polls CMDQ_CONS until it is at or past <paramref name="target"/> (the index after a CMD_SYNC), wrap-aware.</summary>
    private void WaitForConsumer(uint target)
    {
        long start = 0;
        while (true)
        {
            _commandQueue.Cons = Read32(SmmuRegister.CMDQ_CONS);

            // Entries still pending from CONS must not include the target's predecessor (the SYNC).
            if (_commandQueue.Count <= _commandQueue.EntriesFrom(target))
            {
                _abortedIndex = uint.MaxValue;
                return;
            }

            if (!ServiceCommandErrors())
            {
                CheckTimeout(ref start, $"CMDQ_CONS (0x{_commandQueue.Cons:X}) to pass the CMD_SYNC before 0x{target:X}");
            }
        }
    }

    // A time stamp rather than a Stopwatch, so that a command round trip allocates nothing; taken at the first poll
    // that finds no progress, so that a round trip the SMMU completes at once reads no clock.
    private void CheckTimeout(ref long start, string what)
    {
        if (start == 0)
        {
            start = Stopwatch.GetTimestamp();
        }
        else if (Stopwatch.GetElapsedTime(start) > Options.PollTimeout)
        {
            throw new TimeoutException($"The SMMU did not advance {what} within {Options.PollTimeout.TotalMilliseconds:0} ms (GERROR 0x{Read32(SmmuRegister.GERROR):X}, GERRORN 0x{Read32(SmmuRegister.GERRORN):X}).");
        }

        Thread.Yield();
    }

    private uint _abortedIndex = uint.MaxValue;

    /// <summary>
    /// Handles an active CMDQ_ERR (digest §8.4 step 5, IHI0070 §7.1): CERROR_ILL -> the command is recorded and
    /// replaced in place by a CMD_SYNC; CERROR_ABT -> retried once, then an exception; CERROR_ATC_INV_SYNC -> retried.
    /// Then GERRORN.CMDQ_ERR is toggled to acknowledge, and the SMMU resumes from CMDQ_CONS.
    /// </summary>
    /// <returns>Whether an error was found and handled.</returns>
    private bool ServiceCommandErrors()
    {
        uint active = (Read32(SmmuRegister.GERROR) ^ Read32(SmmuRegister.GERRORN)) & (uint)GerrorFlags.CMDQ_ERR;
        if (active == 0)
        {
            return false;
        }

        _commandQueue.Cons = Read32(SmmuRegister.CMDQ_CONS);
        uint index = _commandQueue.IndexAndWrap(_commandQueue.Cons);
        ulong slot = _commandQueue.SlotAddress(_commandQueue.Cons);
        Command.TryRead(Memory, slot, out var bad);
        switch (_commandQueue.Error)
        {
            case CommandError.Abt:
                if (_abortedIndex == index)
                {
                    _abortedIndex = uint.MaxValue;
                    throw new InvalidOperationException($"The SMMU aborted fetching the command at CMDQ index 0x{index:X} (address 0x{slot:X}) twice (CERROR_ABT); the command queue is stopped.");
                }

                _abortedIndex = index;
                break;
            case CommandError.AtcInvSync:
                _commandFailures.Add(new CommandFailure(bad, _commandQueue.Error, index));
                break;
            default:
                // CERROR_ILL (and any unknown code): log it and neutralise it with a CMD_SYNC in the same slot.
                _commandFailures.Add(new CommandFailure(bad, _commandQueue.Error, index));
                if (!Command.Sync(SyncCompletionSignal.None).TryWrite(Memory, slot))
                {
                    ThrowQueueUnwritable(slot);
                }

                break;
        }

        AcknowledgeGlobalErrors(GerrorFlags.CMDQ_ERR);
        return true;
    }

    /// <summary>Toggles the GERRORN bits in <paramref name="flags"/> that are active so that they equal GERROR (IHI0070 §6.3.18).</summary>
    private void AcknowledgeGlobalErrors(GerrorFlags flags)
    {
        uint gerror = Read32(SmmuRegister.GERROR);
        uint gerrorn = Read32(SmmuRegister.GERRORN);
        uint toggle = (gerror ^ gerrorn) & (uint)flags;
        if (toggle != 0)
        {
            Write32(SmmuRegister.GERRORN, gerrorn ^ toggle);
        }
    }

    private void AllocateQueues()
    {
        var caps = Capabilities;
        _commandQueue = AllocateQueue(caps.CommandQueueLog2Size, Command.Size);
        _eventQueue = AllocateQueue(caps.EventQueueLog2Size, EventRecord.Size);
        if (caps.PriQueue)
        {
            _priQueue = AllocateQueue(caps.PriQueueLog2Size, PriQueueEntry.Size);
        }
    }

    // Digest §8.2: 2^n entries, base aligned to the queue size (at least 32 bytes). The *_BASE value the driver
    // programs: write-allocate hint, address, LOG2SIZE.
    private SmmuQueue AllocateQueue(int log2, int entryBytes)
    {
        ulong bytes = Math.Max(32UL, (1UL << log2) * (ulong)entryBytes);
        ulong address = AllocateZeroed(bytes, bytes);
        return new SmmuQueue(entryBytes, log2)
        {
            Base = new QueueBaseRegister(0) { ReadWriteAllocate = true, Address = address, Log2Size = (uint)log2 }.Value,
        };
    }

    private void FreeQueues()
    {
        FreeQueue(ref _commandQueue);
        FreeQueue(ref _eventQueue);
        FreeQueue(ref _priQueue);
        _commandFailures.Clear();
    }

    private void FreeQueue(ref SmmuQueue queue)
    {
        if (queue.Address != 0)
        {
            Allocator.Free(queue.Address);
        }

        queue = default;
    }
}
