using ArmSmmu.Translation;

namespace ArmSmmu.Device;

/// <summary>
/// The attribute overrides shared by STE (bypass and stage-1-bypassed traffic) and GBPA (SMMUEN = 0):
/// MTCFG/MemAttr, SHCFG, ALLOCCFG, PRIVCFG, INSTCFG (IHI0070 §13.5; the fields have one encoding in both).
/// </summary>
internal static class AttributeOverrides
{
    /// <summary>What a device without its own attributes issues: Normal write-back, read/write-allocate, inner shareable.</summary>
    public static MemoryAttributes Incoming => MemoryAttributes.NormalWriteBack;

    public static TransactionAttributes Apply(
        in TranslationRequest request, SmmuFeatures features, bool mtcfg, uint memAttr, uint shcfg, uint alloccfg, uint privcfg, uint instcfg)
    {
        bool privileged = request.Privileged;
        bool write = request.Access == AccessKind.Write;
        bool instruction = request.Access == AccessKind.Execute;
        if (features.AttributePermissionsOverride)
        {
            privileged = Privileged(privcfg, privileged);
            instruction = Instruction(instcfg, instruction, write);
        }

        return new TransactionAttributes(Memory(features, mtcfg, memAttr, shcfg, alloccfg), privileged, instruction);
    }

    /// <summary>The memory attributes of incoming traffic after MTCFG/MemAttr, SHCFG and ALLOCCFG; they depend on the STE or GBPA alone.</summary>
    public static MemoryAttributes Memory(SmmuFeatures features, bool mtcfg, uint memAttr, uint shcfg, uint alloccfg)
    {
        var memory = Incoming;
        if (!features.AttributeTypesOverride)
        {
            return memory;
        }

        if (mtcfg)
        {
            memory = MemoryAttributeDecoder.FromStage2(memAttr, sh: 3) with { ReadAllocate = memory.ReadAllocate, WriteAllocate = memory.WriteAllocate };
        }

        // IHI0070 §5.2 SHCFG, ALLOCCFG: both only affect memory that is Normal Write-Back or Write-Through at
        // some level; any-Device and Normal iNC-oNC are Outer Shareable and carry no allocation hints.
        bool cacheable = memory.Type == MemoryType.Normal
            && (memory.Inner != Cacheability.NonCacheable || memory.Outer != Cacheability.NonCacheable);
        if (cacheable)
        {
            memory = shcfg switch
            {
                0 => memory with { Shareability = Shareability.NonShareable },
                2 => memory with { Shareability = Shareability.OuterShareable },
                3 => memory with { Shareability = Shareability.InnerShareable },
                _ => memory,
            };

            // ALLOCCFG = 1RWT replaces the allocation and transient hints.
            if ((alloccfg & 8) != 0)
            {
                memory = memory with { ReadAllocate = (alloccfg & 4) != 0, WriteAllocate = (alloccfg & 2) != 0, Transient = (alloccfg & 1) != 0 };
            }
        }
        else
        {
            memory = memory with { Shareability = Shareability.OuterShareable, ReadAllocate = false, WriteAllocate = false, Transient = false };
        }

        return memory;
    }

    /// <summary>PnU after PRIVCFG (STE or GBPA): 0b10 unprivileged, 0b11 privileged, otherwise the incoming value.</summary>
    public static bool Privileged(uint privcfg, bool incoming) => privcfg switch
    {
        2 => false,
        3 => true,
        _ => incoming,
    };

    /// <summary>InD after INSTCFG: 0b10 data, 0b11 instruction, otherwise incoming; writes are always data.</summary>
    public static bool Instruction(uint instcfg, bool incoming, bool write) => !write && instcfg switch
    {
        2 => false,
        3 => true,
        _ => incoming,
    };
}
