"""Unit tests of cpbuild.startup_layout, the linker script that gathers the startup code; one
test links with it (the build root's C compiler), to check that the linker reads it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cpbuild import startup_layout


def test_covered_functions_are_the_names_without_their_files_sorted_once() -> None:
    text = "Py_Initialize\nunicodeobject.c:unicode_dealloc\npystate.c;Py_IS_TYPE\n_abc.c:Py_IS_TYPE\n"
    assert startup_layout.covered_functions(text) == ["Py_IS_TYPE", "Py_Initialize", "unicode_dealloc"]


def test_a_line_that_names_no_c_function_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"line 2: 'Functions shown: 3' names no C function"):
        startup_layout.covered_functions("Py_Initialize\nFunctions shown: 3\n")
    with pytest.raises(ValueError, match="line 1: ''"):
        startup_layout.covered_functions("\nPy_Initialize\n")


def test_a_function_may_be_in_a_profile_prefixed_or_promoted_section() -> None:
    assert startup_layout.section_patterns("main") == [
        ".text.main", ".text.main.*", ".text.hot.main", ".text.hot.main.*",
        ".text.unlikely.main", ".text.unlikely.main.*"]


def test_the_script_puts_the_functions_before_text_and_no_script_is_empty() -> None:
    script = startup_layout.linker_script(["a", "b"])
    assert f"{startup_layout.SECTION} :" in script and script.endswith("INSERT BEFORE .text;\n")
    assert ".text.a .text.a.*" in script and ".text.unlikely.b.*" in script
    with pytest.raises(ValueError, match="at least one function"):
        startup_layout.linker_script([])


def _symbols(binary: Path) -> dict[str, tuple[int, str]]:
    """{function: (address, section name)} of `binary`'s functions, by readelf."""
    sections = {}
    for line in subprocess.run(["readelf", "-SW", str(binary)], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        fields = line.replace("[ ", "[").split()
        if fields and fields[0].startswith("[") and fields[0][1:-1].isdigit() and len(fields) > 1:
            sections[fields[0][1:-1]] = fields[1]
    symbols = {}
    for line in subprocess.run(["readelf", "-sW", str(binary)], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[3] == "FUNC" and fields[6].isdigit():
            symbols[fields[7]] = (int(fields[1], 16), sections[fields[6]])
    return symbols


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (the build root has one)")
def test_a_link_with_the_script_gathers_the_functions_in_its_section(tmp: Path) -> None:
    source = tmp / "p.c"
    source.write_text("int late(int x) { return x + 1; }\n"
                      "int middle(int x) { return x * 3; }\n"
                      "static int early(int x) { return x - 5; }\n"
                      "int (*volatile keep)(int) = early;\n"
                      "int main(void) { return late(1) + keep(2) + 1; }\n")
    script = tmp / "startup.ld"
    script.write_text(startup_layout.linker_script(["early", "late", "main"]))
    binary = tmp / "p"
    subprocess.run(["cc", "-O1", "-ffunction-sections", "-o", str(binary), str(source), f"-Wl,-T,{script}"],
                   check=True)
    assert subprocess.run([str(binary)]).returncode == 0
    symbols = _symbols(binary)
    assert {symbols[name][1] for name in ("early", "late", "main")} == {startup_layout.SECTION}
    assert symbols["middle"][1] == ".text"
    assert max(symbols[name][0] for name in ("early", "late", "main")) < symbols["middle"][0]
