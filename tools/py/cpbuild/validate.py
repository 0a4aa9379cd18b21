"""The distribution validator: checks a full (.tar.zst) or install_only (.tar.gz) archive.

Every check is a small function registered under its name (@archive_check or @elf_check); it
yields findings, (what it is about, why), which become Failures naming the check: what it is
about is the archive, a member, or an object inside a static library:

  [elf-needed] python/install/lib/python3.13/lib-dynload/_ssl....so: DT_NEEDED libssl.so.3 is
  not an allowed system library for x86_64-unknown-linux-gnu

Checks, by family (CHECKS lists every registered name, in the order they run):
  archive-*      member names, file types, permissions, symlinks, PYTHON.json first,
                 bin/python and bin/python3;
  python-json-*  the version-8 schema (python_json.SCHEMA), the target, every path the
                 document names, build_info's files, the extension set against
                 cpython/extensions.bzl (setup_local.plan, as the Setup.local generator),
                 the build options against cpython/build_options.bzl;
  object-format  the full archive's objects are what build_info.object_file_format says (ELF,
                 or LLVM bitcode after link-time optimisation);
  startup-layout a profile-guided build's interpreter has the functions its startup runs
                 gathered in a section ahead of .text (startup_layout.py);
  install-only-contents  no static libpython, test package or test module in install_only;
  elf-*          for every executable, shared object and object file (static libraries
                 included): the file is readable, machine, DT_NEEDED, glibc symbol versions,
                 loader, stack, RELRO, BIND_NOW, TEXTREL, RPATH/RUNPATH, copy relocations, a
                 dynamic interpreter (a +static build: no loader, library or shared object at
                 all), W+X segments, exported vendored symbols (each library pin's
                 hidden_symbols in third_party/sources.bzl);
  build-path     no build-time path in any file (build_paths.py: sandbox, execroot, private
                 build directories, #!/install shebangs). The debug-information prefixes the
                 build maps sources to (/build/cpython, /build/<dep>) are deliberate and allowed.

The per-target facts (ELF machine, loader, glibc floor) come from platforms/targets.bzl.
`check-artifacts` (artifacts.py) runs a selection of the same checks on built files.

The archive is read once, as a stream; only member metadata, PYTHON.json and the parsed ELF
headers are kept, so a distribution of any size validates in bounded memory.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import posixpath
import re
import tarfile
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from cpbuild import check_modules, elf, python_json, setup_local, startup_layout, tables
from cpbuild.build_paths import find_build_paths
from cpbuild.layout import Layout
from cpbuild.tables import Target

TOP = "python"  # the directory every member of a distribution archive is in
PYTHON_JSON = f"{TOP}/PYTHON.json"
MAKEFILE = f"{TOP}/build/Makefile"
FULL, INSTALL_ONLY = "full", "install_only"

# DT_NEEDED names a distribution may use, besides the target's loader and libpython.
GLIBC_SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                          "libutil.so.1", "libgcc_s.so.1")
MUSL_SYSTEM_LIBRARIES = ("libc.so", "libgcc_s.so.1")


@dataclasses.dataclass(frozen=True)
class Failure:
    check: str
    subject: str  # the archive, a member, or "member(object)" inside a static library
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.detail}"


Finding = tuple[str, str]  # (subject, detail) of one failure, before it is named after its check


@dataclasses.dataclass(frozen=True)
class Entry:
    """One archive member's metadata."""
    name: str
    kind: str  # file, dir, symlink, hardlink, chr, blk, fifo, other
    mode: int = 0o644
    linkname: str = ""


@dataclasses.dataclass
class Contents:
    """What validation keeps of an archive (or of built files) after reading it once."""
    name: str
    layout: str  # FULL or INSTALL_ONLY (or another word for files that are no archive)
    entries: list[Entry] = dataclasses.field(default_factory=list)
    python_json: bytes | None = None
    elf_files: list[elf.ElfInfo] = dataclasses.field(default_factory=list)
    unreadable: list[Finding] = dataclasses.field(default_factory=list)  # ELF files the reader rejects
    bitcode: list[str] = dataclasses.field(default_factory=list)  # LLVM bitcode objects (archive(member) too)
    makefile: bytes = b""  # python/build/Makefile: which objects are assembled (object-format)
    build_paths: list[Finding] = dataclasses.field(default_factory=list)  # (member, leak)

    def document(self) -> dict[str, Any] | None:
        """PYTHON.json of a full archive, when it is a JSON object."""
        if self.layout != FULL or self.python_json is None:
            return None
        try:
            document = json.loads(self.python_json)
        except ValueError:
            return None
        return document if isinstance(document, dict) else None


@dataclasses.dataclass(frozen=True)
class Context:
    """What the checks compare against: the target, and the distribution's CPython version (X.Y;
    None for built files that are no distribution: the checks that need it pass)."""
    target: Target
    version: str | None = None
    abiflags: str = ""
    static: bool = False  # a +static build: no shared object at all

    @property
    def layout(self) -> Layout | None:
        """Where the distribution's files are (None without a version)."""
        return Layout(self.version, self.abiflags) if self.version is not None else None


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


# --- The registry of checks ---------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Check[**P]:
    """A registered check: calling it runs its function and names each finding after the check."""
    name: str
    find: Callable[P, Iterable[Finding]]
    objects: bool = False  # an ELF check that also applies to relocatable objects (.o, .a members)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[Failure]:
        return [Failure(self.name, subject, detail) for subject, detail in self.find(*args, **kwargs)]


ArchiveCheck = Check[[Contents, Context]]
ElfCheck = Check[[elf.ElfInfo, Context]]
ARCHIVE_CHECKS: list[ArchiveCheck] = []  # on the whole archive, in registration order
ELF_CHECKS: list[ElfCheck] = []  # on each ELF file (and static library member)


_NAMES: set[str] = set()


def _register[**P](registry: list[Check[P]], check: Check[P]) -> Check[P]:
    if check.name in _NAMES:
        raise ValueError(f"check {check.name!r} is registered twice")
    _NAMES.add(check.name)
    registry.append(check)
    return check


def archive_check(name: str) -> Callable[[Callable[[Contents, Context], Iterable[Finding]]], ArchiveCheck]:
    """Register a check of the whole archive under `name`."""
    def register(find: Callable[[Contents, Context], Iterable[Finding]]) -> ArchiveCheck:
        return _register(ARCHIVE_CHECKS, Check(name, find))
    return register


# The archive checks that read the member list alone (names, kinds, modes, links) and so need no
# target: extract runs them on any archive before it writes a file.
MemberCheck = Check[[Contents]]
MEMBER_CHECKS: list[MemberCheck] = []


def member_check(name: str) -> Callable[[Callable[[Contents], Iterable[Finding]]], MemberCheck]:
    """Register an archive check under `name` that reads contents.entries only."""
    def register(find: Callable[[Contents], Iterable[Finding]]) -> MemberCheck:
        def find_in_archive(contents: Contents, _context: Context) -> Iterable[Finding]:
            return find(contents)
        in_archive: ArchiveCheck = Check(name, find_in_archive)
        _register(ARCHIVE_CHECKS, in_archive)
        check = Check(name, find)
        MEMBER_CHECKS.append(check)
        return check
    return register


def member_failures(contents: Contents) -> list[Failure]:
    """The failures of the member checks: every rule of the validator that applies to any
    archive's member list, whatever its target."""
    return [failure for check in MEMBER_CHECKS for failure in check(contents)]


def elf_check(name: str, *, objects: bool = False
              ) -> Callable[[Callable[[elf.ElfInfo, Context], Iterable[Finding]]], ElfCheck]:
    """Register a check of each executable and shared object under `name` (and of each
    relocatable object too, with `objects`)."""
    def register(find: Callable[[elf.ElfInfo, Context], Iterable[Finding]]) -> ElfCheck:
        return _register(ELF_CHECKS, Check(name, find, objects))
    return register


# --- Reading ------------------------------------------------------------------------------

def layout_of(name: str) -> str:
    """FULL for .tar.zst archives, INSTALL_ONLY for .tar.gz ones."""
    if name.endswith(".tar.zst"):
        return FULL
    if name.endswith((".tar.gz", ".tgz")):
        return INSTALL_ONLY
    raise ValidationError(f"{name}: not a distribution archive (.tar.zst full, or .tar.gz install_only)")


def member_kind(info: tarfile.TarInfo) -> str:
    """A tar member's kind: file, dir, symlink, hardlink, chr, blk, fifo or other."""
    for kind, test in (("file", info.isreg), ("dir", info.isdir), ("symlink", info.issym), ("hardlink", info.islnk),
                       ("chr", info.ischr), ("blk", info.isblk), ("fifo", info.isfifo)):
        if test():
            return kind
    return "other"


def entry_of(info: tarfile.TarInfo) -> Entry:
    """What the checks keep of a tar member's header."""
    return Entry(info.name, member_kind(info), info.mode, info.linkname)


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


# LLVM bitcode (link-time optimisation's objects): raw, or in its wrapper.
BITCODE_MAGICS = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")


def elf_objects(name: str, data: bytes) -> tuple[list[elf.ElfInfo], list[Finding], list[str]]:
    """The ELF files in a member: itself, or each object of a static library; (subject, why) of
    each the reader rejects; and the names of the LLVM bitcode objects among them. Nothing for
    other files."""
    if data[:8] == elf.AR_MAGIC:
        try:
            members = [(f"{name}({member})", content) for member, content in elf.ar_members(data, name)]
        except elf.ElfError as error:
            return [], [(name, f"unreadable static library: {str(error).removeprefix(f'{name}: ')}")], []
    elif data[:4] == elf.ELF_MAGIC or (data[:4] in BITCODE_MAGICS and name.endswith(".o")):
        members = [(name, data)]
    else:
        return [], [], []
    infos, unreadable, bitcode = [], [], []
    for member, content in members:
        if content[:4] in BITCODE_MAGICS:
            bitcode.append(member)
            continue
        try:
            infos.append(elf.parse_elf(content, member))
        except elf.ElfError as error:
            unreadable.append((member, str(error).removeprefix(f"{member}: ")))
    return infos, unreadable, bitcode


def add_file(contents: Contents, name: str, content: bytes) -> None:
    """Keep what the checks need of one file: PYTHON.json, the build's Makefile, ELF headers,
    bitcode objects, build paths."""
    if name == PYTHON_JSON:
        contents.python_json = content
    if name == MAKEFILE:
        contents.makefile = content
    objects, unreadable, bitcode = elf_objects(name, content)
    contents.elf_files += objects
    contents.unreadable += unreadable
    contents.bitcode += bitcode
    contents.build_paths += [(name, leak) for leak in find_build_paths(content)]


def scan(name: str, layout: str, members: Iterable[tuple[tarfile.TarInfo, bytes | None]]) -> Contents:
    """Keep what the checks need of each member: metadata, and what add_file keeps of files."""
    contents = Contents(name=name, layout=layout)
    for info, content in members:
        contents.entries.append(entry_of(info))
        if content is not None:
            add_file(contents, info.name, content)
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


@archive_check("archive-python-json-first")
def check_python_json_first(contents: Contents, context: Context) -> Iterator[Finding]:
    """A full archive starts with python/PYTHON.json."""
    first = contents.entries[0].name if contents.entries else None
    if contents.layout == FULL and first != PYTHON_JSON:
        yield contents.name, f"the first member is {first}, not {PYTHON_JSON}"


@member_check("archive-member-name")
def check_member_names(contents: Contents) -> Iterator[Finding]:
    """Relative names under python/, without '..'."""
    for entry in contents.entries:
        parts = entry.name.split("/")
        if entry.name.startswith("/"):
            yield entry.name, "absolute member name"
        elif ".." in parts:
            yield entry.name, "member name contains '..'"
        elif parts[0] != TOP:
            yield entry.name, f"member outside {TOP}/"


@member_check("archive-file-type")
def check_file_types(contents: Contents) -> Iterator[Finding]:
    """Only files, directories and links (no devices, FIFOs)."""
    for e in contents.entries:
        if e.kind not in ("file", "dir", "symlink", "hardlink"):
            yield e.name, f"{e.kind} member: only files, directories and links belong in a distribution"


@member_check("archive-world-writable")
def check_permissions(contents: Contents) -> Iterator[Finding]:
    """No member other users may write."""
    for e in contents.entries:
        if e.kind != "symlink" and e.mode & 0o002:
            yield e.name, f"mode {e.mode:04o} is world-writable"


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
        current = "/".join([*resolved, part])
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


@member_check("archive-symlink")
def check_links(contents: Contents) -> Iterator[Finding]:
    """Every symlink and hard link resolves to a member of the archive."""
    members = {e.name: e for e in contents.entries}
    directories = _directories(members)
    for entry in contents.entries:
        if entry.kind == "symlink":
            if entry.linkname.startswith("/"):
                yield entry.name, f"absolute target {entry.linkname} points outside the archive"
            elif resolve(entry.name, members, directories) is None:
                yield entry.name, f"target {entry.linkname} does not resolve inside the archive"
        elif entry.kind == "hardlink" and members.get(entry.linkname, Entry("", "")).kind != "file":
            yield entry.name, f"hard link to {entry.linkname}, not a file of the archive"


@archive_check("archive-python-links")
def check_python_links(contents: Contents, context: Context) -> Iterator[Finding]:
    """bin/python and bin/python3 exist and lead to the same interpreter file."""
    members = {e.name: e for e in contents.entries}
    directories = _directories(members)
    bin_dir = f"{install_root(contents.layout)}/bin"
    targets = {}
    for program in ("python", "python3"):
        name = f"{bin_dir}/{program}"
        if name not in members:
            yield name, "missing (bin/python and bin/python3 must both run the interpreter)"
            continue
        target = resolve(name, members, directories)
        if target is None or members.get(target, Entry("", "")).kind != "file":
            yield name, "does not lead to an interpreter file"
            continue
        targets[program] = target
    if len(targets) == 2 and targets["python"] != targets["python3"]:
        yield bin_dir, f"bin/python leads to {targets['python']}, bin/python3 to {targets['python3']}"
    for target in sorted(set(targets.values())):
        if not members[target].mode & 0o111:
            yield target, f"the interpreter is mode {members[target].mode:04o}, not executable"


@archive_check("archive-file-modes")
def check_file_modes(contents: Contents, context: Context) -> Iterator[Finding]:
    """The modes make install gave, not Bazel's (every output r-x): lib-dynload's extension
    modules are executable, nothing under build/ or licenses/ is. (A stdlib module may be either:
    make install gives a Lib/ file 0755 when the source's file is executable.)"""
    if context.layout is None:
        return
    dynload = f"{install_root(contents.layout)}/{context.layout.lib_dynload}/"
    for e in contents.entries:
        if e.kind not in ("file", "hardlink"):
            continue
        executable = bool(e.mode & 0o111)
        if e.name.startswith(dynload) and e.name.endswith(".so") and not executable:
            yield e.name, f"mode {e.mode:04o}: an extension module is a shared object, executable"
        elif e.name.startswith(("python/build/", "python/licenses/")) and executable:
            yield e.name, f"mode {e.mode:04o}: objects, libraries and texts are not programs"


# --- PYTHON.json checks -----------------------------------------------------------------

@archive_check("python-json-schema")
def check_schema(contents: Contents, context: Context) -> Iterator[Finding]:
    """A full archive has PYTHON.json: JSON, the version-8 key set, with the right types
    (python_json.SCHEMA)."""
    if contents.layout != FULL:
        return
    if contents.python_json is None:
        yield contents.name, f"no {PYTHON_JSON} in the archive"
        return
    try:
        document = json.loads(contents.python_json)
    except ValueError as error:
        yield PYTHON_JSON, f"not JSON: {error}"
        return
    if not isinstance(document, dict):
        yield PYTHON_JSON, "not a JSON object"
        return
    try:
        python_json.check_schema(document)
    except python_json.SchemaError as error:
        yield PYTHON_JSON, str(error).removeprefix("PYTHON.json schema: ")


@archive_check("python-json-target")
def check_document_target(contents: Contents, context: Context) -> Iterator[Finding]:
    """The document is for the target (triple, platform tag)."""
    document = contents.document()
    if document is None:
        return
    target = context.target
    if document.get("target_triple") != target.triple:
        yield PYTHON_JSON, f"target_triple is {document.get('target_triple')!r}, not {target.triple!r}"
    if document.get("python_platform_tag") != target.platform_tag:
        yield PYTHON_JSON, (f"python_platform_tag is {document.get('python_platform_tag')!r}, "
                            f"not {target.platform_tag!r}")


def _missing(paths: Iterable[str], entries: list[Entry]) -> list[str]:
    """The paths (relative to python/) that lead to no member, symlinks followed inside the archive."""
    members = {e.name: e for e in entries}
    directories = _directories(members)
    return sorted(p for p in paths if resolve(f"python/{p}", members, directories) is None)


@archive_check("python-json-paths")
def check_named_paths(contents: Contents, context: Context) -> Iterator[Finding]:
    """Every path of python_paths, python_exe, ... is in the archive."""
    document = contents.document()
    if document is not None:
        for path in _missing(python_json.named_paths(document), contents.entries):
            yield PYTHON_JSON, f"names {path}, which the archive lacks"


@archive_check("python-json-build-info")
def check_build_info_paths(contents: Contents, context: Context) -> Iterator[Finding]:
    """Every object, library and licence build_info names is in the archive."""
    document = contents.document()
    if document is None:
        return
    try:
        paths = python_json.build_info_paths(document)
    except (AttributeError, TypeError) as error:
        yield PYTHON_JSON, f"build_info is malformed: {error}"
        return
    for path in _missing(paths, contents.entries):
        yield PYTHON_JSON, f"build_info names {path}, which the archive lacks"


def expected_extensions(version: str, triple: str, static: bool = False) -> dict[str, setup_local.ModuleFate]:
    """The modules the extension table builds for the version and target (as Setup.local does)."""
    fates = setup_local.plan(setup_local.load_extensions(), version, triple,
                             setup_local.built_pins(tables.load_sources()), static)
    return {fate.name: fate for fate in fates if fate.state in check_modules.BUILT_STATES}


def extension_findings(document: dict[str, Any], entries: list[Entry],
                       expected: dict[str, setup_local.ModuleFate]) -> Iterator[Finding]:
    """build_info's modules against the `expected` ones (see check_extensions)."""
    extensions = (document.get("build_info") or {}).get("extensions") or {}
    where = f"{document.get('python_major_minor_version')} on {document.get('target_triple')}"
    for name in sorted(set(expected) - set(extensions)):
        yield PYTHON_JSON, f"{name}: cpython/extensions.bzl builds it for {where}, build_info lacks it"
    for name in sorted(set(extensions) - set(expected)):
        yield PYTHON_JSON, f"{name}: in build_info, but cpython/extensions.bzl does not build it for {where}"
    for name in sorted(set(expected) & set(extensions)):
        in_core = all(entry.get("in_core") for entry in extensions[name])
        if in_core != (expected[name].state == "builtin"):
            yield PYTHON_JSON, f"{name}: in_core is {in_core}, the table says {expected[name].state}"
    shared_libs = {f"python/{entry.get('shared_lib')}" for entries in extensions.values() for entry in entries}
    dynload = f"python/{(document.get('python_paths') or {}).get('stdlib')}/lib-dynload/"
    for e in entries:
        if e.name.startswith(dynload) and e.name.endswith(".so") and e.name not in shared_libs:
            yield e.name, "extension module build_info does not list"


@archive_check("python-json-build-options")
def check_build_options(contents: Contents, context: Context) -> Iterator[Finding]:
    """build_options is a string cpython/build_options.bzl allows for the version; optimizations,
    python_abi_tag, python_exe, libpython_link_mode and python_extension_module_loading are what
    it makes them."""
    document = contents.document()
    if document is None or context.version is None:
        return
    value = document.get("build_options")
    try:
        options = tables.build_options(str(value), context.version)
    except tables.TableError as error:
        yield PYTHON_JSON, str(error)
        return
    layout = Layout(context.version, options.abi_flags)
    wanted = {"optimizations": options.optimization, "python_abi_tag": options.abi_flags,
              "python_exe": f"install/{layout.executable}", **python_json.linkage(options)}
    for key, expected in wanted.items():
        if document.get(key) != expected:
            yield PYTHON_JSON, f"{key} is {document.get(key)!r}; build options {value} make it {expected!r}"


_ASSEMBLED = re.compile(rb"^(\S+\.o):\s*\$\(srcdir\)/\S+\.[sS]\b", re.MULTILINE)


@archive_check("object-format")
def check_object_format(contents: Contents, context: Context) -> Iterator[Finding]:
    """The full archive's CPython objects (python/build/, not the vendored libraries of
    build/lib/) are LLVM bitcode when build_info.object_file_format says llvm-bitcode:<version>
    (objects the Makefile assembles from .S sources excepted), and none is when it says elf."""
    document = contents.document()
    if document is None:
        return
    object_format = str((document.get("build_info") or {}).get("object_file_format"))
    bitcode = {name for name in contents.bitcode if not name.startswith("python/build/lib/")}
    if object_format == "elf":
        for name in sorted(bitcode):
            yield name, "LLVM bitcode, but build_info.object_file_format is elf"
    elif object_format.startswith("llvm-bitcode:"):
        assembled = {f"python/build/{m.decode()}" for m in _ASSEMBLED.findall(contents.makefile)}
        for info in contents.elf_files:
            if info.name.startswith("python/build/") and not info.name.startswith("python/build/lib/") \
                    and info.file_type == "ET_REL" and info.name.endswith(".o") and info.name not in assembled:
                yield info.name, f"an ELF object, but build_info.object_file_format is {object_format}"
        if not bitcode:
            yield contents.name, f"no LLVM bitcode object, but build_info.object_file_format is {object_format}"
    else:
        yield PYTHON_JSON, f"build_info.object_file_format is {object_format!r}: neither elf nor llvm-bitcode:<version>"


@archive_check("startup-layout")
def check_startup_layout(contents: Contents, context: Context) -> Iterator[Finding]:
    """A profile-guided distribution's interpreter has the functions its startup runs gathered
    ahead of the rest of its code: a section startup_layout.SECTION, before .text."""
    document = contents.document()
    if document is None or context.version is None:
        return
    try:
        options = tables.build_options(str(document.get("build_options")), context.version)
    except tables.TableError:
        return  # python-json-build-options says what is wrong with it
    if not options.profile:
        return
    for info in contents.elf_files:
        if not _is_interpreter(info, context):
            continue
        names = [section.name for section in info.sections]
        if startup_layout.SECTION not in names:
            yield info.name, (f"no {startup_layout.SECTION} section: build options {options.value} gather the "
                              "functions startup runs ahead of the rest (cpbuild.startup_layout)")
        elif ".text" not in names or names.index(startup_layout.SECTION) > names.index(".text"):
            yield info.name, f"{startup_layout.SECTION} is not ahead of .text"


@archive_check("install-only-contents")
def check_install_only_contents(contents: Contents, context: Context) -> Iterator[Finding]:
    """An install_only archive has no static libpython, no stdlib test package and no test
    extension module (the extension table's `test` flag), as python-build-standalone's."""
    if contents.layout != INSTALL_ONLY or context.layout is None:
        return
    stdlib = f"python/{context.layout.stdlib}"
    test_modules = {name for name, fate in expected_extensions(context.version or "", context.target.triple,
                                                               context.static).items() if fate.test}
    for entry in contents.entries:
        base = posixpath.basename(entry.name)
        parent = posixpath.dirname(entry.name)
        if base.startswith("libpython") and base.endswith(".a"):
            yield entry.name, "a static libpython: install_only leaves it out"
        elif base == "__init__.py" and posixpath.basename(parent) in python_json.TEST_PACKAGE_NAMES \
                and entry.name.startswith(stdlib + "/") and "/site-packages/" not in entry.name:
            yield parent, "a stdlib test package: install_only leaves it out"
        elif parent == f"{stdlib}/lib-dynload" and base.split(".", 1)[0] in test_modules:
            yield entry.name, "a test extension module: install_only leaves it out"


@archive_check("python-json-extensions")
def check_extensions(contents: Contents, context: Context) -> Iterator[Finding]:
    """build_info's modules are exactly those cpython/extensions.bzl builds, each builtin or
    shared as the table says, and lib-dynload holds no other module."""
    document = contents.document()
    if document is not None and context.version is not None:
        yield from extension_findings(document, contents.entries,
                                      expected_extensions(context.version, context.target.triple, context.static))


# --- Findings of the reading --------------------------------------------------------------

@archive_check("elf-parse")
def check_readable(contents: Contents, context: Context) -> Iterator[Finding]:
    """Every ELF file and static library (and each of its members) is one the reader reads."""
    yield from contents.unreadable


@archive_check("build-path")
def check_build_paths(contents: Contents, context: Context) -> Iterator[Finding]:
    """No build-time path in any file (build_paths.find_build_paths)."""
    yield from contents.build_paths


# --- ELF checks ---------------------------------------------------------------------------

def _linked(info: elf.ElfInfo) -> bool:
    """An executable or shared object (not a relocatable object of a static library)."""
    return info.file_type in ("ET_EXEC", "ET_DYN")


def _is_interpreter(info: elf.ElfInfo, context: Context) -> bool:
    """bin/python3.X<abiflags> of the distribution (libpython linked in)."""
    return context.layout is not None and info.name.endswith(f"/{context.layout.executable}")


def allowed_needed(context: Context) -> set[str]:
    """The DT_NEEDED names allowed: the target's system libraries and loader, and libpython."""
    system = MUSL_SYSTEM_LIBRARIES if context.target.libc == "musl" else GLIBC_SYSTEM_LIBRARIES
    allowed = {*system, posixpath.basename(context.target.loader)}
    if context.layout is not None:
        allowed.add(posixpath.basename(context.layout.libpython_shared))
    return allowed


@elf_check("elf-machine", objects=True)
def check_machine(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """e_machine is the target's."""
    if info.machine != context.target.elf_machine:
        yield info.name, f"e_machine is {info.machine}, {context.target.triple} needs {context.target.elf_machine}"


@elf_check("elf-needed")
def check_needed(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """DT_NEEDED only names allowed system libraries."""
    allowed = allowed_needed(context)
    for lib in info.needed:
        if lib not in allowed:
            yield info.name, f"DT_NEEDED {lib} is not an allowed system library for {context.target.triple}"


def glibc_too_new(info: elf.ElfInfo, target: Target) -> list[str]:
    """The GLIBC_ symbol versions the file requires that are newer than the target's glibc floor."""
    assert target.glibc is not None
    floor = elf.glibc_version_key(target.glibc)
    return [v for v in info.versions("GLIBC_") if elf.glibc_version_key(v) > floor]


@elf_check("elf-glibc-floor")
def check_glibc_floor(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """No glibc symbol version newer than the target's floor."""
    if context.target.libc == "gnu":
        too_new = glibc_too_new(info, context.target)
        if too_new:
            yield info.name, (f"requires {', '.join(too_new)}, newer than {context.target.triple}'s glibc floor "
                              f"{context.target.glibc}")


@elf_check("elf-musl-glibc")
def check_musl_glibc(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """A musl file requires no glibc symbol version at all."""
    versions = info.versions("GLIBC_")
    if context.target.libc == "musl" and versions:
        yield info.name, f"requires glibc symbol versions {', '.join(versions)} on {context.target.triple}"


@elf_check("elf-copy-relocation")
def check_copy_relocations(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """No copy relocations (R_*_COPY): zig's stub C libraries give the linker none of the aliases
    that must move with a copied variable (environ and __environ parted, os.environ was empty)."""
    if info.copy_relocations:
        yield info.name, (f"copy relocations of {', '.join(info.copy_relocations)}: the C library would keep "
                          "writing its own copy; link it position-independent (-pie)")


@elf_check("elf-loader")
def check_loader(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """Executables use the target's dynamic loader (its `loader` in platforms/targets.bzl)."""
    if info.interpreter not in (None, context.target.loader):
        yield info.name, f"PT_INTERP is {info.interpreter}, not {context.target.loader}"


@elf_check("elf-stack", objects=True)
def check_stack(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """A non-executable stack (PT_GNU_STACK; .note.GNU-stack for object files)."""
    if info.file_type == "ET_REL":
        note = info.section(".note.GNU-stack")
        if note is None:
            yield info.name, "no .note.GNU-stack section: linking it makes the stack executable"
        elif note.flags & elf.SHF_EXECINSTR:
            yield info.name, ".note.GNU-stack asks for an executable stack"
        return
    stack = info.segment(elf.PT_GNU_STACK)
    if stack is None:
        yield info.name, "no PT_GNU_STACK: the stack is executable"
    elif stack.flags & elf.PF_X:
        yield info.name, "PT_GNU_STACK is executable"


@elf_check("elf-relro")
def check_relro(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """PT_GNU_RELRO is present (link with -z relro)."""
    if _linked(info) and info.segment(elf.PT_GNU_RELRO) is None:
        yield info.name, "no PT_GNU_RELRO segment (link with -z relro)"


@elf_check("elf-bind-now")
def check_bind_now(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW (link with -z now)."""
    if _linked(info) and info.dynamic and not info.bind_now:
        yield info.name, "neither DF_BIND_NOW nor DF_1_NOW is set (link with -z now)"


@elf_check("elf-textrel")
def check_textrel(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """No relocations against read-only segments."""
    if _linked(info) and info.textrel:
        yield info.name, "has text relocations (DT_TEXTREL or DF_TEXTREL)"


@elf_check("elf-rpath")
def check_rpath(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """RPATH and RUNPATH entries are all $ORIGIN-relative."""
    for tag, values in (("DT_RPATH", info.rpath), ("DT_RUNPATH", info.runpath)):
        for value in values:
            for entry in value.split(":"):
                if not (entry == "$ORIGIN" or entry.startswith(("$ORIGIN/", "${ORIGIN}"))):
                    yield info.name, f"{tag} entry {entry!r} is not $ORIGIN-relative"


@elf_check("elf-interpreter-rpath")
def check_interpreter_rpath(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """bin/python3.X (libpython linked in) searches $ORIGIN/../lib through DT_RPATH and has no
    DT_RUNPATH, so that an extension module that names libpython in DT_NEEDED still finds it
    (DT_RUNPATH serves only the executable's own DT_NEEDED; python-build-standalone#619)."""
    rpath_entries = {entry for value in info.rpath for entry in value.split(":")}
    if _is_interpreter(info, context) and not context.static \
            and (info.runpath or "$ORIGIN/../lib" not in rpath_entries):
        yield info.name, (f"DT_RPATH {list(info.rpath)}, DT_RUNPATH {list(info.runpath)}: the interpreter needs "
                          "DT_RPATH $ORIGIN/../lib and no DT_RUNPATH (extension modules that name libpython)")


@elf_check("elf-interpreter-dynamic")
def check_interpreter_dynamic(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """bin/python3.X is a dynamically linked executable (PT_INTERP and a dynamic section): a
    static one cannot dlopen the shared extension modules of lib-dynload ("Dynamic loading not
    supported" on musl). A +static build's is the opposite: see elf-static."""
    if _is_interpreter(info, context) and not context.static and (info.interpreter is None or not info.dynamic):
        yield info.name, "statically linked (no PT_INTERP or no dynamic section): it cannot load extension modules"


@elf_check("elf-static")
def check_static(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """A +static build has no shared object: its executables need no dynamic loader and no
    library (no PT_INTERP, no DT_NEEDED), and its only position-independent one is the
    interpreter (a static-pie executable)."""
    if not context.static or not _linked(info):
        return
    if info.interpreter is not None or info.needed:
        yield info.name, (f"a static build, but it needs the dynamic loader {info.interpreter} and libraries "
                          f"{list(info.needed)}")
    elif info.file_type == "ET_DYN" and not _is_interpreter(info, context):
        yield info.name, "a shared object in a static build"


@elf_check("elf-wx-segment")
def check_wx_segments(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """No PT_LOAD segment is both writable and executable."""
    if any(s.type == elf.PT_LOAD and s.flags & elf.PF_W and s.flags & elf.PF_X for s in info.segments):
        yield info.name, "a PT_LOAD segment is writable and executable"


@functools.cache
def hidden_symbols() -> dict[str, str]:
    """{symbol: pin} of every pin's hidden_symbols (third_party/sources.bzl)."""
    return {symbol: pin.name for pin in tables.load_sources().values() for symbol in pin.hidden_symbols}


@elf_check("elf-vendored-symbol")
def check_vendored_symbols(info: elf.ElfInfo, context: Context) -> Iterator[Finding]:
    """Vendored libraries' symbols (each pin's hidden_symbols) are not exported."""
    owners = hidden_symbols()
    if _linked(info):
        for name in sorted({s.name for s in info.symbols if s.exported and s.name in owners}):
            yield info.name, (f"exports {name} ({owners[name]}): vendored libraries must be compiled with hidden "
                              "visibility (-fvisibility=hidden: zig's linker has no --exclude-libs)")


def elf_checks(info: elf.ElfInfo, context: Context, only: Collection[str] | None = None) -> list[Failure]:
    """Every ELF check (of `only`, when given) that applies to the file: relocatable objects get
    the checks registered with `objects` only."""
    relocatable = info.file_type == "ET_REL"
    return [failure for check in ELF_CHECKS
            if (only is None or check.name in only) and (check.objects or not relocatable)
            for failure in check(info, context)]


def run_checks(contents: Contents, context: Context, only: Collection[str] | None = None) -> list[Failure]:
    """Every registered check (of `only`, when given): the archive's, then each ELF file's."""
    failures = [failure for check in ARCHIVE_CHECKS if only is None or check.name in only
                for failure in check(contents, context)]
    for info in contents.elf_files:
        failures += elf_checks(info, context, only)
    return failures


# Every check's name, in the order they run: for documentation and for the tests that each can fail.
CHECKS = (*(check.name for check in ARCHIVE_CHECKS), *(check.name for check in ELF_CHECKS))


# --- The whole archive --------------------------------------------------------------------

def target_from_name(name: str, targets: dict[str, Target]) -> Target | None:
    """The target whose triple the archive's file name carries (cpython-X.Y.Z-<triple>-...)."""
    found = [t for triple, t in targets.items() if f"-{triple}-" in name]
    return found[0] if len(found) == 1 else None


_INTERPRETER = re.compile(r"^python/(?:install/)?bin/python(\d+\.\d+)(t?d?)$")


def version_from_entries(entries: list[Entry]) -> tuple[str, str] | None:
    """(X.Y, abiflags) of the interpreter the archive holds: the one regular file
    bin/python<X.Y><abiflags> (cpbuild.layout); None unless there is exactly one."""
    found = {(m.group(1), m.group(2)) for e in entries if e.kind == "file" and (m := _INTERPRETER.match(e.name))}
    return found.pop() if len(found) == 1 else None


def make_context(contents: Contents, triple: str | None, targets: dict[str, Target]) -> Context:
    """The target (given, else PYTHON.json's, else the file name's) and the CPython version."""
    document = contents.document()
    if triple is None and document is not None and isinstance(document.get("target_triple"), str):
        triple = document["target_triple"]
    target = tables.target(triple, targets) if triple else target_from_name(contents.name, targets)
    if target is None:
        raise ValidationError(f"{contents.name}: no target triple in PYTHON.json or the file name: pass --target")
    static = is_static_build(document, contents.name)
    if document is not None and isinstance(document.get("python_major_minor_version"), str):
        return Context(target, document["python_major_minor_version"], str(document.get("python_abi_tag", "")),
                       static)
    found = version_from_entries(contents.entries)
    if found is None:
        raise ValidationError(f"{contents.name}: no one bin/pythonX.Y[t][d] file: cannot tell the CPython version")
    return Context(target, *found, static=static)


def is_static_build(document: dict[str, Any] | None, name: str) -> bool:
    """A +static build: its PYTHON.json says libpython_link_mode static; an install_only archive,
    which has no PYTHON.json, says -static in its name."""
    if document is not None:
        return document.get("libpython_link_mode") == "static"
    return f"{tables.static_archive_suffix()}-install_only" in name


def check_contents(contents: Contents, triple: str | None = None,
                   targets: dict[str, Target] | None = None) -> Report:
    """Every check, on an archive read by read_archive (or built by a test)."""
    targets = tables.load_targets() if targets is None else targets
    context = make_context(contents, triple, targets)
    return Report(archive=contents.name, layout=contents.layout, target=context.target.triple,
                  members=len(contents.entries), elf_files=len(contents.elf_files),
                  failures=tuple(run_checks(contents, context)))


def validate(path: Path, triple: str | None = None, targets: dict[str, Target] | None = None) -> Report:
    """Validate one distribution archive."""
    return check_contents(read_archive(path), triple, targets)
