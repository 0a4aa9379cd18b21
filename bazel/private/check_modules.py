"""Fail a CPython build whose modules differ from what the extension table planned.

Usage: check_modules.py MODULES_JSON INSTALL_LIB_DYNLOAD CONFIG_C BUILD_LOG

MODULES_JSON is the plan written by `cpbuild setup-local` (each module's fate). Every module
planned "shared" must be a file in lib-dynload, every "builtin" one must be in config.c's
inittab, and no module planned "disabled" or "missing" may have been built. CPython's own build
only warns about modules it could not build (a library not found by configure, a compile
error); here that is an error naming the modules, with the lines of the build log about them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# The summary lines CPython's build prints about modules it did not build.
_LOG_MARKERS = (
    "necessary bits to build these optional modules were not found",
    "Failed to build these modules",
    "could not be imported",
    "missing",
)


def built_shared(lib_dynload: Path) -> set[str]:
    return {path.name.split(".", 1)[0] for path in lib_dynload.glob("*.so")}


def builtin_inittab(config_c: Path) -> set[str]:
    return set(re.findall(r'\{"([A-Za-z0-9_]+)", PyInit_', config_c.read_text()))


def problems(plan: dict[str, dict[str, object]], shared: set[str], builtin: set[str]) -> list[str]:
    found = []
    for name, fate in sorted(plan.items()):
        state = fate["state"]
        if state == "shared" and name not in shared:
            found.append(f"{name}: planned as a shared module, not built")
        elif state == "builtin" and name not in builtin:
            found.append(f"{name}: planned as built in, not in config.c")
        elif state in ("disabled", "missing") and (name in shared or name in builtin):
            found.append(f"{name}: planned as {state} ({fate['reason']}), but built")
    return found


def main(argv: list[str]) -> int:
    modules_json, lib_dynload, config_c, build_log = (Path(arg) for arg in argv[1:5])
    plan = json.loads(modules_json.read_text())
    found = problems(plan, built_shared(lib_dynload), builtin_inittab(config_c))
    if not found:
        return 0
    print("check_modules: CPython's build differs from cpython/extensions.bzl:", file=sys.stderr)
    for line in found:
        print(f"  {line}", file=sys.stderr)
    names = {line.split(":", 1)[0] for line in found}
    log_lines = build_log.read_text(errors="replace").splitlines()
    related = [
        line for line in log_lines
        if any(marker in line for marker in _LOG_MARKERS) or any(re.search(rf"\b{n}\b", line) for n in names)
    ]
    if related:
        print("build log lines about them:", file=sys.stderr)
        for line in related[-40:]:
            print(f"  {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
