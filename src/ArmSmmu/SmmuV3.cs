namespace ArmSmmu;

/// <summary>The SMMUv3 device: MMIO registers, queues, and the translation pipeline.</summary>
public sealed partial class SmmuV3
{
    /// <summary>Creates an SMMU that masters <paramref name="memory"/>.</summary>
    /// <param name="memory">The bus the SMMU reads structures from and writes events to.</param>
    /// <param name="features">Implementation choices; null gives the full-featured default.</param>
    public SmmuV3(IPhysicalMemory memory, SmmuFeatures? features = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Features = features ?? SmmuFeatures.Default;
        Features.Validate();
    }

    /// <summary>The implementation choices the ID registers advertise.</summary>
    public SmmuFeatures Features { get; }

    /// <summary>Reads a 32-bit register at <paramref name="offset"/> from the SMMU base.</summary>
    /// <param name="offset">Register offset.</param>
    /// <returns>The value.</returns>
    public uint ReadRegister32(ulong offset) => throw new NotImplementedException();

    /// <summary>Writes a 32-bit register.</summary>
    /// <param name="offset">Register offset.</param>
    /// <param name="value">The value.</param>
    public void WriteRegister32(ulong offset, uint value) => throw new NotImplementedException();

    /// <summary>Reads a 64-bit register.</summary>
    /// <param name="offset">Register offset.</param>
    /// <returns>The value.</returns>
    public ulong ReadRegister64(ulong offset) => throw new NotImplementedException();

    /// <summary>Writes a 64-bit register.</summary>
    /// <param name="offset">Register offset.</param>
    /// <param name="value">The value.</param>
    public void WriteRegister64(ulong offset, ulong value) => throw new NotImplementedException();

    /// <summary>Translates one device transaction.</summary>
    /// <param name="request">The transaction.</param>
    /// <returns>The outcome.</returns>
    public TranslationResult Translate(in TranslationRequest request) => throw new NotImplementedException();
}
