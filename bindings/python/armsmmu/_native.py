"""ctypes declarations of armsmmu.h and the search for libarmsmmu.so (no build step)."""

import ctypes
import os
from pathlib import Path

c_handle = ctypes.c_void_p


class Request(ctypes.Structure):
    """armsmmu_request_t."""

    _fields_ = [
        ("stream_id", ctypes.c_uint32),
        ("substream_id", ctypes.c_uint32),
        ("address", ctypes.c_uint64),
        ("substream_valid", ctypes.c_uint8),
        ("access", ctypes.c_uint8),
        ("privileged", ctypes.c_uint8),
        ("secure", ctypes.c_uint8),
        ("reserved", ctypes.c_uint32),
    ]


class Result(ctypes.Structure):
    """armsmmu_result_t."""

    _fields_ = [
        ("outcome", ctypes.c_uint32),
        ("fault", ctypes.c_uint32),
        ("physical_address", ctypes.c_uint64),
        ("stall_tag", ctypes.c_uint16),
        ("page_shift", ctypes.c_uint8),
        ("fault_recorded", ctypes.c_uint8),
        ("non_secure", ctypes.c_uint8),
        ("reserved", ctypes.c_uint8 * 3),
    ]


# armsmmu_features_t: (name, ctypes type) in header order; the size field comes first.
FEATURE_FIELDS = [("size", ctypes.c_uint32)] + [
    (name, ctypes.c_uint8)
    for name in (
        "stage1 stage2 two_level_stream_table two_level_cd_table granule_4k granule_16k granule_64k stall_model "
        "httu abort_only_termination ats pri ats_record_errors msi sev hyp btm coherent vmid16 asid16 "
        "vmid_wildcard attribute_types_override attribute_permissions_override range_invalidation "
        "small_translation_tables stage2_execute_never2 hierarchical_attribute_disable forced_write_back "
        "break_before_make_level gbpa_abort_at_reset architecture_minor_revision check_driver"
    ).split()
] + [
    (name, ctypes.c_uint32)
    for name in (
        "output_address_bits stream_id_bits substream_id_bits command_queue_log2_size event_queue_log2_size "
        "pri_queue_log2_size stall_max iidr tlb_entries tlb_ways config_cache_entries reserved"
    ).split()
]


class FeaturesStruct(ctypes.Structure):
    """armsmmu_features_t."""

    _fields_ = FEATURE_FIELDS


STATISTICS_NAMES = (
    "tlb_hits tlb_misses tlb_insertions tlb_evictions tlb_invalidated ste_cache_hits ste_cache_misses "
    "cd_cache_hits cd_cache_misses walks descriptor_reads commands command_errors events_written "
    "events_discarded global_errors broadcast_tlbi broadcast_tlbi_ignored"
).split()


class StatisticsStruct(ctypes.Structure):
    """armsmmu_statistics_t."""

    _fields_ = [("size", ctypes.c_uint32), ("reserved", ctypes.c_uint32)] + [
        (name, ctypes.c_uint64) for name in STATISTICS_NAMES
    ]


class BroadcastTlbiStruct(ctypes.Structure):
    """armsmmu_broadcast_tlbi_t (24 bytes)."""

    _fields_ = [
        ("operation", ctypes.c_uint32),
        ("asid", ctypes.c_uint16),
        ("vmid", ctypes.c_uint16),
        ("address", ctypes.c_uint64),
        ("last_level", ctypes.c_int8),
        ("range_granule", ctypes.c_uint8),
        ("range_scale", ctypes.c_uint8),
        ("range_num", ctypes.c_uint8),
        ("exception_level", ctypes.c_uint8),
        ("secure", ctypes.c_uint8),
        ("host_e2h", ctypes.c_uint8),
        ("reserved", ctypes.c_uint8),
    ]


READ_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t)
WRITE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t)
INTERRUPT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32)
STALL_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint16, ctypes.c_int, ctypes.c_int)

_SIGNATURES = {
    "armsmmu_version": (ctypes.c_char_p, []),
    "armsmmu_version_number": (ctypes.c_uint32, []),
    "armsmmu_last_error": (ctypes.c_char_p, []),
    "armsmmu_clear_error": (None, []),
    "armsmmu_features_default": (ctypes.c_int, [ctypes.POINTER(FeaturesStruct)]),
    "armsmmu_get_features": (ctypes.c_int, [c_handle, ctypes.POINTER(FeaturesStruct)]),
    "armsmmu_create": (c_handle, []),
    "armsmmu_create_with_features": (c_handle, [ctypes.POINTER(FeaturesStruct), READ_FN, WRITE_FN, ctypes.c_void_p]),
    "armsmmu_destroy": (None, [c_handle]),
    "armsmmu_reset": (ctypes.c_int, [c_handle]),
    "armsmmu_memory_read": (ctypes.c_int, [c_handle, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t]),
    "armsmmu_memory_write": (ctypes.c_int, [c_handle, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t]),
    "armsmmu_register_read": (ctypes.c_int, [c_handle, ctypes.c_uint64, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint64)]),
    "armsmmu_register_write": (ctypes.c_int, [c_handle, ctypes.c_uint64, ctypes.c_uint, ctypes.c_uint64]),
    "armsmmu_translate": (ctypes.c_int, [c_handle, ctypes.POINTER(Request), ctypes.POINTER(Result)]),
    "armsmmu_port_open": (c_handle, [c_handle]),
    "armsmmu_port_translate": (ctypes.c_int, [c_handle, ctypes.POINTER(Request), ctypes.POINTER(Result)]),
    "armsmmu_port_close": (None, [c_handle]),
    "armsmmu_explain": (
        ctypes.c_int,
        [c_handle, ctypes.POINTER(Request), ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
    ),
    "armsmmu_save": (ctypes.c_int, [c_handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]),
    "armsmmu_restore": (ctypes.c_int, [c_handle, ctypes.c_char_p, ctypes.c_size_t]),
    "armsmmu_set_interrupt_handler": (ctypes.c_int, [c_handle, INTERRUPT_FN, ctypes.c_void_p]),
    "armsmmu_set_stall_handler": (ctypes.c_int, [c_handle, STALL_FN, ctypes.c_void_p]),
    "armsmmu_get_statistics": (ctypes.c_int, [c_handle, ctypes.POINTER(StatisticsStruct)]),
    "armsmmu_reset_statistics": (ctypes.c_int, [c_handle]),
    "armsmmu_broadcast_tlbi": (
        ctypes.c_int,
        [c_handle, ctypes.POINTER(BroadcastTlbiStruct), ctypes.POINTER(ctypes.c_uint32)],
    ),
}


def _candidates():
    explicit = os.environ.get("ARMSMMU_LIBRARY")
    if explicit:
        yield Path(explicit)
        return
    here = Path(__file__).resolve().parent
    yield here / "libarmsmmu.so"
    # A checkout: the README's publish command puts the library in artifacts/native.
    yield here.parents[2] / "artifacts" / "native" / "libarmsmmu.so"
    yield Path("libarmsmmu.so")  # the dynamic loader's search path (LD_LIBRARY_PATH, ldconfig)


def load():
    """Loads libarmsmmu.so: $ARMSMMU_LIBRARY, else next to this package, else artifacts/native, else the loader path."""
    errors = []
    for path in _candidates():
        try:
            library = ctypes.CDLL(str(path) if path.is_absolute() or path.exists() else path.name)
        except OSError as error:
            errors.append(f"{path}: {error}")
            continue
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(library, name)
            function.restype = restype
            function.argtypes = argtypes
        return library
    raise OSError(
        "libarmsmmu.so not found; build it with `dotnet publish src/ArmSmmu.Native -c Release -r linux-x64 "
        "-o artifacts/native` or set ARMSMMU_LIBRARY to its path. Tried: " + "; ".join(errors)
    )
