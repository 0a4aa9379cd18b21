"""Fail a CPython build whose modules differ from what the extension table planned.

The plan is modules.json, written by `cpbuild setup-local` (each module's fate). Every module
planned "shared" must be a file in lib-dynload, every "builtin" one must be in config.c's
inittab, and no module planned "disabled" or "missing" may have been built. CPython's own build
only warns about modules it could not build (a library not found by configure, a compile
error); here that is an error naming the modules, with the lines of the build log about them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

BUILT_STATES = ("builtin", "shared")  # the fates of modules the distribution contains (setup_local)

# The summary lines CPython's build prints about modules it did not build.
_LOG_MARKERS = (
    "necessary bits to build these optional modules were not found",
    "Failed to build these modules",
    "could not be imported",
    "missing",
)


def built_shared(lib_dynload: Path) -> set[str]:
    """The modules lib-dynload has a shared object of."""
    return {path.name.split(".", 1)[0] for path in lib_dynload.glob("*.so")}


def builtin_inittab(config_c: str) -> set[str]:
    """The modules config.c's inittab names."""
    return set(re.findall(r'\{"([A-Za-z0-9_]+)", PyInit_', config_c))


def is_built(modules_json: Path, name: str) -> bool:
    """Whether the plan builds the module (built in or shared)."""
    fate = json.loads(modules_json.read_text()).get(name)
    return fate is not None and fate["state"] in BUILT_STATES


def problems(plan: dict[str, dict[str, object]], shared: set[str], builtin: set[str]) -> list[str]:
    """Each module whose fate differs from its plan, as `name: what`."""
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


def related_log_lines(found: list[str], log: str) -> list[str]:
    """The build log's lines about the modules found (their names, or a summary line), the last 40."""
    names = {line.split(":", 1)[0] for line in found}
    related = [line for line in log.splitlines()
               if any(marker in line for marker in _LOG_MARKERS) or any(re.search(rf"\b{n}\b", line) for n in names)]
    return related[-40:]


def check(modules_json: Path, lib_dynload: Path, config_c: Path, build_log: Path) -> str | None:
    """None when the build has the planned modules; else a report for the build's error."""
    plan = json.loads(modules_json.read_text())
    found = problems(plan, built_shared(lib_dynload), builtin_inittab(config_c.read_text()))
    if not found:
        return None
    lines = ["check_modules: CPython's build differs from cpython/extensions.bzl:"]
    lines += [f"  {line}" for line in found]
    related = related_log_lines(found, build_log.read_text(errors="replace"))
    if related:
        lines.append("build log lines about them:")
        lines += [f"  {line}" for line in related]
    return "\n".join(lines)
