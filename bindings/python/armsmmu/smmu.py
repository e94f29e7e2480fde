"""The Pythonic layer over the C ABI: Smmu (a context manager), enums, result dataclasses and exceptions."""

import ctypes
import dataclasses
import inspect
from enum import IntEnum
from typing import Callable, Optional, Protocol

from . import _native

_lib = _native.load()


class Access(IntEnum):
    """armsmmu_access_t: the kind of access a transaction makes."""

    READ = 0
    WRITE = 1
    EXECUTE = 2


class Outcome(IntEnum):
    """armsmmu_outcome_t: what happened to a transaction."""

    TRANSLATED = 0
    BYPASSED = 1
    FAULTED = 2
    STALLED = 3


class EventType(IntEnum):
    """Event record numbers (IHI0070 §7.3)."""

    NONE = 0x00
    F_UUT = 0x01
    C_BAD_STREAMID = 0x02
    F_STE_FETCH = 0x03
    C_BAD_STE = 0x04
    F_BAD_ATS_TREQ = 0x05
    F_STREAM_DISABLED = 0x06
    F_TRANSL_FORBIDDEN = 0x07
    C_BAD_SUBSTREAMID = 0x08
    F_CD_FETCH = 0x09
    C_BAD_CD = 0x0A
    F_WALK_EABT = 0x0B
    F_TRANSLATION = 0x10
    F_ADDR_SIZE = 0x11
    F_ACCESS = 0x12
    F_PERMISSION = 0x13
    F_TLB_CONFLICT = 0x20
    F_CFG_CONFLICT = 0x21
    E_PAGE_REQUEST = 0x24
    F_VMS_FETCH = 0x25


class Tlbi(IntEnum):
    """armsmmu_tlbi_t: the broadcast TLBI instructions (Arm ARM names; R forms need FEAT_TLBIRANGE)."""

    VAE1IS = 0
    VALE1IS = 1
    VAAE1IS = 2
    VAALE1IS = 3
    ASIDE1IS = 4
    VMALLE1IS = 5
    IPAS2E1IS = 6
    IPAS2LE1IS = 7
    VMALLS12E1IS = 8
    ALLE1IS = 9
    ALLE2IS = 10
    VAE2IS = 11
    VALE2IS = 12
    RVAE1IS = 13
    RVALE1IS = 14
    RVAAE1IS = 15
    RVAALE1IS = 16
    RIPAS2E1IS = 17
    RIPAS2LE1IS = 18
    VAE3IS = 19
    VALE3IS = 20
    ALLE3IS = 21


class Interrupt(IntEnum):
    """armsmmu_interrupt_t: the wired interrupt lines (IHI0070 §3.18)."""

    EVENTQ = 0
    PRIQ = 1
    GERROR = 2
    CMD_SYNC = 3
    SEV = 4
    PMCG = 5


class ArmSmmuError(Exception):
    """A host mistake reported by the library (never a guest fault): code is the ARMSMMU_ERROR_* value."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


class InvalidArgumentError(ArmSmmuError, ValueError):
    """ARMSMMU_ERROR_INVALID_ARGUMENT."""


class BufferTooSmallError(ArmSmmuError):
    """ARMSMMU_ERROR_BUFFER_TOO_SMALL."""


class MemoryAbortError(ArmSmmuError):
    """ARMSMMU_ERROR_MEMORY_ABORT: the memory does not back that address."""


_ERRORS = {-1: InvalidArgumentError, -2: BufferTooSmallError, -3: MemoryAbortError}


def _check(code: int) -> None:
    if code != 0:
        message = _lib.armsmmu_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(code, ArmSmmuError)(code, message)


def version() -> str:
    """The library's version, "major.minor.patch"."""
    return _lib.armsmmu_version().decode()


@dataclasses.dataclass(frozen=True)
class TranslationResult:
    """armsmmu_result_t: the answer to one transaction."""

    outcome: Outcome
    physical_address: int
    fault: EventType
    stall_tag: int
    page_shift: int
    fault_recorded: bool
    # The output PA space (IHI0070 §3.10): False for Secure, which only a Secure stream can output; False when not ok.
    non_secure: bool = False

    @property
    def ok(self) -> bool:
        """True when the transaction may proceed to physical_address (translated or bypassed)."""
        return self.outcome in (Outcome.TRANSLATED, Outcome.BYPASSED)

    def __str__(self) -> str:
        if self.ok:
            return f"{self.outcome.name} -> {self.physical_address:#x}"
        return f"{self.outcome.name} ({self.fault.name}{', recorded' if self.fault_recorded else ''})"


@dataclasses.dataclass(frozen=True)
class Statistics:
    """armsmmu_statistics_t: counters since creation or reset_statistics()."""

    tlb_hits: int
    tlb_misses: int
    tlb_insertions: int
    tlb_evictions: int
    tlb_invalidated: int
    ste_cache_hits: int
    ste_cache_misses: int
    cd_cache_hits: int
    cd_cache_misses: int
    walks: int
    descriptor_reads: int
    commands: int
    command_errors: int
    events_written: int
    events_discarded: int
    global_errors: int
    broadcast_tlbi: int
    broadcast_tlbi_ignored: int


_FEATURE_NAMES = [name for name, _ in _native.FEATURE_FIELDS if name not in ("size", "reserved", "reserved_byte")]


def _default_features() -> dict:
    raw = _native.FeaturesStruct()
    _check(_lib.armsmmu_features_default(ctypes.byref(raw)))
    return {name: getattr(raw, name) for name in _FEATURE_NAMES}


_DEFAULTS = _default_features()


# Fields of armsmmu_features_t that hold numbers; every other one-byte field is a 0/1 flag.
_NUMERIC_BYTES = {"stall_model", "httu", "break_before_make_level", "architecture_minor_revision"}
_FEATURE_TYPES = {
    name: (int if ctype is not ctypes.c_uint8 or name in _NUMERIC_BYTES else bool)
    for name, ctype in _native.FEATURE_FIELDS
    if name in _FEATURE_NAMES
}


def _features_to_struct(self) -> _native.FeaturesStruct:
    raw = _native.FeaturesStruct()
    _check(_lib.armsmmu_features_default(ctypes.byref(raw)))
    for name in _FEATURE_NAMES:
        setattr(raw, name, int(getattr(self, name)))
    return raw


def _features_from_struct(cls, raw: _native.FeaturesStruct):
    return cls(**{name: _FEATURE_TYPES[name](getattr(raw, name)) for name in _FEATURE_NAMES})


# armsmmu_features_t as a frozen dataclass, one field per C field (see armsmmu.h), defaulting to the library's
# full-featured device: Features(stage2=False, output_address_bits=40, tlb_entries=0).
Features = dataclasses.make_dataclass(
    "Features",
    [(name, kind, dataclasses.field(default=kind(_DEFAULTS[name]))) for name, kind in _FEATURE_TYPES.items()],
    frozen=True,
    namespace={"_to_struct": _features_to_struct, "_from_struct": classmethod(_features_from_struct)},
)
Features.__doc__ = "armsmmu_features_t: the ID-register choices and cache sizes (see armsmmu.h). Defaults: the full device."
Features.__module__ = __name__


class Memory(Protocol):
    """Your own memory for Smmu(memory=...): return None / False for an external abort."""

    def read(self, address: int, length: int) -> Optional[bytes]: ...

    def write(self, address: int, data: bytes) -> bool: ...


class _Handle:
    """A library object released once, by close() or at the end of a with block; _release names the library call."""

    _handle = None
    _release = None

    def close(self) -> None:
        """Releases the object (idempotent)."""
        if self._handle:
            type(self)._release(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Smmu(_Handle):
    """One SMMUv3 device. Use it as a context manager (or call close()) to release it.

    memory: None for the library's built-in sparse memory (zero where never written), or an object with
    read(address, length) -> bytes | None and write(address, data) -> bool; None / False is an external abort.
    Thread safety is the library's: translate() from many threads, program the device from one.
    """

    def __init__(self, features: Optional[Features] = None, memory: Optional[Memory] = None):
        self._handle = None
        self._callbacks = []  # ctypes callback objects must outlive the device
        raw = features._to_struct() if features is not None else None
        read, write = _native.READ_FN(), _native.WRITE_FN()  # NULL: the built-in memory
        if memory is not None:
            read, write = self._memory_callbacks(memory)
            self._callbacks.extend((read, write))
        self._handle = _lib.armsmmu_create_with_features(ctypes.byref(raw) if raw is not None else None, read, write, None)
        if not self._handle:
            _check(-1)  # the library refused the features; its message says which field

    @staticmethod
    def _memory_callbacks(memory: Memory):
        def read(_context, address, buffer, length):
            try:
                data = memory.read(address, length)
            except Exception:  # an exception cannot cross into C: it becomes an external abort
                return 1
            if data is None or len(data) != length:
                return 1
            ctypes.memmove(buffer, bytes(data), length)
            return 0

        def write(_context, address, buffer, length):
            try:
                return 0 if memory.write(address, ctypes.string_at(buffer, length)) else 1
            except Exception:
                return 1

        return _native.READ_FN(read), _native.WRITE_FN(write)

    # ---- lifetime -----------------------------------------------------------------------------------------------
    # close() releases the device (idempotent); every later call raises InvalidArgumentError (a NULL handle).
    _release = staticmethod(_lib.armsmmu_destroy)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter exit the library may already be gone
            pass

    def reset(self) -> None:
        """Power-on reset of registers, queues and caches; memory is kept."""
        _check(_lib.armsmmu_reset(self._handle))

    @property
    def features(self) -> Features:
        raw = _native.FeaturesStruct(size=ctypes.sizeof(_native.FeaturesStruct))
        _check(_lib.armsmmu_get_features(self._handle, ctypes.byref(raw)))
        return Features._from_struct(raw)

    # ---- memory and registers -----------------------------------------------------------------------------------
    def read_memory(self, address: int, length: int) -> bytes:
        buffer = ctypes.create_string_buffer(length)
        _check(_lib.armsmmu_memory_read(self._handle, address, buffer, length))
        return buffer.raw

    def write_memory(self, address: int, data: bytes) -> None:
        data = bytes(data)
        _check(_lib.armsmmu_memory_write(self._handle, address, data, len(data)))

    def read64(self, address: int) -> int:
        """A little-endian 64-bit word of memory."""
        return int.from_bytes(self.read_memory(address, 8), "little")

    def write64(self, address: int, value: int) -> None:
        self.write_memory(address, value.to_bytes(8, "little"))

    def read_register32(self, offset: int) -> int:
        return self._register_read(offset, 4)

    def read_register64(self, offset: int) -> int:
        return self._register_read(offset, 8)

    def write_register32(self, offset: int, value: int) -> None:
        _check(_lib.armsmmu_register_write(self._handle, offset, 4, value))

    def write_register64(self, offset: int, value: int) -> None:
        _check(_lib.armsmmu_register_write(self._handle, offset, 8, value))

    def _register_read(self, offset: int, width: int) -> int:
        value = ctypes.c_uint64()
        _check(_lib.armsmmu_register_read(self._handle, offset, width, ctypes.byref(value)))
        return value.value

    # ---- translation --------------------------------------------------------------------------------------------
    @staticmethod
    def _request(stream_id, address, access, substream_id, privileged, secure) -> _native.Request:
        return _native.Request(
            stream_id=stream_id,
            substream_id=substream_id or 0,
            address=address,
            substream_valid=substream_id is not None,
            access=int(access),
            privileged=bool(privileged),
            secure=bool(secure),
        )

    def translate(
        self,
        stream_id: int,
        address: int,
        access: Access = Access.READ,
        substream_id: Optional[int] = None,
        privileged: bool = False,
        secure: bool = False,
    ) -> TranslationResult:
        """Translates one transaction. A fault is a result (outcome FAULTED), not an exception."""
        request = Smmu._request(stream_id, address, access, substream_id, privileged, secure)
        result = _native.Result()
        _check(self._translate_native(self._handle, ctypes.byref(request), ctypes.byref(result)))
        return Smmu._result(result)

    _translate_native = staticmethod(_lib.armsmmu_translate)

    def open_port(self) -> "Port":
        """A port for one requester: translate() through it gives what Smmu.translate() gives, and it counts its TLB
        hits in a counter of its own (no thread-local lookup). Use it from one thread at a time; close it (or use it as
        a context manager) before closing the device."""
        handle = _lib.armsmmu_port_open(self._handle)
        if not handle:
            _check(-1)
        return Port(self, handle)

    @staticmethod
    def _result(result) -> TranslationResult:
        return TranslationResult(
            Outcome(result.outcome),
            result.physical_address,
            EventType(result.fault) if result.fault in EventType._value2member_map_ else result.fault,
            result.stall_tag,
            result.page_shift,
            bool(result.fault_recorded),
            bool(result.non_secure),
        )

    def explain(self, *args, **kwargs) -> str:
        """Why the SMMU translates this transaction as it does (STE, CD, each descriptor, the result), changing
        nothing. Takes the arguments of translate()."""
        arguments = inspect.signature(Smmu.translate).bind(self, *args, **kwargs)
        arguments.apply_defaults()
        request = self._request(*list(arguments.arguments.values())[1:])
        needed = ctypes.c_size_t()
        code = _lib.armsmmu_explain(self._handle, ctypes.byref(request), None, 0, ctypes.byref(needed))
        if code != -2:
            _check(code)
        buffer = ctypes.create_string_buffer(needed.value)
        _check(_lib.armsmmu_explain(self._handle, ctypes.byref(request), buffer, needed.value, None))
        return buffer.value.decode("utf-8")

    # ---- save and restore (docs/save-restore.md) -----------------------------------------------------------------
    def save_state(self) -> bytes:
        """The device's architectural state as a versioned JSON snapshot (not the caches, not memory)."""
        needed = ctypes.c_size_t()
        code = _lib.armsmmu_save(self._handle, None, 0, ctypes.byref(needed))
        if code != -2:
            _check(code)
        buffer = ctypes.create_string_buffer(needed.value)
        _check(_lib.armsmmu_save(self._handle, buffer, needed.value, ctypes.byref(needed)))
        return buffer.raw[: needed.value]

    def restore_state(self, snapshot: bytes) -> None:
        """Replaces the device's state with a save_state() snapshot of an SMMU with the same features, over the
        memory saved with it. Raises (with the reason) for another format, an unreadable version or other features."""
        _check(_lib.armsmmu_restore(self._handle, snapshot, len(snapshot)))

    # ---- interrupts, stalls, statistics -------------------------------------------------------------------------
    def on_interrupt(self, handler: Optional[Callable[[Interrupt], None]]) -> None:
        """Calls handler(line) when a wired interrupt pulses; None removes it. Runs on the causing thread."""
        callback = _native.INTERRUPT_FN(lambda _context, line: handler(Interrupt(line))) if handler else _native.INTERRUPT_FN()
        self._callbacks.append(callback)
        _check(_lib.armsmmu_set_interrupt_handler(self._handle, callback, None))

    def on_stall_resolved(self, handler: Optional[Callable[[int, int, bool, bool], None]]) -> None:
        """Calls handler(stream_id, stall_tag, retry, abort) when CMD_RESUME / CMD_STALL_TERM resolves a stall."""
        callback = (
            _native.STALL_FN(lambda _c, sid, tag, retry, abort: handler(sid, tag, bool(retry), bool(abort)))
            if handler
            else _native.STALL_FN()
        )
        self._callbacks.append(callback)
        _check(_lib.armsmmu_set_stall_handler(self._handle, callback, None))

    def statistics(self) -> Statistics:
        raw = _native.StatisticsStruct(size=ctypes.sizeof(_native.StatisticsStruct))
        _check(_lib.armsmmu_get_statistics(self._handle, ctypes.byref(raw)))
        return Statistics(*(getattr(raw, name) for name in _native.STATISTICS_NAMES))

    def reset_statistics(self) -> None:
        _check(_lib.armsmmu_reset_statistics(self._handle))

    # ---- broadcast TLB maintenance (IHI0070 §3.17) --------------------------------------------------------------
    def broadcast_tlbi(
        self,
        operation: Tlbi,
        address: int = 0,
        asid: int = 0,
        vmid: int = 0,
        last_level: Optional[int] = None,
        exception_level: int = 1,
        range_granule: int = 0,
        range_scale: int = 0,
        range_num: int = 0,
        secure: bool = False,
        host_e2h: bool = False,
    ) -> int:
        """Delivers a processor's TLBI...IS to the SMMU; returns the number of TLB entries removed (0 while CR2.PTM = 1)."""
        raw = _native.BroadcastTlbiStruct(
            operation=int(operation),
            asid=asid,
            vmid=vmid,
            address=address,
            last_level=-1 if last_level is None else last_level,
            range_granule=range_granule,
            range_scale=range_scale,
            range_num=range_num,
            exception_level=exception_level,
            secure=int(secure),
            host_e2h=int(host_e2h),
        )
        removed = ctypes.c_uint32()
        _check(_lib.armsmmu_broadcast_tlbi(self._handle, ctypes.byref(raw), ctypes.byref(removed)))
        return removed.value


class Port(_Handle):
    """A translation port of an Smmu (Smmu.open_port()); close it or use it as a context manager. Closing it keeps its
    counts in the device's statistics."""

    def __init__(self, smmu: Smmu, handle):
        self._smmu = smmu  # the device outlives the port
        self._handle = handle

    # Smmu.translate through the port's handle and entry point: the same arguments and result.
    translate = Smmu.translate
    _translate_native = staticmethod(_lib.armsmmu_port_translate)
    _release = staticmethod(_lib.armsmmu_port_close)
