using System.Buffers.Binary;

namespace ArmSmmu.Fuzz;

/// <summary>Encodes guest programs in the fuzz input format (<see cref="GuestOp"/>), for the seed corpus.</summary>
internal sealed class ProgramWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public void Write32(ulong offset, uint value)
    {
        Op(GuestOp.Write32);
        U16(Selector(offset, 4));
        U32(value);
    }

    public void Write64(ulong offset, ulong value)
    {
        Op(GuestOp.Write64);
        U16(Selector(offset, 8));
        U64(value);
    }

    public void WriteMemory(ulong address, ulong value)
    {
        Op(GuestOp.WriteMemory);
        U64(address);
        U64(value);
    }

    /// <summary>Consecutive doublewords from <paramref name="address"/>, <see cref="GuestProgram.MaxBlockWords"/> per operation.</summary>
    public void WriteBlock(ulong address, ReadOnlySpan<ulong> words)
    {
        for (int at = 0; at < words.Length; at += GuestProgram.MaxBlockWords)
        {
            var chunk = words[at..Math.Min(words.Length, at + GuestProgram.MaxBlockWords)];
            Op(GuestOp.WriteBlock);
            U64(address + ((ulong)at * 8));
            _bytes.Add((byte)(chunk.Length - 1));
            foreach (ulong word in chunk)
            {
                U64(word);
            }
        }
    }

    public void Translate(uint sid, ulong address, AccessKind access, uint? ssid, bool privileged = false, bool secure = false)
    {
        Op(GuestOp.Translate);
        U16((ushort)sid);
        U64(address);
        _bytes.Add((byte)((int)access | (ssid is null ? 0 : 4) | (privileged ? 8 : 0) | (secure ? 16 : 0)));
        U16((ushort)(ssid ?? 0));
    }

    public void Op(GuestOp op) => _bytes.Add((byte)op);

    private static ushort Selector(ulong offset, int width)
    {
        int known = Array.IndexOf(FuzzLayout.Registers, offset);
        return known >= 0 ? (ushort)known : (ushort)(0x8000 | (offset / (ulong)width));
    }

    private void U16(ushort value) => _bytes.AddRange(BitConverter.GetBytes(value));

    private void U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b);
    }

    private void U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.AddRange(b);
    }
}
