using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <content>Consumers of the event and PRI queues and the global error handler (digest §8.6).</content>
public sealed partial class SmmuDriver
{
    // CONS is the driver's own; PROD is EVENTQ_PROD / PRIQ_PROD as last read.
    private SmmuQueue _eventQueue;
    private SmmuQueue _priQueue;
    private long _eventOverflows;
    private long _priOverflows;

    /// <summary>PA of the event queue.</summary>
    public ulong EventQueueAddress => _eventQueue.Address;

    /// <summary>PA of the PRI queue, or 0 when the driver does not use one.</summary>
    public ulong PriQueueAddress => _priQueue.Address;

    /// <summary>Number of event queue overflows (EVENTQ_PROD.OVFLG toggles) the driver has seen and acknowledged: records were lost.</summary>
    public long EventQueueOverflows => Interlocked.Read(ref _eventOverflows);

    /// <summary>Number of PRI queue overflows the driver has seen and acknowledged.</summary>
    public long PriQueueOverflows => Interlocked.Read(ref _priOverflows);

    /// <summary>
    /// Reads every record between EVENTQ_CONS and EVENTQ_PROD, advancing CONS one record at a time while keeping its
    /// OVACKFLG, re-reading PROD until the queue is empty; then acknowledges an overflow by copying PROD.OVFLG into
    /// CONS.OVACKFLG (digest §8.6, IHI0070 §7.4).
    /// </summary>
    /// <returns>The records, oldest first.</returns>
    public IReadOnlyList<EventRecord> DrainEvents()
    {
        lock (_lock)
        {
            RequireInitialized();
            var records = new List<EventRecord>();
            DrainQueue(
                ref _eventQueue, SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS, ref _eventOverflows,
                address => records.Add(EventRecord.TryRead(Memory, address, out var record) ? record : throw new InvalidOperationException($"Event queue memory at 0x{address:X} is unreadable.")));
            return records;
        }
    }

    /// <summary>Reads every PRI queue entry (digest §8.6), like <see cref="DrainEvents"/>.</summary>
    /// <returns>The page requests, oldest first (empty when the driver runs without a PRI queue).</returns>
    public IReadOnlyList<PriQueueEntry> DrainPageRequests()
    {
        lock (_lock)
        {
            RequireInitialized();
            var entries = new List<PriQueueEntry>();
            if (_priQueue.Address == 0)
            {
                return entries;
            }

            DrainQueue(
                ref _priQueue, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS, ref _priOverflows,
                address => entries.Add(PriQueueEntry.TryRead(Memory, address, out var entry) ? entry : throw new InvalidOperationException($"PRI queue memory at 0x{address:X} is unreadable.")));
            return entries;
        }
    }

    /// <summary>
    /// Handles the active global errors (digest §8.6): a command error is fixed up as in <see cref="SubmitAndSync(Command[])"/>;
    /// the others are acknowledged by writing GERRORN = GERROR.
    /// </summary>
    /// <returns>The errors that were active (none when the interrupt was spurious).</returns>
    public GerrorFlags HandleGlobalErrors()
    {
        lock (_lock)
        {
            RequireInitialized();
            uint gerror = Read32(SmmuRegister.GERROR);
            var active = (GerrorFlags)((gerror ^ Read32(SmmuRegister.GERRORN)) & GerrorActiveMask);
            if ((active & GerrorFlags.CMDQ_ERR) != 0)
            {
                ServiceCommandErrors();
            }

            AcknowledgeGlobalErrors((GerrorFlags)GerrorActiveMask);
            return active;
        }
    }

    /// <summary>Answers a stalled transaction (an event with Stall = 1) with CMD_RESUME, without a CMD_SYNC (digest §8.6).</summary>
    /// <param name="streamId">The event's StreamID.</param>
    /// <param name="stallTag">The event's STAG.</param>
    /// <param name="retry">True to retry the transaction, false to terminate it with an abort.</param>
    public void Resume(uint streamId, ushort stallTag, bool retry)
    {
        lock (_lock)
        {
            RequireInitialized();
            SubmitLocked([Command.Resume(streamId, stallTag, retry, abort: !retry)]);
        }
    }

    // Digest §8.6: consume up to the PROD last read, publishing CONS after each entry, until a fresh PROD shows no
    // more; then acknowledge an overflow so that a later one is signalled again (IHI0070 §7.4).
    private void DrainQueue(ref SmmuQueue queue, ulong prodRegister, ulong consRegister, ref long overflows, Action<ulong> consume)
    {
        queue.Prod = Read32(prodRegister);
        while (!queue.IsEmpty)
        {
            while (!queue.IsEmpty)
            {
                consume(queue.SlotAddress(queue.Cons));
                queue.AdvanceConsumer(); // keeps OVACKFLG as it is
                Write32(consRegister, queue.Cons);
            }

            queue.Prod = Read32(prodRegister);
        }

        if (queue.OverflowPending)
        {
            // Records were discarded while the queue was full.
            Interlocked.Increment(ref overflows);
            queue.AcknowledgeOverflow();
            Write32(consRegister, queue.Cons);
        }
    }
}
