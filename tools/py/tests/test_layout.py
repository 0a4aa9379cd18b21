"""Where an installed CPython keeps its files, per ABI flags (cpbuild.layout)."""

from __future__ import annotations

import pytest

from cpbuild.layout import Layout


def test_a_default_build() -> None:
    layout = Layout("3.13")
    assert (layout.executable, layout.stdlib, layout.include) == ("bin/python3.13", "lib/python3.13",
                                                                  "include/python3.13")
    assert (layout.lib_dynload, layout.site_packages) == ("lib/python3.13/lib-dynload", "lib/python3.13/site-packages")
    assert (layout.libpython_shared, layout.libpython_static_name) == ("lib/libpython3.13.so.1.0", "libpython3.13.a")


def test_free_threaded_renames_the_stdlib_debug_does_not() -> None:
    assert Layout("3.13", "t").stdlib == "lib/python3.13t"
    assert Layout("3.13", "d").stdlib == "lib/python3.13"
    both = Layout("3.13", "td")
    assert (both.ldversion, both.executable, both.stdlib, both.include, both.libpython_shared) == (
        "3.13td", "bin/python3.13td", "lib/python3.13t", "include/python3.13td", "lib/libpython3.13td.so.1.0")


@pytest.mark.parametrize(("version", "flags", "message"), [
    ("3.13.15", "", r"'3\.13\.15' is not a CPython minor version"),
    ("3", "", "not a CPython minor version"),
    ("3.13", "dt", r"'dt' is not a set of ABI flags"),
    ("3.13", "m", r"'m' is not a set of ABI flags"),
])
def test_bad_input_is_named(version: str, flags: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Layout(version, flags)
