"""Where an installed CPython keeps its files, for a version and its ABI flags (`t` for a
free-threaded build, `d` for a debug build, both as `td`).

The one place that knows these paths: the build, PYTHON.json, packaging, the validator and the
smoke tests derive theirs from it. Paths are relative to the install prefix.
"""

from __future__ import annotations

import dataclasses

ABI_FLAG_ORDER = "td"  # CPython's order in ABIFLAGS (configure.ac: ABI_THREAD then d)


@dataclasses.dataclass(frozen=True)
class Layout:
    """The install tree of CPython `version` (X.Y) built with `abi_flags` ("", "t", "d", "td")."""
    version: str
    abi_flags: str = ""

    def __post_init__(self) -> None:
        parts = self.version.split(".")
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            raise ValueError(f"layout: {self.version!r} is not a CPython minor version X.Y")
        if self.abi_flags not in ("", "t", "d", "td"):
            raise ValueError(f"layout: {self.abi_flags!r} is not a set of ABI flags ('', t, d, td)")

    @property
    def ldversion(self) -> str:
        """CPython's LDVERSION: the version and every ABI flag (3.13td)."""
        return self.version + self.abi_flags

    @property
    def executable(self) -> str:
        """The interpreter `make install` installs (bin/python3.13t): python<LDVERSION>."""
        return f"bin/python{self.ldversion}"

    @property
    def stdlib(self) -> str:
        """The standard library: lib/python3.13, lib/python3.13t when free-threaded (a debug build
        shares the stdlib directory's name with a release build)."""
        return f"lib/python{self.version}{'t' if 't' in self.abi_flags else ''}"

    @property
    def lib_dynload(self) -> str:
        return f"{self.stdlib}/lib-dynload"

    @property
    def site_packages(self) -> str:
        return f"{self.stdlib}/site-packages"

    @property
    def include(self) -> str:
        """The C headers: include/python<LDVERSION>."""
        return f"include/python{self.ldversion}"

    @property
    def libpython_shared(self) -> str:
        """The shared libpython: lib/libpython<LDVERSION>.so.1.0."""
        return f"lib/libpython{self.ldversion}.so.1.0"

    @property
    def libpython_static_name(self) -> str:
        """The static libpython's file name (in the stdlib's config-<LDVERSION>-* directory)."""
        return f"libpython{self.ldversion}.a"
