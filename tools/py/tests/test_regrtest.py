"""cpbuild.regrtest: reading regrtest's summary and JUnit XML, judging them against the table."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cpbuild import regrtest
from cpbuild.tables import TableError

# The closing part of a `python -m test -j2 --rerun` run in which test_ssl failed, then failed
# again when re-run, as libregrtest 3.13 prints it (Lib/test/libregrtest/results.py).
FAILED_THEN_FAILED = """\
0:01:02 load avg: 1.20 [4/4/1] test_ssl failed (1 failure)
== Tests result: FAILURE ==

1 test skipped:
    test_winreg

1 test failed:
    test_ssl

All 2 tests OK.

Total duration: 1 min 2 sec
Total tests: run=1,234 failures=1 skipped=56
Total test files: run=4/4 failed=1 skipped=1 rerun=1
Result: FAILURE
"""


def summary_of(text: str) -> regrtest.Summary:
    summary = regrtest.parse_summary(textwrap.dedent(text))
    assert summary is not None
    return summary


def test_the_summary_lists_each_section_and_the_totals() -> None:
    summary = summary_of("""\
        == Tests result: FAILURE then SUCCESS ==

        1 test omitted:
            test_gone

        3 tests skipped:
            test_winreg test_winsound
            test_wmi

        1 test skipped (resource denied):
            test_urllib2net

        1 test run no tests:
            test_dtrace

        1 test altered the execution environment (env changed):
            test.test_asyncio.test_tasks

        1 re-run test:
            test_ssl

        5 tests OK.

        Total duration: 3 min 4 sec
        Total tests: run=2,000 skipped=99
        Total test files: run=10/11 skipped=3 resource_denied=1 rerun=1 run_no_tests=1
        Result: FAILURE then SUCCESS
        """)
    assert summary.state == "FAILURE then SUCCESS"
    assert summary.lists["omitted"] == ["test_gone"]
    assert summary.lists["skipped"] == ["test_winreg", "test_winsound", "test_wmi"]
    assert summary.lists["resource_denied"] == ["test_urllib2net"]
    assert summary.lists["run_no_tests"] == ["test_dtrace"]
    assert summary.lists["env_changed"] == ["test_asyncio.test_tasks"]  # without the package
    assert summary.lists["rerun"] == ["test_ssl"]
    assert summary.lists["failed"] == []
    assert summary.ok == 5
    assert summary.totals == ["Total tests: run=2,000 skipped=99",
                              "Total test files: run=10/11 skipped=3 resource_denied=1 rerun=1 run_no_tests=1"]


def test_the_last_summary_counts_after_a_rerun() -> None:
    first = FAILED_THEN_FAILED.replace("Result: FAILURE\n", "")
    second = """\
== Tests result: FAILURE then SUCCESS ==

1 re-run test:
    test_ssl

All 3 tests OK.

Total duration: 2 min
"""
    summary = regrtest.parse_summary(first + "\nRe-running 1 failed tests in verbose mode\n" + second)
    assert summary is not None
    assert summary.state == "FAILURE then SUCCESS" and summary.lists["failed"] == [] and summary.ok == 3


def test_no_summary_is_none() -> None:
    assert regrtest.parse_summary("0:00:01 load avg: 0.5 Run 4 tests in parallel using 2 worker processes\n") is None


def test_a_section_whose_count_disagrees_with_its_names_is_an_error_quoting_it() -> None:
    with pytest.raises(regrtest.SummaryError, match=r"'2 tests failed:' lists 1 names"):
        regrtest.parse_summary("== Tests result: FAILURE ==\n\n2 tests failed:\n    test_ssl\n\nTotal duration: 1s\n")


def write_junit(path: Path, suites: list[list[tuple[str, str]]]) -> Path:
    """regrtest's JUnit XML: one <testsuite> per list of (test case name, outcome)."""
    body = []
    for cases in suites:
        body.append(f'<testsuite tests="{len(cases)}">')
        for name, outcome in cases:
            child = "" if outcome == "passed" else f'<{outcome} type="AssertionError">boom</{outcome}>'
            body.append(f'<testcase name="{name}" status="run" result="completed">{child}</testcase>')
        body.append("</testsuite>")
    path.write_text("<testsuites>" + "".join(body) + "</testsuites>")
    return path


def test_junit_cases_are_grouped_by_test_file_and_the_last_suite_is_the_rerun(tmp: Path) -> None:
    xml = write_junit(tmp / "junit.xml", [
        [("test.test_ssl.ThreadedTests.test_echo", "failure"), ("test.test_ssl.BasicTests.test_a", "passed")],
        [("test.test_os.FileTests.test_access", "skipped"), ("", "passed")],
        [("test.test_ssl.ThreadedTests.test_echo", "passed")],  # the re-run
    ])
    every, last = regrtest.parse_junit(xml, ["test_ssl", "test_os"])
    assert [(c.name, c.outcome) for c in every["test_ssl"]] == [
        ("test_ssl.ThreadedTests.test_echo", "failure"), ("test_ssl.BasicTests.test_a", "passed"),
        ("test_ssl.ThreadedTests.test_echo", "passed")]
    assert [(c.name, c.outcome) for c in last["test_ssl"]] == [("test_ssl.ThreadedTests.test_echo", "passed")]
    assert [(c.name, c.outcome) for c in last["test_os"]] == [("test_os.FileTests.test_access", "skipped"),
                                                              ("", "unnamed")]


def test_a_missing_junit_file_has_no_cases(tmp: Path) -> None:
    assert regrtest.parse_junit(tmp / "absent.xml", ["test_ssl"]) == ({}, {})


def test_a_case_belongs_to_the_longest_test_file_it_is_inside() -> None:
    files = ["test_asyncio", "test_asyncio.test_tasks"]
    assert regrtest.file_of("test_asyncio.test_tasks.TaskTests.test_x", files) == "test_asyncio.test_tasks"
    assert regrtest.file_of("test_asyncio.test_events.T.test_y", files) == "test_asyncio"
    assert regrtest.file_of("test_other.T.test_z", files) == "test_other"
    assert regrtest.file_of("unittest.T.test_z", files) is None


def test_rerun_failures_are_read_from_the_verbose_rerun_only() -> None:
    output = ("FAIL: test_early (test.test_venv.BasicTest.test_early)\n"  # before the re-run: ignored
              "\nRe-running 1 failed tests in verbose mode\n"
              "ERROR: test_sysconfig (test.test_venv.BasicTest.test_sysconfig) [executable]\n"
              "FAIL: test_x (test_venv.BasicTest.test_x)\n")
    assert regrtest.rerun_failures(output, ["test_venv"]) == {
        "test_venv": {"test_venv.BasicTest.test_sysconfig", "test_venv.BasicTest.test_x"}}


TABLE = {
    "test_readline.TestReadline.test_limited_history": "libedit bug",
    "test_socket.ThreadedVSOCKSocketStreamTest": "no vsock loopback",
    "test_winreg": "Windows only",
}


def judged(summary_text: str, junit: list[tuple[str, str]], files: list[str],
           rerun: dict[str, set[str]] | None = None) -> regrtest.Verdict:
    summary = summary_of(summary_text)
    cases = [regrtest.Case(regrtest.normalize(name), outcome) for name, outcome in junit]
    by_file: dict[str, list[regrtest.Case]] = {}
    for case in cases:
        test_file = regrtest.file_of(case.name, files) if case.name else files[0]
        assert test_file is not None
        by_file.setdefault(test_file, []).append(case)
    return regrtest.judge(summary, files, TABLE, by_file, by_file, rerun or {})


FAILED_READLINE = """\
    == Tests result: FAILURE ==

    1 test failed:
        test_readline

    Total duration: 1 sec
    """


def test_a_failure_the_table_names_by_test_case_is_expected() -> None:
    verdict = judged(FAILED_READLINE, [("test.test_readline.TestReadline.test_limited_history", "failure"),
                                       ("test.test_readline.TestReadline.test_other", "passed")],
                     ["test_readline"])
    assert verdict.expected == ["test_readline.TestReadline.test_limited_history: libedit bug"]
    assert verdict.unexpected == []


def test_a_failure_inside_a_class_the_table_names_is_expected() -> None:
    verdict = judged(FAILED_READLINE.replace("test_readline", "test_socket"),
                     [("test.test_socket.ThreadedVSOCKSocketStreamTest.testStream", "error")], ["test_socket"])
    assert verdict.expected == ["test_socket.ThreadedVSOCKSocketStreamTest.testStream: no vsock loopback"]
    assert verdict.unexpected == []


def test_a_failure_beside_an_expected_one_is_unexpected_and_named() -> None:
    verdict = judged(FAILED_READLINE, [("test.test_readline.TestReadline.test_limited_history", "failure"),
                                       ("test.test_readline.TestReadline.test_new", "error")],
                     ["test_readline"])
    assert verdict.unexpected == ["test_readline: test_readline.TestReadline.test_new"]
    assert verdict.expected == []


def test_a_test_file_the_table_names_is_expected_whatever_failed() -> None:
    verdict = judged(FAILED_READLINE.replace("test_readline", "test_winreg"), [], ["test_winreg"])
    assert verdict.expected == ["test_winreg: Windows only"] and verdict.unexpected == []


def test_a_failure_with_no_recorded_case_is_unexpected() -> None:
    verdict = judged(FAILED_READLINE, [], ["test_readline"])
    assert verdict.unexpected == ["test_readline: no failing test case recorded (a crash, a timeout, an error "
                                  "while loading the tests, or a failure outside a test case)"]


def test_failed_subtests_are_unexpected_unless_the_rerun_names_them() -> None:
    junit = [("test.test_readline.TestReadline.test_limited_history", "failure"), ("", "unnamed")]
    verdict = judged(FAILED_READLINE, junit, ["test_readline"])
    assert verdict.unexpected == ["test_readline: a test whose subtests failed (not named without --rerun)"]
    named = judged(FAILED_READLINE, junit, ["test_readline"],
                   {"test_readline": {"test_readline.TestReadline.test_limited_history"}})
    assert named.unexpected == [] and len(named.expected) == 1


def test_an_entry_whose_case_ran_and_passed_is_reported_as_now_passing() -> None:
    passed = """\
        == Tests result: SUCCESS ==

        All 2 tests OK.

        Total duration: 1 sec
        """
    verdict = judged(passed, [("test.test_readline.TestReadline.test_limited_history", "passed"),
                              ("test.test_socket.ThreadedVSOCKSocketStreamTest.test_a", "skipped")],
                     ["test_readline", "test_socket"])
    # test_socket's entry did not pass (its case was skipped); test_winreg did not run.
    assert verdict.now_passing == ["test_readline.TestReadline.test_limited_history (libedit bug)"]
    assert verdict.expected == [] and verdict.unexpected == []


def test_an_entry_for_a_skipped_test_file_is_not_now_passing() -> None:
    skipped = """\
        == Tests result: SUCCESS ==

        1 test skipped:
            test_winreg

        Total duration: 1 sec
        """
    assert judged(skipped, [], ["test_winreg"]).now_passing == []


def test_the_report_passes_with_only_expected_failures_and_counts_test_files() -> None:
    summary = summary_of(FAILED_THEN_FAILED)
    verdict = regrtest.Verdict(expected=["test_ssl: a reason"], unexpected=[], now_passing=[])
    result = regrtest.report(summary, verdict, 2, "expected_failures.bzl")
    assert result.ok
    assert "expected failure: test_ssl: a reason" in result.lines
    assert result.lines[-1] == "2 passed, 1 failed, 1 skipped"


@pytest.mark.parametrize("state, status, unexpected, message", [
    ("FAILURE", 2, ["test_ssl: test_ssl.T.test_x"], "UNEXPECTED failure: test_ssl: test_ssl.T.test_x"),
    ("INTERRUPTED", 130, [], "FAIL: regrtest did not complete normally (INTERRUPTED, exit status 130)"),
    ("FAILURE", 1, [], "FAIL: regrtest did not complete normally (FAILURE, exit status 1)"),
])
def test_the_report_fails_for_the_right_reason(state: str, status: int, unexpected: list[str], message: str) -> None:
    summary = summary_of(FAILED_THEN_FAILED.replace("Tests result: FAILURE", f"Tests result: {state}"))
    verdict = regrtest.Verdict(expected=[], unexpected=unexpected, now_passing=[])
    result = regrtest.report(summary, verdict, status, "expected_failures.bzl")
    assert not result.ok
    assert message in result.lines


def test_the_table_is_read_and_checked(tmp: Path) -> None:
    table = tmp / "expected_failures.bzl"
    table.write_text('EXPECTED_FAILURES = {"test_a": "why"}\nREPRESENTATIVE_SUBSET = ["test_a", "test_b"]\n'
                     'NOT_RUN = {"HangingTest": "it hangs here"}\n')
    assert regrtest.load_table(table) == ({"test_a": "why"}, ["test_a", "test_b"], {"HangingTest": "it hangs here"})
    table.write_text('EXPECTED_FAILURES = {"test_a": ""}\nREPRESENTATIVE_SUBSET = []\nNOT_RUN = {}\n')
    with pytest.raises(TableError, match="EXPECTED_FAILURES must be a dict of test name to a non-empty reason"):
        regrtest.load_table(table)
    table.write_text('EXPECTED_FAILURES = {}\nREPRESENTATIVE_SUBSET = []\nNOT_RUN = {"HangingTest": ""}\n')
    with pytest.raises(TableError, match="NOT_RUN must be a dict of test name to a non-empty reason"):
        regrtest.load_table(table)
    table.write_text('EXPECTED_FAILURES = {}\nREPRESENTATIVE_SUBSET = ["test_a", "test_a"]\nNOT_RUN = {}\n')
    with pytest.raises(TableError, match=r"lists \['test_a'\] more than once"):
        regrtest.load_table(table)

