"""Startup measured in instructions, not milliseconds: valgrind's callgrind counts what each
interpreter executes for `python -c pass` (and without site, and isolated), which this noisy
machine cannot move, and the functions that differ most.

    tools/py/bench/startup_instructions [LABEL=]ARCHIVE_OR_PYTHON ... [--reference /usr/bin/python3.13]
        [--functions N] [--markdown]

Runs inside the benchmarks' root (tools/py/bench/packages.txt: valgrind, Debian's python3.13 the
default reference). Each of ours is an install_only archive (extracted into the work directory)
or a python executable, as for tools/py/bench/pyperformance. Prints each interpreter's
instruction count per command line and its ratio to the reference (above 1: ours executes
more), then, with --functions, the inclusive counts of the functions both interpreters name
(the reference's exported symbols: Debian strips the rest), largest difference first. Those
compare where each spends, not like for like: gcc and clang inline differently (Debian's
PyUnicode_InternFromString is inlined into its callers, ours is called 2,700 times).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.pyperformance_compare import Row, add_interpreter_arguments, interpreters, table

COMMANDS = (("python -c pass", ("-c", "pass")), ("python -S -c pass", ("-S", "-c", "pass")),
            ("python -I -S -c pass", ("-I", "-S", "-c", "pass")))
# The command whose functions --functions compares: the interpreter's own start, without site.
FUNCTIONS_COMMAND = 1
_COLLECTED = re.compile(r"Collected : (\d+)")
# callgrind_annotate --inclusive=yes: `   1,234 (12.34%)  file:function [object]`
_INCLUSIVE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:\S*?):(\S+?)(?:'\d+)?(?: \[(.+)\])?\s*$")


def collected(stderr: str) -> int:
    """The instruction count callgrind reports on exit."""
    found = _COLLECTED.findall(stderr)
    if len(found) != 1:
        raise ValueError(f"callgrind reported {len(found)} instruction counts (expected 1): {stderr[-300:]}")
    return int(found[0])


def inclusive_counts(annotated: str, program: str) -> dict[str, int]:
    """Each named function of `program`'s inclusive instruction count, from callgrind_annotate
    --inclusive=yes (recursion levels, `name'2`, fold into their outermost, the largest)."""
    counts: dict[str, int] = {}
    for line in annotated.splitlines():
        match = _INCLUSIVE.match(line)
        if not match or match.group(3) != program or match.group(2).startswith("0x"):
            continue
        name = match.group(2).split(".llvm.")[0]
        counts[name] = max(counts.get(name, 0), int(match.group(1).replace(",", "")))
    return counts


def differences(ours: Mapping[str, int], reference: Mapping[str, int],
                limit: int) -> list[tuple[str, int, int]]:
    """(function, ours, reference) for the functions both name, the largest |difference| first."""
    common = set(ours) & set(reference)
    return sorted(((name, ours[name], reference[name]) for name in common),
                  key=lambda row: (-abs(row[1] - row[2]), row[0]))[:limit]


def callgrind(python: Path, arguments: Sequence[str], output: Path) -> int:
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={output}", str(python), *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=output.parent)
    if done.returncode != 0:
        raise ValueError(f"{python} {' '.join(arguments)} under callgrind exited {done.returncode}: "
                         f"{done.stderr[-300:]}")
    return collected(done.stderr)


def profile(work: Path, label: str, command: int) -> Path:
    """Where callgrind writes the profile of one interpreter's run of COMMANDS[command]."""
    return work / f"{label}.{command}.out"


def annotate(output: Path, program: Path) -> dict[str, int]:
    done = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(output)],
                          capture_output=True, text=True, check=True)
    return inclusive_counts(done.stdout, str(program))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/py/bench/startup_instructions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_interpreter_arguments(parser)
    parser.add_argument("--functions", type=int, default=0, metavar="N",
                        help="also list the N functions (that both name) whose counts differ most, "
                             f"for `{COMMANDS[FUNCTIONS_COMMAND][0]}`")
    args = parser.parse_args(argv)

    try:
        work, ours, reference = interpreters(args, "startup-instructions.")
        labels = [label for label, _ in ours]
        rows: list[Row] = []
        for command, (name, arguments) in enumerate(COMMANDS):
            counts = [callgrind(python, arguments, profile(work, label, command))
                      for label, python in [*ours, ("reference", reference)]]
            rows.append(Row(name, tuple(float(count) for count in counts[:-1]), float(counts[-1])))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("instructions executed (millions), callgrind:")
    print("\n".join(table(labels, rows, "M", args.markdown)))
    if args.functions:
        reference_counts = annotate(profile(work, "reference", FUNCTIONS_COMMAND), reference)
        for label, python in ours:
            print(f"\n{label}: the functions whose inclusive counts differ most from the reference's "
                  f"(`{COMMANDS[FUNCTIONS_COMMAND][0]}`):")
            found = differences(annotate(profile(work, label, FUNCTIONS_COMMAND), python), reference_counts,
                                args.functions)
            print("\n".join(table([label], [Row(name, (mine,), theirs) for name, mine, theirs in found],
                                  "M", args.markdown)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
