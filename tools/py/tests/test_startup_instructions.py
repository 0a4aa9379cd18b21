import pytest

from bench import startup_instructions as startup

ANNOTATED = """\
--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
28,758,603 (100.0%)  ???:0x000000000001dd00 [/lib64/ld-linux-x86-64.so.2]
21,071,750 (73.27%)  /build/cpython/Python/pylifecycle.c:Py_InitializeFromConfig [/opt/python/bin/python3.13]
 6,344,597 (22.06%)  /build/cpython/Python/pylifecycle.c:_Py_Finalize.llvm.1688156 [/opt/python/bin/python3.13]
 9,001,565 (31.30%)  /build/cpython/Objects/methodobject.c:cfunction_vectorcall'2 [/opt/python/bin/python3.13]
12,000,000 (41.00%)  /build/cpython/Objects/methodobject.c:cfunction_vectorcall [/opt/python/bin/python3.13]
 2,146,909 ( 7.47%)  ./wcsmbs/./wcsmbs/wcsrtombs.c:wcsrtombs [/usr/lib/x86_64-linux-gnu/libc.so.6]
   837,716 ( 3.86%)  ???:0x00000000005778a0 [/opt/python/bin/python3.13]
"""


def test_collected_instructions() -> None:
    assert startup.collected("==1== Events    : Ir\n==1== Collected : 39242900\n==1==\n") == 39242900
    with pytest.raises(ValueError, match="reported 0 instruction counts"):
        startup.collected("valgrind: failed to start tool 'callgrind'")


def test_inclusive_counts_of_the_program_by_name() -> None:
    counts = startup.inclusive_counts(ANNOTATED, "/opt/python/bin/python3.13")
    # Other objects, unnamed addresses left out; LTO's .llvm.<hash> suffix and recursion levels folded.
    assert counts == {"Py_InitializeFromConfig": 21071750, "_Py_Finalize": 6344597, "cfunction_vectorcall": 12000000}


def test_differences_of_the_functions_both_name() -> None:
    ours = {"a": 10, "b": 5, "only_ours": 99}
    reference = {"a": 4, "b": 6, "only_theirs": 1}
    assert startup.differences(ours, reference, 5) == [("a", 10, 4), ("b", 5, 6)]
    assert startup.differences(ours, reference, 1) == [("a", 10, 4)]
