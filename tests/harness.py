"""What the distribution tests share (smoke/smoke_test.py, regrtest/run_regrtest.py): extracting a
distribution archive, and an X server for the tkinter tests."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def zstd_reader(raw: IO[bytes]) -> Any:
    """A decompressing reader: the standard library's (3.14+), else the zstandard package's."""
    try:
        from compression import zstd  # Python >= 3.14
        return zstd.ZstdFile(raw)
    except ImportError:
        import zstandard
        return zstandard.ZstdDecompressor().stream_reader(raw)


def extract(archive: Path, into: Path, only: str = "") -> None:
    """Extract a .tar.gz or .tar.zst archive into `into`, as a stream, with tarfile's "tar" filter
    (no absolute names, none leading outside); `only`: just the members under that prefix."""
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(archive.open("rb"))
        if archive.name.endswith(".zst"):
            tar = tarfile.open(fileobj=stack.enter_context(zstd_reader(raw)), mode="r|")
        else:
            tar = tarfile.open(fileobj=raw, mode="r|gz")
        stack.enter_context(tar)
        tar.extractall(into, members=(m for m in tar if m.name.startswith(only)), filter="tar")


@contextlib.contextmanager
def x_server(xvfb: str, log: Path, error: type[BaseException]) -> Iterator[str]:
    """An Xvfb server on a free display (it picks one itself: -displayfd); yields DISPLAY. When it
    reports no display within 60 s, raises `error` with the end of its log."""
    read_end, write_end = os.pipe()
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
            pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file)
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 60
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 64) if ready else b""
            if not chunk:
                state = "timed out" if server.poll() is None else f"exited with {server.returncode}"
                raise error(f"Xvfb did not report its display ({state}):\n{log.read_text()[-2000:]}")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_end)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
