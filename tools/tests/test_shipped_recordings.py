"""Re-derive the shipped recordings from their own trace.log.gz and a RAM dump rebuilt from their memory.bin.

The shipped files were made from the guest's real RAM; a walk only reads pages that memory.bin holds, so a RAM
image holding just those pages (zero elsewhere) must give back the same translations, registers and pages.
"""

import gzip
import os
import subprocess
import sys
import tempfile
import unittest

from recorder_module import REPO, SCRIPT, read_lines, read_pages, write_sparse_ram

RAM_BASE = 0x40000000
RAM_SIZE = 512 << 20  # the recorded machines had -m 512M

# Summary lines that came from the recording session rather than from the trace and RAM (QEMU's version string,
# and a note on the separate script that first added final_perm).
SESSION_NOTES = ("QEMU emulator version", "with final permissions")


def find_recording(name):
    """The first of examples/recordings/NAME and tests/ArmSmmu.Tests/Oracle/NAME that exists, or None."""
    for parent in (("examples", "recordings"), ("tests", "ArmSmmu.Tests", "Oracle")):
        folder = os.path.join(REPO, *parent, name)
        if os.path.isdir(folder):
            return folder
    return None


def read_tsv(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


class ShippedRecording:
    """Mixin: NAME names a recording under examples/recordings (or the older tests/ArmSmmu.Tests/Oracle)."""

    NAME = ""

    @classmethod
    def setUpClass(cls):
        cls.shipped = find_recording(cls.NAME)
        if cls.shipped is None:
            raise unittest.SkipTest(
                f"recording {cls.NAME} is neither in examples/recordings nor in tests/ArmSmmu.Tests/Oracle")
        if not os.path.isfile(os.path.join(cls.shipped, "trace.log.gz")):
            raise unittest.SkipTest(f"{cls.shipped} has no trace.log.gz to re-derive it from")
        cls.tmp = tempfile.TemporaryDirectory()
        ram = os.path.join(cls.tmp.name, "ram.bin")
        write_sparse_ram(ram, read_pages(os.path.join(cls.shipped, "memory.bin")), RAM_BASE, RAM_SIZE)
        cls.made = os.path.join(cls.tmp.name, "recording")
        # Run it as a user would, through the command line.
        cls.process = subprocess.run(
            [sys.executable, SCRIPT, os.path.join(cls.shipped, "trace.log.gz"), ram, "-o", cls.made],
            capture_output=True, text=True, check=False)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_tool_succeeds(self):
        self.assertEqual(self.process.returncode, 0, self.process.stderr)

    def test_mmio_and_registers_equal(self):
        for name in ("mmio.tsv", "regs.tsv"):
            with self.subTest(name):
                self.assertEqual(read_tsv(self.made, name), read_tsv(self.shipped, name))

    def test_translations_equal_row_for_row(self):
        shipped = read_tsv(self.shipped, "translations.tsv")
        made = read_tsv(self.made, "translations.tsv")
        self.assertEqual(made[0], ["sid", "iova", "qemu_pa", "qemu_perm", "final", "agree", "final_perm"])
        # An older copy of a recording may predate the optional final_perm column: compare the columns it has.
        width = len(shipped[0])
        self.assertEqual(len(made), len(shipped))
        for number, (mine, theirs) in enumerate(zip(made, shipped)):
            self.assertEqual(mine[:width], theirs, f"translations.tsv line {number + 1}")

    def test_memory_holds_the_same_pages(self):
        made = read_pages(os.path.join(self.made, "memory.bin"))
        shipped = read_pages(os.path.join(self.shipped, "memory.bin"))
        self.assertEqual(sorted(made), sorted(shipped))
        for pa in shipped:
            self.assertEqual(made[pa], shipped[pa], f"page {pa:#x}")

    def test_memory_bin_as_the_ram_input_gives_the_same_recording(self):
        # --ram-format pages reads a recording's memory.bin directly: how a user re-derives a shipped recording.
        again = os.path.join(self.tmp.name, "again")
        process = subprocess.run(
            [sys.executable, SCRIPT, os.path.join(self.shipped, "trace.log.gz"),
             os.path.join(self.shipped, "memory.bin"), "--ram-format", "pages", "-o", again],
            capture_output=True, text=True, check=False)
        self.assertEqual(process.returncode, 0, process.stderr)
        for name in ("translations.tsv", "regs.tsv", "mmio.tsv", "summary.txt"):
            with self.subTest(name):
                self.assertEqual(read_lines(os.path.join(again, name)), read_lines(os.path.join(self.made, name)))
        self.assertEqual(read_pages(os.path.join(again, "memory.bin")),
                         read_pages(os.path.join(self.made, "memory.bin")))

    def test_summary_repeats_the_shipped_counts(self):
        made = read_lines(os.path.join(self.made, "summary.txt"))
        for line in read_lines(os.path.join(self.shipped, "summary.txt")):
            if not line.startswith(SESSION_NOTES):
                self.assertIn(line, made)


class Linux61Qemu72Strict(ShippedRecording, unittest.TestCase):
    """Stage 1, two-level stream table, QEMU 7.2 trace format."""

    NAME = "linux61-qemu72-strict"


class Linux61Qemu10Stage2Strict(ShippedRecording, unittest.TestCase):
    """Stage 2 only, write-only pages, QEMU 10 trace format."""

    NAME = "linux61-qemu10-s2-strict"


if __name__ == "__main__":
    unittest.main()
