"""Builders of test inputs (tarballs, ELF files) shared by the tools' tests."""

from __future__ import annotations

import dataclasses
import gzip
import io
import struct
import tarfile
from collections.abc import Iterable
from pathlib import Path

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
    path.write_bytes(make_ar(dict(members)))
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
SHT_RELA, SHT_REL = 4, 9
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


def _verneed(strings: _Strings, version_needs: Iterable[tuple[str, str]], order: str) -> tuple[bytes, int]:
    libraries: dict[str, list[str]] = {}
    for library, version in version_needs:
        libraries.setdefault(library, []).append(version)
    verneed = bytearray()
    for index, (library, versions) in enumerate(libraries.items()):
        last = index == len(libraries) - 1
        verneed += struct.pack(order + "HHIII", 1, len(versions), strings.add(library), 16,
                               0 if last else 16 + 16 * len(versions))
        for j, version in enumerate(versions):
            verneed += struct.pack(order + "IHHII", 0, 0, 0, strings.add(version), 0 if j == len(versions) - 1 else 16)
    return bytes(verneed), len(libraries)


@dataclasses.dataclass(frozen=True)
class _Form:
    """The struct layouts of one ELF class and byte order (what the reader must undo)."""
    bits: int
    order: str

    @property
    def wide(self) -> bool:
        return self.bits == 64

    @property
    def dyn(self) -> str:
        return self.order + ("qQ" if self.wide else "iI")

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        """ELF header, program header, section header, symbol."""
        return (64, 56, 64, 24) if self.wide else (52, 32, 40, 16)

    def section(self, *fields: int) -> bytes:
        return struct.pack(self.order + ("IIQQQQIIQQ" if self.wide else "10I"), *fields)

    def program(self, p_type: int, p_flags: int, offset: int, size: int) -> bytes:
        if self.wide:
            return struct.pack(self.order + "IIQQQQQQ", p_type, p_flags, offset, 0, 0, size, size, 1)
        return struct.pack(self.order + "8I", p_type, offset, 0, 0, size, size, p_flags, 1)

    def symbol(self, name: int, info: int, other: int, shndx: int) -> bytes:
        if self.wide:
            return struct.pack(self.order + "IBBHQQ", name, info, other, shndx, 0, 0)
        return struct.pack(self.order + "IIIBBH", name, 0, 0, info, other, shndx)


def build_elf(*, machine: int = 62, file_type: int = ET_DYN, interpreter: str | None = None,
              needed: Iterable[str] = (), version_needs: Iterable[tuple[str, str]] = (),
              segments: Iterable[tuple[int, int]] = GOOD_SEGMENTS,
              dynamic: Iterable[tuple[int, int]] = GOOD_DYNAMIC,
              rpath: str | None = None, runpath: str | None = None,
              symbols: Iterable[tuple[str, int, int, bool]] = (),
              sections: Iterable[tuple[str, int, int]] = (),
              relocations: Iterable[tuple[int, str]] = (),
              with_dynamic: bool = True, bits: int = 64, big_endian: bool = False) -> bytes:
    """A minimal ELF file (64-bit little-endian unless told `bits=32` or `big_endian`).

    Program headers (type, flags) as given, PT_INTERP added for an interpreter; when
    `with_dynamic`, the sections .dynstr, .dynamic (DT_NEEDED, DT_RPATH, DT_RUNPATH, then the
    `dynamic` (tag, value) pairs), .gnu.version_r and .dynsym (name, binding, visibility,
    defined), and for `relocations` ((type, symbol name) of .dynsym's symbols) .rela.dyn (ELF64) or
    .rel.dyn (ELF32); then the extra, empty `sections` (name, type, flags), and .shstrtab. The PT_DYNAMIC
    program headers among `segments` cover .dynamic.
    """
    form = _Form(bits, ">" if big_endian else "<")
    symbols = list(symbols)
    ehsize, phentsize, shentsize, symsize = form.sizes
    dynstr = _Strings()
    interp = (interpreter.encode() + b"\0") if interpreter else b""
    entries = [(DT_NEEDED, dynstr.add(lib)) for lib in needed]
    entries += [(tag, dynstr.add(value)) for tag, value in ((DT_RPATH, rpath), (DT_RUNPATH, runpath)) if value]
    entries += list(dynamic)
    dynamic_bytes = b"".join(struct.pack(form.dyn, tag, value) for tag, value in entries) + struct.pack(form.dyn, 0, 0)
    verneed, verneed_count = _verneed(dynstr, version_needs, form.order)
    dynsym = bytes(symsize) + b"".join(
        form.symbol(dynstr.add(name), (binding << 4) | 2, visibility, 7 if defined else 0)
        for name, binding, visibility, defined in symbols)

    blobs: list[bytes] = []
    # (name, type, flags, content, link, info, entsize) of each section after the null one.
    section_specs: list[tuple[str, int, int, bytes, int, int, int]] = []
    if with_dynamic:
        section_specs += [
            (".dynstr", SHT_STRTAB, 0, bytes(dynstr.data), 0, 0, 0),
            (".dynamic", SHT_DYNAMIC, 0, dynamic_bytes, 1, 0, struct.calcsize(form.dyn)),
            (".gnu.version_r", SHT_GNU_VERNEED, 0, verneed, 1, verneed_count, 0),
            (".dynsym", SHT_DYNSYM, 0, dynsym, 1, 1, symsize),
        ]
        symbol_index = {name: i for i, (name, _b, _v, _d) in enumerate(symbols, 1)}
        wanted = list(relocations)
        if wanted:
            if form.wide:
                relocs = b"".join(struct.pack(form.order + "QQq", 0, (symbol_index[name] << 32) | r_type, 0)
                                  for r_type, name in wanted)
                section_specs.append((".rela.dyn", SHT_RELA, 0, relocs, 4, 0, 24))
            else:
                relocs = b"".join(struct.pack(form.order + "II", 0, (symbol_index[name] << 8) | r_type)
                                  for r_type, name in wanted)
                section_specs.append((".rel.dyn", SHT_REL, 0, relocs, 4, 0, 8))
    section_specs += [(name, sh_type, flags, b"", 0, 0, 0) for name, sh_type, flags in sections]
    shstrtab = _Strings()
    names = [shstrtab.add(spec[0]) for spec in section_specs]
    shstrtab_name = shstrtab.add(".shstrtab")
    section_specs.append((".shstrtab", SHT_STRTAB, 0, bytes(shstrtab.data), 0, 0, 0))
    names.append(shstrtab_name)

    program = list(segments) if file_type != ET_REL else []
    phnum = len(program) + (1 if interp else 0)
    offset = ehsize + phnum * phentsize
    interp_offset = offset
    offset += len(interp)
    headers = [form.section(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    dynamic_at = (0, 0)
    for (_name, sh_type, flags, content, link, info, entsize), name_offset in zip(section_specs, names,
                                                                                  strict=True):
        headers.append(form.section(name_offset, sh_type, flags, 0, offset, len(content), link, info, 1, entsize))
        if sh_type == SHT_DYNAMIC:
            dynamic_at = (offset, len(content))
        blobs.append(content)
        offset += len(content)
    shoff = offset
    ident = b"\x7fELF" + bytes([2 if form.wide else 1, 2 if big_endian else 1, 1, 0]) + bytes(8)
    header = ident + struct.pack(form.order + ("HHIQQQIHHHHHH" if form.wide else "HHIIIIIHHHHHH"), file_type,
                                 machine, 1, 0, ehsize if phnum else 0, shoff, 0, ehsize, phentsize, phnum,
                                 shentsize, len(headers), len(headers) - 1)
    phdrs = form.program(PT_INTERP, PF_R, interp_offset, len(interp)) if interp else b""
    phdrs += b"".join(form.program(p_type, p_flags, *(dynamic_at if p_type == PT_DYNAMIC else (0, 0)))
                      for p_type, p_flags in program)
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
