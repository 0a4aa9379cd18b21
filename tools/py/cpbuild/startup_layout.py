"""The interpreter's startup code gathered in one place (profile-guided builds).

`python -c pass` runs about a thousand of CPython's functions, and a link lays them out in the
order of their object files: spread over the first megabytes of the interpreter's code, one page
fault per 64 KB window the kernel reads around each (docs/benchmarks.md). gcc and GNU ld gather
them (.text.startup, .text.hot); zig's lld does not, and zig cc refuses lld's
--symbol-ordering-file. A linker script does what both do: an output section, before .text,
that takes the sections of the functions the instrumented interpreter ran while it started.

    covered_functions(text)   the function names of `llvm-profdata show --covered`'s output;
    linker_script(functions)  the script that gathers them (`-Wl,-T,<script>`).

A function's code is a section of its own only when it is compiled with function sections: lld's
link-time code generation always does it (ThinLTO: `lto`, `pgo+lto`), `-ffunction-sections`
elsewhere. A name that matches no section changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The output section the script adds before .text.
SECTION = ".text.startup"

# The prefixes clang gives a function's section from its profile (hot, cold), none included.
_PROFILE_PREFIXES = ("", "hot.", "unlikely.")

# A C identifier: a name of anything else (a C++ function, an empty line) is no input here.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def covered_functions(text: str) -> list[str]:
    """The sorted, distinct names of the functions `llvm-profdata show --covered` lists, one per
    line, a file-local function as `<file>:<name>` (LLVM's profile name; `;` in some releases).
    Anything else is a ValueError naming the line."""
    names = set()
    for number, line in enumerate(text.splitlines(), 1):
        name = re.split(r"[:;]", line.strip())[-1]
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"llvm-profdata show --covered, line {number}: {line!r} names no C function")
        names.add(name)
    return sorted(names)


def section_patterns(function: str) -> list[str]:
    """The input sections that may hold `function`'s code: `.text.<name>`, with clang's profile
    prefix or none, and the suffixed names of ThinLTO's promoted locals (`<name>.llvm.<hash>`)."""
    return [f".text.{prefix}{function}{suffix}" for prefix in _PROFILE_PREFIXES for suffix in ("", ".*")]


def linker_script(functions: Iterable[str]) -> str:
    """A linker script that puts the sections of `functions` in SECTION, before .text, in the
    order the link reads them (the rest of the layout is the linker's own: INSERT)."""
    names = list(functions)
    if not names:
        raise ValueError("a startup layout needs at least one function")
    patterns = "".join(f"    {' '.join(section_patterns(name))}\n" for name in names)
    return (f"/* The functions CPython runs while it starts ({len(names)}): cpbuild.startup_layout. */\n"
            f"SECTIONS\n{{\n  {SECTION} :\n  {{\n    *(\n{patterns}    )\n  }}\n}}\nINSERT BEFORE .text;\n")
