"""Install a pure-Python wheel into a distribution's install tree, without running the target.

Usage: install_wheel.py WHEEL SITE_PACKAGES BIN_DIR PYTHON_NAME
Unpacks the wheel (a zip) into site-packages and writes its console scripts into bin/ with a
`#!<bin>/<python>` shebang (the build turns it into a relocatable trampoline afterwards).
pip cannot do this for itself: it refuses to import its own modules while it installs pip.
"""

import configparser
import os
import sys
import zipfile

SCRIPT = """#!/install/bin/{python}
import sys
from {module} import {attribute}
if __name__ == "__main__":
    if sys.argv[0].endswith("-script.pyw"):
        sys.argv[0] = sys.argv[0][: -len("-script.pyw")]
    sys.exit({call}())
"""


def main(wheel: str, site_packages: str, bin_dir: str, python: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            target = os.path.join(site_packages, name)
            if name.endswith("/"):
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(name) as source, open(target, "wb") as out:
                out.write(source.read())
            os.chmod(target, 0o644)
        dist_info = sorted({n.split("/", 1)[0] for n in archive.namelist() if n.split("/", 1)[0].endswith(".dist-info")})
    with open(os.path.join(site_packages, dist_info[0], "INSTALLER"), "w") as out:
        out.write("cpython-bazel\n")
    entry_points = configparser.ConfigParser(delimiters=("=",))
    entry_points.optionxform = str
    entry_points.read(os.path.join(site_packages, dist_info[0], "entry_points.txt"))
    scripts = dict(entry_points.items("console_scripts")) if entry_points.has_section("console_scripts") else {}
    if "pip3" in scripts:  # ensurepip also installs pip3.X
        scripts["pip" + python.removeprefix("python")] = scripts["pip3"]
    if scripts:
        for script, target in sorted(scripts.items()):
            module, _, call = target.strip().partition(":")
            path = os.path.join(bin_dir, script)
            with open(path, "w") as out:
                out.write(SCRIPT.format(python=python, module=module, attribute=call.split(".")[0], call=call))
            os.chmod(path, 0o755)


if __name__ == "__main__":
    main(*sys.argv[1:])
