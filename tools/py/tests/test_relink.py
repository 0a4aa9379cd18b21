from pathlib import Path
from typing import Any

import pytest

from cpbuild.relink import is_bitcode, link_arguments


def build_info(**extensions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"core": {"objs": ["build/Python/ceval.o"], "links": [{"name": "m", "system": True}]},
            "inittab_object": "build/Modules/config.o", "object_file_format": "elf",
            "extensions": extensions}


def test_objects_then_static_libraries_then_system_libraries_each_once() -> None:
    ssl = {"in_core": True, "objs": ["build/Modules/_ssl.o"],
           "links": [{"name": "ssl", "path_static": "build/lib/libssl.a"}, {"name": "m", "system": True}]}
    hashlib = {"in_core": True, "objs": ["build/Modules/_hashopenssl.o"],
               "links": [{"name": "ssl", "path_static": "build/lib/libssl.a"}, {"name": "dl", "system": True}]}
    shared = {"in_core": False, "objs": ["build/Modules/_tkinter.o"], "links": [{"name": "tcl"}]}
    args = link_arguments(build_info(_ssl=[ssl], _hashlib=[hashlib], _tkinter=[shared]), Path("/r"))
    assert args == ["/r/build/Python/ceval.o", "/r/build/Modules/config.o", "/r/build/Programs/python.o",
                    "/r/build/Modules/_hashopenssl.o", "/r/build/Modules/_ssl.o", "/r/build/lib/libssl.a",
                    "-lm", "-ldl"]


def test_a_link_that_is_neither_static_nor_system_is_named() -> None:
    odd = {"in_core": True, "objs": ["build/Modules/_odd.o"], "links": [{"name": "odd"}]}
    with pytest.raises(ValueError, match="_odd: a link that is neither static nor system"):
        link_arguments(build_info(_odd=[odd]), Path("/r"))


def test_an_object_named_twice_is_an_error() -> None:
    twice = {"in_core": True, "objs": ["build/Python/ceval.o"], "links": []}
    with pytest.raises(ValueError, match=r"more than once: \['build/Python/ceval.o'\]"):
        link_arguments(build_info(_twice=[twice]), Path("/r"))


def test_bitcode_objects_are_told_by_the_object_file_format() -> None:
    assert is_bitcode({"object_file_format": "llvm-bitcode:20.1.2"})
    assert not is_bitcode({"object_file_format": "elf"})
