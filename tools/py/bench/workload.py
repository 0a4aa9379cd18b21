"""A fixed, self-contained workload for comparing builds of one interpreter where pyperformance
cannot run (a target emulated by qemu-user, where creating its virtual environments would take
hours): object-heavy pure Python, JSON, regular expressions, decimal arithmetic, sorting and
string formatting, each a fixed number of times, with no randomness and no I/O.

    python workload.py [ROUNDS]      prints `checksum <n>` (the same for every correct build)

Run it with `time` around it, or through tools/py/bench/qemu_profiles.py; the time is the
measure, the checksum only proves that the work was done.
"""

from __future__ import annotations

import decimal
import json
import re
import sys


class Node:
    def __init__(self, value: int, children: list[Node]) -> None:
        self.value = value
        self.children = children

    def total(self) -> int:
        return self.value + sum(child.total() for child in self.children)


def tree(depth: int, value: int) -> Node:
    return Node(value, [tree(depth - 1, value * 2 + i) for i in range(3)] if depth else [])


def objects() -> int:
    return tree(7, 1).total() % 1_000_003


def documents() -> int:
    doc = {"items": [{"id": i, "name": f"item-{i}", "tags": ["a", "b", str(i % 7)], "price": i * 1.25}
                     for i in range(400)]}
    text = json.dumps(doc, sort_keys=True)
    return len(text) + sum(int(item["id"]) for item in json.loads(text)["items"])


PATTERN = re.compile(r"(?P<key>[a-z]+)-(?P<num>\d+)")


def patterns() -> int:
    text = " ".join(f"word-{i} other{i} key-{i * 3}" for i in range(600))
    return sum(int(m.group("num")) for m in PATTERN.finditer(text))


def decimals() -> int:
    with decimal.localcontext() as context:
        context.prec = 40
        total = decimal.Decimal(0)
        for i in range(1, 1500):
            total += decimal.Decimal(1) / decimal.Decimal(i)
        return int(total * 1000)


def sorting() -> int:
    values = [(i * 7919) % 10007 for i in range(20000)]
    words = sorted(f"{v:05d}" for v in values)
    return sorted(values)[len(values) // 2] + len(words[0])


def formatting() -> int:
    # printf-style formatting on purpose: it is a separate code path of the interpreter.
    return sum(len("%s:%d:%.3f" % ("k", i, i / 3) + f"{i:>8}|{i:x}") for i in range(8000))  # noqa: UP031


def main(argv: list[str]) -> int:
    rounds = int(argv[1]) if len(argv) > 1 else 5
    checksum = 0
    for _ in range(rounds):
        for part in (objects, documents, patterns, decimals, sorting, formatting):
            checksum = (checksum * 31 + part()) % 1_000_000_007
    print(f"checksum {checksum}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
