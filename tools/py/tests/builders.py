"""Builders of test inputs (tarballs, ELF files) shared by the tools' tests."""

from __future__ import annotations

import io
import struct
import tarfile
from pathlib import Path



def make_tarball(path: Path, top: str, files: dict[str, bytes]) -> Path:
    """A .tar.gz with every file under `top/`."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def make_elf(machine: int = 62, interpreter: str | None = None,
             version_needs: list[tuple[str, str]] = (), needed: list[str] = ()) -> bytes:
    """A minimal 64-bit little-endian ELF: header, PT_INTERP, .dynstr, .dynamic, .gnu.version_r."""
    strtab = bytearray(b"\0")

    def string(text: str) -> int:
        offset = len(strtab)
        strtab.extend(text.encode() + b"\0")
        return offset

    libraries: dict[str, list[str]] = {}
    for library, version in version_needs:
        libraries.setdefault(library, []).append(version)
    verneed = bytearray()
    for index, (library, versions) in enumerate(libraries.items()):
        last = index == len(libraries) - 1
        verneed += struct.pack("<HHIII", 1, len(versions), string(library), 16, 0 if last else 16 + 16 * len(versions))
        for j, version in enumerate(versions):
            verneed += struct.pack("<IHHII", 0, 0, 0, string(version), 0 if j == len(versions) - 1 else 16)
    dynamic = b"".join(struct.pack("<qQ", 1, string(lib)) for lib in needed) + struct.pack("<qQ", 0, 0)
    interp = (interpreter.encode() + b"\0") if interpreter else b""

    header_size, phentsize, shentsize = 64, 56, 64
    phnum = 1 if interp else 0
    data_start = header_size + phnum * phentsize
    interp_off = data_start
    strtab_off = interp_off + len(interp)
    dynamic_off = strtab_off + len(strtab)
    verneed_off = dynamic_off + len(dynamic)
    shoff = verneed_off + len(verneed)
    sections = [
        (0, 0, 0, 0, 0, 0),  # null
        (3, strtab_off, len(strtab), 0, 0, 0),  # .dynstr (SHT_STRTAB)
        (6, dynamic_off, len(dynamic), 1, 0, 16),  # .dynamic
        (0x6FFFFFFE, verneed_off, len(verneed), 1, len(libraries), 0),  # .gnu.version_r
    ]
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIQQQIHHHHHH", 3, machine, 1, 0, header_size if phnum else 0, shoff, 0,
                                 header_size, phentsize, phnum, shentsize, len(sections), 0)
    phdrs = struct.pack("<IIQQQQQQ", 3, 4, interp_off, 0, 0, len(interp), len(interp), 1) if phnum else b""
    shdrs = b"".join(struct.pack("<IIQQQQIIQQ", 0, t, 0, 0, off, size, link, info, 1, ent)
                     for t, off, size, link, info, ent in sections)
    return header + phdrs + interp + bytes(strtab) + dynamic + bytes(verneed) + shdrs
