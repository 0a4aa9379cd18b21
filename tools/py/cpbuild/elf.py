"""A small reader of ELF files and ar archives: enough to check what a build produced.

Reads (64-bit little-endian ELF only, which every supported target is):
  - e_machine, e_ident OS ABI, the program interpreter (PT_INTERP);
  - DT_NEEDED entries;
  - the symbol versions a file requires (.gnu.version_r), e.g. GLIBC_2.17;
and iterates the members of ar archives (static libraries).
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path
from typing import Iterator

ELF_MAGIC = b"\x7fELF"
AR_MAGIC = b"!<arch>\n"

MACHINES = {62: "EM_X86_64", 183: "EM_AARCH64", 3: "EM_386", 40: "EM_ARM"}
ET_TYPES = {1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN"}

PT_INTERP = 3
PT_DYNAMIC = 2
SHT_DYNSYM = 11
SHT_GNU_VERNEED = 0x6FFFFFFE
DT_NEEDED = 1
DT_STRTAB = 5


class ElfError(Exception):
    """Not an ELF file this reader understands; the message names the file."""


@dataclasses.dataclass(frozen=True)
class ElfInfo:
    name: str
    machine: str
    file_type: str
    os_abi: int
    interpreter: str | None
    needed: tuple[str, ...]
    version_needs: tuple[tuple[str, str], ...]  # (library, version name), e.g. ("libc.so.6", "GLIBC_2.17")

    def versions(self, prefix: str) -> list[str]:
        return sorted({version for _lib, version in self.version_needs if version.startswith(prefix)})


def _cstring(data: bytes, offset: int) -> str:
    end = data.index(b"\0", offset)
    return data[offset:end].decode("utf-8", "replace")


def parse_elf(data: bytes, name: str) -> ElfInfo:
    if data[:4] != ELF_MAGIC:
        raise ElfError(f"{name}: not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ElfError(f"{name}: only 64-bit little-endian ELF is supported (class {data[4]}, data {data[5]})")
    (e_type, e_machine, _version, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,
     e_shentsize, e_shnum, _shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)

    interpreter = None
    for i in range(e_phnum):
        p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_INTERP:
            interpreter = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()

    sections = []
    for i in range(e_shnum):
        sh = struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
        sections.append(sh)  # name, type, flags, addr, offset, size, link, info, addralign, entsize

    needed: list[str] = []
    version_needs: list[tuple[str, str]] = []
    for _n, sh_type, _f, _a, offset, size, link, info, _al, entsize in sections:
        if sh_type == 6:  # SHT_DYNAMIC
            strtab = sections[link][4]
            for j in range(size // 16):
                tag, value = struct.unpack_from("<qQ", data, offset + j * 16)
                if tag == DT_NEEDED:
                    needed.append(_cstring(data, strtab + value))
        elif sh_type == SHT_GNU_VERNEED:
            strtab = sections[link][4]
            entry = offset
            for _ in range(info):
                _vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, entry)
                library = _cstring(data, strtab + vn_file)
                aux = entry + vn_aux
                for _ in range(vn_cnt):
                    _hash, _flags, _other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                    version_needs.append((library, _cstring(data, strtab + vna_name)))
                    aux += vna_next
                entry += vn_next
    return ElfInfo(
        name=name,
        machine=MACHINES.get(e_machine, f"EM_{e_machine}"),
        file_type=ET_TYPES.get(e_type, str(e_type)),
        os_abi=data[7],
        interpreter=interpreter,
        needed=tuple(needed),
        version_needs=tuple(version_needs),
    )


def ar_members(data: bytes, name: str) -> Iterator[tuple[str, bytes]]:
    """(member name, content) of each member of an ar archive, symbol tables excluded."""
    if data[:8] != AR_MAGIC:
        raise ElfError(f"{name}: not an ar archive")
    offset, long_names = 8, b""
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        raw_name = header[:16].decode().rstrip()
        size = int(header[48:58].decode().strip())
        content = data[offset + 60:offset + 60 + size]
        offset += 60 + size + (size % 2)
        if raw_name in ("/", "/SYM64/"):
            continue
        if raw_name == "//":
            long_names = content
            continue
        if raw_name.startswith("/") and raw_name[1:].isdigit():
            start = int(raw_name[1:])
            member = long_names[start:long_names.index(b"\n", start)].decode().rstrip("/")
        else:
            member = raw_name.rstrip("/")
        yield member, content


def read(path: Path) -> list[ElfInfo]:
    """The ELF files in `path`: itself, or each member of an ar archive."""
    data = path.read_bytes()
    if data[:8] == AR_MAGIC:
        return [parse_elf(content, f"{path.name}({member})") for member, content in ar_members(data, str(path))]
    return [parse_elf(data, path.name)]


def glibc_version_key(version: str) -> tuple[int, ...]:
    """GLIBC_2.17 -> (2, 17); for sorting and comparing with a floor."""
    return tuple(int(part) for part in version.removeprefix("GLIBC_").split(".") if part.isdigit())
