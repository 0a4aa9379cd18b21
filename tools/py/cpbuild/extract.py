"""Extract a distribution archive safely, any flavor, without a `tar` that knows zstd.

  tools/py/run extract ARCHIVE [DIR]      DIR (default: the current directory) gets python/

Every member is checked before anything is written, by the validator's own member checks
(validate.MEMBER_CHECKS: names relative and under python/, no '..', only files, directories and
links, every link leading to a member, no world-writable mode). The archive is unpacked into a
temporary directory inside DIR and moved to DIR/python only when complete: a failure (a bad
member, a full disk) leaves DIR as it was. An existing DIR/python is never overwritten.
"""

from __future__ import annotations

import errno
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import zstandard

from cpbuild import validate
from cpbuild.archive_diff import open_stream


class ExtractError(Exception):
    """The archive or the destination is wrong; the message names it and says what to do."""


def check_members(archive: Path) -> list[tarfile.TarInfo]:
    """Every member, read once; an ExtractError naming the first the validator's member checks
    (validate.MEMBER_CHECKS) fail."""
    members = []
    try:
        with open_stream(archive) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            members = list(tar)
    except (OSError, tarfile.TarError, zstandard.ZstdError, EOFError) as error:
        raise ExtractError(f"{archive}: not a readable .tar.gz or .tar.zst archive: {error}") from None
    if not members:
        raise ExtractError(f"{archive}: an empty archive")
    entries = [validate.entry_of(info) for info in members]
    failures = validate.member_failures(validate.Contents(archive.name, "members", entries))
    if failures:
        first = failures[0]
        raise ExtractError(f"{archive}: member {first.subject!r}: {first.detail} ({first.check});"
                           " nothing was extracted")
    return members


def extract(archive: Path, destination: Path) -> Path:
    """Unpack `archive` into `destination`/python; returns that directory."""
    if not archive.is_file():
        raise ExtractError(f"{archive}: no such archive")
    members = check_members(archive)
    final = destination / validate.TOP
    if final.exists() or final.is_symlink():
        raise ExtractError(f"{final} already exists: remove it, or extract into another directory")
    destination.mkdir(parents=True, exist_ok=True)
    size = sum(info.size for info in members)
    free = shutil.disk_usage(destination).free
    if size > free:
        raise ExtractError(f"{destination}: {free / 1e6:.0f} MB free, the archive unpacks to {size / 1e6:.0f} MB: "
                           "free some space or extract elsewhere; nothing was extracted")
    scratch = Path(tempfile.mkdtemp(prefix=".extract-", dir=destination))
    try:
        with open_stream(archive) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            # The data filter enforces the same rules again while writing (Python >= 3.12).
            tar.extractall(scratch, filter="data")
        os.rename(scratch / validate.TOP, final)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise ExtractError(f"{destination}: no space left on device while extracting {archive.name} "
                               f"({size / 1e6:.0f} MB unpacked): free some space; nothing was kept") from None
        raise ExtractError(f"{archive} into {destination}: {error}; nothing was kept") from None
    except (tarfile.TarError, zstandard.ZstdError, EOFError) as error:
        raise ExtractError(f"{archive}: {error}; nothing was kept") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final
