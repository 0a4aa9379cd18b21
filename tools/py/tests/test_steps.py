"""Running a build's steps (cpbuild.steps)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cpbuild.steps import BuildError, Steps, apply_patches, copy, copy_source, jobs, source_epoch, tail


def sh(script: str) -> list[str]:
    return ["/bin/sh", "-c", script]


def test_a_failing_step_names_the_build_and_step_with_the_end_of_its_log(tmp: Path) -> None:
    steps = Steps("configure_make", "zlib", {"PATH": "/usr/bin:/bin"}, log_dir=tmp, tail_lines=3)
    with pytest.raises(BuildError) as error:
        steps.run("configure", sh("for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exit 3"))
    assert str(error.value) == ("configure_make: zlib: configure failed; last lines of its output:\n"
                                "line 4\nline 5\noops\n")
    assert (tmp / "configure.log").read_text().startswith("line 1\n")


def test_a_missing_program_fails_the_step(tmp: Path) -> None:
    steps = Steps("configure_make", "zlib", {}, log_dir=tmp, tail_lines=5)
    with pytest.raises(BuildError, match="autoreconf failed"):
        steps.run("autoreconf", [str(tmp / "no-such-program")])


def test_steps_run_with_the_environment_in_the_current_directory(tmp: Path) -> None:
    steps = Steps("cpython_build", "cpython_3_13", {"FOO": "bar baz", "PATH": "/usr/bin:/bin"}, log_dir=tmp,
                  tail_lines=80, single_log=True)
    (tmp / "src").mkdir()
    steps.chdir(tmp)
    steps.chdir(tmp / "src")
    steps.run("patch", sh("echo patched"))
    steps.run("./configure", sh('echo "$FOO"; pwd -P; echo "$PWD $OLDPWD"'), fresh_log=True)
    steps.run("make", sh("echo made"))
    assert (tmp / "log").read_text() == f"bar baz\n{tmp}/src\n{tmp}/src {tmp}\nmade\n"


def test_patches_apply_in_order_and_a_failing_one_is_named(tmp: Path) -> None:
    (tmp / "hello.txt").write_text("hello\n")
    first = tmp / "first.patch"
    first.write_text("--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-hello\n+hello, world\n")
    second = tmp / "second.patch"
    second.write_text("--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1,2 @@\n hello, world\n+bye\n")
    steps = Steps("configure_make", "hello", {"PATH": "/usr/bin:/bin"}, log_dir=tmp, tail_lines=10)
    steps.chdir(tmp)
    apply_patches(steps, [first, second])
    assert (tmp / "hello.txt").read_text() == "hello, world\nbye\n"
    with pytest.raises(BuildError, match=r"^configure_make: hello: patch-first failed"):
        apply_patches(steps, [first])  # --forward: an applied patch is not reversed, it fails


def test_tail_and_jobs(tmp: Path) -> None:
    (tmp / "log").write_bytes(b"a\nb\n\xffc")
    assert tail(tmp / "log", 2) == "b\n\ufffdc"
    assert tail(tmp / "missing", 2) == ""
    assert jobs() >= 1


def test_copy_keeps_cps_semantics_and_fails_with_its_message(tmp: Path) -> None:
    (tmp / "a").mkdir()
    (tmp / "a" / "f").write_text("x")
    (tmp / "a" / "link").symlink_to("f")
    copy("-RL", str(tmp / "a"), str(tmp / "b"))
    assert (tmp / "b" / "link").read_text() == "x" and not (tmp / "b" / "link").is_symlink()
    with pytest.raises(BuildError, match=r"^cp -R .*missing .* failed: cp: "):
        copy("-R", str(tmp / "missing"), str(tmp / "c"))


def staged_source(tmp: Path) -> Path:
    """A source tree as Bazel stages it: links to files, a generated file older than its input."""
    real, staged = tmp / "real", tmp / "staged"
    real.mkdir()
    staged.mkdir()
    (real / "Makefile").write_text("gen.c: in.c\n\tcp in.c gen.c\n")
    (real / "configure").write_text("#!/bin/sh\n")
    (real / ".executables").write_text("configure\n")
    for name in ("Makefile", "gen.c", "in.c", "configure", ".executables"):
        if name not in ("Makefile", "configure", ".executables"):
            (real / name).write_text(f"/* {name} */\n")
        (real / name).chmod(0o755)  # as a Remote Execution worker stages every input
        (staged / name).symlink_to(real / name)
    os.utime(real / "gen.c", (1000, 1000))
    os.utime(real / "in.c", (2000, 2000))  # newer: make would regenerate gen.c
    return staged


def test_copy_source_resolves_links_and_dates_everything_alike(tmp: Path) -> None:
    staged = staged_source(tmp)
    copy_source(str(staged), tmp / "src", 315532800, str(staged / ".executables"))
    paths = [tmp / "src", *(tmp / "src").iterdir()]
    assert not any(path.is_symlink() for path in paths)
    assert {path.stat().st_mtime for path in paths} == {315532800}
    # The modes are the list's (only configure), whatever the staged files had; the list is not copied.
    assert {p.name: p.stat().st_mode & 0o777 for p in paths[1:]} == {
        "Makefile": 0o644, "gen.c": 0o644, "in.c": 0o644, "configure": 0o755}
    # So make regenerates nothing the archive ships (`make -q`: 0 when up to date)...
    assert subprocess.run(["make", "-q", "gen.c"], cwd=tmp / "src", check=False).returncode == 0
    # ... whereas with the staged dates it would.
    copy("-RL", "--preserve=timestamps", str(tmp / "staged"), str(tmp / "dated"))
    assert subprocess.run(["make", "-q", "gen.c"], cwd=tmp / "dated", check=False).returncode == 1


@pytest.mark.parametrize("listed, error", [
    ("configure\nconfigure.ac\n", r"\.executables names files the source does not have: configure\.ac$"),
    (None, r"^the source's list of executables: "),
])
def test_a_list_of_executables_that_is_missing_or_disagrees_with_the_source_fails(
        tmp: Path, listed: str | None, error: str) -> None:
    staged = staged_source(tmp)
    (staged / ".executables").unlink()
    if listed is not None:
        (staged / ".executables").write_text(listed)
    with pytest.raises(BuildError, match=error):
        copy_source(str(staged), tmp / "src", 315532800, str(staged / ".executables"))


@pytest.mark.parametrize("value", ["", "yesterday", "-1"])
def test_source_epoch_must_be_set(value: str) -> None:
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH must be a number of seconds"):
        source_epoch({"SOURCE_DATE_EPOCH": value} if value else {})
    assert source_epoch({"SOURCE_DATE_EPOCH": "315532800"}) == 315532800
