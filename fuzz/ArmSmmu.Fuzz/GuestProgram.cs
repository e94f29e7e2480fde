using System.Buffers.Binary;
using System.Diagnostics;
using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Fuzz;

/// <summary>
/// Runs one fuzz input as a guest program on a fresh device (ops in <see cref="GuestOp"/>) and checks
/// <see cref="RegisterInvariants"/> after every operation. A guest can do anything; the device must answer with
/// architected state, never an exception, and every call must return promptly.
/// </summary>
internal sealed class GuestProgram
{
    /// <summary>The slowest a single model call may be before the input counts as a hang.</summary>
    public static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(2);

    /// <summary>The most doublewords one <see cref="GuestOp.WriteBlock"/> writes.</summary>
    public const int MaxBlockWords = 32;

    private static readonly int OperationCount = Enum.GetValues<GuestOp>().Length;
    private readonly SparseMemory _memory;
    private readonly SmmuV3 _device;
    private readonly RegisterInvariants _invariants;
    private readonly byte[] _padded = new byte[16];
    private int _position;

    // The device sees memory through `deviceView` (the seed writer watches what it reads); the guest writes directly.
    private GuestProgram(SparseMemory memory, IPhysicalMemory deviceView)
    {
        _memory = memory;
        _device = new SmmuV3(deviceView, FuzzLayout.Features);
        _invariants = new RegisterInvariants(_device);
    }

    /// <summary>Operations and translations run (for the exec/s and calls figures).</summary>
    public static long Operations { get; private set; }

    public static long Translations { get; private set; }

    public static long SuccessfulTranslations { get; private set; }

    /// <summary>Runs <paramref name="input"/>; throws <see cref="InvariantViolationException"/> on a broken invariant.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        var memory = new SparseMemory(FuzzLayout.MemorySize);
        Run(input, memory, memory);
    }

    /// <summary>Runs <paramref name="input"/> with the device reading and writing <paramref name="memory"/> through <paramref name="deviceView"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input, SparseMemory memory, IPhysicalMemory deviceView)
    {
        var program = new GuestProgram(memory, deviceView);
        while (program._position < input.Length)
        {
            var op = (GuestOp)(input[program._position++] % OperationCount);
            long start = Stopwatch.GetTimestamp();
            program.Step(op, input);
            if (Stopwatch.GetElapsedTime(start) > CallLimit)
            {
                throw new InvariantViolationException($"{op} took {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms");
            }

            program._invariants.Check(op);
            Operations++;
        }
    }

    private void Step(GuestOp op, ReadOnlySpan<byte> input)
    {
        switch (op)
        {
            case GuestOp.Write32:
                ulong offset32 = FuzzLayout.Register(U16(input), 4);
                _invariants.GuestWrote(offset32, 4);
                _device.WriteRegister32(offset32, U32(input));
                break;
            case GuestOp.Write64:
                ulong offset64 = FuzzLayout.Register(U16(input), 8);
                _invariants.GuestWrote(offset64, 8);
                _device.WriteRegister64(offset64, U64(input));
                break;
            case GuestOp.Read32:
                _device.ReadRegister32(FuzzLayout.Register(U16(input), 4));
                break;
            case GuestOp.WriteRegion:
                ulong region = FuzzLayout.Regions[Bytes(input, 1)[0] % FuzzLayout.Regions.Length];
                _memory.WriteUInt64(region + ((ulong)U16(input) * 8), U64(input));
                break;
            case GuestOp.Command:
                Span<byte> command = stackalloc byte[16];
                Bytes(input, 16).CopyTo(command);
                if (command[0] < 0x80)
                {
                    command[0] = FuzzLayout.Opcodes[command[0] % FuzzLayout.Opcodes.Length];
                }

                Publish(command);
                break;
            case GuestOp.Translate:
                uint sid = U16(input);
                ulong address = U64(input);
                byte flags = Bytes(input, 1)[0];
                uint ssid = U16(input);
                var request = new TranslationRequest(sid, address, (AccessKind)(flags % 3), (flags & 4) != 0 ? ssid : null, (flags & 8) != 0, (flags & 16) != 0);
                var result = _device.Translate(request);
                RegisterInvariants.CheckResult(request, result);
                Translations++;
                SuccessfulTranslations += result.IsSuccess ? 1 : 0;
                break;
            case GuestOp.Sync:
                Span<byte> sync = stackalloc byte[16];
                var syncCommand = Structures.Command.Sync(SyncCompletionSignal.None);
                BinaryPrimitives.WriteUInt64LittleEndian(sync, syncCommand.Dw0);
                BinaryPrimitives.WriteUInt64LittleEndian(sync[8..], syncCommand.Dw1);
                Publish(sync);
                break;
            case GuestOp.DrainEvents:
                _device.WriteRegister32(SmmuRegister.EVENTQ_CONS, _device.ReadRegister32(SmmuRegister.EVENTQ_PROD));
                break;
            case GuestOp.WriteMemory:
                _memory.TryWrite(U64(input), Bytes(input, 8));
                break;
            case GuestOp.WriteBlock:
                ulong block = U64(input);
                for (int i = 0, words = (Bytes(input, 1)[0] % MaxBlockWords) + 1; i < words; i++)
                {
                    _memory.TryWrite(block + ((ulong)i * 8), Bytes(input, 8));
                }

                break;
            default:
                BringUp();
                break;
        }
    }

    /// <summary>Writes a command at CMDQ_PROD of the queue CMDQ_BASE describes, then advances PROD (IHI0070 §3.5).</summary>
    private void Publish(ReadOnlySpan<byte> command)
    {
        ulong queueBase = _device.ReadRegister64(SmmuRegister.CMDQ_BASE);
        int log2 = (int)Math.Min(queueBase & 0x1F, 19);
        uint prod = _device.ReadRegister32(SmmuRegister.CMDQ_PROD);
        uint index = prod & ((1u << log2) - 1);
        _memory.TryWrite((queueBase & 0x00FF_FFFF_FFFF_FFE0) + (index * 16UL), command);
        _device.WriteRegister32(SmmuRegister.CMDQ_PROD, (prod + 1) & ((2u << log2) - 1));
    }

    private void BringUp()
    {
        _device.WriteRegister32(SmmuRegister.CR0, 0);
        _device.WriteRegister32(SmmuRegister.CR1, 0xD75);
        _device.WriteRegister32(SmmuRegister.CR2, 0x6);
        _device.WriteRegister64(SmmuRegister.STRTAB_BASE, (1UL << 62) | FuzzLayout.StreamTable);
        _device.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 8);
        _device.WriteRegister64(SmmuRegister.CMDQ_BASE, (1UL << 62) | FuzzLayout.CommandQueue | 8);
        _device.WriteRegister32(SmmuRegister.CMDQ_PROD, 0);
        _device.WriteRegister32(SmmuRegister.CMDQ_CONS, 0);
        _device.WriteRegister64(SmmuRegister.EVENTQ_BASE, (1UL << 62) | FuzzLayout.EventQueue | 7);
        _device.WriteRegister32(SmmuRegister.EVENTQ_PROD, 0);
        _device.WriteRegister32(SmmuRegister.EVENTQ_CONS, 0);
        _device.WriteRegister64(SmmuRegister.PRIQ_BASE, (1UL << 62) | FuzzLayout.PriQueue | 7);
        _device.WriteRegister32(SmmuRegister.IRQ_CTRL, 0x7);
        _device.WriteRegister32(SmmuRegister.CR0, 0xF);
    }

    // The next `count` (at most 16) bytes of the input, read in place; missing bytes at the end of the input read as
    // zero. The padded copy lives in one buffer, so use the span before the next read.
    private ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> input, int count)
    {
        int start = _position;
        _position += count;
        if (start + count <= input.Length)
        {
            return input.Slice(start, count);
        }

        Array.Clear(_padded);
        int available = Math.Max(0, input.Length - start);
        input.Slice(input.Length - available, available).CopyTo(_padded);
        return _padded.AsSpan(0, count);
    }

    private ushort U16(ReadOnlySpan<byte> input) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(input, 2));

    private uint U32(ReadOnlySpan<byte> input) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(input, 4));

    private ulong U64(ReadOnlySpan<byte> input) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(input, 8));
}

/// <summary>A fuzz input broke an invariant (the message says which).</summary>
internal sealed class InvariantViolationException(string message) : Exception(message);
