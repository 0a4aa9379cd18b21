"""A real Remote Execution engine on this machine: BuildGrid, its PostgreSQL, buildbox workers.

    tools/remote-exec [--state DIR] [--port PORT] [--workers N] [--instance NAME]

Runs inside the build root (tools/remote-exec enters it), in the virtual environment of
tools/py/requirements-remote-exec.txt, and starts, each in a process group of its own:

- PostgreSQL (Debian's, the build root's newest): a throw-away cluster in STATE/postgres,
  listening on a Unix socket there only (no TCP), run as the root's `postgres` user (the server
  refuses root) with CAP_DAC_READ_SEARCH alone, so that it reaches a state directory under a
  home directory that only root may enter (the default cache directory is under /root);
- BuildGrid (`bgd server start`): Execution, Bots, CAS, ByteStream and ActionCache services of
  one instance on 127.0.0.1:PORT, its scheduler in that PostgreSQL, its CAS on disk in STATE/cas;
- `buildbox-casd`, the workers' local CAS: a proxy of BuildGrid's on a Unix socket in STATE, which
  keeps every blob it fetched in STATE/casd and stages an action's inputs as hard links to them
  (the ~17,000 files of the zig toolchain are fetched once, not once per action);
- N `buildbox-worker`s, each running one action at a time with `buildbox-run-hosttools`, in the
  build root itself: remote actions see the same tools as local ones.

When every worker has a bot session, it writes STATE/endpoint (`grpc://127.0.0.1:PORT`) and
prints the Bazel options that use the engine. It runs until SIGTERM, SIGINT or SIGHUP, or until
one of its processes exits, then stops them all (workers, BuildGrid, PostgreSQL), their
process groups included, and exits; should it be killed outright, the kernel sends each process
it started a signal (PR_SET_PDEATHSIG). Without --state, the state directory is a new one under
the cache directory, removed on exit (kept after a failure, for its logs); a given one is kept
(and reused: its database and CAS).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import quote

DEFAULT_PORT = 50051
DEFAULT_INSTANCE = "main"
# The platform properties the workers offer and `--config=remote-exec` asks for (.bazelrc):
# BuildGrid matches OSFamily and ISA, and accepts no key it does not know.
PLATFORM = {"OSFamily": "linux", "ISA": "x86-64"}
# A Unix socket's path (sun_path) holds at most 107 bytes.
MAX_SOCKET_PATH = 107
POSTGRES_PORT = 5432
# BuildGrid's gRPC threads, which is also its limit of concurrent requests (buildgrid_config).
THREAD_POOL_SIZE = 300
PR_SET_PDEATHSIG = 1
# The local CAS's size limit (it evicts the least recently used blobs beyond it): one
# distribution's inputs and outputs, the zig toolchain included, take a few GB.
CASD_QUOTA = "20G"


class EngineError(Exception):
    """A step of starting the engine failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Layout:
    """The files of one engine, under its state directory."""

    state: Path

    @property
    def postgres(self) -> Path:  # the cluster's socket directory, owned by postgres
        return self.state / "postgres"

    @property
    def postgres_data(self) -> Path:
        return self.postgres / "data"

    @property
    def cas(self) -> Path:
        return self.state / "cas"

    @property
    def config(self) -> Path:
        return self.state / "buildgrid.yml"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def endpoint(self) -> Path:
        return self.state / "endpoint"

    @property
    def pid_file(self) -> Path:
        return self.state / "engine.pid"

    @property
    def casd(self) -> Path:  # the local CAS's storage
        return self.state / "casd"

    @property
    def casd_socket(self) -> Path:
        return self.state / "casd.sock"

    def worker_dir(self, index: int) -> Path:
        return self.state / "workers" / str(index)

    def postgres_socket(self) -> Path:
        return self.postgres / f".s.PGSQL.{POSTGRES_PORT}"


def connection_string(socket_dir: Path, *, user: str = "postgres", database: str = "postgres") -> str:
    """BuildGrid's database URL: psycopg2 (a plain postgresql:// picks a driver with which
    Bazel's requests never finish), over the cluster's Unix socket."""
    return f"postgresql+psycopg2://{user}@/{database}?host={quote(str(socket_dir), safe='/')}"


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is YAML's)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def buildgrid_config(*, port: int, instance: str, cas_dir: Path, database: str, platform_keys: Sequence[str]) -> str:
    """BuildGrid's server configuration: one instance with the Execution (and Bots), CAS,
    ByteStream and ActionCache services on 127.0.0.1:PORT, without TLS or authorization (loopback
    only), its scheduler in PostgreSQL, CAS and action cache on disk."""
    keys = "".join(f"\n        - {_yaml_string(key)}" for key in platform_keys)
    return f"""\
# Written by tools/py/remote_exec (tools/remote-exec): do not edit, it is written on every start.
server:
  - !channel
    address: {_yaml_string(f"127.0.0.1:{port}")}
    insecure-mode: true

connections:
  - !sql-connection &sql
    connection-string: {_yaml_string(database)}
    pool-size: 5
    max-overflow: 10

storages:
  - !disk-storage &cas
    path: {_yaml_string(str(cas_dir))}

caches:
  - !lru-action-cache &action-cache
    storage: *cas
    max-cached-refs: 1000000
    allow-updates: true
    cache-failed-actions: false

schedulers:
  - !sql-scheduler &scheduler
    sql: *sql
    storage: *cas
    action-cache: *action-cache
    property-set: !dynamic-property-set
      match-property-keys:{keys}
    bot-session-keepalive-timeout: 30
    max-execution-timeout: 7200

instances:
  - name: {_yaml_string(instance)}
    services:
      - !action-cache
        cache: *action-cache
      - !execution
        scheduler: *scheduler
      - !cas
        storage: *cas
      - !bytestream
        storage: *cas

# gRPC's limit of concurrent requests (more are refused, RESOURCE_EXHAUSTED, and Bazel gives up
# the upload): Bazel sends up to 100 per connection, --remote_max_connections=2 (.bazelrc) of
# them, while each running action holds one Execute stream and each worker one bot session.
thread-pool-size: {THREAD_POOL_SIZE}
"""


def casd_command(*, port: int, instance: str, socket_path: Path, storage: Path, quota: str) -> list[str]:
    """The workers' local CAS: buildbox-casd proxying BuildGrid's CAS (instance INSTANCE) on the
    Unix socket SOCKET_PATH, its blobs in STORAGE, at most QUOTA of them."""
    return [
        "buildbox-casd",
        f"--cas-remote=http://127.0.0.1:{port}",
        f"--cas-instance={instance}",
        f"--proxy-instance={instance}",
        f"--bind=unix:{socket_path}",
        f"--quota-high={quota}",
        "--log-level=warning",
        str(storage),
    ]


def worker_command(
    *, port: int, instance: str, bot_id: str, workspace: Path, platform: dict[str, str], casd_socket: Path
) -> list[str]:
    """One buildbox-worker: one action at a time, run by buildbox-run-hosttools in a directory
    of its own under WORKSPACE, its inputs staged by the local CAS at CASD_SOCKET (hard links:
    WORKSPACE and the CAS's storage are on one file system) and its outputs captured there."""
    return [
        "buildbox-worker",
        f"--bots-remote=http://127.0.0.1:{port}",
        f"--cas-remote=unix:{casd_socket}",
        f"--instance={instance}",
        "--buildbox-run=/usr/bin/buildbox-run-hosttools",
        "--runner-arg=--staging-mode=copy-or-link",
        f"--runner-arg=--workspace-path={workspace}",
        *[f"--platform={key}={value}" for key, value in sorted(platform.items())],
        "--concurrent-jobs=1",
        "--max-wait-time=5",
        "--graceful-shutdown-timeout=5",
        bot_id,
    ]


def postgres_bin(root: Path = Path("/usr/lib/postgresql")) -> Path:
    """The newest PostgreSQL's bin directory (Debian: /usr/lib/postgresql/VERSION/bin)."""
    versions = sorted((p for p in root.glob("*/bin/postgres")), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise EngineError(f"no PostgreSQL server under {root}: tools/buildroot/packages.txt lists postgresql")
    return versions[-1].parent


def as_postgres(argv: Sequence[str]) -> list[str]:
    """ARGV run as the root's postgres user with CAP_DAC_READ_SEARCH only (setpriv). Changing
    the user clears the parent-death signal, so setpriv sets it again: SIGQUIT, PostgreSQL's
    immediate shutdown, should the engine be killed outright."""
    return [
        "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
        "--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search", "--pdeathsig=SIGQUIT",
        *argv,
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _set_parent_death_signal(signal_number: int) -> Callable[[], None]:
    def set_it() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
    return set_it


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: signal.Signals


@dataclass
class Supervisor:
    """The processes the engine started, each the leader of its own process group."""

    logs: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], *, stop_signal: signal.Signals = signal.SIGTERM,
              env: dict[str, str] | None = None, cwd: Path | None = None) -> Process:
        log = self.logs / f"{name}.log"
        with open(log, "ab") as stream:
            popen = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=stream, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_set_parent_death_signal(stop_signal), env=env, cwd=cwd,
            )
        process = Process(name, popen, log, stop_signal)
        self.processes.append(process)
        return process

    def exited(self) -> Process | None:
        return next((p for p in self.processes if p.popen.poll() is not None), None)

    def stop(self, process: Process, timeout: float = 15.0) -> None:
        """Its stop signal to the process group, then SIGKILL after TIMEOUT; waits until no
        process of the group is left."""
        group = process.popen.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, process.stop_signal)
        deadline = time.monotonic() + timeout
        killed = False
        while True:
            process.popen.poll()
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            if time.monotonic() > deadline and not killed:
                print(f"remote-exec: {process.name} did not stop in {timeout:.0f} s: SIGKILL", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
                killed = True
            time.sleep(0.1)
        process.popen.wait()

    def stop_all(self) -> None:
        for process in reversed(self.processes):  # the workers first, then casd, BuildGrid, PostgreSQL
            self.stop(process)
        self.processes.clear()


def run_step(name: str, argv: Sequence[str], log: Path, *, timeout: float = 300.0) -> None:
    with open(log, "ab") as stream:
        try:
            result = subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=stream, stderr=subprocess.STDOUT,
                                    timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise EngineError(f"{name} did not finish in {timeout:.0f} s (log: {log})") from error
    if result.returncode != 0:
        raise EngineError(f"{name} failed with exit status {result.returncode} (log: {log})")


def wait_for(what: str, ready: Callable[[], bool], supervisor: Supervisor, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        dead = supervisor.exited()
        if dead is not None:
            raise EngineError(f"{dead.name} exited with status {dead.popen.returncode} while waiting for {what} "
                              f"(log: {dead.log})")
        if time.monotonic() > deadline:
            raise EngineError(f"timed out after {timeout:.0f} s waiting for {what} (logs: {supervisor.logs})")
        time.sleep(0.2)


def bgd_command(*args: str) -> list[str]:
    """BuildGrid's `bgd` CLI through this virtual environment's Python (tools/py/venv renames the
    environment once it is complete, which breaks its scripts' #! lines)."""
    return [sys.executable, "-c", "import sys; from buildgrid.server.app import cli; sys.argv[0] = 'bgd'; cli()",
            *args]


@dataclass(frozen=True)
class Options:
    state: Path
    port: int
    workers: int
    instance: str
    keep_state: bool


class Engine:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.layout = Layout(options.state)
        self.supervisor = Supervisor(self.layout.logs)
        self.pg = postgres_bin()

    def psql(self, query: str) -> str:
        result = subprocess.run(
            as_postgres([str(self.pg / "psql"), "-h", str(self.layout.postgres), "-U", "postgres", "-d", "postgres",
                         "-At", "-c", query]),
            capture_output=True, text=True, check=False)
        return result.stdout.strip() if result.returncode == 0 else ""

    def start_postgres(self) -> None:
        layout = self.layout
        socket_path = layout.postgres_socket()
        if len(str(socket_path).encode()) > MAX_SOCKET_PATH:
            raise EngineError(f"the state directory's path is too long for PostgreSQL's Unix socket {socket_path} "
                              f"(at most {MAX_SOCKET_PATH} bytes): give a shorter --state")
        postgres = pwd.getpwnam("postgres")
        layout.postgres.mkdir(mode=0o700, exist_ok=True)
        os.chown(layout.postgres, postgres.pw_uid, postgres.pw_gid)
        log = layout.logs / "postgres.log"
        if not (layout.postgres_data / "PG_VERSION").exists():
            shutil.rmtree(layout.postgres_data, ignore_errors=True)
            run_step("initdb", as_postgres([
                str(self.pg / "initdb"), "-D", str(layout.postgres_data), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync"]), log)
        # A throw-away cluster: no fsync; the socket in the state directory, no TCP at all.
        self.supervisor.start("postgres", as_postgres([
            str(self.pg / "postgres"), "-D", str(layout.postgres_data), "-k", str(layout.postgres),
            "-c", "listen_addresses=", "-p", str(POSTGRES_PORT), "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "max_connections=200"]), stop_signal=signal.SIGINT)
        wait_for("PostgreSQL", lambda: self.psql("SELECT 1") == "1", self.supervisor, 60)

    def start_buildgrid(self) -> None:
        layout, options = self.layout, self.options
        database = connection_string(layout.postgres)
        run_step("bgd migrate apply", bgd_command("migrate", "apply", database), layout.logs / "buildgrid.log")
        layout.cas.mkdir(exist_ok=True)
        layout.config.write_text(buildgrid_config(port=options.port, instance=options.instance, cas_dir=layout.cas,
                                                  database=database, platform_keys=sorted(PLATFORM)))
        if port_open(options.port):
            raise EngineError(f"port 127.0.0.1:{options.port} is taken: give another --port (0: any free one)")
        self.supervisor.start("buildgrid", bgd_command("server", "start", "-v", str(layout.config)))
        wait_for(f"BuildGrid on 127.0.0.1:{options.port}", lambda: port_open(options.port), self.supervisor, 120)

    def start_casd(self) -> None:
        layout, options = self.layout, self.options
        if len(str(layout.casd_socket).encode()) > MAX_SOCKET_PATH:
            raise EngineError(f"the state directory's path is too long for the local CAS's Unix socket "
                              f"{layout.casd_socket} (at most {MAX_SOCKET_PATH} bytes): give a shorter --state")
        layout.casd_socket.unlink(missing_ok=True)
        layout.casd.mkdir(exist_ok=True)
        self.supervisor.start("casd", casd_command(port=options.port, instance=options.instance,
                                                   socket_path=layout.casd_socket, storage=layout.casd,
                                                   quota=CASD_QUOTA))
        wait_for("buildbox-casd's socket", layout.casd_socket.is_socket, self.supervisor, 60)

    def start_workers(self) -> None:
        layout, options = self.layout, self.options
        bots = [f"worker-{index}-{os.getpid()}" for index in range(options.workers)]
        for index, bot in enumerate(bots):
            workspace = layout.worker_dir(index)
            shutil.rmtree(workspace, ignore_errors=True)
            workspace.mkdir(parents=True)
            self.supervisor.start(f"worker-{index}", worker_command(
                port=options.port, instance=options.instance, bot_id=bot, workspace=workspace, platform=PLATFORM,
                casd_socket=layout.casd_socket),
                cwd=workspace)
        names = ", ".join(f"'{bot}'" for bot in bots)
        query = f"SELECT count(DISTINCT bot_id) FROM bots WHERE bot_id IN ({names})"
        wait_for(f"{options.workers} worker(s) to open a bot session",
                 lambda: self.psql(query) == str(options.workers), self.supervisor, 120)

    def run(self) -> int:
        layout, options = self.layout, self.options
        layout.state.mkdir(parents=True, exist_ok=True)
        layout.state.chmod(0o755)
        layout.logs.mkdir(exist_ok=True)
        layout.endpoint.unlink(missing_ok=True)
        layout.pid_file.write_text(f"{os.getpid()}\n")
        stop_requested: list[int] = []

        def request_stop(signal_number: int, _frame: FrameType | None) -> None:
            stop_requested.append(signal_number)
            raise KeyboardInterrupt

        for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signal_number, request_stop)
        status = 0
        try:
            self.start_postgres()
            self.start_buildgrid()
            self.start_casd()
            self.start_workers()
            endpoint = f"grpc://127.0.0.1:{options.port}"
            temporary = layout.endpoint.with_suffix(".partial")
            temporary.write_text(endpoint + "\n")
            temporary.rename(layout.endpoint)
            print(f"remote-exec: ready: {endpoint}, instance '{options.instance}', {options.workers} worker(s); "
                  f"logs in {layout.logs}", flush=True)
            print(f"remote-exec: tools/bazel build --config=remote-exec --remote_executor={endpoint} "
                  f"--remote_instance_name={options.instance} ...", flush=True)
            while True:
                dead = self.supervisor.exited()
                if dead is not None:
                    print(f"remote-exec: error: {dead.name} exited with status {dead.popen.returncode} "
                          f"(log: {dead.log}); stopping the engine", file=sys.stderr, flush=True)
                    status = 1
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            if not stop_requested:
                raise
        except EngineError as error:
            print(f"remote-exec: error: {error}", file=sys.stderr, flush=True)
            status = 1
        finally:
            for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(signal_number, signal.SIG_IGN)  # stopping is not interrupted
            layout.endpoint.unlink(missing_ok=True)
            self.supervisor.stop_all()
            layout.pid_file.unlink(missing_ok=True)
            if status != 0:
                print(f"remote-exec: the state directory is kept for its logs: {layout.state}", file=sys.stderr)
            elif not options.keep_state:
                shutil.rmtree(layout.state, ignore_errors=True)
            print("remote-exec: stopped", file=sys.stderr, flush=True)
        return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/remote-exec", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, help="state directory (default: a new one under the cache directory, "
                        "removed on exit; a given one is kept and reused)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"BuildGrid's port on 127.0.0.1 (default {DEFAULT_PORT}, .bazelrc's; 0: any free one)")
    parser.add_argument("--workers", type=int, default=2, help="buildbox workers, one action each (default 2)")
    parser.add_argument("--instance", default=DEFAULT_INSTANCE,
                        help=f"the Remote Execution instance name (default '{DEFAULT_INSTANCE}', .bazelrc's)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if os.geteuid() != 0:
        parser.error("runs as root, inside the build root (through tools/remote-exec)")
    keep = args.state is not None
    if args.state is None:
        cache = Path(os.environ.get("CPYTHON_BAZEL_CACHE", tempfile.gettempdir()))
        (cache / "remote-exec").mkdir(parents=True, exist_ok=True)
        args.state = Path(tempfile.mkdtemp(prefix="engine.", dir=cache / "remote-exec"))
    port = args.port or free_port()
    options = Options(state=args.state.absolute(), port=port, workers=args.workers, instance=args.instance,
                      keep_state=keep)
    try:
        engine = Engine(options)
    except EngineError as error:
        print(f"remote-exec: error: {error}", file=sys.stderr)
        return 1
    return engine.run()
