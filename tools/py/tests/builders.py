"""Builders of test inputs (tarballs, ELF files) shared by the tools' tests."""

from __future__ import annotations

import dataclasses
import gzip
import io
import struct
import tarfile
from pathlib import Path
from typing import Iterable

import zstandard

def make_tarball(path: Path, top: str, files: dict[str, bytes]) -> Path:
    """A .tar.gz with every file under `top/`."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def make_deb(path: Path, files: dict[str, bytes]) -> Path:
    """A Debian binary package: an ar archive whose data.tar.xz has `files` under ./usr/."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:xz") as archive:
        for directory in (".", "./usr"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for name, content in files.items():
            info = tarfile.TarInfo(f"./usr/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    control = io.BytesIO()
    with tarfile.open(fileobj=control, mode="w:xz"):
        pass
    members = [("debian-binary", b"2.0\n"), ("control.tar.xz", control.getvalue()), ("data.tar.xz", data.getvalue())]
    with path.open("wb") as out:
        out.write(b"!<arch>\n")
        for name, content in members:
            out.write(f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(content):<10}`\n".encode())
            out.write(content + (b"\n" if len(content) % 2 else b""))
    return path


# ELF constants the builders use (the reader's own names, so tests and reader agree).
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_GNU_STACK, PT_GNU_RELRO = 1, 2, 3, 0x6474E551, 0x6474E552
PF_X, PF_W, PF_R = 1, 2, 4
DT_NEEDED, DT_RPATH, DT_TEXTREL, DT_RUNPATH, DT_FLAGS, DT_FLAGS_1 = 1, 15, 22, 29, 30, 0x6FFFFFFB
DF_TEXTREL, DF_BIND_NOW, DF_1_NOW = 0x4, 0x8, 0x1
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STV_DEFAULT, STV_HIDDEN = 0, 2
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
SHT_PROGBITS, SHT_STRTAB, SHT_DYNAMIC, SHT_DYNSYM, SHT_GNU_VERNEED = 1, 3, 6, 11, 0x6FFFFFFE
SHF_EXECINSTR = 0x4

# What a well-linked executable or shared object has: R+X text, R+W data, a non-executable
# stack, RELRO, and BIND_NOW.
GOOD_SEGMENTS = ((PT_LOAD, PF_R | PF_X), (PT_LOAD, PF_R | PF_W), (PT_DYNAMIC, PF_R | PF_W),
                 (PT_GNU_STACK, PF_R | PF_W), (PT_GNU_RELRO, PF_R))
GOOD_DYNAMIC = ((DT_FLAGS, DF_BIND_NOW), (DT_FLAGS_1, DF_1_NOW))


class _Strings:
    """An ELF string table being built: offset of each added string."""

    def __init__(self) -> None:
        self.data = bytearray(b"\0")

    def add(self, text: str) -> int:
        offset = len(self.data)
        self.data.extend(text.encode() + b"\0")
        return offset


def _verneed(strings: _Strings, version_needs: Iterable[tuple[str, str]]) -> tuple[bytes, int]:
    libraries: dict[str, list[str]] = {}
    for library, version in version_needs:
        libraries.setdefault(library, []).append(version)
    verneed = bytearray()
    for index, (library, versions) in enumerate(libraries.items()):
        last = index == len(libraries) - 1
        verneed += struct.pack("<HHIII", 1, len(versions), strings.add(library), 16, 0 if last else 16 + 16 * len(versions))
        for j, version in enumerate(versions):
            verneed += struct.pack("<IHHII", 0, 0, 0, strings.add(version), 0 if j == len(versions) - 1 else 16)
    return bytes(verneed), len(libraries)


def build_elf(*, machine: int = 62, file_type: int = ET_DYN, interpreter: str | None = None,
              needed: Iterable[str] = (), version_needs: Iterable[tuple[str, str]] = (),
              segments: Iterable[tuple[int, int]] = GOOD_SEGMENTS,
              dynamic: Iterable[tuple[int, int]] = GOOD_DYNAMIC,
              rpath: str | None = None, runpath: str | None = None,
              symbols: Iterable[tuple[str, int, int, bool]] = (),
              sections: Iterable[tuple[str, int, int]] = (),
              with_dynamic: bool = True) -> bytes:
    """A minimal 64-bit little-endian ELF file.

    Program headers (type, flags) as given, PT_INTERP added for an interpreter; when
    `with_dynamic`, the sections .dynstr, .dynamic (DT_NEEDED, DT_RPATH, DT_RUNPATH, then the
    `dynamic` (tag, value) pairs), .gnu.version_r and .dynsym (name, binding, visibility,
    defined); then the extra, empty `sections` (name, type, flags), and .shstrtab.
    """
    dynstr = _Strings()
    interp = (interpreter.encode() + b"\0") if interpreter else b""
    entries = [(DT_NEEDED, dynstr.add(lib)) for lib in needed]
    entries += [(tag, dynstr.add(value)) for tag, value in ((DT_RPATH, rpath), (DT_RUNPATH, runpath)) if value]
    entries += list(dynamic)
    dynamic_bytes = b"".join(struct.pack("<qQ", tag, value) for tag, value in entries) + struct.pack("<qQ", 0, 0)
    verneed, verneed_count = _verneed(dynstr, version_needs)
    dynsym = bytes(24) + b"".join(
        struct.pack("<IBBHQQ", dynstr.add(name), (binding << 4) | 2, visibility, 7 if defined else 0, 0, 0)
        for name, binding, visibility, defined in symbols)

    blobs: list[bytes] = []
    # (name, type, flags, content, link, info, entsize) of each section after the null one.
    section_specs: list[tuple[str, int, int, bytes, int, int, int]] = []
    if with_dynamic:
        section_specs += [
            (".dynstr", SHT_STRTAB, 0, bytes(dynstr.data), 0, 0, 0),
            (".dynamic", SHT_DYNAMIC, 0, dynamic_bytes, 1, 0, 16),
            (".gnu.version_r", SHT_GNU_VERNEED, 0, verneed, 1, verneed_count, 0),
            (".dynsym", SHT_DYNSYM, 0, dynsym, 1, 1, 24),
        ]
    section_specs += [(name, sh_type, flags, b"", 0, 0, 0) for name, sh_type, flags in sections]
    shstrtab = _Strings()
    names = [shstrtab.add(spec[0]) for spec in section_specs]
    shstrtab_name = shstrtab.add(".shstrtab")
    section_specs.append((".shstrtab", SHT_STRTAB, 0, bytes(shstrtab.data), 0, 0, 0))
    names.append(shstrtab_name)

    program = list(segments) if file_type != ET_REL else []
    phnum = len(program) + (1 if interp else 0)
    offset = 64 + phnum * 56
    interp_offset = offset
    offset += len(interp)
    headers = [struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    for (name, sh_type, flags, content, link, info, entsize), name_offset in zip(section_specs, names):
        headers.append(struct.pack("<IIQQQQIIQQ", name_offset, sh_type, flags, 0, offset, len(content), link, info, 1,
                                   entsize))
        blobs.append(content)
        offset += len(content)
    shoff = offset
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIQQQIHHHHHH", file_type, machine, 1, 0, 64 if phnum else 0, shoff, 0, 64, 56,
                                 phnum, 64, len(headers), len(headers) - 1)
    phdrs = struct.pack("<IIQQQQQQ", PT_INTERP, PF_R, interp_offset, 0, 0, len(interp), len(interp), 1) if interp else b""
    phdrs += b"".join(struct.pack("<IIQQQQQQ", p_type, p_flags, 0, 0, 0, 0, 0, 1) for p_type, p_flags in program)
    return header + phdrs + interp + b"".join(blobs) + b"".join(headers)


def build_object(*, machine: int = 62, stack_note: bool = True, executable_stack: bool = False) -> bytes:
    """A relocatable object file (a static library's member), with or without .note.GNU-stack."""
    sections = [(".text", SHT_PROGBITS, SHF_EXECINSTR)]
    if stack_note:
        sections.append((".note.GNU-stack", SHT_PROGBITS, SHF_EXECINSTR if executable_stack else 0))
    return build_elf(machine=machine, file_type=ET_REL, sections=sections, with_dynamic=False)


def make_ar(members: dict[str, bytes]) -> bytes:
    """An ar archive (a static library) of the members, GNU format."""
    data = bytearray(b"!<arch>\n")
    for name, content in members.items():
        data += f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(content):<10}`\n".encode()
        data += content + (b"\n" if len(content) % 2 else b"")
    return bytes(data)


def make_elf(machine: int = 62, interpreter: str | None = None,
             version_needs: Iterable[tuple[str, str]] = (), needed: Iterable[str] = ()) -> bytes:
    """A minimal ELF with PT_INTERP, DT_NEEDED and .gnu.version_r only (as check-artifacts sees)."""
    return build_elf(machine=machine, interpreter=interpreter, version_needs=version_needs, needed=needed,
                     segments=(), dynamic=())


@dataclasses.dataclass(frozen=True)
class TarMember:
    """A member of a test archive: a file (content), directory, symlink, or another kind."""
    name: str
    content: bytes | None = None
    kind: bytes = tarfile.REGTYPE
    mode: int = 0o644
    linkname: str = ""


def make_tar(path: Path, members: Iterable[TarMember]) -> Path:
    """A .tar.zst (zstandard) or .tar.gz archive of the members, in the given order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = member.kind
            info.mode = member.mode
            info.linkname = member.linkname
            info.size = len(member.content or b"")
            archive.addfile(info, io.BytesIO(member.content) if member.content is not None else None)
    if path.name.endswith(".zst"):
        path.write_bytes(zstandard.ZstdCompressor(level=1).compress(buffer.getvalue()))
    else:
        with gzip.open(path, "wb") as stream:
            stream.write(buffer.getvalue())
    return path
