using System.Buffers.Binary;
using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>IHI0070 §3.21.3.1: the SMMU never sees a valid, translating STE whose other words are being rewritten.</summary>
public class StructureUpdateOrderTests
{
    [Fact]
    public void Reconfiguring_a_stream_never_writes_words_1_to_7_under_a_translating_word_0()
    {
        var memory = new WatchingMemory();
        var device = new SmmuV3(memory);
        var iommu = new Iommu(device, memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000));
        memory.Ste = iommu.Driver.SteAddress(12);

        iommu.ConfigureStream(12, StreamMode.Stage1);
        iommu.ConfigureStream(12, StreamMode.Stage2);
        iommu.DisableStream(12);
        iommu.EnableStream(12);
        iommu.ConfigureStream(12, StreamMode.Nested);

        Assert.Empty(memory.Violations);
        Assert.True(memory.WordWrites > 0);
        Assert.Equal(SteConfig.Nested, iommu.Driver.ReadSte(12).Config);
    }

    private sealed class WatchingMemory : IPhysicalMemory
    {
        private readonly SparseMemory _inner = new();

        public ulong Ste { get; set; } = ulong.MaxValue;

        public List<string> Violations { get; } = [];

        public int WordWrites { get; private set; }

        public bool TryRead(ulong address, Span<byte> destination) => _inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
        {
            if (address > Ste && address < Ste + 64)
            {
                WordWrites++;
                Span<byte> word0 = stackalloc byte[8];
                _inner.TryRead(Ste, word0);
                var current = new StreamTableEntry(BinaryPrimitives.ReadUInt64LittleEndian(word0));
                if (current.V && current.Config != SteConfig.Abort)
                {
                    Violations.Add($"word at +0x{address - Ste:X} written while dw0 = {current.Config}");
                }
            }

            return _inner.TryWrite(address, source);
        }
    }
}
