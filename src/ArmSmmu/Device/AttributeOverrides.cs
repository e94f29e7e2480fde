using ArmSmmu.Structures;

namespace ArmSmmu;

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
        var memory = Incoming;
        bool privileged = request.Privileged;
        bool write = request.Access == AccessKind.Write;
        bool instruction = request.Access == AccessKind.Execute;
        if (features.AttributeTypesOverride)
        {
            if (mtcfg)
            {
                memory = FromStage2MemAttr(memAttr) with { ReadAllocate = memory.ReadAllocate, WriteAllocate = memory.WriteAllocate };
            }

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

            if (memory.Type != MemoryType.Normal)
            {
                // Device memory is always treated as outer shareable and never allocates.
                memory = memory with { Shareability = Shareability.OuterShareable, ReadAllocate = false, WriteAllocate = false, Transient = false };
            }
        }

        if (features.AttributePermissionsOverride)
        {
            privileged = privcfg switch
            {
                2 => false,
                3 => true,
                _ => privileged,
            };
            if (!write)
            {
                instruction = instcfg switch
                {
                    2 => false,
                    3 => true,
                    _ => instruction,
                };
            }
        }

        return new TransactionAttributes(memory, privileged, instruction);
    }

    /// <summary>Decodes the stage-2 MemAttr encoding used by STE.MemAttr, GBPA.MemAttr and MSI attributes (digest 7.7).</summary>
    public static MemoryAttributes FromStage2MemAttr(uint memAttr)
    {
        memAttr &= 0xF;
        if ((memAttr & 0xC) == 0)
        {
            var type = (MemoryType)(memAttr & 3);
            return new MemoryAttributes(type, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false, false);
        }

        // IHI0070 §5.2 MemAttr: the reserved values 0b0100, 0b1000 and 0b1100 behave as Device-nGnRnE.
        if ((memAttr & 3) == 0)
        {
            return MemoryAttributes.DeviceStrict;
        }

        static Cacheability Decode(uint bits) => bits switch
        {
            1 => Cacheability.NonCacheable,
            2 => Cacheability.WriteThrough,
            _ => Cacheability.WriteBack,
        };

        return new MemoryAttributes(MemoryType.Normal, Decode(memAttr & 3), Decode(memAttr >> 2), Shareability.InnerShareable, true, true);
    }
}
