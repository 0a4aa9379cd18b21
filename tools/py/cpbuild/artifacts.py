"""Checks that built files are for their target: ELF machine, libc, glibc floor.

Each check returns messages naming the check and the file; an empty list means it passed.
"""

from __future__ import annotations

from pathlib import Path

from cpbuild import elf
from cpbuild.tables import Target

GNU_LOADERS = {"EM_X86_64": "/lib64/ld-linux-x86-64.so.2", "EM_AARCH64": "/lib/ld-linux-aarch64.so.1"}
MUSL_LOADERS = {"EM_X86_64": "/lib/ld-musl-x86_64.so.1", "EM_AARCH64": "/lib/ld-musl-aarch64.so.1"}


def loader(target: Target) -> str:
    """The program interpreter of the target's executables (glibc's or musl's dynamic loader)."""
    return (MUSL_LOADERS if target.libc == "musl" else GNU_LOADERS)[target.elf_machine]


def glibc_too_new(info: elf.ElfInfo, target: Target) -> list[str]:
    """The GLIBC_ symbol versions the file requires that are newer than the target's glibc floor."""
    assert target.glibc is not None
    floor = elf.glibc_version_key(target.glibc)
    return [v for v in info.versions("GLIBC_") if elf.glibc_version_key(v) > floor]


def check_machine(info: elf.ElfInfo, target: Target) -> list[str]:
    if info.machine != target.elf_machine:
        return [f"machine: {info.name} is {info.machine}, {target.triple} needs {target.elf_machine}"]
    return []


def check_libc(info: elf.ElfInfo, target: Target) -> list[str]:
    errors = []
    glibc_versions = info.versions("GLIBC_")
    if target.libc == "musl":
        if glibc_versions:
            errors.append(f"musl-no-glibc: {info.name} requires glibc symbol versions {glibc_versions}")
        if info.interpreter not in (None, loader(target)):
            errors.append(f"loader: {info.name} uses {info.interpreter}, not musl's loader")
    else:
        too_new = glibc_too_new(info, target)
        if too_new:
            errors.append(f"glibc-floor: {info.name} requires {too_new}, newer than {target.triple}'s floor {target.glibc}")
        if info.interpreter not in (None, loader(target)):
            errors.append(f"loader: {info.name} uses {info.interpreter}, not glibc's {loader(target)}")
    return errors


def binary_files(path: Path) -> list[Path]:
    """`path` itself, or the ELF files and ar archives anywhere under the directory `path`."""
    if not path.is_dir():
        return [path]
    found = []
    for candidate in sorted(path.rglob("*")):
        if candidate.is_file() and not candidate.is_symlink():
            with candidate.open("rb") as stream:
                magic = stream.read(8)
            if magic[:4] == elf.ELF_MAGIC or magic == elf.AR_MAGIC:
                found.append(candidate)
    return found


def check_file(path: Path, target: Target) -> list[str]:
    """Every check, on a file or on each member of a static library."""
    try:
        infos = elf.read(path)
    except elf.ElfError as error:
        return [f"elf: {error}"]
    if not infos:
        return [f"elf: {path.name} holds no object"]
    errors = []
    for info in infos:
        errors += check_machine(info, target)
        errors += check_libc(info, target)
    return errors
