import os
import signal
import sys
import time
from pathlib import Path

import pytest

from remote_exec import engine


def test_connection_string_uses_psycopg2_over_the_unix_socket() -> None:
    assert engine.connection_string(Path("/c/remote exec/postgres")) == (
        "postgresql+psycopg2://postgres@/postgres?host=/c/remote%20exec/postgres")


def test_buildgrid_config_one_instance_on_loopback_with_its_scheduler_in_postgres(tmp: Path) -> None:
    config = engine.buildgrid_config(port=4321, instance="main", cas_dir=tmp / "cas",
                                     database="postgresql+psycopg2://postgres@/postgres?host=/s",
                                     platform_keys=["ISA", "OSFamily"])
    assert 'address: "127.0.0.1:4321"' in config
    assert "[::]" not in config and "0.0.0.0" not in config
    assert 'connection-string: "postgresql+psycopg2://postgres@/postgres?host=/s"' in config
    assert f'path: "{tmp / "cas"}"' in config
    assert '- name: "main"' in config
    for service in ("!action-cache", "!execution", "!cas", "!bytestream"):
        assert f"      - {service}\n" in config
    assert 'match-property-keys:\n        - "ISA"\n        - "OSFamily"\n' in config
    assert f"thread-pool-size: {engine.THREAD_POOL_SIZE}\n" in config


def test_yaml_strings_are_quoted() -> None:
    assert engine._yaml_string('a "b" \\c') == '"a \\"b\\" \\\\c"'


def test_worker_runs_hosttools_against_the_engine_with_the_platform(tmp: Path) -> None:
    command = engine.worker_command(port=50051, instance="main", bot_id="worker-0-1", workspace=tmp,
                                    platform={"OSFamily": "linux", "ISA": "x86-64"}, casd_socket=tmp / "casd.sock")
    assert command[0] == "buildbox-worker"
    assert "--bots-remote=http://127.0.0.1:50051" in command
    assert f"--cas-remote=unix:{tmp}/casd.sock" in command
    assert "--runner-arg=--disable-localcas" not in command
    assert "--buildbox-run=/usr/bin/buildbox-run-hosttools" in command
    assert f"--runner-arg=--workspace-path={tmp}" in command
    assert command.index("--platform=ISA=x86-64") < command.index("--platform=OSFamily=linux")
    assert command[-1] == "worker-0-1"


def test_casd_proxies_the_engines_cas_on_a_unix_socket(tmp: Path) -> None:
    command = engine.casd_command(port=50051, instance="main", socket_path=tmp / "casd.sock", storage=tmp / "casd",
                                  quota="20G")
    assert command[0] == "buildbox-casd"
    assert "--cas-remote=http://127.0.0.1:50051" in command
    assert "--cas-instance=main" in command and "--proxy-instance=main" in command
    assert f"--bind=unix:{tmp}/casd.sock" in command
    assert command[-1] == str(tmp / "casd")


def test_postgres_bin_is_the_newest_version(tmp: Path) -> None:
    for version in ("9", "17", "18"):
        (tmp / version / "bin").mkdir(parents=True)
        (tmp / version / "bin" / "postgres").touch()
    assert engine.postgres_bin(tmp) == tmp / "18" / "bin"
    with pytest.raises(engine.EngineError, match=r"packages\.txt lists postgresql"):
        engine.postgres_bin(tmp / "none")


def test_as_postgres_keeps_only_the_capability_to_search_directories() -> None:
    command = engine.as_postgres(["postgres", "-D", "x"])
    assert command[:2] == ["setpriv", "--reuid=postgres"]
    assert "--ambient-caps=+dac_read_search" in command
    assert command[-3:] == ["postgres", "-D", "x"]


def test_layout_keeps_everything_under_the_state_directory(tmp: Path) -> None:
    layout = engine.Layout(tmp)
    for path in (layout.postgres_data, layout.cas, layout.config, layout.logs, layout.endpoint, layout.pid_file,
                 layout.worker_dir(1), layout.postgres_socket(), layout.casd, layout.casd_socket):
        assert path.is_relative_to(tmp)


def test_supervisor_stops_a_whole_process_group(tmp: Path) -> None:
    supervisor = engine.Supervisor(tmp)
    # A shell that ignores SIGTERM, with a child of its own: SIGKILL after the timeout, for both.
    process = supervisor.start("stubborn", ["/bin/sh", "-c", "trap '' TERM; sleep 60 & wait"])
    time.sleep(0.3)
    group = process.popen.pid
    started = time.monotonic()
    supervisor.stop(process, timeout=1.0)
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)
    assert process.popen.returncode == -signal.SIGKILL


def test_supervisor_reports_the_first_process_that_exited(tmp: Path) -> None:
    supervisor = engine.Supervisor(tmp)
    supervisor.start("long", [sys.executable, "-c", "import time; time.sleep(60)"])
    short = supervisor.start("short", [sys.executable, "-c", "print('bye')"])
    short.popen.wait()
    assert supervisor.exited() is short
    assert (tmp / "short.log").read_text() == "bye\n"
    supervisor.stop_all()
    assert supervisor.processes == []
