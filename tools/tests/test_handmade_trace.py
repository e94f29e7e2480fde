"""A few trace lines and a RAM image laid out by hand; every expected value below is worked out in the comments.

RAM (base 0x40000000) holds, one structure per page:
  0x40000000  linear stream table, STRTAB_BASE_CFG = 0x3 (FMT 0, LOG2SIZE 3: StreamIDs 0..7)   IHI0070 §5.2
              sid 0: stage 1 (Config 0b101) -> CD at 0x40001000
              sid 1: stage 2 (Config 0b110), VMID 1, S2T0SZ 32, S2SL0 1 (4K: start level 1), S2TTB 0x40005000
              sid 2: bypass (Config 0b100); sid 3: V=0
              sid 4: nested (Config 0b111): CD at IPA 0x1000, stage 2 as sid 1's but S2TTB 0x40008000
  0x40001000  CD: T0SZ 25 (39-bit IA: 4 - ceil((39 - 12) / 9) = start level 1), TG0 4K, TTB0 0x40002000   §5.4
  0x40002000  S1 level 1: [0] table -> 0x40003000
  0x40003000  S1 level 2: [0] table -> 0x40004000; [1] 2 MB block -> 0x40600000 (IA 0x200000-0x3fffff)
  0x40004000  S1 level 3: [1] page 0x40010000 AP[2]=0 (RW); [2] page 0x40011000 AP[2]=1 (RO); [3] invalid;
              [4] page 0x40012000 RW; [6] page 0x40014000 with AF=0
  0x40005000  S2 level 1: [0] table -> 0x40006000
  0x40006000  S2 level 2: [0] table -> 0x40007000
  0x40007000  S2 level 3: [5] page 0x40013000, S2AP 0b10 (write-only)
  0x40010000  a data page with content: a leaf's output page is never read, so it must not reach memory.bin.
Nested, sid 4 (IHI0070 §3.4.1: the CD and stage-1 tables are at IPAs, each read through stage 2):
  0x40008000  S2 level 1: [0] table -> 0x4000d000
  0x4000d000  S2 level 2: [0] table -> 0x4000e000
  0x4000e000  S2 level 3: IPA 0x1000..0x5000 -> PA 0x40009000, 0x4000a000, 0x4000b000, 0x4000c000, 0x40015000, RW
  0x40009000  CD (IPA 0x1000): as above but TTB0 = IPA 0x2000, ASID 2
  0x4000a000  S1 level 1 (IPA 0x2000): [0] table -> IPA 0x3000
  0x4000b000  S1 level 2 (IPA 0x3000): [0] table -> IPA 0x4000
  0x4000c000  S1 level 3 (IPA 0x4000): [1] page -> IPA 0x5000, AP[2]=1 (read-only)
"""

import contextlib
import gzip
import io
import os
import struct
import tempfile
import unittest

from recorder_module import read_lines, read_pages, recorder, write_sparse_ram

RAM_BASE = 0x40000000
AF, TABLE, PAGE_DESC, BLOCK = 1 << 10, 0x3, 0x3, 0x1
AP1, AP2 = 1 << 6, 1 << 7


def qwords(*entries):
    """A 4 KB page with the given (index, value) 8-byte entries."""
    page = bytearray(4096)
    for index, value in entries:
        struct.pack_into("<Q", page, 8 * index, value)
    return bytes(page)


STE_S1 = 0x1 | 0b101 << 1 | 0x40001000  # V, Config, S1ContextPtr (IHI0070 §5.2)
STE_S2_DW2 = 1 | 32 << 32 | 1 << 38 | 2 << 48 | 1 << 51  # VMID 1, S2T0SZ 32, S2SL0 1, S2PS 40-bit, S2AA64
CD_DW0 = 25 | 1 << 30 | 1 << 31 | 1 << 41 | 1 << 48  # T0SZ 25, EPD1, V, AA64, ASID 1 (IHI0070 §5.4)
S2AP_RW = 0b11 << 6

RAM = {
    0x40000000: qwords((0, STE_S1), (8, 0x1 | 0b110 << 1), (10, STE_S2_DW2), (11, 0x40005000),
                       (16, 0x1 | 0b100 << 1), (24, 0b101 << 1),
                       (32, 0x1 | 0b111 << 1 | 0x1000), (34, STE_S2_DW2 + 1), (35, 0x40008000)),
    0x40001000: qwords((0, CD_DW0), (1, 0x40002000)),
    0x40002000: qwords((0, 0x40003000 | TABLE)),
    0x40003000: qwords((0, 0x40004000 | TABLE), (1, 0x40600000 | AF | AP1 | BLOCK)),
    0x40004000: qwords((1, 0x40010000 | AF | AP1 | PAGE_DESC), (2, 0x40011000 | AF | AP2 | AP1 | PAGE_DESC),
                       (4, 0x40012000 | AF | AP1 | PAGE_DESC), (6, 0x40014000 | AP1 | PAGE_DESC)),
    0x40005000: qwords((0, 0x40006000 | TABLE)),
    0x40006000: qwords((0, 0x40007000 | TABLE)),
    0x40007000: qwords((5, 0x40013000 | AF | AP2 | PAGE_DESC)),
    0x40010000: qwords((0, 0xDEADBEEF)),
    0x40008000: qwords((0, 0x4000d000 | TABLE)),
    0x4000d000: qwords((0, 0x4000e000 | TABLE)),
    0x4000e000: qwords(*[(i, pa | AF | S2AP_RW | PAGE_DESC) for i, pa in
                         enumerate((0x40009000, 0x4000a000, 0x4000b000, 0x4000c000, 0x40015000), start=1)]),
    0x40009000: qwords((0, CD_DW0 + (1 << 48)), (1, 0x2000)),
    0x4000a000: qwords((0, 0x3000 | TABLE)),
    0x4000b000: qwords((0, 0x4000 | TABLE)),
    0x4000c000: qwords((1, 0x5000 | AF | AP2 | AP1 | PAGE_DESC)),
}

# QEMU 7.2 and 10 lines, one with the `-msg timestamp=on` prefix, one with an older QEMU's decimal sid, one register
# written by absolute address, STRTAB_BASE written as two 32-bit halves, and lines the tool only counts.
TRACE = """smmu_add_mr smmuv3-iommu-memory-region-0-0
smmuv3_write_mmio addr: 0x80 val:0x12340000 size: 0x4(0)
smmuv3_write_mmio addr: 0x84 val:0x0 size: 0x4(0)
smmuv3_write_mmio addr: 0x88 val:0x3 size: 0x4(0)
smmuv3_read_mmio addr: 0x0 val:0xd40101a size: 0x4(0)
smmuv3_write_mmio addr: 0x80 val:0x40000000 size: 0x4(0)
smmuv3_cmdq_opcode <--- SMMU_CMD_CFGI_STE
smmuv3_cmdq_opcode <--- SMMU_CMD_SYNC
smmuv3_write_mmio addr: 0x9050020 val:0x1 size: 0x4(0)
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x1234 translated=0x40010234 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x2010 translated=0x40011010 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x3008 translated=0x40020008 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x4000 translated=0x40099000 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x6008 translated=0x40014008 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x234567 translated=0x40634567 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-0-0 sid=0x0 iova=0x8000000000 translated=0x1000 perm=0x3
1234@1700000000.000001:smmuv3_translate_success smmuv3-iommu-memory-region-8-1 sid=0x1 iova=0x5abc translated=0x40013abc perm=0x2 stage=2
smmuv3_translate_success smmuv3-iommu-memory-region-8-1 sid=0x1 iova=0x100000000 translated=0x5000 perm=0x3 stage=2
smmuv3_translate_success smmuv3-iommu-memory-region-16-2 sid=2 iova=0x7000 translated=0x7000 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-24-3 sid=0x3 iova=0x1000 translated=0x40010000 perm=0x3
smmuv3_translate_success smmuv3-iommu-memory-region-32-4 sid=0x4 iova=0x1abc translated=0x40015abc perm=0x1
smmuv3_translate_success smmuv3-iommu-memory-region-72-9 sid=0x9 iova=0x1000 translated=0x40010000 perm=0x3
smmuv3_record_event F_TRANSLATION sid=0x3
smmuv3_translate_abort smmuv3-iommu-memory-region-24-3 sid=0x3 abort on iova:0x1000 is_write=0
"""

EXPECTED_TRANSLATIONS = [
    ["sid", "iova", "qemu_pa", "qemu_perm", "final", "agree", "final_perm"],
    # S1: L1[0] -> L2[0] -> L3[1] = 0x40010000 RW.
    ["0x0", "0x1234", "0x40010234", "0x3", "0x40010234", "yes", "0x3"],
    # L3[2] now read-only (AP[2]=1): same PA, other permission -> no.
    ["0x0", "0x2010", "0x40011010", "0x3", "0x40011010", "no", "0x1"],
    # L3[3] invalid -> unmapped by the end.
    ["0x0", "0x3008", "0x40020008", "0x3", "fault", "-", "-"],
    # L3[4] now maps 0x40012000, QEMU saw 0x40099000 -> no.
    ["0x0", "0x4000", "0x40099000", "0x3", "0x40012000", "no", "0x3"],
    # L3[6] has AF=0 and the CD neither AFFD nor HA: Access flag fault.
    ["0x0", "0x6008", "0x40014008", "0x3", "fault", "-", "-"],
    # L2[1] 2 MB block at 0x40600000; offset 0x34567 inside it.
    ["0x0", "0x234567", "0x40634567", "0x3", "0x40634567", "yes", "0x3"],
    # 2^39 is beyond T0SZ 25's 39-bit input range -> translation fault before any read.
    ["0x0", "0x8000000000", "0x1000", "0x3", "fault", "-", "-"],
    # S2: L1[0] -> L2[0] -> L3[5] = 0x40013000, S2AP write-only (0x2).
    ["0x1", "0x5abc", "0x40013abc", "0x2", "0x40013abc", "yes", "0x2"],
    # 2^32 is beyond S2T0SZ 32's 32-bit IPA range.
    ["0x1", "0x100000000", "0x5000", "0x3", "fault", "-", "-"],
    # Bypass STE: output = input, read/write.
    ["0x2", "0x7000", "0x7000", "0x3", "0x7000", "yes", "0x3"],
    # V=0 STE.
    ["0x3", "0x1000", "0x40010000", "0x3", "fault", "-", "-"],
    # Nested: CD IPA 0x1000 -> 0x40009000; S1 tables at IPAs 0x2000/0x3000/0x4000 read through stage 2; the S1 leaf
    # gives IPA 0x5000 read-only, stage 2 maps it to 0x40015000 read/write: read-only overall.
    ["0x4", "0x1abc", "0x40015abc", "0x1", "0x40015abc", "yes", "0x1"],
    # StreamID 9 >= 2^LOG2SIZE = 8.
    ["0x9", "0x1000", "0x40010000", "0x3", "fault", "-", "-"],
]

# Last write per register, in the order of those last writes: 0x84 (line 3), 0x88 (4), 0x80 (6), CR0 (9).
EXPECTED_REGS = [["offset", "size", "value"], ["0x84", "4", "0x0"], ["0x88", "4", "0x3"], ["0x80", "4", "0x40000000"],
                 ["0x20", "4", "0x1"]]

EXPECTED_MMIO = [["op", "offset", "size", "value"], ["W", "0x80", "4", "0x12340000"], ["W", "0x84", "4", "0x0"],
                 ["W", "0x88", "4", "0x3"], ["R", "0x0", "4", "0xd40101a"], ["W", "0x80", "4", "0x40000000"],
                 ["W", "0x20", "4", "0x1"]]

# Every structure page; not the data pages 0x40010000 and 0x40015000 (a leaf's output is never read).
EXPECTED_PAGES = [0x40000000, 0x40001000, 0x40002000, 0x40003000, 0x40004000, 0x40005000, 0x40006000, 0x40007000,
                  0x40008000, 0x40009000, 0x4000a000, 0x4000b000, 0x4000c000, 0x4000d000, 0x4000e000]


def tsv(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


class HandmadeTrace(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.ram = self.path("ram.bin")
        write_sparse_ram(self.ram, RAM, RAM_BASE, 1 << 20)
        self.trace = self.path("trace.log")
        with open(self.trace, "w", encoding="utf-8") as f:
            f.write(TRACE)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def convert(self, trace=None, ram=None, args=()):
        out = self.path("recording")
        with contextlib.redirect_stdout(io.StringIO()):  # the summary the command prints
            recorder.main([trace or self.trace, ram or self.ram, "-o", out, *args])
        return out

    def assert_recording(self, out, translations="translations.tsv"):
        self.assertEqual(tsv(os.path.join(out, translations)), EXPECTED_TRANSLATIONS)
        self.assertEqual(tsv(os.path.join(out, "regs.tsv")), EXPECTED_REGS)
        self.assertEqual(tsv(os.path.join(out, "mmio.tsv")), EXPECTED_MMIO)
        pages = read_pages(os.path.join(out, "memory.bin"))
        self.assertEqual(sorted(pages), EXPECTED_PAGES)
        for pa in EXPECTED_PAGES:
            self.assertEqual(pages[pa], RAM[pa], f"page {pa:#x}")

    def test_raw_ram_dump(self):
        self.assert_recording(self.convert())

    def test_summary_counts(self):
        summary = read_lines(os.path.join(self.convert(), "summary.txt"))
        for line in [
            "mmio accesses: 6 (writes 5)",
            "stream table: base 0x40000000 fmt 0 split 0 log2size 3",
            "ste sid 0x2: bypass",
            "ste sid 0x3: invalid",
            "ste sid 0x9: outside the stream table",
            "translations traced: 13; distinct (sid, page): 13; sids: ['0x0', '0x1', '0x2', '0x3', '0x4', '0x9']",
            "final-walk agreement with QEMU: yes 5, no 2, unmapped-or-other 6",
            "pages in memory.bin: 15",
            "commands consumed: 2; SMMU_CMD_CFGI_STE 1; SMMU_CMD_SYNC 1",
            "events recorded: 1; F_TRANSLATION 1",
            "smmuv3_translate_abort: 1",
            "trace lines: 24",
        ]:
            self.assertIn(line, summary)

    def test_gzip_trace_and_gzip_translations(self):
        packed = self.path("trace.log.gz")
        with gzip.open(packed, "wt", encoding="utf-8") as f:
            f.write(TRACE)
        self.assert_recording(self.convert(trace=packed, args=["--gzip"]), "translations.tsv.gz")

    def test_ram_base_places_the_image(self):
        # Said to start at 0x40100000, the image no longer covers the stream table at 0x40000000: that page reads
        # as zero (every STE invalid, so every row faults) and, holding no RAM, is left out of memory.bin.
        out = self.convert(args=["--ram-base", "0x40100000"])
        finals = {row[4] for row in tsv(os.path.join(out, "translations.tsv"))[1:]}
        self.assertEqual(finals, {"fault"})
        self.assertEqual(read_pages(os.path.join(out, "memory.bin")), {})
        self.assertIn("pages read outside the RAM dump (read as zero): 1", read_lines(os.path.join(out, "summary.txt")))

    def test_elf_core_from_dump_guest_memory(self):
        # dump-guest-memory writes an ELF64 core whose PT_LOAD program headers give each RAM block's guest PA.
        core = self.path("core.elf")
        with open(self.ram, "rb") as f:
            ram = f.read()
        data_offset = 64 + 56
        header = bytearray(64)
        header[:6] = b"\x7fELF\x02\x01"
        struct.pack_into("<HHIQQQIHHHHHH", header, 16, 4, 183, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
        phdr = struct.pack("<IIQQQQQQ", 1, 0, data_offset, 0, RAM_BASE, len(ram), len(ram), 0)
        with open(core, "wb") as f:
            f.write(bytes(header) + phdr + ram)
        self.assert_recording(self.convert(ram=core))

    def test_memory_bin_as_the_ram_input(self):
        # The recording's own memory.bin (--ram-format pages) holds every page the walk reads: same recording again.
        first = self.convert()
        again = self.path("again")
        with contextlib.redirect_stdout(io.StringIO()):
            recorder.main([self.trace, os.path.join(first, "memory.bin"), "--ram-format", "pages", "-o", again])
        self.assert_recording(again)

    def test_a_garbled_line_is_left_out_and_counted(self):
        garbled = self.path("garbled.log")
        with open(garbled, "w", encoding="utf-8") as f:
            f.write(TRACE + "smmuv3_write_mmio addr: (cut off\n")
        out = self.convert(trace=garbled)
        self.assertEqual(tsv(os.path.join(out, "mmio.tsv")), EXPECTED_MMIO)
        self.assertIn("smmuv3 MMIO or translation lines not understood (left out): 1",
                      read_lines(os.path.join(out, "summary.txt")))

    def test_trace_without_smmu_events_is_refused(self):
        other = self.path("other.log")
        with open(other, "w", encoding="utf-8") as f:
            f.write("virtio_blk_req_complete vdev 0x1 req 0x2 status 0\n")
        with self.assertRaises(SystemExit) as refused:
            self.convert(trace=other)
        self.assertIn("-trace 'smmu*'", str(refused.exception))

    def test_torn_memory_bin_is_refused(self):
        torn = self.path("torn.bin")
        with open(torn, "wb") as f:
            f.write(bytes(8 + 100))
        with self.assertRaises(SystemExit) as refused:
            self.convert(ram=torn, args=["--ram-format", "pages"])
        self.assertIn("not a whole number of 4104-byte page records", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
