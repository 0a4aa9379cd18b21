"""`check-artifacts`: the validator's ELF checks on built files (not a distribution archive).

The checks are validate.py's, by name, so a failure reads as the validator's would:
  [elf-glibc-floor] zlib_roundtrip: requires GLIBC_2.34, newer than x86_64-unknown-linux-gnu's glibc floor 2.17
"""

from __future__ import annotations

from pathlib import Path

from cpbuild import elf, validate
from cpbuild.tables import Target

# What a built file must be for its target: readable, its machine, libc and loader.
CHECKS = ("elf-parse", "elf-machine", "elf-glibc-floor", "elf-musl-glibc", "elf-loader")


def binary_files(path: Path) -> list[Path]:
    """`path` itself, or the ELF files and ar archives anywhere under the directory `path`."""
    if not path.is_dir():
        return [path]
    return [p for p in sorted(path.rglob("*")) if elf.is_elf(p) or elf.is_ar_archive(p)]


def read_file(path: Path) -> validate.Contents:
    """What the checks need of a file: its ELF objects (itself, or a static library's members)."""
    contents = validate.Contents(name=path.name, layout="files")
    try:
        data = path.read_bytes()
    except OSError as error:
        contents.unreadable.append((str(path), f"cannot read it: {error.strerror}"))
        return contents
    contents.elf_files, contents.unreadable, contents.bitcode = validate.elf_objects(path.name, data)
    if not contents.elf_files and not contents.unreadable:
        what = "an ar archive without objects" if elf.is_ar_archive(path) else "not an ELF file or static library"
        contents.unreadable.append((path.name, what))
    return contents


def check_file(path: Path, target: Target) -> list[validate.Failure]:
    """Every check of CHECKS, on a file or on each member of a static library."""
    return validate.run_checks(read_file(path), validate.Context(target), CHECKS)
