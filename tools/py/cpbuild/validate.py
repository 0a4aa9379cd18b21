"""The distribution validator: checks a full (.tar.zst) or install_only (.tar.gz) archive.

Every check is a small function returning Failures; a Failure names its check, what it is
about (the archive, a member, or an object inside a static library) and why:

  [elf-needed] python/install/lib/python3.13/lib-dynload/_ssl....so: DT_NEEDED libssl.so.3 is
  not an allowed system library for x86_64-unknown-linux-gnu

Checks, by family (CHECKS lists every name):
  archive-*      member names, file types, permissions, symlinks, PYTHON.json first,
                 bin/python and bin/python3;
  python-json-*  the version-8 schema (python_json.SCHEMA), the target, every path the
                 document names, build_info's files, the extension set against
                 cpython/extensions.bzl (setup_local.plan, as the Setup.local generator);
  elf-*          for every executable, shared object and object file (static libraries
                 included): machine, DT_NEEDED, glibc symbol versions, loader, stack, RELRO,
                 BIND_NOW, TEXTREL, RPATH/RUNPATH, a dynamic interpreter, W+X segments, exported vendored symbols;
  build-path     no build-time path in any file (sandbox, execroot, private build
                 directories, #!/install shebangs). The debug-information prefixes the build
                 maps sources to (/build/cpython, /build/<dep>) are deliberate and allowed.

The archive is read once, as a stream; only member metadata, PYTHON.json and the parsed ELF
headers are kept, so a distribution of any size validates in bounded memory.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import posixpath
import re
import tarfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import zstandard

from cpbuild import artifacts, elf, python_json, setup_local, tables
from cpbuild.build_paths import find_build_paths
from cpbuild.tables import Target

PYTHON_JSON = "python/PYTHON.json"
FULL, INSTALL_ONLY = "full", "install_only"

# DT_NEEDED names a distribution may use, besides the target's loader and libpython.
GLIBC_SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                          "libutil.so.1", "libgcc_s.so.1")
MUSL_SYSTEM_LIBRARIES = ("libc.so", "libgcc_s.so.1")

# Sample symbols of each vendored library (keyed by pin of third_party/sources.bzl): none may
# be exported by a shared object or executable of the distribution (they must be hidden, so
# that they cannot clash with another copy of the library in the same process).
VENDORED_SYMBOLS: dict[str, tuple[str, ...]] = {
    "openssl": ("SSL_read", "BIO_ADDR_new", "EVP_DigestInit"),
    "sqlite": ("sqlite3_open",),
    "libffi": ("ffi_call", "ffi_closure_SYSV", "ffi_closure_unix64"),
    "ncurses": ("initscr", "tgetent"),
    "libedit": ("el_init",),
    "zlib": ("inflate", "deflate"),
    "xz": ("lzma_code",),
    "bzip2": ("BZ2_bzCompress",),
    "mpdecimal": ("mpd_qnew",),
    "expat": ("XML_ParserCreate",),
    "util_linux": ("uuid_generate",),
    "libxcb": ("xcb_connect",),
    "libx11": ("XOpenDisplay",),
    "libxau": ("XauGetBestAuthByAddr",),
    "tcl": ("Tcl_CreateInterp", "Tcl_Init"),
    "tk": ("Tk_Init", "Tk_MainWindow"),
    "bdb5": ("db_create",),
}
_SYMBOL_OWNERS = {symbol: pin for pin, symbols in VENDORED_SYMBOLS.items() for symbol in symbols}


@dataclasses.dataclass(frozen=True)
class Failure:
    check: str
    subject: str  # the archive, a member, or "member(object)" inside a static library
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.detail}"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One archive member's metadata."""
    name: str
    kind: str  # file, dir, symlink, hardlink, chr, blk, fifo, other
    mode: int = 0o644
    linkname: str = ""


@dataclasses.dataclass
class Contents:
    """What validation keeps of an archive after reading it once."""
    name: str
    layout: str  # FULL or INSTALL_ONLY
    entries: list[Entry]
    python_json: bytes | None
    elf_files: list[elf.ElfInfo]
    failures: list[Failure]  # found while reading: unreadable ELF files, build paths


@dataclasses.dataclass(frozen=True)
class Context:
    """What the checks compare against."""
    target: Target
    version: str  # X.Y
    abiflags: str = ""


@dataclasses.dataclass(frozen=True)
class Report:
    archive: str
    layout: str
    target: str | None
    members: int
    elf_files: int
    failures: tuple[Failure, ...]


class ValidationError(Exception):
    """The archive cannot be validated at all (unreadable, unknown kind or target)."""


# --- Reading ------------------------------------------------------------------------------

def layout_of(name: str) -> str:
    """FULL for .tar.zst archives, INSTALL_ONLY for .tar.gz ones."""
    if name.endswith(".tar.zst"):
        return FULL
    if name.endswith((".tar.gz", ".tgz")):
        return INSTALL_ONLY
    raise ValidationError(f"{name}: not a distribution archive (.tar.zst full, or .tar.gz install_only)")


def _kind(info: tarfile.TarInfo) -> str:
    for kind, test in (("file", info.isreg), ("dir", info.isdir), ("symlink", info.issym), ("hardlink", info.islnk),
                       ("chr", info.ischr), ("blk", info.isblk), ("fifo", info.isfifo)):
        if test():
            return kind
    return "other"


def _tar_members(stream: BinaryIO | gzip.GzipFile) -> Iterator[tuple[tarfile.TarInfo, bytes | None]]:
    """Each member of a tar stream, with its content for regular files."""
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for info in archive:
            content = None
            if info.isreg():
                extracted = archive.extractfile(info)
                assert extracted is not None
                content = extracted.read()
            yield info, content


def elf_objects(name: str, data: bytes) -> tuple[list[elf.ElfInfo], list[Failure]]:
    """The ELF files in a member: itself, or each object of a static library; unreadable ones fail."""
    if data[:8] == elf.AR_MAGIC:
        try:
            members = [(f"{name}({member})", content) for member, content in elf.ar_members(data, name)]
        except (elf.ElfError, ValueError, IndexError) as error:
            return [], [Failure("elf-parse", name, f"unreadable static library: {error}")]
    elif data[:4] == elf.ELF_MAGIC:
        members = [(name, data)]
    else:
        return [], []
    infos, failures = [], []
    for member, content in members:
        try:
            infos.append(elf.parse_elf(content, member))
        except elf.ElfError as error:
            failures.append(Failure("elf-parse", member, str(error).removeprefix(f"{member}: ")))
    return infos, failures


def scan(name: str, layout: str, members: Iterable[tuple[tarfile.TarInfo, bytes | None]]) -> Contents:
    """Keep what the checks need of each member: metadata, PYTHON.json, ELF headers, build paths."""
    contents = Contents(name=name, layout=layout, entries=[], python_json=None, elf_files=[], failures=[])
    for info, content in members:
        contents.entries.append(Entry(info.name, _kind(info), info.mode, info.linkname))
        if content is None:
            continue
        if info.name == PYTHON_JSON:
            contents.python_json = content
        objects, failures = elf_objects(info.name, content)
        contents.elf_files += objects
        contents.failures += failures
        contents.failures += [Failure("build-path", info.name, leak) for leak in find_build_paths(content)]
    return contents


def read_archive(path: Path) -> Contents:
    """Read a full (.tar.zst) or install_only (.tar.gz) archive once."""
    layout = layout_of(path.name)
    try:
        with path.open("rb") as raw:
            if path.name.endswith(".zst"):
                with zstandard.ZstdDecompressor().stream_reader(raw) as stream:
                    return scan(path.name, layout, _tar_members(stream))
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return scan(path.name, layout, _tar_members(stream))
    except (tarfile.TarError, zstandard.ZstdError, OSError, EOFError) as error:
        raise ValidationError(f"{path.name}: unreadable archive: {error}") from error


# --- Archive checks ---------------------------------------------------------------------

def install_root(layout: str) -> str:
    """Where the install tree is in the archive."""
    return "python/install" if layout == FULL else "python"


def check_python_json_first(entries: list[Entry], layout: str, archive: str) -> list[Failure]:
    """archive-python-json-first: a full archive starts with python/PYTHON.json."""
    if layout != FULL:
        return []
    first = entries[0].name if entries else None
    if first != PYTHON_JSON:
        return [Failure("archive-python-json-first", archive, f"the first member is {first}, not {PYTHON_JSON}")]
    return []


def check_member_names(entries: list[Entry]) -> list[Failure]:
    """archive-member-name: relative names under python/, without '..'."""
    failures = []
    for entry in entries:
        parts = entry.name.split("/")
        if entry.name.startswith("/"):
            failures.append(Failure("archive-member-name", entry.name, "absolute member name"))
        elif ".." in parts:
            failures.append(Failure("archive-member-name", entry.name, "member name contains '..'"))
        elif parts[0] != "python":
            failures.append(Failure("archive-member-name", entry.name, "member outside python/"))
    return failures


def check_file_types(entries: list[Entry]) -> list[Failure]:
    """archive-file-type: only files, directories and links (no devices, FIFOs)."""
    return [Failure("archive-file-type", e.name, f"{e.kind} member: only files, directories and links belong "
                                                 "in a distribution")
            for e in entries if e.kind not in ("file", "dir", "symlink", "hardlink")]


def check_permissions(entries: list[Entry]) -> list[Failure]:
    """archive-world-writable: no member other users may write."""
    return [Failure("archive-world-writable", e.name, f"mode {e.mode:04o} is world-writable")
            for e in entries if e.kind != "symlink" and e.mode & 0o002]


def _directories(names: Iterable[str]) -> set[str]:
    """Every directory a member name implies (an archive need not list them)."""
    found = set()
    for name in names:
        parts = name.split("/")
        for i in range(1, len(parts)):
            found.add("/".join(parts[:i]))
    return found


def resolve(name: str, members: dict[str, Entry], directories: set[str], max_links: int = 40) -> str | None:
    """The member a path leads to, following symlinks inside the archive; None when it leaves
    the archive (absolute target, '..' above the top), names nothing, or loops."""
    resolved: list[str] = []
    pending = name.split("/")
    links = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
            continue
        current = "/".join(resolved + [part])
        entry = members.get(current)
        if entry is not None and entry.kind == "symlink":
            links += 1
            if links > max_links or entry.linkname.startswith("/"):
                return None
            pending = entry.linkname.split("/") + pending
            continue
        if entry is None and current not in directories:
            return None
        resolved.append(part)
    return "/".join(resolved)


def check_links(entries: list[Entry]) -> list[Failure]:
    """archive-symlink: every symlink and hard link resolves to a member of the archive."""
    members = {e.name: e for e in entries}
    directories = _directories(members)
    failures = []
    for entry in entries:
        if entry.kind == "symlink":
            if entry.linkname.startswith("/"):
                failures.append(Failure("archive-symlink", entry.name,
                                        f"absolute target {entry.linkname} points outside the archive"))
            elif resolve(entry.name, members, directories) is None:
                failures.append(Failure("archive-symlink", entry.name,
                                        f"target {entry.linkname} does not resolve inside the archive"))
        elif entry.kind == "hardlink" and members.get(entry.linkname, Entry("", "")).kind != "file":
            failures.append(Failure("archive-symlink", entry.name, f"hard link to {entry.linkname}, not a file "
                                                                   "of the archive"))
    return failures


def check_python_links(entries: list[Entry], layout: str) -> list[Failure]:
    """archive-python-links: bin/python and bin/python3 exist and lead to the same interpreter file."""
    members = {e.name: e for e in entries}
    directories = _directories(members)
    bin_dir = f"{install_root(layout)}/bin"
    targets = {}
    failures = []
    for program in ("python", "python3"):
        name = f"{bin_dir}/{program}"
        if name not in members:
            failures.append(Failure("archive-python-links", name, "missing (bin/python and bin/python3 must both "
                                                                  "run the interpreter)"))
            continue
        target = resolve(name, members, directories)
        if target is None or members.get(target, Entry("", "")).kind != "file":
            failures.append(Failure("archive-python-links", name, "does not lead to an interpreter file"))
            continue
        targets[program] = target
    if len(targets) == 2 and targets["python"] != targets["python3"]:
        failures.append(Failure("archive-python-links", bin_dir, f"bin/python leads to {targets['python']}, "
                                                                 f"bin/python3 to {targets['python3']}"))
    return failures


def archive_checks(contents: Contents) -> list[Failure]:
    return (check_python_json_first(contents.entries, contents.layout, contents.name)
            + check_member_names(contents.entries)
            + check_file_types(contents.entries)
            + check_permissions(contents.entries)
            + check_links(contents.entries)
            + check_python_links(contents.entries, contents.layout))


# --- PYTHON.json checks -----------------------------------------------------------------

def check_schema(document: dict[str, Any]) -> list[Failure]:
    """python-json-schema: the version-8 key set, with the right types (python_json.SCHEMA)."""
    try:
        python_json.check_schema(document)
    except python_json.SchemaError as error:
        return [Failure("python-json-schema", PYTHON_JSON, str(error).removeprefix("PYTHON.json schema: "))]
    return []


def check_document_target(document: dict[str, Any], target: Target) -> list[Failure]:
    """python-json-target: the document is for the target (triple, platform tag)."""
    failures = []
    if document.get("target_triple") != target.triple:
        failures.append(Failure("python-json-target", PYTHON_JSON,
                                f"target_triple is {document.get('target_triple')!r}, not {target.triple!r}"))
    if document.get("python_platform_tag") != f"linux-{target.cpu}":
        failures.append(Failure("python-json-target", PYTHON_JSON, f"python_platform_tag is "
                                f"{document.get('python_platform_tag')!r}, not 'linux-{target.cpu}'"))
    return failures


def _missing(paths: Iterable[str], entries: list[Entry]) -> list[str]:
    """The paths (relative to python/) that lead to no member, symlinks followed inside the archive."""
    members = {e.name: e for e in entries}
    directories = _directories(members)
    return sorted(p for p in paths if resolve(f"python/{p}", members, directories) is None)


def check_named_paths(document: dict[str, Any], entries: list[Entry]) -> list[Failure]:
    """python-json-paths: every path of python_paths, python_exe, ... is in the archive."""
    return [Failure("python-json-paths", PYTHON_JSON, f"names {p}, which the archive lacks")
            for p in _missing(python_json.named_paths(document), entries)]


def check_build_info_paths(document: dict[str, Any], entries: list[Entry]) -> list[Failure]:
    """python-json-build-info: every object, library and licence build_info names is in the archive."""
    try:
        paths = python_json.build_info_paths(document)
    except (AttributeError, TypeError) as error:
        return [Failure("python-json-build-info", PYTHON_JSON, f"build_info is malformed: {error}")]
    return [Failure("python-json-build-info", PYTHON_JSON, f"build_info names {p}, which the archive lacks")
            for p in _missing(paths, entries)]


def expected_extensions(version: str, triple: str) -> dict[str, setup_local.ModuleFate]:
    """The modules the extension table builds for the version and target (as Setup.local does)."""
    fates = setup_local.plan(setup_local.load_extensions(), version, triple,
                             setup_local.built_pins(tables.load_sources()))
    return {fate.name: fate for fate in fates if fate.state in setup_local.BUILT_STATES}


def check_extensions(document: dict[str, Any], entries: list[Entry],
                     expected: dict[str, setup_local.ModuleFate]) -> list[Failure]:
    """python-json-extensions: build_info's modules are exactly those cpython/extensions.bzl
    builds, each builtin or shared as the table says, and lib-dynload holds no other module."""
    extensions = (document.get("build_info") or {}).get("extensions") or {}
    where = f"{document.get('python_major_minor_version')} on {document.get('target_triple')}"
    failures = [Failure("python-json-extensions", PYTHON_JSON, f"{name}: cpython/extensions.bzl builds it for "
                        f"{where}, build_info lacks it") for name in sorted(set(expected) - set(extensions))]
    failures += [Failure("python-json-extensions", PYTHON_JSON, f"{name}: in build_info, but cpython/extensions.bzl "
                         f"does not build it for {where}") for name in sorted(set(extensions) - set(expected))]
    for name in sorted(set(expected) & set(extensions)):
        in_core = all(entry.get("in_core") for entry in extensions[name])
        if in_core != (expected[name].state == "builtin"):
            failures.append(Failure("python-json-extensions", PYTHON_JSON, f"{name}: in_core is {in_core}, the "
                                    f"table says {expected[name].state}"))
    shared_libs = {f"python/{entry.get('shared_lib')}" for entries in extensions.values() for entry in entries}
    dynload = f"python/install/lib/python{document.get('python_major_minor_version')}/lib-dynload/"
    failures += [Failure("python-json-extensions", e.name, "extension module build_info does not list")
                 for e in entries if e.name.startswith(dynload) and e.name.endswith(".so")
                 and e.name not in shared_libs]
    return failures


def python_json_checks(document: dict[str, Any], entries: list[Entry], context: Context) -> list[Failure]:
    failures = check_schema(document) + check_document_target(document, context.target)
    failures += check_named_paths(document, entries) + check_build_info_paths(document, entries)
    failures += check_extensions(document, entries, expected_extensions(context.version, context.target.triple))
    return failures


# --- ELF checks ---------------------------------------------------------------------------

def _linked(info: elf.ElfInfo) -> bool:
    """An executable or shared object (not a relocatable object of a static library)."""
    return info.file_type in ("ET_EXEC", "ET_DYN")


def allowed_needed(context: Context) -> set[str]:
    """The DT_NEEDED names allowed: the target's system libraries and loader, and libpython."""
    system = MUSL_SYSTEM_LIBRARIES if context.target.libc == "musl" else GLIBC_SYSTEM_LIBRARIES
    loader = posixpath.basename(artifacts.loader(context.target))
    return {*system, loader, f"libpython{context.version}{context.abiflags}.so.1.0"}


def check_machine(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-machine: e_machine is the target's."""
    if info.machine != context.target.elf_machine:
        return [Failure("elf-machine", info.name, f"e_machine is {info.machine}, {context.target.triple} needs "
                                                  f"{context.target.elf_machine}")]
    return []


def check_needed(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-needed: DT_NEEDED only names allowed system libraries."""
    allowed = allowed_needed(context)
    return [Failure("elf-needed", info.name, f"DT_NEEDED {lib} is not an allowed system library for "
                                             f"{context.target.triple}")
            for lib in info.needed if lib not in allowed]


def check_glibc_floor(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-glibc-floor: no glibc symbol version newer than the target's floor."""
    if context.target.libc != "gnu":
        return []
    too_new = artifacts.glibc_too_new(info, context.target)
    if too_new:
        return [Failure("elf-glibc-floor", info.name, f"requires {', '.join(too_new)}, newer than "
                                                      f"{context.target.triple}'s glibc floor {context.target.glibc}")]
    return []


def check_musl_glibc(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-musl-glibc: a musl file requires no glibc symbol version at all."""
    versions = info.versions("GLIBC_")
    if context.target.libc == "musl" and versions:
        return [Failure("elf-musl-glibc", info.name, f"requires glibc symbol versions {', '.join(versions)} on "
                                                     f"{context.target.triple}")]
    return []


def check_loader(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-loader: executables use the target's dynamic loader."""
    loader = artifacts.loader(context.target)
    if info.interpreter not in (None, loader):
        return [Failure("elf-loader", info.name, f"PT_INTERP is {info.interpreter}, not {loader}")]
    return []


def check_stack(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-stack: a non-executable stack (PT_GNU_STACK; .note.GNU-stack for object files)."""
    if info.file_type == "ET_REL":
        note = info.section(".note.GNU-stack")
        if note is None:
            return [Failure("elf-stack", info.name, "no .note.GNU-stack section: linking it makes the stack "
                                                    "executable")]
        if note.flags & elf.SHF_EXECINSTR:
            return [Failure("elf-stack", info.name, ".note.GNU-stack asks for an executable stack")]
        return []
    stack = info.segment(elf.PT_GNU_STACK)
    if stack is None:
        return [Failure("elf-stack", info.name, "no PT_GNU_STACK: the stack is executable")]
    if stack.flags & elf.PF_X:
        return [Failure("elf-stack", info.name, "PT_GNU_STACK is executable")]
    return []


def check_relro(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-relro: PT_GNU_RELRO is present (link with -z relro)."""
    if _linked(info) and info.segment(elf.PT_GNU_RELRO) is None:
        return [Failure("elf-relro", info.name, "no PT_GNU_RELRO segment (link with -z relro)")]
    return []


def check_bind_now(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-bind-now: DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW (link with -z now)."""
    if _linked(info) and info.dynamic and not info.bind_now:
        return [Failure("elf-bind-now", info.name, "neither DF_BIND_NOW nor DF_1_NOW is set (link with -z now)")]
    return []


def check_textrel(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-textrel: no relocations against read-only segments."""
    if _linked(info) and info.textrel:
        return [Failure("elf-textrel", info.name, "has text relocations (DT_TEXTREL or DF_TEXTREL)")]
    return []


def check_rpath(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-rpath: RPATH and RUNPATH entries are all $ORIGIN-relative."""
    failures = []
    for tag, values in (("DT_RPATH", info.rpath), ("DT_RUNPATH", info.runpath)):
        for value in values:
            for entry in value.split(":"):
                if not (entry == "$ORIGIN" or entry.startswith(("$ORIGIN/", "${ORIGIN}"))):
                    failures.append(Failure("elf-rpath", info.name, f"{tag} entry {entry!r} is not $ORIGIN-relative"))
    return failures


def check_interpreter_rpath(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-interpreter-rpath: bin/python3.X (libpython linked in) searches $ORIGIN/../lib through
    DT_RPATH and has no DT_RUNPATH, so that an extension module that names libpython in DT_NEEDED
    still finds it (DT_RUNPATH serves only the executable's own DT_NEEDED; python-build-standalone#619)."""
    if not info.name.endswith(f"/bin/python{context.version}{context.abiflags}"):
        return []
    rpath_entries = {entry for value in info.rpath for entry in value.split(":")}
    if info.runpath or "$ORIGIN/../lib" not in rpath_entries:
        return [Failure("elf-interpreter-rpath", info.name,
                        f"DT_RPATH {list(info.rpath)}, DT_RUNPATH {list(info.runpath)}: the interpreter needs "
                        "DT_RPATH $ORIGIN/../lib and no DT_RUNPATH (extension modules that name libpython)")]
    return []


def check_interpreter_dynamic(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-interpreter-dynamic: bin/python3.X is a dynamically linked executable (PT_INTERP and a
    dynamic section): a static one cannot dlopen the shared extension modules of lib-dynload
    ("Dynamic loading not supported" on musl)."""
    if not info.name.endswith(f"/bin/python{context.version}{context.abiflags}"):
        return []
    if info.interpreter is None or not info.dynamic:
        return [Failure("elf-interpreter-dynamic", info.name,
                        "statically linked (no PT_INTERP or no dynamic section): it cannot load extension modules")]
    return []


def check_wx_segments(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-wx-segment: no PT_LOAD segment is both writable and executable."""
    if any(s.type == elf.PT_LOAD and s.flags & elf.PF_W and s.flags & elf.PF_X for s in info.segments):
        return [Failure("elf-wx-segment", info.name, "a PT_LOAD segment is writable and executable")]
    return []


def check_vendored_symbols(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """elf-vendored-symbol: vendored libraries' symbols are not exported (VENDORED_SYMBOLS)."""
    if not _linked(info):
        return []
    exported = sorted({s.name for s in info.symbols if s.exported and s.name in _SYMBOL_OWNERS})
    return [Failure("elf-vendored-symbol", info.name, f"exports {name} ({_SYMBOL_OWNERS[name]}): vendored "
                                                      "libraries must be linked hidden (-Wl,--exclude-libs,ALL)")
            for name in exported]


ELF_CHECKS: tuple[Callable[[elf.ElfInfo, Context], list[Failure]], ...] = (
    check_machine, check_needed, check_glibc_floor, check_musl_glibc, check_loader, check_stack, check_relro,
    check_bind_now, check_textrel, check_rpath, check_interpreter_rpath, check_interpreter_dynamic,
    check_wx_segments, check_vendored_symbols,
)


def elf_checks(info: elf.ElfInfo, context: Context) -> list[Failure]:
    """Every ELF check that applies to the file (object files: machine and stack only)."""
    if info.file_type == "ET_REL":
        return check_machine(info, context) + check_stack(info, context)
    return [failure for check in ELF_CHECKS for failure in check(info, context)]


# Every check's name, for documentation and for the tests that each can fail.
CHECKS = (
    "archive-python-json-first", "archive-member-name", "archive-file-type", "archive-world-writable",
    "archive-symlink", "archive-python-links",
    "python-json-schema", "python-json-target", "python-json-paths", "python-json-build-info",
    "python-json-extensions",
    "elf-parse", "elf-machine", "elf-needed", "elf-glibc-floor", "elf-musl-glibc", "elf-loader", "elf-stack",
    "elf-relro", "elf-bind-now", "elf-textrel", "elf-rpath", "elf-interpreter-rpath", "elf-interpreter-dynamic", "elf-wx-segment", "elf-vendored-symbol",
    "build-path",
)


# --- The whole archive --------------------------------------------------------------------

def target_from_name(name: str, targets: dict[str, Target]) -> Target | None:
    """The target whose triple the archive's file name carries (cpython-X.Y.Z-<triple>-...)."""
    found = [t for triple, t in targets.items() if f"-{triple}-" in name]
    return found[0] if len(found) == 1 else None


_STDLIB = re.compile(r"^python/(?:install/)?lib/python(\d+\.\d+)([a-z]*)/os\.py$")


def version_from_entries(entries: list[Entry]) -> tuple[str, str] | None:
    """(X.Y, abiflags) of the stdlib the archive holds (lib/pythonX.Y<abiflags>/os.py)."""
    for entry in entries:
        match = _STDLIB.match(entry.name)
        if match:
            return match.group(1), match.group(2)
    return None


def load_document(contents: Contents) -> tuple[dict[str, Any] | None, list[Failure]]:
    """PYTHON.json of a full archive, or the failure saying why there is none."""
    if contents.layout != FULL:
        return None, []
    if contents.python_json is None:
        return None, [Failure("python-json-schema", contents.name, f"no {PYTHON_JSON} in the archive")]
    try:
        document = json.loads(contents.python_json)
    except ValueError as error:
        return None, [Failure("python-json-schema", PYTHON_JSON, f"not JSON: {error}")]
    if not isinstance(document, dict):
        return None, [Failure("python-json-schema", PYTHON_JSON, "not a JSON object")]
    return document, []


def make_context(contents: Contents, document: dict[str, Any] | None, triple: str | None,
                 targets: dict[str, Target]) -> Context:
    """The target (given, else PYTHON.json's, else the file name's) and the CPython version."""
    if triple is None and document is not None and isinstance(document.get("target_triple"), str):
        triple = document["target_triple"]
    target = tables.target(triple, targets) if triple else target_from_name(contents.name, targets)
    if target is None:
        raise ValidationError(f"{contents.name}: no target triple in PYTHON.json or the file name: pass --target")
    found = version_from_entries(contents.entries)
    if document is not None and isinstance(document.get("python_major_minor_version"), str):
        return Context(target, document["python_major_minor_version"], str(document.get("python_abi_tag", "")))
    if found is None:
        raise ValidationError(f"{contents.name}: no lib/pythonX.Y/os.py: cannot tell the CPython version")
    return Context(target, *found)


def check_contents(contents: Contents, triple: str | None = None,
                   targets: dict[str, Target] | None = None) -> Report:
    """Every check, on an archive read by read_archive (or built by a test)."""
    targets = tables.load_targets() if targets is None else targets
    document, failures = load_document(contents)
    context = make_context(contents, document, triple, targets)
    failures += archive_checks(contents)
    if document is not None:
        failures += python_json_checks(document, contents.entries, context)
    failures += contents.failures
    for info in contents.elf_files:
        failures += elf_checks(info, context)
    return Report(archive=contents.name, layout=contents.layout, target=context.target.triple,
                  members=len(contents.entries), elf_files=len(contents.elf_files), failures=tuple(failures))


def validate(path: Path, triple: str | None = None, targets: dict[str, Target] | None = None) -> Report:
    """Validate one distribution archive."""
    return check_contents(read_archive(path), triple, targets)
