namespace ArmSmmu.Fuzz;

/// <summary>
/// The managed loop's input generator: a corpus entry (or nothing) with a few AFL-style mutations: byte flips,
/// interesting values, inserted random operations, deleted runs and splices.
/// </summary>
internal static class Mutator
{
    private const int MaxLength = 1 << 16;

    private static readonly ulong[] Interesting =
    [
        0, 1, ulong.MaxValue, 1UL << 63, 0x7F, 0x80, 0xFFFF_FFFF, FuzzLayout.StreamTable, FuzzLayout.CommandQueue | 8,
        FuzzLayout.EventQueue | 7, FuzzLayout.ContextDescriptors, FuzzLayout.PageTables | 3, (1UL << 62) | FuzzLayout.StreamTable,
    ];

    public static byte[] Next(Random random, IReadOnlyList<byte[]> corpus)
    {
        var input = new List<byte>(corpus.Count > 0 && random.Next(4) != 0 ? corpus[random.Next(corpus.Count)] : []);
        for (int m = 0, n = 1 + random.Next(8); m < n; m++)
        {
            Mutate(random, input, corpus);
        }

        return [.. input.Take(MaxLength)];
    }

    private static void Mutate(Random random, List<byte> input, IReadOnlyList<byte[]> corpus)
    {
        int at = input.Count == 0 ? 0 : random.Next(input.Count);
        switch (random.Next(6))
        {
            case 0 when input.Count > 0:
                input[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when input.Count > 8:
                var value = BitConverter.GetBytes(Interesting[random.Next(Interesting.Length)]);
                for (int i = 0; i < 8 && at + i < input.Count; i++)
                {
                    input[at + i] = value[i];
                }

                break;
            case 2 when input.Count > 0:
                input.RemoveRange(at, Math.Min(input.Count - at, 1 + random.Next(32)));
                break;
            case 3 when corpus.Count > 0:
                byte[] other = corpus[random.Next(corpus.Count)];
                int from = random.Next(Math.Max(1, other.Length));
                input.InsertRange(at, other.Skip(from).Take(1 + random.Next(256)));
                break;
            default:
                // A whole random operation: opcode and up to 24 operand bytes.
                var op = new byte[1 + random.Next(25)];
                random.NextBytes(op);
                input.InsertRange(at, op);
                break;
        }
    }
}
