"""Loads tools/qemu-trace-to-recording.py (a script name with dashes) as a module, and shared test helpers."""

import importlib.util
import os
import struct

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TOOLS)
SCRIPT = os.path.join(TOOLS, "qemu-trace-to-recording.py")

_spec = importlib.util.spec_from_file_location("qemu_trace_to_recording", SCRIPT)
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)

PAGE = 4096


def read_pages(path):
    """memory.bin as {page PA: 4096 bytes}; asserts the record framing is whole."""
    with open(path, "rb") as f:
        data = f.read()
    record = 8 + PAGE
    if len(data) % record:
        raise AssertionError(f"{path}: {len(data)} bytes is not a whole number of {record}-byte page records")
    return {struct.unpack_from("<Q", data, i)[0]: data[i + 8:i + record] for i in range(0, len(data), record)}


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def write_sparse_ram(path, pages, ram_base, size):
    """A raw RAM image like QEMU's `pmemsave`: zero everywhere (sparse on disk) except the given pages."""
    with open(path, "wb") as f:
        f.truncate(size)
        for pa, content in pages.items():
            f.seek(pa - ram_base)
            f.write(content)
