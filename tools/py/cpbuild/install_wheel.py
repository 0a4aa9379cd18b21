"""Install a pure-Python wheel into a distribution's install tree, without running the target.

Unpacks the wheel (a zip) into site-packages and writes its console scripts into bin/ with a
`#!/install/bin/<python>` shebang (the build turns it into a relocatable trampoline afterwards).
pip cannot do this for itself: it refuses to import its own modules while it installs pip.
"""

from __future__ import annotations

import configparser
import os
import zipfile
from pathlib import Path

SCRIPT = """#!/install/bin/{python}
import sys
from {module} import {attribute}
if __name__ == "__main__":
    if sys.argv[0].endswith("-script.pyw"):
        sys.argv[0] = sys.argv[0][: -len("-script.pyw")]
    sys.exit({call}())
"""


def console_scripts(entry_points_txt: Path, python: str) -> dict[str, str]:
    """The wheel's console scripts, name to `module:callable`; pip3 also as pip3.X (as ensurepip;
    no ABI flags: python3.13t gets pip3.13)."""
    entry_points = configparser.ConfigParser(delimiters=("=",))
    entry_points.optionxform = str  # type: ignore[assignment,method-assign]
    entry_points.read(entry_points_txt)
    scripts = dict(entry_points.items("console_scripts")) if entry_points.has_section("console_scripts") else {}
    if "pip3" in scripts:
        scripts["pip" + python.removeprefix("python").rstrip("td")] = scripts["pip3"]
    return scripts


def script(python: str, target: str) -> str:
    """A console script's text, for an entry point `module:callable`."""
    module, _, call = target.strip().partition(":")
    return SCRIPT.format(python=python, module=module, attribute=call.split(".")[0], call=call)


def install(wheel: Path, site_packages: Path, bin_dir: Path, python: str) -> None:
    """Unpack wheel into site_packages (files 0644), mark it installed by this build and write
    its console scripts into bin_dir (0755) for bin_dir/<python>."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for name in sorted(names):
            target = os.path.join(site_packages, name)
            if name.endswith("/"):
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(name) as source, open(target, "wb") as out:
                out.write(source.read())
            os.chmod(target, 0o644)
    dist_infos = sorted({n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")})
    if not dist_infos:
        raise ValueError(f"{wheel.name}: not a wheel (no *.dist-info directory)")
    dist_info = site_packages / dist_infos[0]
    (dist_info / "INSTALLER").write_text("cpython-bazel\n")
    for name, target in sorted(console_scripts(dist_info / "entry_points.txt", python).items()):
        path = bin_dir / name
        path.write_text(script(python, target))
        path.chmod(0o755)
