"""The check that CPython built the modules the extension table planned (cpbuild.check_modules)."""

from __future__ import annotations

import json
from pathlib import Path

from cpbuild import check_modules

CONFIG_C = """struct _inittab _PyImport_Inittab[] = {
    {"posix", PyInit_posix},
    {"_io", PyInit__io},
    {"marshal", PyMarshal_Init},
    {0, 0}
};
"""
PLAN: dict[str, dict[str, object]] = {
    "posix": {"state": "builtin"},
    "_io": {"state": "builtin"},
    "array": {"state": "shared"},
    "_ssl": {"state": "shared"},
    "_gdbm": {"state": "disabled", "reason": "GPL"},
    "_tkinter": {"state": "missing", "reason": "no tk build"},
    "_sre": {"state": "builtin"},
}


def lib_dynload(tmp: Path, *names: str) -> Path:
    directory = tmp / "lib-dynload"
    directory.mkdir()
    for name in names:
        (directory / f"{name}.cpython-313-x86_64-linux-gnu.so").write_bytes(b"")
    (directory / "README.txt").write_text("")
    return directory


def test_inittab_and_lib_dynload_are_read(tmp: Path) -> None:
    assert check_modules.builtin_inittab(CONFIG_C) == {"posix", "_io"}
    assert check_modules.built_shared(lib_dynload(tmp, "array", "_ssl")) == {"array", "_ssl"}


def test_every_difference_from_the_plan_is_named() -> None:
    assert check_modules.problems(PLAN, {"array", "_tkinter"}, {"posix", "_io"}) == [
        "_sre: planned as built in, not in config.c",
        "_ssl: planned as a shared module, not built",
        "_tkinter: planned as missing (no tk build), but built",
    ]
    assert check_modules.problems(PLAN, {"array", "_ssl"}, {"posix", "_io", "_sre"}) == []


def test_the_report_quotes_the_build_log_about_the_modules(tmp: Path) -> None:
    (tmp / "modules.json").write_text(json.dumps(PLAN))
    (tmp / "config.c").write_text(CONFIG_C.replace("{0, 0}", '{"_sre", PyInit__sre},\n    {0, 0}'))
    (tmp / "log").write_text("gcc -c _ssl.c\n_ssl.c:1: error: no ssl.h\nunrelated\n"
                             "The necessary bits to build these optional modules were not found:\n_ssl_extra\n")
    report = check_modules.check(tmp / "modules.json", lib_dynload(tmp, "array"), tmp / "config.c", tmp / "log")
    assert report == (
        "check_modules: CPython's build differs from cpython/extensions.bzl:\n"
        "  _ssl: planned as a shared module, not built\n"
        "build log lines about them:\n"
        "  gcc -c _ssl.c\n"
        "  _ssl.c:1: error: no ssl.h\n"
        "  The necessary bits to build these optional modules were not found:")
    (tmp / "ok").mkdir()
    assert check_modules.check(tmp / "modules.json", lib_dynload(tmp / "ok", "array", "_ssl"), tmp / "config.c",
                               tmp / "log") is None
