#!/usr/bin/env python3
"""Turn a QEMU `-trace 'smmu*'` log plus a guest RAM dump into an ArmSmmu recording.

A recording is the folder `smmu replay` reads (docs/recording-format.md): mmio.tsv, regs.tsv, translations.tsv,
memory.bin and summary.txt. The `final` column is this script's own walk of the RAM dump through the stream table,
STE, CD and translation tables that the last register values select (IHI0070 §3.3, §5, §7; VMSAv8-64 walks).

Standard library only, so it runs wherever python3 does.
"""

import argparse
import gzip
import os
import re
import struct
import sys
from collections import Counter

PAGE = 4096
DEFAULT_RAM_BASE = 0x40000000  # QEMU virt: RAM starts at 1 GiB
DEFAULT_MMIO_BASE = 0x09050000  # QEMU virt: VIRT_SMMU

# Register offsets (IHI0070 §6.3).
CR0, GBPA, STRTAB_BASE, STRTAB_BASE_CFG = 0x20, 0x44, 0x80, 0x88


def parse_int(text):
    """QEMU prints some fields as 0x-hex and, in older versions, the same fields in decimal."""
    return int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text, 10)


# ---------------------------------------------------------------------------------------------------------------
# Trace parsing
# ---------------------------------------------------------------------------------------------------------------

# The log backend prefixes "PID@SECONDS.MICROS:" when QEMU runs with `-msg timestamp=on` (some versions always do).
_PREFIX = re.compile(r"^(?:\d+@\d+\.\d+:)?(?P<event>[a-z0-9_]+)\s?(?P<args>.*)$")
_MMIO = re.compile(r"addr:\s*(?P<addr>0x[0-9a-f]+)\s+val:\s*(?P<val>0x[0-9a-f]+)\s+size:\s*(?P<size>0x[0-9a-f]+)")
_SUCCESS = re.compile(
    r"sid=(?P<sid>(?:0x)?[0-9a-f]+)\s+iova=(?P<iova>0x[0-9a-f]+)\s+"
    r"translated=(?P<pa>0x[0-9a-f]+)\s+perm=(?P<perm>0x[0-9a-f]+)"
)
_OPCODE = re.compile(r"<---\s*(?P<name>\S+)")
_RECORD_EVENT = re.compile(r"^(?P<type>\S+)")


class Trace:
    """What a QEMU smmu* trace says apart from the translations: MMIO accesses, commands, events, bypasses."""

    def __init__(self):
        self.mmio = []  # (op, offset, size, value)
        self.translations = 0  # smmuv3_translate_success lines; read_translations streams them
        self.commands = Counter()  # opcode name -> count (smmuv3_cmdq_opcode)
        self.events = Counter()  # event type -> count (smmuv3_record_event)
        self.others = Counter()  # translate_bypass / translate_disable / translate_abort / range invalidations
        self.lines = 0
        self.unparsed = 0


def _trace_lines(path):
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            yield line.rstrip("\n")


def read_trace(path, mmio_base):
    """Parses QEMU 7.2 to 10 `-trace 'smmu*'` output, plain or gzip, one event a line."""
    trace = Trace()
    for line in _trace_lines(path):
        trace.lines += 1
        _parse_line(trace, line, mmio_base)
    return trace


def read_translations(path):
    """(sid, iova, pa, perm) of every smmuv3_translate_success, in order, streamed: traces can be long."""
    for line in _trace_lines(path):
        if "smmuv3_translate_success" in line:
            a = _SUCCESS.search(line)
            if a:
                sid, iova, pa, perm = a.group("sid", "iova", "pa", "perm")
                yield parse_int(sid), int(iova, 16), int(pa, 16), int(perm, 16)


def _is_gzip(path):
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _parse_line(trace, line, mmio_base):
    m = _PREFIX.match(line)
    if not m:
        return
    event, args = m.group("event"), m.group("args")
    if event in ("smmuv3_read_mmio", "smmuv3_write_mmio"):
        a = _MMIO.search(args)
        if not a:
            trace.unparsed += 1
            return
        offset = int(a.group("addr"), 16)
        # QEMU traces the offset inside the SMMU region; a tool tracing absolute addresses gets them made relative.
        if offset >= mmio_base:
            offset -= mmio_base
        op = "R" if event == "smmuv3_read_mmio" else "W"
        trace.mmio.append((op, offset, int(a.group("size"), 16), int(a.group("val"), 16)))
    elif event == "smmuv3_translate_success":
        if _SUCCESS.search(args):
            trace.translations += 1
        else:
            trace.unparsed += 1
    elif event == "smmuv3_cmdq_opcode":
        a = _OPCODE.search(args)
        trace.commands[a.group("name") if a else "?"] += 1
    elif event == "smmuv3_record_event":
        a = _RECORD_EVENT.search(args)
        trace.events[a.group("type") if a else "?"] += 1
    elif event in ("smmuv3_translate_bypass", "smmuv3_translate_disable", "smmuv3_translate_abort"):
        trace.others[event] += 1
    elif event.endswith("range_inval"):
        trace.others["range invalidations"] += 1


# ---------------------------------------------------------------------------------------------------------------
# Guest memory: a raw `pmemsave` image or a `dump-guest-memory` ELF core
# ---------------------------------------------------------------------------------------------------------------


class GuestMemory:
    """Reads guest physical memory from a dump and remembers every page read, for memory.bin.

    Formats: "raw" (QEMU `pmemsave`: the bytes from ram_base on), "elf" (QEMU `dump-guest-memory`: an ELF64 core
    whose PT_LOAD headers give each block's guest PA), "pages" (a recording's memory.bin), "auto" (elf if the file
    starts with the ELF magic, else raw).
    """

    def __init__(self, path, ram_base, ram_format="auto"):
        self._file = open(path, "rb")
        try:
            self._segments = _segments(self._file, ram_base, ram_format)
        except BaseException:
            self._file.close()
            raise
        self._pages = {}
        self.touched = set()
        self.outside = set()  # pages read that no segment holds: they read as zero

    def close(self):
        self._file.close()

    def read_page(self, page_pa):
        if page_pa not in self._pages:
            self._pages[page_pa] = None
            for pa, offset, size in self._segments:
                if pa <= page_pa and page_pa + PAGE <= pa + size:
                    self._file.seek(offset + page_pa - pa)
                    self._pages[page_pa] = self._file.read(PAGE)
                    break
        return self._pages[page_pa]

    def read64(self, pa):
        page_pa = pa & ~(PAGE - 1)
        data = self.read_page(page_pa)
        if data is None:
            self.outside.add(page_pa)
            return 0
        self.touched.add(page_pa)
        return struct.unpack_from("<Q", data, pa - page_pa)[0]

    def read_qwords(self, pa, count):
        return [self.read64(pa + 8 * i) for i in range(count)]


def _segments(f, ram_base, ram_format):
    """(guest PA, file offset, size) of each stretch of RAM the file holds."""
    if ram_format == "auto":
        ram_format = "elf" if f.read(4) == b"\x7fELF" else "raw"
    if ram_format == "elf":
        return _elf_segments(f)
    if ram_format == "pages":
        return _page_records(f)
    return [(ram_base, 0, os.fstat(f.fileno()).st_size)]


def _elf_segments(f):
    """PT_LOAD segments (guest PA, file offset, size) of a little-endian ELF64 core."""
    f.seek(0)
    header = f.read(64)
    if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        raise SystemExit(f"{f.name}: not a little-endian ELF64 core (QEMU dump-guest-memory without -z/-l/-s/-w)")
    phoff, phentsize, phnum = struct.unpack_from("<Q", header, 32)[0], *struct.unpack_from("<HH", header, 54)
    segments = []
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        p_type, _flags, p_offset, _vaddr, p_paddr, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
        if p_type == 1 and p_filesz:
            segments.append((p_paddr, p_offset, p_filesz))
    return segments


def _page_records(f):
    """Segments of a memory.bin: records of an 8-byte little-endian page PA and the page's 4096 bytes."""
    size = os.fstat(f.fileno()).st_size
    if size % (8 + PAGE):
        raise SystemExit(f"{f.name}: {size} bytes is not a whole number of {8 + PAGE}-byte page records")
    segments = []
    for offset in range(0, size, 8 + PAGE):
        f.seek(offset)
        segments.append((struct.unpack("<Q", f.read(8))[0], offset + 8, PAGE))
    return segments


# ---------------------------------------------------------------------------------------------------------------
# The final walk: stream table -> STE -> (CD ->) translation tables
# ---------------------------------------------------------------------------------------------------------------


class Fault(Exception):
    """The final configuration does not translate this address."""


def bits(value, hi, lo):
    return (value >> lo) & ((1 << (hi - lo + 1)) - 1)


READ, WRITE = 1, 2


class Registers:
    """Register file rebuilt from the writes, byte by byte, so 64-bit registers written as two halves work."""

    def __init__(self, mmio):
        self._bytes = {}
        for op, offset, size, value in mmio:
            if op == "W":
                for i in range(size):
                    self._bytes[offset + i] = (value >> (8 * i)) & 0xFF

    def read(self, offset, size):
        return sum(self._bytes.get(offset + i, 0) << (8 * i) for i in range(size))


class Granule:
    """VMSAv8-64 granule geometry (IHI0070 §7, Arm ARM D8.2): g = log2(size), s = bits resolved per level."""

    def __init__(self, g):
        self.g, self.s = g, g - 3

    def shift(self, level):
        return self.g + self.s * (3 - level)


_TG0 = {0: 12, 1: 16, 2: 14}  # CD.TG0 and STE.S2TG encodings
_TG1 = {1: 14, 2: 12, 3: 16}  # CD.TG1 encoding differs (IHI0070 §5.4)


class Walker:
    """Walks the final memory image as the final register state says (4K/16K/64K granules, stage 1, 2, nested)."""

    def __init__(self, memory, registers):
        self.mem = memory
        self.regs = registers
        self._cache = {}

    def translate(self, sid, iova):
        """(PA, permission) of iova for sid in the final state, or None when it faults."""
        key = (sid, iova >> 12)
        if key not in self._cache:
            try:
                pa, perm = self._translate_page(sid, iova & ~0xFFF)
                self._cache[key] = (pa, perm)
            except Fault:
                self._cache[key] = None
        result = self._cache[key]
        return None if result is None else (result[0] | (iova & 0xFFF), result[1])

    def _translate_page(self, sid, iova):
        # IHI0070 §6.3.9: with SMMUEN=0 traffic bypasses unless GBPA.ABORT.
        if not self.regs.read(CR0, 4) & 1:
            if self.regs.read(GBPA, 4) >> 20 & 1:
                raise Fault()
            return iova, READ | WRITE
        ste = self.ste(sid)
        if not ste[0] & 1:
            raise Fault()  # V=0: C_BAD_STE
        config = bits(ste[0], 3, 1)
        if config < 4:
            raise Fault()  # abort
        ipa, perm = iova, READ | WRITE
        if config & 1:
            ipa, perm = self._stage1(ste, iova)
        if config & 2:
            pa, perm2 = self.stage2(ste, ipa)
            return pa, perm & perm2
        return ipa, perm

    def ste(self, sid):
        """The 8 STE qwords for sid, following STRTAB_BASE_CFG (IHI0070 §3.3, §6.3.24)."""
        base = bits(self.regs.read(STRTAB_BASE, 8), 51, 6) << 6
        cfg = self.regs.read(STRTAB_BASE_CFG, 4)
        log2size, split, fmt = bits(cfg, 5, 0), bits(cfg, 10, 6), bits(cfg, 17, 16)
        if sid >= 1 << log2size:
            raise Fault()
        if fmt != 1:
            return self.mem.read_qwords(base + 64 * sid, 8)
        # IHI0070 §5.1: 2-level table; L1STD.Span gives the L2 array size.
        l1 = self.mem.read64(base + 8 * (sid >> split))
        span = bits(l1, 4, 0)
        low = sid & ((1 << split) - 1)
        if span == 0 or span > split + 1 or low >= 1 << (span - 1):
            raise Fault()
        return self.mem.read_qwords((bits(l1, 51, 6) << 6) + 64 * low, 8)

    def _input_ipa(self, ste, ipa):
        """Stage-1 structure addresses are IPAs when stage 2 also translates (IHI0070 §3.4.1)."""
        return self.stage2(ste, ipa)[0] if bits(ste[0], 3, 1) == 7 else ipa

    def cd(self, ste):
        """CD 0 of the STE's context table: the CD used by traffic without a SubstreamID (IHI0070 §5.2, §5.4)."""
        ptr = bits(ste[0], 51, 6) << 6
        cdmax, fmt, s1dss = bits(ste[0], 63, 59), bits(ste[0], 5, 4), bits(ste[1], 1, 0)
        if cdmax and s1dss != 2:
            if s1dss == 1:
                return None  # S1DSS=bypass: stage 1 is skipped
            raise Fault()  # S1DSS=terminate (or reserved)
        if cdmax and fmt in (1, 2):
            l1 = self.mem.read64(self._input_ipa(ste, ptr))
            if not l1 & 1:
                raise Fault()
            ptr = bits(l1, 51, 12) << 12
        return self.mem.read_qwords(self._input_ipa(ste, ptr), 8)

    def _stage1(self, ste, iova):
        cd = self.cd(ste)
        if cd is None:
            return iova, READ | WRITE  # S1DSS=bypass
        if not bits(cd[0], 31, 31):
            raise Fault()  # CD.V=0: C_BAD_CD
        t0sz, t1sz = bits(cd[0], 5, 0), bits(cd[0], 21, 16)
        if iova < 1 << (64 - t0sz):
            if bits(cd[0], 14, 14):
                raise Fault()  # EPD0
            tsz, granule, ttb = t0sz, _TG0.get(bits(cd[0], 7, 6)), bits(cd[1], 51, 4) << 4
        elif iova >= (1 << 64) - (1 << (64 - t1sz)):
            if bits(cd[0], 30, 30):
                raise Fault()  # EPD1
            tsz, granule, ttb = t1sz, _TG1.get(bits(cd[0], 23, 22)), bits(cd[2], 51, 4) << 4
            iova &= (1 << (64 - t1sz)) - 1
        else:
            raise Fault()
        if granule is None:
            raise Fault()
        g = Granule(granule)
        inputsize = 64 - tsz
        start = 4 - -(-(inputsize - g.g) // g.s)  # IHI0070 §7 / Arm ARM D8.2.6: start = 4 - ceil((ia - g) / s)
        af_fault = not (bits(cd[0], 35, 35) or bits(cd[0], 43, 43))  # CD.AFFD or CD.HA (IHI0070 §5.4)
        return self._walk(g, start, inputsize, ttb, iova, 1, af_fault, table_ipa=lambda a: self._input_ipa(ste, a))

    def stage2(self, ste, ipa):
        """Stage-2 walk from the STE's VTCR fields (IHI0070 §5.2; Arm ARM D8.2 S2SL0 and concatenation)."""
        granule = _TG0.get(bits(ste[2], 47, 46))
        if granule is None:
            raise Fault()
        g = Granule(granule)
        inputsize = 64 - bits(ste[2], 37, 32)
        sl0 = bits(ste[2], 39, 38)
        start = (2 if g.g == 12 else 3) - sl0
        if ipa >= 1 << inputsize or start < 0:
            raise Fault()
        af_fault = not (bits(ste[2], 53, 53) or bits(ste[2], 56, 56))  # STE.S2AFFD or S2HA (IHI0070 §5.2)
        return self._walk(g, start, inputsize, bits(ste[3], 51, 4) << 4, ipa, 2, af_fault, table_ipa=lambda a: a)

    def _walk(self, g, start, inputsize, ttb, ia, stage, af_fault, table_ipa):
        """Descriptor walk; the start level may resolve more than s bits (stage-2 concatenated tables)."""
        if ia >= 1 << inputsize:
            raise Fault()
        index_bits = inputsize - g.shift(start)
        table = ttb & ~((1 << (index_bits + 3)) - 1)
        no_write = False
        oa_mask = ((1 << 48) - 1) & ~((1 << g.g) - 1)
        for level in range(start, 4):
            width = index_bits if level == start else g.s
            index = (ia >> g.shift(level)) & ((1 << width) - 1)
            desc = self.mem.read64(table_ipa(table) + 8 * index)
            kind = desc & 3
            if kind == 3 and level < 3:
                if stage == 1:
                    no_write |= bool(desc >> 62 & 1)  # APTable[1]: no writes below (Arm ARM D8.4.2)
                table = desc & oa_mask
                continue
            if kind == 1 and level in (1, 2) or kind == 3 and level == 3:
                if af_fault and not desc >> 10 & 1:
                    raise Fault()  # AF=0: Access flag fault (Arm ARM D8.5)
                return self._leaf(g, level, desc, ia, stage, no_write)
            raise Fault()  # invalid, or a block where none is allowed
        raise Fault()

    @staticmethod
    def _leaf(g, level, desc, ia, stage, no_write):
        size = 1 << g.shift(level)
        pa = (desc & ((1 << 48) - 1) & ~(size - 1)) | (ia & (size - 1))
        if stage == 1:
            # AP[2] (bit 7) = read-only; Linux sets AP[1] for every mapping and the SMMU's privileged data reads see it.
            perm = READ | (0 if desc >> 7 & 1 or no_write else WRITE)
        else:
            perm = bits(desc, 7, 6)  # S2AP: bit 6 read, bit 7 write (Arm ARM D8.4.3)
        return pa, perm


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------


def last_writes(mmio):
    """(offset, size, value) of the last write to each offset, in the order of those last writes."""
    last = {}
    for position, (op, offset, size, value) in enumerate(mmio):
        if op == "W":
            last[offset] = (position, size, value)
    return [(offset, size, value) for offset, (_, size, value) in sorted(last.items(), key=lambda kv: kv[1][0])]


class TranslationTally:
    """Counts for summary.txt, kept while the rows stream past."""

    def __init__(self):
        self.rows = 0
        self.agree = Counter()
        self.sids = set()
        self.pages = set()  # (sid, iova page)

    def add(self, sid, iova, agree):
        self.rows += 1
        self.agree[agree] += 1
        self.sids.add(sid)
        self.pages.add((sid, iova >> 12))


def translation_rows(translations, walker, tally):
    """translations.tsv rows: QEMU's answer then the final walk's; agree compares PA and permission."""
    for sid, iova, pa, perm in translations:
        final = walker.translate(sid, iova)
        if final is None:
            row = (hex(sid), hex(iova), hex(pa), hex(perm), "fault", "-", "-")
        else:
            agree = "yes" if final == (pa, perm) else "no"
            row = (hex(sid), hex(iova), hex(pa), hex(perm), hex(final[0]), agree, hex(final[1]))
        tally.add(sid, iova, row[5])
        yield row


def write_tsv(path, header, rows):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(str(c) for c in row) + "\n")


def write_memory(path, memory):
    with open(path, "wb") as f:
        for page_pa in sorted(memory.touched):
            f.write(struct.pack("<Q", page_pa))
            f.write(memory.read_page(page_pa))


def describe_ste(sid, walker):
    try:
        ste = walker.ste(sid)
    except Fault:
        return f"ste sid {hex(sid)}: outside the stream table"
    config = bits(ste[0], 3, 1)
    if not ste[0] & 1 or config < 4:
        return f"ste sid {hex(sid)}: {'abort' if ste[0] & 1 else 'invalid'}"
    if config == 4:
        return f"ste sid {hex(sid)}: bypass"
    parts = [f"ste sid {hex(sid)}:", {5: "S1", 6: "S2", 7: "S1+S2"}[config]]
    if config & 1:
        parts += [f"s1contextptr {hex(bits(ste[0], 51, 6) << 6)} s1cdmax {bits(ste[0], 63, 59)}"]
        try:
            cd = walker.cd(ste)
            if cd is not None:
                parts += [
                    f"asid {bits(cd[0], 63, 48)} t0sz {bits(cd[0], 5, 0)} tg0 {bits(cd[0], 7, 6)}"
                    f" ips {bits(cd[0], 34, 32)} epd1 {bits(cd[0], 30, 30)} ttb0 {hex(bits(cd[1], 51, 4) << 4)}"
                ]
        except Fault:
            parts += ["cd unreadable"]
    if config & 2:
        s2 = ste[2]
        parts += [
            f"vmid {bits(s2, 15, 0)} s2t0sz {bits(s2, 37, 32)} s2sl0 {bits(s2, 39, 38)} s2tg {bits(s2, 47, 46)}"
            f" s2ps {bits(s2, 50, 48)} s2aa64 {bits(s2, 51, 51)} s2affd {bits(s2, 53, 53)} s2ptw {bits(s2, 54, 54)}"
            f" s2r {bits(s2, 58, 58)} s2ttb {hex(bits(ste[3], 51, 4) << 4)}"
        ]
    return " ".join(parts)


def summary_lines(trace, registers, walker, tally, memory):
    writes = sum(1 for access in trace.mmio if access[0] == "W")
    cfg = registers.read(STRTAB_BASE_CFG, 4)
    sids = sorted(hex(sid) for sid in tally.sids)
    agree = tally.agree
    lines = [
        f"mmio accesses: {len(trace.mmio)} (writes {writes})",
        f"stream table: base {hex(bits(registers.read(STRTAB_BASE, 8), 51, 6) << 6)} fmt {bits(cfg, 17, 16)}"
        f" split {bits(cfg, 10, 6)} log2size {bits(cfg, 5, 0)}",
    ]
    lines += [describe_ste(sid, walker) for sid in sorted(tally.sids)]
    lines += [
        f"translations traced: {tally.rows}; distinct (sid, page): {len(tally.pages)}; sids: {sids}",
        f"final-walk agreement with QEMU: yes {agree['yes']}, no {agree['no']}, unmapped-or-other {agree['-']}",
        f"pages in memory.bin: {len(memory.touched)}",
        f"commands consumed: {sum(trace.commands.values())}"
        + "".join(f"; {name} {n}" for name, n in sorted(trace.commands.items())),
        f"events recorded: {sum(trace.events.values())}"
        + "".join(f"; {name} {n}" for name, n in sorted(trace.events.items())),
    ]
    lines += [f"{name}: {n}" for name, n in sorted(trace.others.items())]
    lines.append(f"trace lines: {trace.lines}")
    if trace.unparsed:
        lines.append(f"smmuv3 MMIO or translation lines not understood (left out): {trace.unparsed}")
    if memory.outside:
        lines.append(f"pages read outside the RAM dump (read as zero): {len(memory.outside)}")
    return lines


def convert(trace_path, ram_path, out_dir, ram_base=DEFAULT_RAM_BASE, mmio_base=DEFAULT_MMIO_BASE, gz=False,
            ram_format="auto"):
    """Writes the recording; returns its summary lines."""
    trace = read_trace(trace_path, mmio_base)
    if not trace.mmio and not trace.translations:
        raise SystemExit(
            f"{trace_path}: no smmuv3 MMIO accesses or translations found; was QEMU run with -trace 'smmu*'?")
    registers = Registers(trace.mmio)
    memory = GuestMemory(ram_path, ram_base, ram_format)
    try:
        walker = Walker(memory, registers)
        tally = TranslationTally()
        rows = translation_rows(read_translations(trace_path), walker, tally)
        os.makedirs(out_dir, exist_ok=True)
        write_tsv(os.path.join(out_dir, "mmio.tsv"), ("op", "offset", "size", "value"),
                  [(op, hex(o), s, hex(v)) for op, o, s, v in trace.mmio])
        write_tsv(os.path.join(out_dir, "regs.tsv"), ("offset", "size", "value"),
                  [(hex(o), s, hex(v)) for o, s, v in last_writes(trace.mmio)])
        header = ("sid", "iova", "qemu_pa", "qemu_perm", "final", "agree", "final_perm")
        write_tsv(os.path.join(out_dir, "translations.tsv" + (".gz" if gz else "")), header, rows)
        lines = summary_lines(trace, registers, walker, tally, memory)
        write_memory(os.path.join(out_dir, "memory.bin"), memory)
    finally:
        memory.close()
    with open(os.path.join(out_dir, "summary.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Turn a QEMU -trace 'smmu*' log and a guest RAM dump into a recording folder for `smmu replay`.")
    parser.add_argument("trace", help="QEMU trace log (-D file), plain or .gz")
    parser.add_argument("ram", help="guest RAM: raw `pmemsave` image, `dump-guest-memory` ELF core, or memory.bin")
    parser.add_argument("-o", "--output", required=True, help="recording folder to write (created if missing)")
    parser.add_argument("--ram-format", choices=("auto", "raw", "elf", "pages"), default="auto",
                        help="raw (pmemsave), elf (dump-guest-memory), pages (a recording's memory.bin); "
                             "auto: elf when the file starts with the ELF magic, else raw")
    parser.add_argument("--ram-base", type=lambda s: int(s, 0), default=DEFAULT_RAM_BASE,
                        help="guest PA of the raw image's first byte (default 0x40000000, QEMU virt)")
    parser.add_argument("--mmio-base", type=lambda s: int(s, 0), default=DEFAULT_MMIO_BASE,
                        help="SMMU MMIO base; absolute trace addresses are made relative to it (default 0x09050000)")
    parser.add_argument("--gzip", action="store_true", help="write translations.tsv.gz instead of translations.tsv")
    args = parser.parse_args(argv)
    for path in (args.trace, args.ram):
        if not os.path.isfile(path):
            parser.error(f"{path}: not a file")
    lines = convert(args.trace, args.ram, args.output, args.ram_base, args.mmio_base, args.gzip, args.ram_format)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
