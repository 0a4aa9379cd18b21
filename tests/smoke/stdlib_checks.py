"""Functional checks of a distribution's standard library, run BY THE DISTRIBUTION'S INTERPRETER.

smoke_test.py copies this file into a scratch directory and runs it with the extracted
`bin/python3` (natively, or under qemu-user), with a cleared environment. Standard library only.

  python3 stdlib_checks.py --modules modules.json [--prefix DIR] [--sqlite-version X.Y.Z]
      [--tcl-version X.Y.Z] [--cert cert.pem --key key.pem] [unittest arguments...]

--modules      the //dist target's modules.json ({name: {"state": "builtin"|"shared"|"missing"|
               "disabled"|...}}) or a JSON list of module names: the extension modules the table
               says are built. A check whose module is not in that set is SKIPPED with the reason
               "module X not built for this target"; a module in the set that does not import is
               a FAILURE, never a skip.
--prefix       the directory the distribution was extracted to (sys.prefix must be it).
--sqlite-version, --tcl-version   the pinned versions (third_party/sources.bzl).
--cert, --key  a self-signed certificate for CN/SAN "localhost" and its key (the TLS check).

Environment:
  STDLIB_CHECKS_RUN  comma-separated command prefix that runs this interpreter (qemu-user and
                     its options) for the checks that start the interpreter again (in a pty);
                     empty when it runs natively.
  DISPLAY            an X server for the tkinter check (skipped when unset).

Prints unittest's summary and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

ARGS: argparse.Namespace
BUILT: frozenset[str] = frozenset()
RUN: list[str] = []

# Known answers for b"abc" (FIPS 180-4, FIPS 202, RFC 7693 test vectors); shake_* with 32 bytes.
ABC_DIGESTS = {
    "md5": "900150983cd24fb0d6963f7d28e17f72",
    "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "sha224": "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "sha384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7",
    "sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "sha3_224": "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
    "sha3_256": "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    "sha3_384": "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2"
                "98d88cea927ac7f539f1edf228376d25",
    "sha3_512": "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
    "blake2b": "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
               "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    "blake2s": "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
    "shake_128": "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8",
    "shake_256": "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739",
}

# Where systems keep their terminfo databases (the directories ncurses is configured to search).
TERMINFO_DIRS = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]

PTY_TIMEOUT = 120  # seconds per expected output; generous for qemu-user


def semi_random_data(size: int = 4 * 1024 * 1024, seed: int = 20240808) -> bytes:
    """`size` bytes, deterministic: runs from a random base block (repeated, far apart: for the
    match finders) alternating with text over a 16-letter alphabet (for the entropy coders)."""
    rng = random.Random(seed)
    base = rng.randbytes(256 * 1024)
    alphabet = bytes.maketrans(bytes(range(256)), b"etaoinshrdlucmfw" * 16)
    chunks, total = [], 0
    while total < size:
        if rng.random() < 0.5:
            start = rng.randrange(len(base) - 8192)
            chunk = base[start:start + rng.randint(256, 8192)]
        else:
            chunk = rng.randbytes(rng.randint(256, 8192)).translate(alphabet)
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)[:size]


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silences file descriptor 2 (libraries such as Berkeley DB print their errors there)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def self_command(*args: str) -> list[str]:
    """The command that runs this interpreter again (under qemu-user when this one is)."""
    return [*RUN, sys.executable, *args]


def child_env(home: str, **extra: str) -> dict[str, str]:
    """A minimal environment for a child interpreter: no PYTHON*, no TERMINFO* variable."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TERM": "xterm",
           "LC_ALL": os.environ.get("LC_ALL", "C.UTF-8")}
    env.update(extra)
    return env


class PtySession:
    """A program on a pseudo-terminal: wait for output, type input, collect the transcript."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.argv = argv
        self.transcript = b""
        self.status: int | None = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a session leader with the pty as its controlling terminal
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            except BaseException as error:  # reported on the terminal
                os.write(2, f"cannot run {argv}: {error}\n".encode())
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def _read(self, timeout: float) -> bytes | None:
        """Reads what arrives within `timeout` (b"" if nothing); None at the end of output."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return None
        self.transcript += data
        return data or None

    def expect(self, wanted: bytes, since: int = 0, timeout: float = PTY_TIMEOUT) -> int:
        """Waits until `wanted` appears in the transcript after offset `since`; returns the
        offset after it, or raises AssertionError with the transcript."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.transcript.find(wanted, since)
            if found >= 0:
                return found + len(wanted)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{' '.join(self.argv)}: no {wanted!r} within {timeout} s; "
                                     f"terminal output:\n{self.text()}")
            if self._read(min(remaining, 1.0)) is None:
                self.wait(5)
                raise AssertionError(f"{' '.join(self.argv)}: ended (status {self.status}) before "
                                     f"printing {wanted!r}; terminal output:\n{self.text()}")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait(self, timeout: float = PTY_TIMEOUT) -> int:
        """Reads until the child exits; returns its exit status (killed after `timeout`)."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.status = -signal.SIGKILL
                raise AssertionError(f"{' '.join(self.argv)}: still running after {timeout} s "
                                     f"(killed); terminal output:\n{self.text()}")
            self._read(0.2)
        while self._read(0.1):  # what is left in the terminal
            pass
        return self.status

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)

    def text(self) -> str:
        return self.transcript.decode("utf-8", "replace")[-4000:]


class Check(unittest.TestCase):
    """Base: skips on modules the table does not build, fails on built ones that do not import."""

    def require(self, *modules: str) -> None:
        for name in modules:
            if name not in BUILT:
                self.skipTest(f"module {name} not built for this target")
        for name in modules:
            self.load(name)

    def load(self, name: str) -> Any:
        try:
            return importlib.import_module(name)
        except Exception as error:  # any import failure is the finding
            self.fail(f"module {name} does not import ({type(error).__name__}: {error}) "
                      f"although the extension table builds what it needs for this target")

    def scratch(self) -> str:
        path = tempfile.mkdtemp(prefix="stdlib-checks-")
        self.addCleanup(shutil.rmtree, path, True)
        return path


class Process(Check):
    def test_the_environment_reaches_os_environ(self) -> None:
        # os.environ comes from the C library's environ. An interpreter whose copy of that
        # variable parts from libc's (a copy relocation without its __environ alias) sees none.
        home = os.environ.get("HOME")
        self.assertTrue(home and os.path.isdir(home),
                        f"os.environ lacks the HOME the checks were started with ({len(os.environ)} variables)")


class Configured(Check):
    """What configure decides by running a test program, which a cross build cannot do: the
    answers platforms/targets.bzl's CONFIGURE_CACHE gives must show as a native build's."""

    def test_strings_hash_with_siphash13(self) -> None:
        # FNV when configure assumes aligned memory access is required (PEP 456; Numba).
        self.assertEqual(sys.hash_info.algorithm, "siphash13")

    def test_interpreter_loop_uses_computed_gotos(self) -> None:
        import sysconfig

        self.assertEqual(sysconfig.get_config_var("HAVE_COMPUTED_GOTOS"), 1)

    def test_time_tzset_applies_posix_tz_rules(self) -> None:
        self.assertTrue(hasattr(time, "tzset"), "time.tzset is missing: configure found no working tzset()")
        saved = os.environ.get("TZ")

        def restore() -> None:
            if saved is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = saved
            time.tzset()

        self.addCleanup(restore)
        groundhog_day = 1044144000  # 2003-02-02 00:00 UTC, as in configure's own test
        for rule, hour, names in (("EST+5EDT,M4.1.0,M10.5.0", 19, ("EST", "EDT")),
                                  ("AEST-10AEDT-11,M10.5.0,M3.5.0", 11, ("AEST", "AEDT"))):
            os.environ["TZ"] = rule
            time.tzset()
            self.assertEqual((time.localtime(groundhog_day).tm_hour, time.tzname), (hour, names), rule)

    def test_semaphore_get_value(self) -> None:
        # NotImplementedError when configure assumes a broken sem_getvalue().
        self.require("_multiprocessing")
        import multiprocessing

        semaphore = multiprocessing.Semaphore(2)
        self.assertEqual(semaphore.get_value(), 2)
        with semaphore:
            self.assertEqual(semaphore.get_value(), 1)


class Hashlib(Check):
    def test_algorithms_available_and_known_answers(self) -> None:
        self.require("_md5", "_sha1", "_sha2", "_sha3", "_blake2")
        hashlib = self.load("hashlib")
        missing = sorted(set(ABC_DIGESTS) - hashlib.algorithms_available)
        if missing:
            self.fail(f"hashlib.algorithms_available lacks {missing}: {sorted(hashlib.algorithms_available)}")
        wrong = []
        for name, expected in ABC_DIGESTS.items():
            digest = hashlib.new(name, b"abc")
            got = digest.hexdigest(32) if name.startswith("shake_") else digest.hexdigest()
            if got != expected:
                wrong.append(f"{name}(b'abc') = {got}, expected {expected} ({type(digest)})")
            constructor = getattr(hashlib, name)(b"abc")
            got = constructor.hexdigest(32) if name.startswith("shake_") else constructor.hexdigest()
            if got != expected:
                wrong.append(f"hashlib.{name}(b'abc') = {got}, expected {expected}")
        if wrong:
            self.fail("wrong digests of b'abc':\n  " + "\n  ".join(wrong))

    def test_openssl_backs_sha256(self) -> None:
        self.require("_hashlib")
        hashlib = self.load("hashlib")
        digest = hashlib.new("sha256", b"abc")
        kind = f"{type(digest).__module__}.{type(digest).__qualname__}"
        self.assertIn("_hashlib", kind, f"hashlib.new('sha256') is {kind}, not OpenSSL's (_hashlib)")
        self.assertIn("openssl", hashlib.sha256.__name__,
                      f"hashlib.sha256 is {hashlib.sha256.__module__}.{hashlib.sha256.__name__}, "
                      "not _hashlib.openssl_sha256")
        self.assertEqual(digest.hexdigest(), ABC_DIGESTS["sha256"])
        # PBKDF2 is OpenSSL's too.
        self.assertEqual(hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1, 32).hex(),
                         "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")


class Ssl(Check):
    def setUp(self) -> None:
        self.require("_ssl")
        self.ssl = self.load("ssl")

    def test_openssl_3(self) -> None:
        self.assertTrue(self.ssl.OPENSSL_VERSION.startswith("OpenSSL 3."),
                        f"ssl.OPENSSL_VERSION is {self.ssl.OPENSSL_VERSION!r}, expected OpenSSL 3.x")
        self.assertTrue(self.ssl.HAS_TLSv1_3, "ssl.HAS_TLSv1_3 is False")

    def test_tls13_handshake_over_loopback(self) -> None:
        ssl, socket = self.ssl, self.load("socket")
        if not ARGS.cert or not ARGS.key:
            self.skipTest("no --cert/--key given (the harness generates them with openssl)")
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(ARGS.cert, ARGS.key)
        client_context = ssl.create_default_context(cafile=ARGS.cert)
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(60)
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        server: dict[str, object] = {}

        def serve() -> None:
            try:
                connection, _ = listener.accept()
                connection.settimeout(60)
                with server_context.wrap_socket(connection, server_side=True) as tls:
                    request = tls.recv(1024)
                    tls.sendall(b"pong:" + request)
                    server["version"] = tls.version()
            except Exception as error:  # reported by the client side
                server["error"] = f"{type(error).__name__}: {error}"

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as raw:
                with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"ping")
                    reply = b""
                    while len(reply) < len(b"pong:ping"):
                        data = tls.recv(1024)
                        if not data:
                            break
                        reply += data
                    version, cipher = tls.version(), tls.cipher()
        except (OSError, ssl.SSLError) as error:
            thread.join(10)
            self.fail(f"TLS client to 127.0.0.1:{port} failed: {type(error).__name__}: {error}; "
                      f"server side: {server.get('error', 'no error')}")
        thread.join(60)
        self.assertNotIn("error", server, f"TLS server failed: {server.get('error')}")
        self.assertEqual(reply, b"pong:ping", "the bytes that came back over TLS")
        self.assertEqual(version, "TLSv1.3", f"negotiated {version} ({cipher}), expected TLSv1.3")
        self.assertEqual(server.get("version"), "TLSv1.3")

    def test_default_verify_paths_are_the_systems(self) -> None:
        paths = self.ssl.get_default_verify_paths()
        system = ("/etc/ssl/", "/etc/pki/")
        named = {"openssl_cafile": paths.openssl_cafile, "openssl_capath": paths.openssl_capath}
        # cafile/capath are the compiled-in ones when they exist (or the SSL_CERT_* variables).
        if not os.environ.get(paths.openssl_cafile_env):
            named["cafile"] = paths.cafile
        if not os.environ.get(paths.openssl_capath_env):
            named["capath"] = paths.capath
        prefix = os.path.realpath(sys.prefix)
        wrong = [f"{key}={value}" for key, value in named.items()
                 if value is not None and (not (value + "/").startswith(system)
                                           or os.path.realpath(value).startswith(prefix + os.sep))]
        if wrong:
            self.fail(f"ssl.get_default_verify_paths() names non-system locations: {', '.join(wrong)} "
                      f"(expected under /etc/ssl or /etc/pki, never the build prefix, a sandbox or the "
                      f"distribution {prefix}); {paths}")

    def test_create_default_context(self) -> None:
        context = self.ssl.create_default_context()
        self.assertEqual(context.verify_mode, self.ssl.CERT_REQUIRED)
        self.assertTrue(context.check_hostname)


class Sqlite(Check):
    def setUp(self) -> None:
        self.require("_sqlite3")
        self.sqlite3 = self.load("sqlite3")
        self.db = self.sqlite3.connect(":memory:")
        self.addCleanup(self.db.close)

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        try:
            rows: list[tuple[Any, ...]] = self.db.execute(sql, params).fetchall()
            return rows
        except self.sqlite3.Error as error:
            self.fail(f"SQLite {self.sqlite3.sqlite_version}: {sql!r} failed: {error}")

    def test_pinned_version(self) -> None:
        if not ARGS.sqlite_version:
            self.skipTest("no --sqlite-version given")
        self.assertEqual(self.sqlite3.sqlite_version, ARGS.sqlite_version,
                         "sqlite3.sqlite_version is not the pinned SQLite version")

    def test_fts5(self) -> None:
        self.query("CREATE VIRTUAL TABLE docs USING fts5(title, body)")
        self.db.executemany("INSERT INTO docs VALUES (?, ?)", [
            ("fox", "the quick brown fox jumps over the lazy dog"),
            ("lorem", "lorem ipsum dolor sit amet"),
        ])
        self.assertEqual(self.query("SELECT title FROM docs WHERE docs MATCH 'body:lazy' ORDER BY rank"),
                         [("fox",)])
        self.assertEqual(self.query("SELECT highlight(docs, 1, '[', ']') FROM docs WHERE docs MATCH 'ipsum'"),
                         [("lorem [ipsum] dolor sit amet",)])

    def test_fts4(self) -> None:
        self.query("CREATE VIRTUAL TABLE notes USING fts4(content)")
        self.db.executemany("INSERT INTO notes VALUES (?)", [("sqlite full text",), ("something else",)])
        self.assertEqual(self.query("SELECT content FROM notes WHERE notes MATCH 'sql*'"),
                         [("sqlite full text",)])

    def test_rtree(self) -> None:
        self.query("CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx, miny, maxy)")
        self.db.executemany("INSERT INTO boxes VALUES (?, ?, ?, ?, ?)",
                            [(1, 0, 10, 0, 10), (2, 20, 30, 20, 30)])
        self.assertEqual(self.query("SELECT id FROM boxes WHERE minx <= 25 AND maxx >= 25 "
                                    "AND miny <= 25 AND maxy >= 25"), [(2,)])

    def test_geopoly(self) -> None:
        self.query("CREATE VIRTUAL TABLE shapes USING geopoly(name)")
        self.query("INSERT INTO shapes(_shape, name) VALUES ('[[0,0],[2,0],[2,2],[0,2],[0,0]]', 'square')")
        self.assertEqual(self.query("SELECT name, geopoly_area(_shape) FROM shapes "
                                    "WHERE geopoly_contains_point(_shape, 1, 1)"), [("square", 4.0)])

    def test_dbstat(self) -> None:
        self.query("CREATE TABLE t (x)")
        self.db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(100)])
        names = {name for (name,) in self.query("SELECT name FROM dbstat")}
        self.assertIn("t", names, f"dbstat lists {names}")

    def test_json(self) -> None:
        self.assertEqual(self.query("SELECT json_extract('{\"a\": [1, 2]}', '$.a[1]')"), [(2,)])

    def test_enable_load_extension(self) -> None:
        self.assertTrue(hasattr(self.sqlite3.Connection, "enable_load_extension"),
                        "sqlite3.Connection.enable_load_extension is missing (built without "
                        "--enable-loadable-sqlite-extensions, or SQLite with SQLITE_OMIT_LOAD_EXTENSION)")
        self.db.enable_load_extension(True)
        self.db.enable_load_extension(False)

    def test_serialize(self) -> None:
        self.query("CREATE TABLE kv (k, v)")
        self.query("INSERT INTO kv VALUES ('answer', 42)")
        data = self.db.serialize()
        self.assertTrue(data.startswith(b"SQLite format 3\0"), f"serialize() returned {data[:16]!r}...")
        copy = self.sqlite3.connect(":memory:")
        self.addCleanup(copy.close)
        copy.deserialize(data)
        self.assertEqual(copy.execute("SELECT v FROM kv WHERE k = 'answer'").fetchall(), [(42,)])


class Ctypes(Check):
    def test_static_build_has_no_pythonapi_and_calls_back(self) -> None:
        """A static interpreter cannot dlopen (itself neither): ctypes.pythonapi is None exactly
        then, and libffi's calls and closures still work (a Python callback, called through a C
        function pointer)."""
        self.require("_ctypes")
        ctypes = self.load("ctypes")
        if not ARGS.static:
            self.assertIsNotNone(ctypes.pythonapi, "ctypes.pythonapi is None, but the build is not static")
            return
        self.assertIsNone(ctypes.pythonapi, "a static build's ctypes.pythonapi")
        with self.assertRaises(OSError, msg="ctypes.CDLL(None) in a static build"):
            ctypes.CDLL(None)
        callback_type = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_long)
        callback = callback_type(lambda a, b: a * 1000 + b)
        through_c = callback_type(ctypes.cast(callback, ctypes.c_void_p).value)
        self.assertEqual(through_c(7, 42), 7042)

    def test_qsort_with_a_python_callback(self) -> None:
        self.require("_ctypes")
        ctypes = self.load("ctypes")
        if ARGS.static:
            self.skipTest("a static build finds no C function by name (no dlopen)")
        libc = ctypes.CDLL(None)  # the process's global namespace: libc is in it
        try:
            qsort = libc.qsort
        except AttributeError as error:
            self.fail(f"qsort not found through ctypes.CDLL(None): {error}")
        qsort.restype = None
        compare_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
        calls = []

        def compare(a: Any, b: Any) -> int:
            calls.append(1)
            return int(a[0] > b[0]) - int(a[0] < b[0])

        values = random.Random(7).sample(range(-1000, 1000), 200)
        array = (ctypes.c_int * len(values))(*values)
        qsort(array, len(array), ctypes.sizeof(ctypes.c_int), compare_type(compare))
        self.assertGreater(len(calls), 0, "qsort never called the Python comparison")
        self.assertEqual(list(array), sorted(values), "libc qsort with a CFUNCTYPE callback")


class Compression(Check):
    data: bytes

    @classmethod
    def setUpClass(cls) -> None:
        cls.data = semi_random_data()

    def round_trip(self, name: str, compress: Callable[[bytes], bytes], decompress: Callable[[bytes], bytes]) -> bytes:
        packed = compress(self.data)
        self.assertLess(len(packed), len(self.data), f"{name} did not compress semi-random data")
        unpacked = decompress(packed)
        self.assertTrue(unpacked == self.data,
                        f"{name}: the round trip of {len(self.data)} bytes gave {len(unpacked)} different bytes")
        return packed

    def test_zlib(self) -> None:
        self.require("zlib")
        zlib = self.load("zlib")
        self.round_trip("zlib", lambda d: zlib.compress(d, 6), zlib.decompress)
        self.assertEqual(zlib.crc32(b"abc"), 0x352441C2)

    def test_bz2(self) -> None:
        self.require("_bz2")
        bz2 = self.load("bz2")
        self.round_trip("bz2", bz2.compress, bz2.decompress)

    def test_lzma_crc64_and_sha256(self) -> None:
        self.require("_lzma")
        lzma = self.load("lzma")
        for check, check_name in ((lzma.CHECK_CRC64, "CHECK_CRC64"), (lzma.CHECK_SHA256, "CHECK_SHA256")):
            self.assertTrue(lzma.is_check_supported(check), f"lzma: {check_name} not supported")
            packed = self.round_trip(f"lzma ({check_name})", functools.partial(lzma.compress, check=check, preset=0),
                                     lzma.decompress)
            decompressor = lzma.LZMADecompressor()
            decompressor.decompress(packed)
            self.assertEqual(decompressor.check, check, f"the .xz stream does not carry {check_name}")

    def test_zstd(self) -> None:
        if sys.version_info < (3, 14):
            self.skipTest("compression.zstd is new in Python 3.14")
        self.require("_zstd")
        zstd = self.load("compression.zstd")
        self.round_trip("compression.zstd", zstd.compress, zstd.decompress)


class Math(Check):
    """The C library's math, not zig's compiler_rt's weak copies of it (which a link can bind
    first: build_cpython.LIBC_MATH_FUNCTIONS)."""

    def test_fma_keeps_the_sign_of_a_zero(self) -> None:
        self.require("math")
        math = self.load("math")
        x, y, z = float.fromhex("0x1p-500"), float.fromhex("0x1p-550"), float.fromhex("0x1p-1000")
        for result, sign in ((math.fma(x - y, x + y, -z), -1.0), (math.fma(y - x, x + y, z), 1.0)):
            self.assertEqual((result, math.copysign(1.0, result)), (0.0, sign), "fma's zero sign (test_math)")

    def test_log2_of_powers_of_two_is_exact(self) -> None:
        self.require("math")
        math = self.load("math")
        self.assertEqual([math.log2(2.0 ** n) for n in range(-1074, 1024)], [float(n) for n in range(-1074, 1024)])


class Decimal(Check):
    def test_c_implementation_with_precision_50(self) -> None:
        self.require("_decimal")
        decimal = self.load("decimal")
        _decimal: ModuleType | None = sys.modules.get("_decimal")
        if _decimal is None:
            self.fail("decimal did not load _decimal")
        self.assertIs(decimal.Decimal, _decimal.Decimal,
                      f"decimal.Decimal comes from {decimal.Decimal.__module__} "
                      f"({getattr(decimal, '__file__', '?')}), not the C implementation _decimal")
        context = decimal.Context(prec=50)
        self.assertEqual(str(context.divide(decimal.Decimal(1), decimal.Decimal(7))),
                         "0.14285714285714285714285714285714285714285714285714")
        self.assertEqual(str(context.sqrt(decimal.Decimal(2))),
                         "1.4142135623730950488016887242096980785696718753769")
        self.assertEqual(str(context.power(decimal.Decimal(2), 100)), "1267650600228229401496703205376")


class Uuid(Check):
    def test_uuid1_and_uuid4(self) -> None:
        uuid = self.load("uuid")
        self.assertEqual(uuid.uuid1().version, 1)
        self.assertEqual(uuid.uuid4().version, 4)
        self.assertNotEqual(uuid.uuid4(), uuid.uuid4())

    def test_c_extension(self) -> None:
        self.require("_uuid")
        uuid = self.load("uuid")
        self.assertIsNotNone(uuid._uuid, "uuid._uuid is None: uuid did not load the _uuid extension")
        self.assertIsNotNone(uuid._generate_time_safe,
                             "uuid._generate_time_safe is None: _uuid was built without libuuid")
        self.assertEqual(uuid.uuid1().version, 1)


class Xml(Check):
    def test_expat(self) -> None:
        self.require("pyexpat")
        expat = self.load("xml.parsers.expat")
        pyexpat = self.load("pyexpat")
        self.assertTrue(pyexpat.EXPAT_VERSION.startswith("expat_2."),
                        f"pyexpat.EXPAT_VERSION is {pyexpat.EXPAT_VERSION!r}")
        events: list[tuple[str, ...] | tuple[str, str, Any]] = []
        parser = expat.ParserCreate()
        parser.StartElementHandler = lambda name, attributes: events.append(("start", name, attributes))
        parser.EndElementHandler = lambda name: events.append(("end", name))
        parser.CharacterDataHandler = lambda text: events.append(("text", text))
        parser.Parse(b'<?xml version="1.0"?><root a="1"><item>caf\xc3\xa9</item></root>', True)
        self.assertEqual(events, [("start", "root", {"a": "1"}), ("start", "item", {}),
                                  ("text", "caf\u00e9"), ("end", "item"), ("end", "root")])

    def test_elementtree_uses_the_c_accelerator(self) -> None:
        self.require("_elementtree")
        tree = self.load("xml.etree.ElementTree")
        accelerator = sys.modules["_elementtree"]
        self.assertIs(tree.XMLParser, accelerator.XMLParser,
                      "xml.etree.ElementTree.XMLParser is the Python one, not _elementtree's")
        root = tree.fromstring("<a><b n='1'>x</b><b n='2'>y</b></a>")
        self.assertEqual([b.get("n") for b in root.iter("b")], ["1", "2"])
        self.assertEqual(tree.tostring(root.find("b[@n='2']")), b'<b n="2">y</b>')


class Dbm(Check):
    def expected_default(self) -> str:
        """The first of dbm's _names whose module the table builds (as Lib/dbm/__init__.py picks)."""
        candidates = [("dbm.gnu", "_gdbm"), ("dbm.ndbm", "_dbm"), ("dbm.dumb", None)]
        if sys.version_info >= (3, 13):
            candidates.insert(0, ("dbm.sqlite3", "_sqlite3"))
        return next(name for name, module in candidates if module is None or module in BUILT)

    def write_read(self, opener: Callable[[str, str], Any], path: str) -> None:
        dbm = self.load("dbm")
        keys = {f"key{i}".encode(): f"value {i}".encode() * (i % 7 + 1) for i in range(200)}
        with opener(path, "c") as db:
            for key, value in keys.items():
                db[key] = value
        with dbm.open(path, "r") as db:
            read = {key: db[key] for key in keys}
            self.assertEqual(len(db.keys()), len(keys))
            with self.assertRaises(dbm.error, msg="a database opened read-only accepted a write"), quiet_stderr():
                db[b"new"] = b"x"
        self.assertEqual(read, keys, "values read back after reopening read-only")

    def test_default_backend(self) -> None:
        dbm = self.load("dbm")
        path = os.path.join(self.scratch(), "default")
        self.write_read(dbm.open, path)
        expected = self.expected_default()
        self.assertEqual(dbm.whichdb(path), expected,
                         f"dbm.open(path, 'c') used {dbm.whichdb(path)}; with the modules built for this "
                         f"target, CPython {sys.version_info.major}.{sys.version_info.minor}'s dbm picks {expected}")

    def test_ndbm_is_berkeley_db(self) -> None:
        self.require("_dbm")
        ndbm = self.load("dbm.ndbm")
        dbm = self.load("dbm")
        self.assertIn("Berkeley DB", ndbm.library, f"dbm.ndbm.library is {ndbm.library!r}")
        path = os.path.join(self.scratch(), "ndbm")
        self.write_read(ndbm.open, path)
        self.assertEqual(dbm.whichdb(path), "dbm.ndbm",
                         f"dbm.whichdb does not recognise the file dbm.ndbm wrote: {os.listdir(os.path.dirname(path))}")


def xterm_terminfo() -> str | None:
    for directory in TERMINFO_DIRS:
        for entry in ("x/xterm", "78/xterm"):
            if os.path.isfile(os.path.join(directory, entry)):
                return os.path.join(directory, entry)
    return None


class Terminal(Check):
    """Interactive modules in a pseudo-terminal: TERM=xterm, no TERMINFO/TERMINFO_DIRS variable,
    so the distribution must find the system's terminfo database by itself."""

    def session(self, *args: str, **env: str) -> PtySession:
        home = self.scratch()
        session = PtySession(self_command(*args), child_env(home, **env), cwd=home)
        self.addCleanup(session.close)
        return session

    def test_curses_initscr_endwin(self) -> None:
        self.require("_curses")
        if xterm_terminfo() is None:
            self.skipTest(f"no terminfo entry for xterm on this machine (looked in {', '.join(TERMINFO_DIRS)})")
        # A panel made by curses.panel must be the screen's top panel: _curses and _curses_panel
        # share one ncurses (with a copy each, top_panel() was None).
        code = ("import curses, curses.panel\n"
                "screen = curses.initscr()\n"
                "try:\n"
                "    curses.noecho(); screen.addstr(0, 0, 'stdlib checks'); screen.refresh()\n"
                "    size = (curses.LINES, curses.COLS)\n"
                "    window = curses.newwin(3, 10, 1, 1)\n"
                "    panel = curses.panel.new_panel(window)\n"
                "    curses.panel.update_panels()\n"
                "    top = curses.panel.top_panel()\n"
                "    panel_ok = top is not None and top.window() is window\n"
                "finally:\n"
                "    curses.endwin()\n"
                "print('CURSES-OK', size, 'top panel', 'ok' if panel_ok else repr(top), curses.ncurses_version)\n")
        session = self.session("-c", code)
        status = session.wait()
        self.assertEqual(status, 0, f"curses.initscr()/endwin() with TERM=xterm and no TERMINFO "
                                    f"variable failed (exit {status}); terminal output:\n{session.text()}")
        self.assertIn(b"CURSES-OK (24, 80) top panel ok", session.transcript, session.text())

    def test_readline_is_libedit(self) -> None:
        self.require("readline")
        readline = self.load("readline")
        if sys.version_info >= (3, 13):
            self.assertEqual(getattr(readline, "backend", None), "editline",
                             f"readline.backend is {getattr(readline, 'backend', None)!r}")
        self.assertIn("libedit", readline.__doc__ or "", f"readline.__doc__ is {readline.__doc__!r} "
                      f"(library {getattr(readline, '_READLINE_LIBRARY_VERSION', '?')!r})")

    def test_repl_line_editing(self) -> None:
        self.require("readline")
        # The basic REPL reads lines through readline (3.13's new REPL does its own editing).
        session = self.session("-q", PYTHON_BASIC_REPL="1", PYTHON_HISTORY=os.path.join(self.scratch(), "history"))
        at = session.expect(b">>> ")
        # The REPL reads its lines through the readline module (so they land in its history),
        # not through 3.13's own _pyrepl.
        session.send(b"import readline; print('READLINE-HISTORY', readline.get_current_history_length())\r")
        at = session.expect(b">>> ", session.expect(b"READLINE-HISTORY ", at))
        history = re.search(rb"READLINE-HISTORY (\d+)", session.transcript)
        self.assertTrue(history and int(history.group(1)) > 0,
                        f"the REPL's lines do not go through readline (its history is empty):\n{session.text()}")
        # Type "print(2**1x)", Left arrow, Backspace (deletes the x), "0", Enter: only line
        # editing turns that into print(2**10); a terminal's own line discipline would hand
        # Python the escape sequence.
        session.send(b"print(2**1x)")
        time.sleep(0.2)
        session.send(b"\x1b[D")
        time.sleep(0.2)
        session.send(b"\x7f0\r")
        try:
            at = session.expect(b"\n1024", at)  # the output line (the echoed line reads print(2**10))
            session.expect(b">>> ", at)
        except AssertionError as error:
            self.fail(f"line editing in the REPL (Left arrow, Backspace) did not work: {error}")
        session.send(b"exit()\r")
        status = session.wait()
        self.assertEqual(status, 0, f"the REPL exited with {status}; terminal output:\n{session.text()}")


class Tkinter(Check):
    def test_tk_window_with_a_label(self) -> None:
        self.require("_tkinter")
        if not os.environ.get("DISPLAY"):
            self.skipTest("DISPLAY is not set (the harness starts Xvfb on x86_64 targets only)")
        tkinter = self.load("tkinter")
        try:
            root = tkinter.Tk()
        except tkinter.TclError as error:
            self.fail(f"tkinter.Tk() failed on DISPLAY={os.environ['DISPLAY']}: {error}")
        try:
            label = tkinter.Label(root, text="stdlib checks")
            label.pack()
            root.update()
            self.assertGreater(label.winfo_reqwidth(), 0, "the label has no width")
            patchlevel = str(root.tk.call("info", "patchlevel"))
            if ARGS.tcl_version:
                pin = ARGS.tcl_version
                same = patchlevel == pin or (patchlevel.startswith(pin) and not patchlevel[len(pin)].isdigit())
                self.assertTrue(same, f"Tcl's patchlevel is {patchlevel}, the pin is {pin}")
        finally:
            root.destroy()

    def test_tk_finds_its_scripts_from_a_venv(self) -> None:
        # Tcl and Tk look for their script libraries relative to the executable _tkinter gives
        # them (<prefix>/lib/tcl9.0): from a virtual environment's python, which is not in the
        # distribution, they must still find the distribution's.
        self.require("_tkinter")
        if not os.environ.get("DISPLAY"):
            self.skipTest("DISPLAY is not set (the harness starts Xvfb on x86_64 targets only)")
        home = self.scratch()
        venv = os.path.join(home, "venv")
        made = subprocess.run(self_command("-m", "venv", "--without-pip", venv), env=child_env(home),
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(made.returncode, 0, f"python -m venv failed: {made.stderr[-2000:]}")
        code = ("import tkinter\n"
                "root = tkinter.Tk()\n"
                "print(root.tk.eval('set tcl_library')); print(root.tk.eval('set tk_library'))\n"
                "root.destroy()\n")
        result = subprocess.run([*RUN, os.path.join(venv, "bin", "python"), "-c", code],
                                env=child_env(home, DISPLAY=os.environ["DISPLAY"]), capture_output=True,
                                text=True, timeout=300)
        self.assertEqual(result.returncode, 0, f"tkinter.Tk() in a venv failed: {result.stderr[-2000:]}")
        prefix = os.path.realpath(sys.base_prefix)
        for library in result.stdout.split():
            self.assertTrue(os.path.realpath(library).startswith(prefix + os.sep),
                            f"from a venv, Tcl/Tk use the script library {library}, not the distribution's "
                            f"(in {prefix})")


class Distribution(Check):
    def test_no_python_variables(self) -> None:
        leaked = sorted(name for name in os.environ if name.startswith("PYTHON"))
        self.assertEqual(leaked, [], "the checks must run with no PYTHON* variable")

    def test_prefix_and_sysconfig_paths(self) -> None:
        if not ARGS.prefix:
            self.skipTest("no --prefix given")
        import sysconfig

        prefix = os.path.realpath(ARGS.prefix)
        self.assertEqual(os.path.realpath(sys.prefix), prefix, "sys.prefix is not the extraction directory")
        self.assertEqual(sys.base_prefix, sys.prefix, "sys.base_prefix differs from sys.prefix")
        self.assertEqual(sys.exec_prefix, sys.prefix, "sys.exec_prefix differs from sys.prefix")
        named = {f"sysconfig.get_paths()[{key!r}]": value for key, value in sysconfig.get_paths().items()}
        self.assert_inside(prefix, named)

    # 3.13 takes LIBPL and INCLUDEPY from _sysconfigdata, which names the build prefix (/install);
    # cpython/patches/3.13/sysconfig-relocate-build-prefix.patch moves them to the installation.
    def test_sysconfig_libpl_and_includepy(self) -> None:
        if not ARGS.prefix:
            raise AssertionError("no --prefix given")
        import sysconfig

        prefix = os.path.realpath(ARGS.prefix)
        self.assert_inside(prefix, {f"sysconfig.get_config_var({var!r})": sysconfig.get_config_var(var)
                                    for var in ("LIBPL", "INCLUDEPY")})

    def assert_inside(self, prefix: str, named: dict[str, Any]) -> None:
        outside = [f"{key} = {value}" for key, value in named.items()
                   if not value or not os.path.isabs(value)
                   or os.path.commonpath([prefix, os.path.realpath(value)]) != prefix]
        if outside:
            self.fail(f"paths outside sys.prefix ({prefix}):\n  " + "\n  ".join(outside))


def load_modules(path: str) -> frozenset[str]:
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    if isinstance(document, list):
        return frozenset(document)
    return frozenset(name for name, fate in document.items() if fate.get("state") in ("builtin", "shared"))


def main() -> None:
    global ARGS, BUILT, RUN
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", required=True, help="modules.json, or a JSON list of built modules")
    parser.add_argument("--prefix", help="the directory the distribution was extracted to")
    parser.add_argument("--sqlite-version")
    parser.add_argument("--tcl-version")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--static", action="store_true", help="the distribution is a +static build")
    ARGS, rest = parser.parse_known_args()
    BUILT = load_modules(ARGS.modules)
    RUN = [word for word in os.environ.get("STDLIB_CHECKS_RUN", "").split(",") if word]
    print(f"stdlib checks: {sys.executable} {sys.version.split()[0]}"
          f"{' under ' + ' '.join(RUN) if RUN else ''}; {len(BUILT)} modules built", flush=True)
    program = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False)
    result = program.result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print(f"stdlib checks: {result.testsRun - len(result.skipped) - failed} passed, "
          f"{len(result.skipped)} skipped, {failed} failed", flush=True)
    sys.exit(0 if result.wasSuccessful() and result.testsRun else 1)


if __name__ == "__main__":
    main()
