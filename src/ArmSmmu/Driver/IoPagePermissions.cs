namespace ArmSmmu.Driver;

/// <summary>Access rights and memory type of a mapping made with <see cref="IoPageTable.Map"/>, after Linux's IOMMU_* prot flags.</summary>
[Flags]
public enum IoPagePermissions
{
    /// <summary>No access: not a valid mapping on its own.</summary>
    None = 0,

    /// <summary>Device reads allowed (stage 1 always readable; stage 2 S2AP[0]).</summary>
    Read = 1,

    /// <summary>Device writes allowed (stage 1 AP[2]=0; stage 2 S2AP[1]).</summary>
    Write = 2,

    /// <summary>Instruction fetches allowed (otherwise stage 1 UXN and PXN, stage 2 XN).</summary>
    Execute = 4,

    /// <summary>Stage 1 only: only privileged transactions may access (AP[1]=0). Ignored at stage 2.</summary>
    Privileged = 8,

    /// <summary>Device memory (stage 1 AttrIndx 2 = Device-nGnRE in the Linux MAIR, stage 2 MemAttr 0b0001).</summary>
    Mmio = 16,

    /// <summary>Normal non-cacheable memory (stage 1 AttrIndx 0, stage 2 MemAttr 0b0101) instead of write-back.</summary>
    NoCache = 32,

    /// <summary>Read and write.</summary>
    ReadWrite = Read | Write,
}
