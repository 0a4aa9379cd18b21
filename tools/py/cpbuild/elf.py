"""The one reader of ELF files and ar archives: enough to check and fix what a build produced.

Reads ELF32 and ELF64, little- and big-endian:
  - e_machine, e_type, e_ident OS ABI, the program interpreter (PT_INTERP);
  - the program headers (type and flags: PT_GNU_STACK, PT_GNU_RELRO, PT_LOAD);
  - the section headers (name, type, flags: .note.GNU-stack of object files);
  - the dynamic section: DT_NEEDED, DT_RPATH, DT_RUNPATH and every other tag with its value;
  - the symbol versions a file requires (.gnu.version_r), e.g. GLIBC_2.17;
  - the dynamic symbol table (.dynsym): name, binding, visibility, defined or not;
iterates the members of ar archives (static libraries, Debian binary packages), and rewrites
dynamic tags in place (retag_dynamic: the interpreter's DT_RUNPATH made DT_RPATH).
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Iterator
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
AR_MAGIC = b"!<arch>\n"

# e_machine values of the ELF specification (the psABIs of Linux's architectures), by the
# names platforms/targets.bzl's elf_machine uses: which one a target has is the table's fact.
MACHINES = {
    3: "EM_386", 8: "EM_MIPS", 20: "EM_PPC", 21: "EM_PPC64", 22: "EM_S390", 40: "EM_ARM",
    62: "EM_X86_64", 183: "EM_AARCH64", 243: "EM_RISCV", 258: "EM_LOONGARCH",
}
ET_TYPES = {1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN"}

# e_ident: class and data encoding.
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB, ELFDATA2MSB = 1, 2

# Program header types and flags.
PT_LOAD = 1
PT_DYNAMIC = 2
PT_INTERP = 3
PT_GNU_STACK = 0x6474E551
PT_GNU_RELRO = 0x6474E552
PF_X, PF_W, PF_R = 1, 2, 4

# Section types and flags.
SHT_SYMTAB = 2
SHT_STRTAB = 3
SHT_DYNAMIC = 6
SHT_DYNSYM = 11
SHT_NOBITS = 8
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_RELA = 4
SHT_REL = 9
SHF_EXECINSTR = 0x4

# Dynamic tags and flags.
DT_NULL = 0
DT_NEEDED = 1
DT_STRTAB = 5
DT_RPATH = 15
DT_TEXTREL = 22
DT_BIND_NOW = 24
DT_RUNPATH = 29
DT_FLAGS = 30
DT_FLAGS_1 = 0x6FFFFFFB
DF_TEXTREL = 0x4
DF_BIND_NOW = 0x8
DF_1_NOW = 0x1

# Each machine's copy relocation type (R_*_COPY): a dynamic executable's copy of a shared
# library's variable, made at load time.
COPY_RELOCATION_TYPES = {"EM_386": 5, "EM_X86_64": 5, "EM_ARM": 20, "EM_AARCH64": 1024, "EM_PPC": 19,
                         "EM_PPC64": 19, "EM_S390": 9, "EM_RISCV": 4, "EM_LOONGARCH": 4, "EM_MIPS": 126}

# Symbol bindings and visibilities.
STB_LOCAL, STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE = 0, 1, 2, 10
STV_DEFAULT = 0
SHN_UNDEF = 0


class ElfError(ValueError):
    """Not an ELF file (or ar archive) this reader understands; the message names the file."""


@dataclasses.dataclass(frozen=True)
class Layout:
    """How one ELF class and byte order lays out the structures this reader uses."""
    wide: bool  # ELF64
    order: str  # struct byte order: "<" or ">"

    @property
    def header(self) -> str:
        """e_type .. e_shstrndx (after e_ident)."""
        return self.order + ("HHIQQQIHHHHHH" if self.wide else "HHIIIIIHHHHHH")

    @property
    def section(self) -> str:
        """name, type, flags, addr, offset, size, link, info, addralign, entsize."""
        return self.order + ("IIQQQQIIQQ" if self.wide else "IIIIIIIIII")

    @property
    def dyn(self) -> str:
        """d_tag (signed), d_val."""
        return self.order + ("qQ" if self.wide else "iI")

    @property
    def sym_size(self) -> int:
        return 24 if self.wide else 16

    def program_header(self, data: bytes | bytearray, offset: int) -> tuple[int, int, int, int]:
        """(p_type, p_flags, p_offset, p_filesz): ELF64 puts p_flags second, ELF32 sixth."""
        if self.wide:
            p_type, p_flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from(self.order + "IIQQQQ", data,
                                                                                     offset)
        else:
            p_type, p_offset, _vaddr, _paddr, p_filesz, _memsz, p_flags = struct.unpack_from(self.order + "7I", data,
                                                                                             offset)
        return p_type, p_flags, p_offset, p_filesz

    def symbol(self, data: bytes, offset: int) -> tuple[int, int, int, int]:
        """(st_name, st_info, st_other, st_shndx)."""
        if self.wide:
            fields: tuple[int, int, int, int] = struct.unpack_from(self.order + "IBBH", data, offset)
            return fields
        st_name, _value, _size, st_info, st_other, st_shndx = struct.unpack_from(self.order + "IIIBBH", data, offset)
        return st_name, st_info, st_other, st_shndx


def layout(data: bytes | bytearray, name: str) -> Layout:
    """The class and byte order e_ident gives, or an ElfError naming the file."""
    if data[:4] != ELF_MAGIC:
        raise ElfError(f"{name}: not an ELF file")
    if len(data) < 16 or data[4] not in (ELFCLASS32, ELFCLASS64) or data[5] not in (ELFDATA2LSB, ELFDATA2MSB):
        ident = tuple(data[4:6])
        raise ElfError(f"{name}: unknown ELF class or data encoding (e_ident class, data {ident})")
    return Layout(wide=data[4] == ELFCLASS64, order="<" if data[5] == ELFDATA2LSB else ">")


@dataclasses.dataclass(frozen=True)
class Segment:
    """A program header: its type (PT_*) and flags (PF_*)."""
    type: int
    flags: int


@dataclasses.dataclass(frozen=True)
class Section:
    """A section header: its name, type (SHT_*), flags (SHF_*), and where its bytes are."""
    name: str
    type: int
    flags: int
    offset: int = 0
    size: int = 0


@dataclasses.dataclass(frozen=True)
class Symbol:
    """An entry of the dynamic symbol table."""
    name: str
    binding: int
    visibility: int
    defined: bool

    @property
    def exported(self) -> bool:
        """Defined here and visible to other objects: GLOBAL/WEAK/UNIQUE binding, default visibility."""
        return (self.defined and self.binding in (STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE)
                and self.visibility == STV_DEFAULT)


@dataclasses.dataclass(frozen=True)
class ElfInfo:
    name: str
    machine: str
    file_type: str
    os_abi: int
    interpreter: str | None
    needed: tuple[str, ...]
    version_needs: tuple[tuple[str, str], ...]  # (library, version name), e.g. ("libc.so.6", "GLIBC_2.17")
    segments: tuple[Segment, ...] = ()
    sections: tuple[Section, ...] = ()
    dynamic: tuple[tuple[int, int], ...] = ()  # (tag, value) of every entry before DT_NULL
    rpath: tuple[str, ...] = ()  # DT_RPATH strings
    runpath: tuple[str, ...] = ()  # DT_RUNPATH strings
    symbols: tuple[Symbol, ...] = ()  # .dynsym
    copy_relocations: tuple[str, ...] = ()  # the .dynsym names R_*_COPY relocations copy
    bits: int = 64  # ELF class: 32 or 64
    endian: str = "little"  # "little" or "big"

    def versions(self, prefix: str) -> list[str]:
        return sorted({version for _lib, version in self.version_needs if version.startswith(prefix)})

    def segment(self, p_type: int) -> Segment | None:
        """The first program header of a type, or None."""
        return next((s for s in self.segments if s.type == p_type), None)

    def section(self, name: str) -> Section | None:
        """The first section of a name, or None."""
        return next((s for s in self.sections if s.name == name), None)

    def dynamic_value(self, tag: int) -> int | None:
        """The value of the first dynamic entry with the tag, or None."""
        return next((value for t, value in self.dynamic if t == tag), None)

    @property
    def bind_now(self) -> bool:
        """Every symbol is bound at load time (DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW)."""
        return (self.dynamic_value(DT_BIND_NOW) is not None
                or bool((self.dynamic_value(DT_FLAGS) or 0) & DF_BIND_NOW)
                or bool((self.dynamic_value(DT_FLAGS_1) or 0) & DF_1_NOW))

    @property
    def textrel(self) -> bool:
        """The file has relocations in read-only segments (DT_TEXTREL or DF_TEXTREL)."""
        return self.dynamic_value(DT_TEXTREL) is not None or bool((self.dynamic_value(DT_FLAGS) or 0) & DF_TEXTREL)


def _cstring(data: bytes, offset: int) -> str:
    end = data.index(b"\0", offset)
    return data[offset:end].decode("utf-8", "replace")


# name, type, flags, addr, offset, size, link, info, addralign, entsize
_SectionHeader = tuple[int, int, int, int, int, int, int, int, int, int]


def _segments(data: bytes, form: Layout, phoff: int, phentsize: int, phnum: int
              ) -> tuple[tuple[Segment, ...], str | None]:
    """The program headers, and the interpreter PT_INTERP names."""
    segments, interpreter = [], None
    for i in range(phnum):
        p_type, p_flags, p_offset, p_filesz = form.program_header(data, phoff + i * phentsize)
        segments.append(Segment(p_type, p_flags))
        if p_type == PT_INTERP:
            interpreter = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return tuple(segments), interpreter


def _section_headers(data: bytes, form: Layout, shoff: int, shentsize: int, shnum: int) -> list[_SectionHeader]:
    return [struct.unpack_from(form.section, data, shoff + i * shentsize) for i in range(shnum)]


def _sections(data: bytes, headers: list[_SectionHeader], shstrndx: int) -> tuple[Section, ...]:
    names_offset = headers[shstrndx][4] if 0 < shstrndx < len(headers) else None
    return tuple(Section(_cstring(data, names_offset + h[0]) if names_offset is not None else "", h[1], h[2],
                         offset=h[4], size=h[5])
                 for h in headers)


def _dynamic(data: bytes, form: Layout, offset: int, size: int, strtab: int
             ) -> tuple[list[tuple[int, int]], dict[int, list[str]]]:
    """The dynamic entries up to DT_NULL, and the strings of DT_NEEDED, DT_RPATH and DT_RUNPATH."""
    entries: list[tuple[int, int]] = []
    strings: dict[int, list[str]] = {DT_NEEDED: [], DT_RPATH: [], DT_RUNPATH: []}
    step = struct.calcsize(form.dyn)
    for j in range(size // step):
        tag, value = struct.unpack_from(form.dyn, data, offset + j * step)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
        if tag in strings:
            strings[tag].append(_cstring(data, strtab + value))
    return entries, strings


def _version_needs(data: bytes, form: Layout, offset: int, count: int, strtab: int) -> list[tuple[str, str]]:
    """Elf32_Verneed and Elf64_Verneed (and their Vernaux) have the same layout."""
    needs = []
    entry = offset
    for _ in range(count):
        _vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from(form.order + "HHIII", data, entry)
        library = _cstring(data, strtab + vn_file)
        aux = entry + vn_aux
        for _ in range(vn_cnt):
            _hash, _flags, _other, vna_name, vna_next = struct.unpack_from(form.order + "IHHII", data, aux)
            needs.append((library, _cstring(data, strtab + vna_name)))
            aux += vna_next
        entry += vn_next
    return needs


def _symbols(data: bytes, form: Layout, offset: int, size: int, strtab: int) -> list[Symbol]:
    symbols = []
    for j in range(1, size // form.sym_size):  # entry 0 is the null symbol
        st_name, st_info, st_other, st_shndx = form.symbol(data, offset + j * form.sym_size)
        symbols.append(Symbol(_cstring(data, strtab + st_name), st_info >> 4, st_other & 3, st_shndx != SHN_UNDEF))
    return symbols


def _relocations(data: bytes, form: Layout, offset: int, size: int, addend: bool) -> list[tuple[int, int]]:
    """(type, symbol index) of each entry of a SHT_REL or SHT_RELA section."""
    fields = form.order + ("QQ" if form.wide else "II") + (("q" if form.wide else "i") if addend else "")
    step = struct.calcsize(fields)
    entries = []
    for j in range(size // step):
        r_info = struct.unpack_from(fields, data, offset + j * step)[1]
        entries.append((r_info & 0xFFFFFFFF, r_info >> 32) if form.wide else (r_info & 0xFF, r_info >> 8))
    return entries


def parse_elf(data: bytes, name: str) -> ElfInfo:
    form = layout(data, name)
    try:
        return _parse(data, form, name)
    except (struct.error, IndexError, ValueError) as error:
        raise ElfError(f"{name}: truncated or malformed ELF file ({error})") from None


def _parse(data: bytes, form: Layout, name: str) -> ElfInfo:
    (e_type, e_machine, _version, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,
     e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(form.header, data, 16)
    segments, interpreter = _segments(data, form, e_phoff, e_phentsize, e_phnum)
    headers = _section_headers(data, form, e_shoff, e_shentsize, e_shnum)

    dynamic: list[tuple[int, int]] = []
    strings: dict[int, list[str]] = {DT_NEEDED: [], DT_RPATH: [], DT_RUNPATH: []}
    version_needs: list[tuple[str, str]] = []
    symbols: list[Symbol] = []
    dynamic_relocations: list[tuple[int, int]] = []
    for _n, sh_type, _f, _a, offset, size, link, info, _al, _entsize in headers:
        if sh_type == SHT_DYNAMIC:
            dynamic, strings = _dynamic(data, form, offset, size, headers[link][4])
        elif sh_type == SHT_GNU_VERNEED:
            version_needs = _version_needs(data, form, offset, info, headers[link][4])
        elif sh_type == SHT_DYNSYM:
            symbols = _symbols(data, form, offset, size, headers[link][4])
        elif sh_type in (SHT_REL, SHT_RELA) and 0 < link < len(headers) and headers[link][1] == SHT_DYNSYM:
            dynamic_relocations += _relocations(data, form, offset, size, sh_type == SHT_RELA)
    machine = MACHINES.get(e_machine, f"EM_{e_machine}")
    copy_type = COPY_RELOCATION_TYPES.get(machine)
    copied = [symbols[index - 1].name for r_type, index in dynamic_relocations
              if r_type == copy_type and 0 < index <= len(symbols)]
    return ElfInfo(
        name=name,
        machine=machine,
        file_type=ET_TYPES.get(e_type, str(e_type)),
        os_abi=data[7],
        interpreter=interpreter,
        needed=tuple(strings[DT_NEEDED]),
        version_needs=tuple(version_needs),
        segments=segments,
        sections=_sections(data, headers, e_shstrndx),
        dynamic=tuple(dynamic),
        rpath=tuple(strings[DT_RPATH]),
        runpath=tuple(strings[DT_RUNPATH]),
        symbols=tuple(symbols),
        copy_relocations=tuple(sorted(set(copied))),
        bits=64 if form.wide else 32,
        endian="little" if form.order == "<" else "big",
    )


def retag_dynamic(data: bytearray, old_tag: int, new_tag: int, *, name: str = "ELF file") -> int:
    """Rewrite, in place, every dynamic entry (each PT_DYNAMIC segment's, up to DT_NULL) whose
    d_tag is old_tag to new_tag, its value kept; return how many changed. Raises ValueError
    (ElfError) naming `name` when the data is not ELF or has no dynamic segment."""
    form = layout(data, name)
    try:
        header = struct.unpack_from(form.header, data, 16)
        phoff, phentsize, phnum = header[4], header[8], header[9]
        step = struct.calcsize(form.dyn)
        dynamic = [(offset, size) for p_type, _flags, offset, size
                   in (form.program_header(data, phoff + i * phentsize) for i in range(phnum)) if p_type == PT_DYNAMIC]
        if not dynamic:
            raise ElfError(f"{name}: no dynamic section (PT_DYNAMIC): a statically linked file")
        changed = 0
        for offset, size in dynamic:
            for at in range(offset, offset + size - step + 1, step):
                tag, value = struct.unpack_from(form.dyn, data, at)
                if tag == DT_NULL:
                    break
                if tag == old_tag:
                    struct.pack_into(form.dyn, data, at, new_tag, value)
                    changed += 1
        return changed
    except struct.error as error:
        raise ElfError(f"{name}: truncated or malformed ELF file ({error})") from None


def ar_members(data: bytes, name: str) -> Iterator[tuple[str, bytes]]:
    """(member name, content) of each member of an ar archive (GNU or SysV long names), symbol
    tables excluded; an ElfError naming the archive when it is not one or is truncated."""
    if data[:8] != AR_MAGIC:
        raise ElfError(f"{name}: not an ar archive")
    offset, long_names = 8, b""
    while offset < len(data):
        header = data[offset:offset + 60]
        if len(header) < 60 or header[58:60] != b"`\n":
            raise ElfError(f"{name}: truncated or malformed ar member header at offset {offset}")
        raw_name = header[:16].decode("utf-8", "replace").rstrip()
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise ElfError(f"{name}: malformed ar member size at offset {offset}") from None
        content = data[offset + 60:offset + 60 + size]
        if len(content) < size:
            raise ElfError(f"{name}: truncated ar member {raw_name!r} ({len(content)} of {size} bytes)")
        offset += 60 + size + (size % 2)
        if raw_name in ("/", "/SYM64/"):
            continue
        if raw_name == "//":
            long_names = content
            continue
        if raw_name.startswith("/") and raw_name[1:].isdigit():
            start = int(raw_name[1:])
            end = long_names.find(b"\n", start)
            if start >= len(long_names) or end < 0:
                raise ElfError(f"{name}: ar member {raw_name!r} names no entry of the long-name table")
            member = long_names[start:end].decode("utf-8", "replace").rstrip("/")
        else:
            member = raw_name.rstrip("/")
        yield member, content


def deterministic_ar(data: bytes, name: str) -> bytes:
    """The ar archive with every member header as `ar D` writes it: date 0, owner 0:0, mode 644
    (0 for the symbol and long-name tables); names, sizes and contents unchanged. Some builds
    archive with `ar U` (ncurses), which records the time and owner of each object."""
    if data[:8] != AR_MAGIC:
        raise ElfError(f"{name}: not an ar archive")
    out, offset = bytearray(data), 8
    while offset < len(data):
        header = data[offset:offset + 60]
        if len(header) < 60 or header[58:60] != b"`\n":
            raise ElfError(f"{name}: truncated or malformed ar member header at offset {offset}")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise ElfError(f"{name}: malformed ar member size at offset {offset}") from None
        table = header[:16].rstrip() in (b"/", b"/SYM64/", b"//")
        if header[:16].rstrip() != b"//":  # GNU ar leaves the long-name table's fields blank
            out[offset + 16:offset + 48] = b"%-12s%-6s%-6s%-8s" % (b"0", b"0", b"0", b"0" if table else b"644")
        offset += 60 + size + (size % 2)
    return bytes(out)


def _starts_with(path: Path, magic: bytes) -> bool:
    """A regular file (not a symlink) whose content starts with `magic`."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as stream:
        return stream.read(len(magic)) == magic


def is_elf(path: Path) -> bool:
    """A regular file (not a symlink) that is an ELF file."""
    return _starts_with(path, ELF_MAGIC)


def is_ar_archive(path: Path) -> bool:
    """A regular file (not a symlink) that is an ar archive (a static library, a .deb)."""
    return _starts_with(path, AR_MAGIC)


def read(path: Path) -> list[ElfInfo]:
    """The ELF files in `path`: itself, or each member of an ar archive."""
    data = path.read_bytes()
    if data[:8] == AR_MAGIC:
        return [parse_elf(content, f"{path.name}({member})") for member, content in ar_members(data, str(path))]
    return [parse_elf(data, path.name)]


def glibc_version_key(version: str) -> tuple[int, ...]:
    """GLIBC_2.17 -> (2, 17); for sorting and comparing with a floor."""
    return tuple(int(part) for part in version.removeprefix("GLIBC_").split(".") if part.isdigit())
