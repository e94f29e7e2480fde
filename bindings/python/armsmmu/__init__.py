"""Python binding of libarmsmmu, the Arm SMMUv3 (IHI0070) model, through ctypes.

    from armsmmu import Smmu, Access
    with Smmu() as smmu:
        print(smmu.read_register32(0x0))                  # SMMU_IDR0
        print(smmu.translate(0x10, 0x1000, Access.READ))  # Bypassed until the SMMU is enabled
"""

from .smmu import (
    Access,
    ArmSmmuError,
    BufferTooSmallError,
    EventType,
    Features,
    Interrupt,
    InvalidArgumentError,
    MemoryAbortError,
    Outcome,
    Port,
    Smmu,
    Statistics,
    Tlbi,
    TranslationResult,
    version,
)

__all__ = [
    "Access",
    "ArmSmmuError",
    "BufferTooSmallError",
    "EventType",
    "Features",
    "Interrupt",
    "InvalidArgumentError",
    "MemoryAbortError",
    "Outcome",
    "Port",
    "Smmu",
    "Statistics",
    "Tlbi",
    "TranslationResult",
    "version",
]
