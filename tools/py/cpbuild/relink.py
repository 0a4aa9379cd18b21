"""An interpreter's link from a full archive's PYTHON.json build_info alone: what a re-linking
consumer (PyOxidizer-style) does, and what tests/relink and tools/py/bench/bolt link."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def link_arguments(info: dict[str, Any], root: Path) -> list[str]:
    """The link's inputs, as build_info names them (paths relative to the extracted archive's
    `root`): objects, then static libraries, then the system libraries (each once, in first-seen
    order). A link that is neither static nor a system library, or an object named twice, is a
    ValueError naming it."""
    core = info["core"]
    objects = [*core["objs"], info["inittab_object"], "build/Programs/python.o"]
    archives: list[str] = []
    system: list[str] = [link["name"] for link in core["links"]]
    for name, entries in sorted(info["extensions"].items()):
        for entry in entries:
            if not entry["in_core"]:
                continue
            objects += entry["objs"]
            for link in entry["links"]:
                if link.get("path_static"):
                    archives.append(link["path_static"])
                elif link.get("system"):
                    system.append(link["name"])
                else:
                    raise ValueError(f"{name}: a link that is neither static nor system: {link}")
    duplicates = sorted({o for o in objects if objects.count(o) > 1})
    if duplicates:
        raise ValueError(f"build_info names these objects more than once: {duplicates}")
    return ([str(root / o) for o in objects] + [str(root / a) for a in dict.fromkeys(archives)]
            + [f"-l{name}" for name in dict.fromkeys(system)])


def is_bitcode(info: dict[str, Any]) -> bool:
    """Whether build_info's objects are LLVM bitcode (an LTO build): the link then needs -flto."""
    return str(info["object_file_format"]).startswith("llvm-bitcode:")
