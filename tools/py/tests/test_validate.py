"""The distribution validator: every check fails on a crafted bad input and passes a good one."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from builders import (
    DF_BIND_NOW,
    DF_TEXTREL,
    DT_FLAGS,
    DT_TEXTREL,
    ET_EXEC,
    GOOD_DYNAMIC,
    GOOD_SEGMENTS,
    PF_R,
    PF_W,
    PF_X,
    PT_GNU_RELRO,
    PT_GNU_STACK,
    PT_LOAD,
    SHF_EXECINSTR,
    SHT_PROGBITS,
    STB_GLOBAL,
    STB_WEAK,
    STV_DEFAULT,
    STV_HIDDEN,
    TarMember,
    build_elf,
    build_object,
    make_ar,
    make_tar,
)
from cpbuild import __main__ as cli
from cpbuild import elf, python_json, setup_local, startup_layout, tables, validate

TARGETS = tables.load_targets()
GNU_X86 = "x86_64-unknown-linux-gnu"
MUSL_X86 = "x86_64-unknown-linux-musl"
CONTEXT = validate.Context(TARGETS[GNU_X86], "3.13")
MUSL_CONTEXT = validate.Context(TARGETS[MUSL_X86], "3.13")
GLIBC_LOADER = "/lib64/ld-linux-x86-64.so.2"
EXT_SUFFIX = ".cpython-313-x86_64-linux-gnu.so"
STDLIB = "lib/python3.13"


# The checks some test made fail (test_every_check_is_made_to_fail_by_a_test, last, reads it):
# every failure the tests see passes through seen().
SEEN: set[str] = set()


def seen(failures: Sequence[validate.Failure]) -> list[validate.Failure]:
    SEEN.update(failure.check for failure in failures)
    return list(failures)


def checks(failures: Sequence[validate.Failure]) -> set[str]:
    return {failure.check for failure in seen(failures)}


def elf_failures(data: bytes, context: validate.Context = CONTEXT, name: str = "python/install/lib/x.so"
                 ) -> list[validate.Failure]:
    return seen(validate.elf_checks(elf.parse_elf(data, name), context))


def validated(path: Path, triple: str | None = None) -> validate.Report:
    """validate.validate, its failures seen."""
    report = validate.validate(path, triple)
    seen(report.failures)
    return report


# --- ELF ------------------------------------------------------------------------------------

def good_library(**overrides: Any) -> bytes:
    """A well-linked shared object: libc and libm, GLIBC_2.17, RELRO, BIND_NOW, NX stack."""
    spec: dict[str, Any] = {"needed": ["libc.so.6", "libm.so.6"],
                            "version_needs": [("libc.so.6", "GLIBC_2.2.5"), ("libc.so.6", "GLIBC_2.17")],
                            "symbols": [("PyInit_zlib", STB_GLOBAL, STV_DEFAULT, True),
                                        ("inflate", STB_GLOBAL, STV_DEFAULT, False),  # referenced, not exported
                                        ("deflate", STB_GLOBAL, STV_HIDDEN, True)]}  # defined, hidden
    spec.update(overrides)
    return build_elf(**spec)


def good_executable(**overrides: Any) -> bytes:
    spec: dict[str, Any] = {"file_type": ET_EXEC, "interpreter": GLIBC_LOADER, "rpath": "$ORIGIN/../lib",
                            "needed": ["libpython3.13.so.1.0", "libc.so.6"],
                            "version_needs": [("libc.so.6", "GLIBC_2.17")]}
    spec.update(overrides)
    return build_elf(**spec)


def test_the_reader_sees_segments_dynamic_and_symbols() -> None:
    info = elf.parse_elf(good_executable(symbols=[("main", STB_GLOBAL, STV_DEFAULT, True)]), "python3")
    assert info.file_type == "ET_EXEC" and info.interpreter == GLIBC_LOADER
    assert info.segment(PT_GNU_STACK) == elf.Segment(PT_GNU_STACK, PF_R | PF_W)
    assert info.segment(PT_GNU_RELRO) is not None
    assert info.needed == ("libpython3.13.so.1.0", "libc.so.6")
    assert info.rpath == ("$ORIGIN/../lib",) and info.runpath == ()
    assert info.bind_now and not info.textrel
    assert info.symbols == (elf.Symbol("main", STB_GLOBAL, STV_DEFAULT, True),)
    assert info.section(".dynsym") is not None


def test_good_elf_files_pass() -> None:
    assert elf_failures(good_library()) == []
    assert elf_failures(good_executable(), name="python/install/bin/python3.13") == []
    assert elf_failures(build_object(), name="python/build/Python/ceval.o") == []


def test_wrong_machine_fails() -> None:
    failures = elf_failures(good_library(machine=183))
    assert [str(f) for f in failures] == [
        "[elf-machine] python/install/lib/x.so: e_machine is EM_AARCH64, x86_64-unknown-linux-gnu needs EM_X86_64"]


# The targets beyond x86_64 and aarch64: (triple, e_machine number, ELF class, big-endian, the
# newest glibc symbol version their floor allows, one just above it).
OTHER_ARCHITECTURES = [
    ("armv7-unknown-linux-gnueabi", 40, 32, False, "GLIBC_2.4", "GLIBC_2.18"),
    ("armv7-unknown-linux-gnueabihf", 40, 32, False, "GLIBC_2.4", "GLIBC_2.18"),
    ("ppc64le-unknown-linux-gnu", 21, 64, False, "GLIBC_2.17", "GLIBC_2.20"),
    ("s390x-unknown-linux-gnu", 22, 64, True, "GLIBC_2.2", "GLIBC_2.18"),
    ("riscv64-unknown-linux-gnu", 243, 64, False, "GLIBC_2.27", "GLIBC_2.28"),
]


@pytest.mark.parametrize("triple, machine, bits, big_endian, floor, too_new", OTHER_ARCHITECTURES,
                         ids=[a[0] for a in OTHER_ARCHITECTURES])
def test_other_architectures_pass_with_their_loader_and_fail_otherwise(
        triple: str, machine: int, bits: int, big_endian: bool, floor: str, too_new: str) -> None:
    target = TARGETS[triple]
    context = validate.Context(target, "3.13")
    form = {"machine": machine, "bits": bits, "big_endian": big_endian}
    name = "python/install/bin/python3.13"
    loader = target.loader.rsplit("/", 1)[1]

    def executable(**overrides: Any) -> bytes:
        spec: dict[str, Any] = {"interpreter": target.loader, "needed": ["libc.so.6", "libm.so.6"],
                                "version_needs": [("libc.so.6", floor)], **form}
        spec.update(overrides)
        return good_executable(**spec)

    assert elf_failures(executable(), context, name) == []
    assert elf_failures(good_library(needed=["libc.so.6", loader], version_needs=[("libc.so.6", floor)], **form),
                        context) == []
    assert [str(f) for f in elf_failures(executable(interpreter=GLIBC_LOADER), context, name)] == [
        f"[elf-loader] {name}: PT_INTERP is {GLIBC_LOADER}, not {target.loader}"]
    assert [str(f) for f in elf_failures(executable(version_needs=[("libc.so.6", too_new)]), context, name)] == [
        f"[elf-glibc-floor] {name}: requires {too_new}, newer than {triple}'s glibc floor {target.glibc}"]
    assert [str(f) for f in elf_failures(executable(needed=["libc.so.6", "libatomic.so.1"]), context, name)] == [
        f"[elf-needed] {name}: DT_NEEDED libatomic.so.1 is not an allowed system library for {triple}"]
    other = 62 if machine != 62 else 183
    assert checks(elf_failures(executable(machine=other), context, name)) == {"elf-machine"}
    copy_type = elf.COPY_RELOCATION_TYPES[target.elf_machine]
    environ = [("environ", STB_GLOBAL, STV_DEFAULT, True), ("free", STB_GLOBAL, STV_DEFAULT, False)]
    assert elf.parse_elf(executable(symbols=environ, relocations=[(copy_type, "environ")]),
                         name).copy_relocations == ("environ",)
    assert [str(f) for f in elf_failures(executable(symbols=environ, relocations=[(copy_type, "environ")]),
                                         context, name)] == [
        f"[elf-copy-relocation] {name}: copy relocations of environ: the C library would keep writing its own "
        "copy; link it position-independent (-pie)"]
    # Another relocation type (a GOT entry's) is no copy.
    assert elf_failures(executable(symbols=environ, relocations=[(copy_type + 1, "free")]), context, name) == []


def test_extra_needed_library_fails_elf_needed() -> None:
    name = f"python/install/{STDLIB}/lib-dynload/_ssl{EXT_SUFFIX}"
    failures = elf_failures(good_library(needed=["libssl.so.3", "libc.so.6"]), name=name)
    assert [str(f) for f in failures] == [
        f"[elf-needed] {name}: DT_NEEDED libssl.so.3 is not an allowed system library for x86_64-unknown-linux-gnu"]


def test_needed_allows_the_system_libraries_loader_and_this_libpython_only() -> None:
    allowed = ["libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
               "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libpython3.13.so.1.0"]
    assert elf_failures(good_library(needed=allowed)) == []
    assert checks(elf_failures(good_library(needed=["libpython3.12.so.1.0"]))) == {"elf-needed"}
    assert checks(elf_failures(good_library(needed=["libc.so.6"]), MUSL_CONTEXT)) == {"elf-needed", "elf-musl-glibc"}
    assert elf_failures(good_library(needed=["libc.so", "ld-musl-x86_64.so.1"], version_needs=[]), MUSL_CONTEXT) == []


def test_too_new_glibc_symbol_version_fails() -> None:
    failures = elf_failures(good_library(version_needs=[("libc.so.6", "GLIBC_2.34")]))
    assert [str(f) for f in failures] == [
        "[elf-glibc-floor] python/install/lib/x.so: requires GLIBC_2.34, newer than x86_64-unknown-linux-gnu's "
        "glibc floor 2.17"]


def test_glibc_version_in_a_musl_binary_fails() -> None:
    failures = elf_failures(good_library(needed=["libc.so"], version_needs=[("libc.so", "GLIBC_2.2.5")]),
                            MUSL_CONTEXT)
    assert checks(failures) == {"elf-musl-glibc"}
    assert "GLIBC_2.2.5" in str(failures[0])


def test_wrong_loader_fails() -> None:
    failures = elf_failures(good_executable(interpreter="/lib/ld-musl-x86_64.so.1"))
    assert checks(failures) == {"elf-loader"}


@pytest.mark.parametrize("segments, detail", [
    ([s for s in GOOD_SEGMENTS if s[0] != PT_GNU_STACK], "no PT_GNU_STACK: the stack is executable"),
    ([s if s[0] != PT_GNU_STACK else (PT_GNU_STACK, PF_R | PF_W | PF_X) for s in GOOD_SEGMENTS],
     "PT_GNU_STACK is executable"),
])
def test_executable_stack_fails(segments: list[tuple[int, int]], detail: str) -> None:
    assert [f.detail for f in elf_failures(good_library(segments=segments))] == [detail]


@pytest.mark.parametrize("obj, detail", [
    (build_object(stack_note=False), "no .note.GNU-stack section: linking it makes the stack executable"),
    (build_object(executable_stack=True), ".note.GNU-stack asks for an executable stack"),
])
def test_object_file_asking_for_an_executable_stack_fails(obj: bytes, detail: str) -> None:
    failures = elf_failures(obj, name="python/build/lib/libz.a(inflate.o)")
    assert [str(f) for f in failures] == [f"[elf-stack] python/build/lib/libz.a(inflate.o): {detail}"]


def test_missing_relro_fails() -> None:
    failures = elf_failures(good_library(segments=[s for s in GOOD_SEGMENTS if s[0] != PT_GNU_RELRO]))
    assert checks(failures) == {"elf-relro"}


def test_missing_bind_now_fails() -> None:
    assert checks(elf_failures(good_library(dynamic=[]))) == {"elf-bind-now"}
    assert elf_failures(good_library(dynamic=[(DT_FLAGS, DF_BIND_NOW)])) == []
    assert elf_failures(good_library(dynamic=[GOOD_DYNAMIC[1]])) == []  # DF_1_NOW alone


@pytest.mark.parametrize("dynamic", [
    [*GOOD_DYNAMIC, (DT_TEXTREL, 0)],
    [(DT_FLAGS, DF_BIND_NOW | DF_TEXTREL)],
])
def test_text_relocations_fail(dynamic: list[tuple[int, int]]) -> None:
    assert checks(elf_failures(good_library(dynamic=dynamic))) == {"elf-textrel"}


@pytest.mark.parametrize("rpath, runpath", [("/install/lib", None), (None, "$ORIGIN/../lib:/usr/local/lib")])
def test_absolute_rpath_or_runpath_fails(rpath: str | None, runpath: str | None) -> None:
    failures = elf_failures(good_library(rpath=rpath, runpath=runpath))
    assert checks(failures) == {"elf-rpath"}
    assert ("/install/lib" if rpath else "/usr/local/lib") in failures[0].detail


def test_origin_relative_rpaths_pass() -> None:
    assert elf_failures(good_library(rpath="$ORIGIN/../lib:${ORIGIN}", runpath="$ORIGIN")) == []


@pytest.mark.parametrize("rpath, runpath", [
    (None, "$ORIGIN/../lib"), ("$ORIGIN/../lib", "$ORIGIN/../lib"), (None, None)])
def test_interpreter_without_rpath_to_libpython_fails(rpath: str | None, runpath: str | None) -> None:
    executable = good_executable(rpath=rpath, runpath=runpath)
    assert checks(elf_failures(executable, name="python/install/bin/python3.13")) == {"elf-interpreter-rpath"}
    # Other executables may use DT_RUNPATH.
    assert elf_failures(executable, name="python/install/bin/other") == []


def test_statically_linked_interpreter_fails() -> None:
    # zig links a musl executable statically unless told -dynamic: it then cannot dlopen lib-dynload.
    static = good_executable(interpreter=None, with_dynamic=False)
    assert "elf-interpreter-dynamic" in checks(elf_failures(static, name="python/install/bin/python3.13"))
    assert "elf-interpreter-dynamic" not in checks(elf_failures(static, name="python/install/bin/other"))


def test_static_build_with_a_shared_object_or_a_dynamic_executable_fails() -> None:
    context = validate.Context(CONTEXT.target, "3.13", static=True)
    interpreter = "python/install/bin/python3.13"
    # A static build's interpreter: no loader, no library, no RPATH; no elf-interpreter-* finding.
    static = good_executable(interpreter=None, with_dynamic=False, rpath=None, needed=[], version_needs=[])
    assert elf_failures(static, context, name=interpreter) == []
    assert checks(elf_failures(good_executable(), context, name=interpreter)) == {"elf-static"}
    assert checks(elf_failures(good_library(), context)) == {"elf-static"}
    assert "elf-static" not in checks(elf_failures(good_library()))


def test_writable_and_executable_segment_fails() -> None:
    segments = [*GOOD_SEGMENTS, (PT_LOAD, PF_R | PF_W | PF_X)]
    assert checks(elf_failures(good_library(segments=segments))) == {"elf-wx-segment"}


@pytest.mark.parametrize("symbol, binding, pin", [
    ("SSL_read", STB_GLOBAL, "openssl"), ("BIO_ADDR_new", STB_WEAK, "openssl"), ("sqlite3_open", STB_GLOBAL, "sqlite"),
    ("inflate", STB_GLOBAL, "zlib"), ("xcb_connect", STB_GLOBAL, "libxcb"),
])
def test_exported_vendored_symbol_fails(symbol: str, binding: int, pin: str) -> None:
    name = f"python/install/{STDLIB}/lib-dynload/_ssl{EXT_SUFFIX}"
    failures = elf_failures(good_library(symbols=[(symbol, binding, STV_DEFAULT, True)]), name=name)
    assert [f.check for f in failures] == ["elf-vendored-symbol"]
    assert str(failures[0]).startswith(f"[elf-vendored-symbol] {name}: exports {symbol} ({pin})")


def test_vendored_symbols_referenced_or_hidden_pass() -> None:
    symbols = [("SSL_read", STB_GLOBAL, STV_DEFAULT, False), ("SSL_read", STB_GLOBAL, STV_HIDDEN, True),
               ("ffi_call", 0, STV_DEFAULT, True)]  # undefined; hidden; local
    assert elf_failures(good_library(symbols=symbols)) == []


def test_vendored_symbols_are_the_pins_hidden_symbols() -> None:
    owners = validate.hidden_symbols()
    assert owners["SSL_read"] == "openssl" and owners["inflate"] == "zlib"
    assert set(owners.values()) == {pin.name for pin in tables.load_sources().values() if pin.hidden_symbols}


def test_static_library_members_are_each_checked() -> None:
    library = make_ar({"good.o": build_object(), "arm.o": build_object(machine=183),
                       "nonote.o": build_object(stack_note=False)})
    infos, unreadable, _bitcode = validate.elf_objects("python/build/lib/libz.a", library)
    assert unreadable == [] and [i.name for i in infos] == [
        "python/build/lib/libz.a(good.o)", "python/build/lib/libz.a(arm.o)", "python/build/lib/libz.a(nonote.o)"]
    found = [str(f) for info in infos for f in seen(validate.elf_checks(info, CONTEXT))]
    assert found == [
        "[elf-machine] python/build/lib/libz.a(arm.o): e_machine is EM_AARCH64, x86_64-unknown-linux-gnu needs "
        "EM_X86_64",
        "[elf-stack] python/build/lib/libz.a(nonote.o): no .note.GNU-stack section: linking it makes the stack "
        "executable"]


def test_unreadable_elf_files_are_noted() -> None:
    _infos, unreadable, _bitcode = validate.elf_objects("python/install/lib/x.so", good_library()[:80])
    assert [subject for subject, _why in unreadable] == ["python/install/lib/x.so"]
    _infos, unreadable, _bitcode = validate.elf_objects("python/install/lib/x.so", b"\x7fELF\x02\x03\x01" + bytes(60))
    assert unreadable == [
        ("python/install/lib/x.so", "unknown ELF class or data encoding (e_ident class, data (2, 3))")]
    library = make_ar({"a.o": build_object(), "b.o": b"text"})
    infos, unreadable, _bitcode = validate.elf_objects("python/build/lib/libz.a", library)
    assert [i.name for i in infos] == ["python/build/lib/libz.a(a.o)"]
    assert unreadable == [("python/build/lib/libz.a(b.o)", "not an ELF file")]
    _infos, unreadable, _bitcode = validate.elf_objects("python/build/lib/libz.a", b"!<arch>\nshort")
    assert unreadable == [("python/build/lib/libz.a", "unreadable static library: truncated or malformed ar member "
                                                      "header at offset 8")]


def test_unreadable_elf_file_in_an_archive_fails_elf_parse(tmp: Path) -> None:
    name = f"python/install/{STDLIB}/lib-dynload/_dbm{EXT_SUFFIX}"
    report = validated(full_archive(tmp, replace(full_members(), name, content=good_library()[:80])))
    assert [(f.check, f.subject) for f in report.failures] == [("elf-parse", name)]


# --- Archives -------------------------------------------------------------------------------

def document(extensions: dict[str, str], triple: str = GNU_X86) -> dict[str, Any]:
    """A PYTHON.json document (every version-8 key) for a 3.13 distribution with the modules."""
    empty: dict[Any, Any] = {str: "", list: [], dict: {}}
    doc: dict[str, Any] = {key: empty[kind] for key, kind in python_json.SCHEMA.items()}
    doc.update({
        "version": "8", "target_triple": triple, "python_platform_tag": TARGETS[triple].platform_tag,
        "python_major_minor_version": "3.13", "python_version": "3.13.15",
        "build_options": "noopt", "optimizations": "noopt",
        "python_extension_module_loading": ["builtin", "shared-library"], "libpython_link_mode": "shared",
        "python_paths": {"stdlib": f"install/{STDLIB}", "platstdlib": f"install/{STDLIB}",
                         "purelib": f"install/{STDLIB}/site-packages", "platlib": f"install/{STDLIB}/site-packages",
                         "include": "install/include/python3.13", "platinclude": "install/include/python3.13",
                         "scripts": "install/bin", "data": "install"},
        "python_exe": "install/bin/python3.13",
        "python_stdlib_platform_config": f"install/{STDLIB}/config-3.13-x86_64-linux-gnu",
        "license_path": "licenses/LICENSE.cpython.txt",
        "run_tests": "build/run_tests.py",
        "build_info": {
            "core": {"objs": ["build/Python/ceval.o"], "links": [],
                     "shared_lib": "install/lib/libpython3.13.so.1.0", "static_lib": None},
            "extensions": {name: [{
                "in_core": state == "builtin", "init_fn": f"PyInit_{name}",
                "links": [{"name": "z", "path_static": "build/lib/libz.a"}] if name == "zlib" else [],
                "objs": [] if state == "builtin" else [f"build/Modules/{name}.o"],
                "shared_lib": None if state == "builtin" else f"install/{STDLIB}/lib-dynload/{name}{EXT_SUFFIX}",
                "static_lib": None, "licenses": None, "license_paths": None, "license_public_domain": None,
                "required": state == "builtin", "variant": "default"}] for name, state in extensions.items()},
            "inittab_object": "build/Modules/config.o", "inittab_source": "build/config.c",
            "inittab_cflags": [], "object_file_format": "elf"},
    })
    return doc


def install_tree(prefix: str, shared: list[str]) -> list[TarMember]:
    """A good install tree: interpreter, libpython, stdlib, lib-dynload modules, a script."""
    return [
        TarMember(f"{prefix}/bin", kind=tarfile.DIRTYPE, mode=0o755),
        TarMember(f"{prefix}/bin/pip3", b"#!/bin/sh\n'''exec' \"$(dirname -- \"$0\")/python3.13\" \"$0\"\n' '''\n",
                  mode=0o755),
        TarMember(f"{prefix}/bin/python", kind=tarfile.SYMTYPE, mode=0o777, linkname="python3"),
        TarMember(f"{prefix}/bin/python3", kind=tarfile.SYMTYPE, mode=0o777, linkname="python3.13"),
        TarMember(f"{prefix}/bin/python3.13", good_executable(), mode=0o755),
        TarMember(f"{prefix}/include/python3.13/Python.h", b"#include <stdio.h>\n"),
        TarMember(f"{prefix}/lib/libpython3.13.so", kind=tarfile.SYMTYPE, mode=0o777, linkname="libpython3.13.so.1.0"),
        TarMember(f"{prefix}/lib/libpython3.13.so.1.0", good_library(), mode=0o755),
        TarMember(f"{prefix}/{STDLIB}/_sysconfigdata__linux_x86_64-linux-gnu.py",
                  b"build_time_vars = {'prefix': '/install', 'abs_srcdir': '/build/cpython'}\n"),
        TarMember(f"{prefix}/{STDLIB}/config-3.13-x86_64-linux-gnu/Makefile", b"prefix=/install\n"),
        TarMember(f"{prefix}/{STDLIB}/os.py", b"import abc\n"),
        TarMember(f"{prefix}/{STDLIB}/site-packages/README.txt", b"site-packages\n"),
    ] + [TarMember(f"{prefix}/{STDLIB}/lib-dynload/{name}{EXT_SUFFIX}", good_library(), mode=0o755)
         for name in shared]


def expected_states() -> dict[str, str]:
    """Each module the real extension table builds for 3.13 on x86_64 glibc, and its state."""
    return {name: fate.state for name, fate in validate.expected_extensions("3.13", GNU_X86).items()}


def full_members(doc: dict[str, Any] | None = None) -> list[TarMember]:
    """A good full archive for the real extension table: PYTHON.json first, install, build, licences."""
    expected = validate.expected_extensions("3.13", GNU_X86)
    doc = doc or document({name: fate.state for name, fate in expected.items()})
    shared = sorted(name for name, fate in expected.items() if fate.state == "shared")
    return [
        TarMember("python/PYTHON.json", json.dumps(doc).encode()),
        TarMember("python/build/Modules/config.o", build_object()),
        TarMember("python/build/Python/ceval.o", build_object()),
        TarMember("python/build/config.c", b"/* inittab */\n"),
        TarMember("python/build/lib/libz.a", make_ar({"inflate.o": build_object(), "deflate.o": build_object()})),
        TarMember("python/build/run_tests.py", b"import sys\n"),
        *[TarMember(f"python/build/Modules/{name}.o", build_object()) for name in shared],
        *install_tree("python/install", shared),
        TarMember("python/licenses/LICENSE.cpython.txt", b"PSF\n"),
    ]


def full_archive(tmp: Path, members: list[TarMember]) -> Path:
    return make_tar(tmp / f"cpython-3.13.15-{GNU_X86}-noopt-full.tar.zst", members)


def replace(members: list[TarMember], name: str, **changes: Any) -> list[TarMember]:
    found = [m for m in members if m.name == name]
    assert found, name
    return [TarMember(**{**m.__dict__, **changes}) if m.name == name else m for m in members]


def test_a_good_full_archive_passes(tmp: Path) -> None:
    report = validated(full_archive(tmp, full_members()))
    assert report.failures == ()
    assert report.layout == "full" and report.target == GNU_X86
    assert report.elf_files > 5


def test_a_good_install_only_archive_passes(tmp: Path) -> None:
    path = make_tar(tmp / f"cpython-3.13.15-{GNU_X86}-install_only.tar.gz", install_tree("python", ["zlib"]))
    report = validated(path)
    assert report.failures == ()
    assert report.layout == "install_only" and report.target == GNU_X86  # from the file name


def test_build_options_that_disagree_with_the_document_or_the_table_fail(tmp: Path) -> None:
    doc = document(expected_states())
    doc.update(build_options="freethreaded+lto")
    report = validated(full_archive(tmp, replace(full_members(doc), "python/PYTHON.json",
                                                 content=json.dumps(doc).encode())))
    assert [str(f) for f in report.failures if f.check == "python-json-build-options"] == [
        "[python-json-build-options] python/PYTHON.json: optimizations is 'noopt'; build options freethreaded+lto "
        "make it 'lto'",
        "[python-json-build-options] python/PYTHON.json: python_abi_tag is ''; build options freethreaded+lto "
        "make it 't'",
        "[python-json-build-options] python/PYTHON.json: python_exe is 'install/bin/python3.13'; build options "
        "freethreaded+lto make it 'install/bin/python3.13t'"]
    doc.update(build_options="fast+lto")
    report = validated(full_archive(tmp, replace(full_members(doc), "python/PYTHON.json",
                                                 content=json.dumps(doc).encode())))
    assert [f.detail for f in report.failures if f.check == "python-json-build-options"] == [
        "build options 'fast+lto': 'fast' is not a variant of build_options.bzl (freethreaded)"]


BITCODE = b"BC\xc0\xde" + bytes(28)


def test_objects_must_be_in_the_format_build_info_names(tmp: Path) -> None:
    # elf, with a bitcode object among the CPython objects (the vendored libraries do not count).
    members = [*full_members(), TarMember("python/build/Modules/lto.o", BITCODE),
               TarMember("python/build/lib/libfoo.a", make_ar({"foo.o": BITCODE}))]
    report = validated(full_archive(tmp, members))
    assert [str(f) for f in report.failures] == [
        "[object-format] python/build/Modules/lto.o: LLVM bitcode, but build_info.object_file_format is elf"]
    # llvm-bitcode: every ELF object is a finding, but those the Makefile assembles from .S.
    doc = document(expected_states())
    doc["build_info"]["object_file_format"] = "llvm-bitcode:20.1.2"
    members = [*replace(full_members(doc), "python/PYTHON.json", content=json.dumps(doc).encode()),
               TarMember("python/build/Modules/lto.o", BITCODE),
               TarMember("python/build/Makefile", b"Python/ceval.o: $(srcdir)/Python/ceval.S\n")]
    report = validated(full_archive(tmp, members))
    subjects = {f.subject for f in report.failures if f.check == "object-format"}
    assert "python/build/Modules/config.o" in subjects and "python/build/Python/ceval.o" not in subjects
    assert not [s for s in subjects if s.startswith("python/build/lib/")]


def test_a_profile_guided_interpreter_has_its_startup_code_ahead_of_text(tmp: Path) -> None:
    doc = document(expected_states())
    doc.update(build_options="pgo", optimizations="pgo")
    interpreter = "python/install/bin/python3.13"
    startup, text = (startup_layout.SECTION, SHT_PROGBITS, SHF_EXECINSTR), (".text", SHT_PROGBITS, SHF_EXECINSTR)

    def failures(sections: list[tuple[str, int, int]], options: dict[str, str]) -> list[str]:
        doc.update(options)
        members = replace(full_members(doc), "python/PYTHON.json", content=json.dumps(doc).encode())
        members = replace(members, interpreter, content=good_executable(sections=sections), mode=0o755)
        return [str(f) for f in validated(full_archive(tmp, members)).failures if f.check == "startup-layout"]

    pgo = {"build_options": "pgo", "optimizations": "pgo"}
    assert failures([startup, text], pgo) == []
    assert failures([text], pgo) == [
        f"[startup-layout] {interpreter}: no .text.startup section: build options pgo gather the functions "
        "startup runs ahead of the rest (cpbuild.startup_layout)"]
    assert failures([text, startup], pgo) == [f"[startup-layout] {interpreter}: .text.startup is not ahead of .text"]
    assert failures([text], {"build_options": "noopt", "optimizations": "noopt"}) == []


def test_install_only_without_static_libpython_test_packages_and_test_modules(tmp: Path) -> None:
    members = [
        *install_tree("python", ["_testcapi", "_json"]),
        TarMember("python/lib/libpython3.13.a", make_ar({"ceval.o": build_object()})),
        TarMember(f"python/{STDLIB}/config-3.13-x86_64-linux-gnu/libpython3.13.a", make_ar({"a.o": build_object()})),
        TarMember(f"python/{STDLIB}/test/__init__.py", b""),
        TarMember(f"python/{STDLIB}/site-packages/pip/tests/__init__.py", b""),
    ]
    report = validated(make_tar(tmp / f"cpython-3.13.15-{GNU_X86}-install_only.tar.gz", members))
    assert sorted((f.check, f.subject) for f in report.failures) == [
        ("install-only-contents", "python/lib/libpython3.13.a"),
        ("install-only-contents", f"python/{STDLIB}/config-3.13-x86_64-linux-gnu/libpython3.13.a"),
        ("install-only-contents", f"python/{STDLIB}/lib-dynload/_testcapi{EXT_SUFFIX}"),
        ("install-only-contents", f"python/{STDLIB}/test"),
    ]


def test_python_json_not_first_fails(tmp: Path) -> None:
    members = full_members()
    report = validated(full_archive(tmp, members[1:] + members[:1]))
    assert [str(f) for f in report.failures] == [
        f"[archive-python-json-first] cpython-3.13.15-{GNU_X86}-noopt-full.tar.zst: the first member is "
        "python/build/Modules/config.o, not python/PYTHON.json"]


def test_dotdot_and_absolute_member_names_fail(tmp: Path) -> None:
    members = [*full_members(), TarMember("python/../etc/passwd", b"x"), TarMember("/etc/shadow", b"x"),
               TarMember("install/bin/python3", b"x")]
    report = validated(full_archive(tmp, members))
    assert sorted(str(f) for f in report.failures) == [
        "[archive-member-name] /etc/shadow: absolute member name",
        "[archive-member-name] install/bin/python3: member outside python/",
        "[archive-member-name] python/../etc/passwd: member name contains '..'"]


def test_device_and_fifo_members_fail(tmp: Path) -> None:
    members = [*full_members(), TarMember("python/install/dev-null", kind=tarfile.CHRTYPE),
               TarMember("python/install/pipe", kind=tarfile.FIFOTYPE)]
    report = validated(full_archive(tmp, members))
    assert [(f.check, f.subject) for f in report.failures] == [
        ("archive-file-type", "python/install/dev-null"), ("archive-file-type", "python/install/pipe")]


def test_world_writable_file_fails(tmp: Path) -> None:
    members = replace(full_members(), "python/install/lib/python3.13/os.py", mode=0o666)
    report = validated(full_archive(tmp, members))
    assert [str(f) for f in report.failures] == [
        "[archive-world-writable] python/install/lib/python3.13/os.py: mode 0666 is world-writable"]


@pytest.mark.parametrize("name, mode, failure", [
    ("python/install/lib/python3.13/os.py", 0o755, None),  # make install keeps the source's execute bit
    (f"python/install/{STDLIB}/lib-dynload/_dbm{EXT_SUFFIX}", 0o644,
     f"[archive-file-modes] python/install/{STDLIB}/lib-dynload/_dbm{EXT_SUFFIX}: mode 0644: an extension "
     "module is a shared object, executable"),
    ("python/build/lib/libz.a", 0o755,
     "[archive-file-modes] python/build/lib/libz.a: mode 0755: objects, libraries and texts are not programs"),
    ("python/install/bin/python3.13", 0o644,
     "[archive-python-links] python/install/bin/python3.13: the interpreter is mode 0644, not executable"),
])
def test_modes_other_than_make_installs_fail(tmp: Path, name: str, mode: int, failure: str | None) -> None:
    report = validated(full_archive(tmp, replace(full_members(), name, mode=mode)))
    assert [str(f) for f in report.failures] == ([failure] if failure else [])


@pytest.mark.parametrize("linkname, detail", [
    ("libpython3.13.so.9", "target libpython3.13.so.9 does not resolve inside the archive"),
    ("../../../../outside", "target ../../../../outside does not resolve inside the archive"),
    ("/usr/lib/libpython3.13.so.1.0", "absolute target /usr/lib/libpython3.13.so.1.0 points outside the archive"),
])
def test_dangling_or_escaping_symlink_fails(tmp: Path, linkname: str, detail: str) -> None:
    members = replace(full_members(), "python/install/lib/libpython3.13.so", linkname=linkname)
    report = validated(full_archive(tmp, members))
    assert [str(f) for f in report.failures] == [f"[archive-symlink] python/install/lib/libpython3.13.so: {detail}"]


def test_symlinks_resolve_through_directories_and_dotdot() -> None:
    entries = [validate.Entry("python/lib/real/x", "file"),
               validate.Entry("python/lib/alias", "symlink", 0o777, "real"),
               validate.Entry("python/bin/x", "symlink", 0o777, "../lib/alias/x"),
               validate.Entry("python/loop", "symlink", 0o777, "loop")]
    members = {e.name: e for e in entries}
    directories = validate._directories(members)
    assert validate.resolve("python/bin/x", members, directories) == "python/lib/real/x"
    assert validate.resolve("python/loop", members, directories) is None
    assert [f.subject for f in seen(validate.check_links(validate.Contents("x.tar.zst", "full", entries)))
            ] == ["python/loop"]


def test_hard_link_to_a_missing_member_fails(tmp: Path) -> None:
    members = [*full_members(), TarMember("python/install/bin/python3.13-copy", kind=tarfile.LNKTYPE,
                                          linkname="python/install/bin/python3.14")]
    report = validated(full_archive(tmp, members))
    assert [str(f) for f in report.failures] == [
        "[archive-symlink] python/install/bin/python3.13-copy: hard link to python/install/bin/python3.14, not a file "
        "of the archive"]


def test_bin_python_and_python3_must_lead_to_the_same_interpreter(tmp: Path) -> None:
    members = [*full_members(), TarMember("python/install/bin/python3.12", good_executable(), mode=0o755)]
    report = validated(full_archive(tmp, replace(members, "python/install/bin/python", linkname="python3.12")))
    assert [str(f) for f in report.failures] == [
        "[archive-python-links] python/install/bin: bin/python leads to python/install/bin/python3.12, bin/python3 "
        "to python/install/bin/python3.13"]
    report = validated(full_archive(tmp, [m for m in full_members() if m.name != "python/install/bin/python"]))
    assert [(f.check, f.subject) for f in report.failures] == [("archive-python-links", "python/install/bin/python")]


def test_missing_python_json_path_fails(tmp: Path) -> None:
    members = [m for m in full_members() if m.name != "python/licenses/LICENSE.cpython.txt"]
    report = validated(full_archive(tmp, members))
    assert [str(f) for f in report.failures] == [
        "[python-json-paths] python/PYTHON.json: names licenses/LICENSE.cpython.txt, which the archive lacks"]


def test_missing_build_info_object_or_static_library_fails(tmp: Path) -> None:
    members = [m for m in full_members() if m.name not in ("python/build/lib/libz.a", "python/build/Python/ceval.o")]
    report = validated(full_archive(tmp, members))
    assert sorted(str(f) for f in report.failures) == [
        "[python-json-build-info] python/PYTHON.json: build_info names build/Python/ceval.o, which the archive lacks",
        "[python-json-build-info] python/PYTHON.json: build_info names build/lib/libz.a, which the archive lacks"]


def test_a_named_path_that_is_a_dangling_symlink_fails(tmp: Path) -> None:
    members = replace(full_members(), "python/build/lib/libz.a", kind=tarfile.SYMTYPE, mode=0o777, content=None,
                      linkname="/execroot/_main/bazel-out/bin/third_party/zlib/lib/libz.a")
    report = validated(full_archive(tmp, members))
    assert sorted(str(f) for f in report.failures) == [
        "[archive-symlink] python/build/lib/libz.a: absolute target /execroot/_main/bazel-out/bin/third_party/zlib/lib/"
        "libz.a points outside the archive",
        "[python-json-build-info] python/PYTHON.json: build_info names build/lib/libz.a, which the archive lacks"]


def test_schema_violation_fails(tmp: Path) -> None:
    doc = document({name: fate.state for name, fate in validate.expected_extensions("3.13", GNU_X86).items()})
    doc["crt_features"] = "glibc-dynamic"
    doc["surprise"] = 1
    report = validated(full_archive(tmp, full_members(doc)))
    assert [str(f) for f in report.failures] == [
        "[python-json-schema] python/PYTHON.json: crt_features is str, not list; unknown key surprise"]


def test_unparsable_python_json_fails(tmp: Path) -> None:
    members = replace(full_members(), "python/PYTHON.json", content=b"{not json")
    report = validated(full_archive(tmp, members))  # the target from the file name
    assert [f.check for f in report.failures] == ["python-json-schema"]
    assert report.failures[0].detail.startswith("not JSON")
    with pytest.raises(validate.ValidationError, match="no target triple"):  # nothing says which target
        validated(make_tar(tmp / "dist.tar.zst", members))
    assert validated(make_tar(tmp / "dist.tar.zst", members), GNU_X86).target == GNU_X86


def test_document_for_another_target_fails(tmp: Path) -> None:
    report = validated(full_archive(tmp, full_members()), "aarch64-unknown-linux-gnu")
    assert "python-json-target" in checks(report.failures)
    assert "elf-machine" in checks(report.failures)


def test_extension_set_must_equal_the_table() -> None:
    expected = {"posix": setup_local.ModuleFate("posix", "builtin"),
                "zlib": setup_local.ModuleFate("zlib", "shared", deps=("zlib",)),
                "array": setup_local.ModuleFate("array", "shared")}
    doc = document({"posix": "shared", "zlib": "shared", "_ssl": "shared"})
    entries = [validate.Entry(f"python/install/{STDLIB}/lib-dynload/{name}{EXT_SUFFIX}", "file")
               for name in ("zlib", "_ssl", "stray")]
    findings = list(validate.extension_findings(doc, entries, expected))
    where = "3.13 on x86_64-unknown-linux-gnu"
    assert findings == [
        ("python/PYTHON.json", f"array: cpython/extensions.bzl builds it for {where}, build_info lacks it"),
        ("python/PYTHON.json", f"_ssl: in build_info, but cpython/extensions.bzl does not build it for {where}"),
        ("python/PYTHON.json", "posix: in_core is False, the table says builtin"),
        (f"python/install/{STDLIB}/lib-dynload/stray{EXT_SUFFIX}", "extension module build_info does not list")]


def test_real_archive_with_a_module_the_table_does_not_build_fails(tmp: Path) -> None:
    expected = validate.expected_extensions("3.13", GNU_X86)
    doc = document({**{name: fate.state for name, fate in expected.items()}, "xxlimited": "shared"})
    members = [*full_members(doc), TarMember("python/build/Modules/xxlimited.o", build_object()),
               TarMember(f"python/install/{STDLIB}/lib-dynload/xxlimited{EXT_SUFFIX}", good_library(), mode=0o755)]
    report = validated(full_archive(tmp, members))
    assert [f.detail for f in report.failures] == [
        "xxlimited: in build_info, but cpython/extensions.bzl does not build it for 3.13 on x86_64-unknown-linux-gnu"]


def test_leaked_sandbox_path_fails(tmp: Path) -> None:
    sysconfig = f"python/install/{STDLIB}/_sysconfigdata__linux_x86_64-linux-gnu.py"
    leak = (b"build_time_vars = {'CC': '/var/cache/bazel/sandbox/processwrapper-sandbox/7/execroot/_main/"
            b"external/zig/cc'}\n")
    report = validated(full_archive(tmp, replace(full_members(), sysconfig, content=leak)))
    assert checks(report.failures) == {"build-path"}
    assert {f.subject for f in report.failures} == {sysconfig}
    assert len(report.failures) == 3  # /execroot/, /sandbox/, processwrapper-sandbox


def test_install_prefix_shebang_fails_in_install_only(tmp: Path) -> None:
    members = replace(install_tree("python", []), "python/bin/pip3", content=b"#!/install/bin/python3.13\n")
    report = validated(make_tar(tmp / f"cpython-3.13.15-{GNU_X86}-install_only.tar.gz", members))
    assert [(f.check, f.subject) for f in report.failures] == [("build-path", "python/bin/pip3")]


def test_elf_failures_inside_the_archive_name_the_member(tmp: Path) -> None:
    name = f"python/install/{STDLIB}/lib-dynload/_dbm{EXT_SUFFIX}"
    bad = good_library(needed=["libz.so.1", "libc.so.6"], symbols=[("inflate", STB_GLOBAL, STV_DEFAULT, True)])
    report = validated(full_archive(tmp, replace(full_members(), name, content=bad)))
    assert [str(f) for f in report.failures] == [
        f"[elf-needed] {name}: DT_NEEDED libz.so.1 is not an allowed system library for x86_64-unknown-linux-gnu",
        f"[elf-vendored-symbol] {name}: exports inflate (zlib): vendored libraries must be compiled with hidden "
        "visibility (-fvisibility=hidden: zig's linker has no --exclude-libs)"]


def test_checks_are_registered_once_each() -> None:
    assert len(set(validate.CHECKS)) == len(validate.CHECKS) > 20
    with pytest.raises(ValueError, match="check 'elf-machine' is registered twice"):
        validate.elf_check("elf-machine")(lambda info, context: ())


# --- Command line ---------------------------------------------------------------------------

def test_command_line_passes_a_good_archive_and_skips_other_files(tmp: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = full_archive(tmp, full_members())
    (tmp / "PYTHON.json").write_text("{}")
    assert cli.main(["validate", str(path), str(tmp / "PYTHON.json")]) == 0
    out = capsys.readouterr().out
    assert "skip PYTHON.json: not a distribution archive" in out
    assert f"ok   {path.name} (full, {GNU_X86})" in out


def test_command_line_fails_naming_each_check(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    members = replace(full_members(), "python/install/lib/python3.13/os.py", mode=0o777)
    path = full_archive(tmp, members)
    assert cli.main(["validate", "--target", GNU_X86, str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL [archive-world-writable] python/install/lib/python3.13/os.py: mode 0777 is world-writable" in out
    assert f"FAIL {path.name} (full, {GNU_X86})" in out


def test_command_line_without_an_archive_fails(tmp: Path) -> None:
    (tmp / "modules.json").write_text("{}")
    assert cli.main(["validate", str(tmp / "modules.json")]) == 2


# Last in the file (pytest runs a module's tests in order): every registered check is one some
# test above made fail.
def test_every_check_is_made_to_fail_by_a_test() -> None:
    if len(SEEN) < 2:
        pytest.skip("needs the whole module: the tests above record the checks they make fail")
    assert [name for name in validate.CHECKS if name not in SEEN] == []
