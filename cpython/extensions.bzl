"""The table of extension modules: every module of CPython's Modules/Setup* files, and how
this project builds it.

Single source of truth for modules: the Setup.local generator (tools/py) turns it into
Setup.local for a CPython version and target, and fails, naming the module, when it disagrees
with the source's own Modules/Setup* files; the smoke tests import exactly the modules it says
are built. Bazel loads it too. Data only.

Schema of an entry (key: the module's name as in Modules/Setup*):
  kind              "builtin" (in libpython and the interpreter, as python-build-standalone
                    builds every stdlib extension from 3.12 on: one copy of each vendored
                    library per process) or "shared" (lib-dynload/<name>.so, vendored libraries
                    linked statically into it): PBS's short list, the test modules, _tkinter
                    (Tcl/Tk and X11 load only when tkinter is imported), _dbm, and the modules
                    that need glibc's libm rather than zig's compiler_rt (math, cmath,
                    _statistics: see their entries).
  deps              pins of //third_party:sources.bzl the module links; while one of them has
                    no build yet, the module is disabled and reported as missing.
  test              True for CPython's test modules (left out of install_only archives).
  min_python        first CPython version ("3.13") that has the module.
  max_python        last CPython version that has it.
  disabled          why it is never built (licence, platform).
  disabled_targets  {triple regex: reason}: targets it is not built for.
  shared_only       why the module is only ever a shared object: a +static build
                    (cpython/build_options.bzl), which builds every other one in, leaves it out.
"""

EXTENSIONS = {
    # Built into the interpreter by Modules/Setup.bootstrap.in: always present.
    "atexit": {"kind": "builtin"},
    "faulthandler": {"kind": "builtin"},
    "posix": {"kind": "builtin"},
    "_signal": {"kind": "builtin"},
    "_tracemalloc": {"kind": "builtin"},
    "_suggestions": {"kind": "builtin", "min_python": "3.13"},
    "_codecs": {"kind": "builtin"},
    "_collections": {"kind": "builtin"},
    "errno": {"kind": "builtin"},
    "_io": {"kind": "builtin"},
    "itertools": {"kind": "builtin"},
    "_sre": {"kind": "builtin"},
    "_sysconfig": {"kind": "builtin", "min_python": "3.13"},
    "_thread": {"kind": "builtin"},
    "time": {"kind": "builtin"},
    "_typing": {"kind": "builtin"},
    "_weakref": {"kind": "builtin"},
    "_abc": {"kind": "builtin"},
    "_functools": {"kind": "builtin"},
    "_locale": {"kind": "builtin"},
    "_operator": {"kind": "builtin"},
    "_stat": {"kind": "builtin"},
    "_symtable": {"kind": "builtin"},
    "pwd": {"kind": "builtin"},

    # Modules/Setup.stdlib.in, no third-party library.
    "array": {"kind": "builtin"},
    "_asyncio": {"kind": "builtin"},
    "_bisect": {"kind": "builtin"},
    "_contextvars": {"kind": "builtin"},
    "_csv": {"kind": "builtin"},
    "_heapq": {"kind": "builtin"},
    "_json": {"kind": "builtin"},
    "_lsprof": {"kind": "builtin"},
    "_opcode": {"kind": "builtin"},
    "_pickle": {"kind": "builtin"},
    "_queue": {"kind": "builtin"},
    "_random": {"kind": "builtin"},
    "_struct": {"kind": "builtin"},
    "_interpchannels": {"kind": "builtin", "min_python": "3.13"},
    "_interpqueues": {"kind": "builtin", "min_python": "3.13"},
    "_zoneinfo": {"kind": "builtin"},
    # Shared, unlike PBS: zig's compiler_rt is one object of weak, hidden definitions of libm's
    # functions too (fma, log, log2, exp, sin, ...), and a link that needs any of its builtins
    # (libpython and the interpreter need __divti3 and others) takes its versions over glibc's
    # libm. Built in, these modules computed with them and failed test_math (fma's zero sign,
    # exact log2, the mtestfile cases); as shared modules they call glibc's libm.
    "math": {"kind": "shared"},
    "cmath": {"kind": "shared"},
    "_statistics": {"kind": "shared"},
    "_datetime": {"kind": "builtin"},
    "binascii": {"kind": "builtin"},
    "_md5": {"kind": "builtin"},
    "_sha1": {"kind": "builtin"},
    "_sha2": {"kind": "builtin"},
    "_sha3": {"kind": "builtin"},
    "_blake2": {"kind": "builtin"},
    "_elementtree": {"kind": "builtin", "deps": ["expat"]},
    "_codecs_cn": {"kind": "builtin"},
    "_codecs_hk": {"kind": "builtin"},
    "_codecs_iso2022": {"kind": "builtin"},
    "_codecs_jp": {"kind": "builtin"},
    "_codecs_kr": {"kind": "builtin"},
    "_codecs_tw": {"kind": "builtin"},
    "_multibytecodec": {"kind": "builtin"},
    "unicodedata": {"kind": "builtin"},
    "fcntl": {"kind": "builtin"},
    "grp": {"kind": "builtin"},
    "mmap": {"kind": "builtin"},
    "_posixsubprocess": {"kind": "builtin"},
    "resource": {"kind": "builtin"},
    "select": {"kind": "builtin"},
    "_socket": {"kind": "builtin"},
    "syslog": {"kind": "builtin"},
    "termios": {"kind": "builtin"},
    "_posixshmem": {"kind": "builtin"},
    "_multiprocessing": {"kind": "builtin"},

    # Modules that need a vendored library: OpenSSL, sqlite, ncurses ... linked once, into
    # libpython and the interpreter, their symbols hidden (the validator checks).
    "_decimal": {"kind": "builtin", "deps": ["mpdecimal"]},
    "_bz2": {"kind": "builtin", "deps": ["bzip2"]},
    "_lzma": {"kind": "builtin", "deps": ["xz"]},
    "zlib": {"kind": "builtin", "deps": ["zlib"]},
    # Shared, as PBS: Berkeley DB stays out of every process that does not open a dbm file.
    "_dbm": {"kind": "shared", "deps": ["bdb5"]},
    "readline": {"kind": "builtin", "deps": ["libedit", "ncurses"]},
    "pyexpat": {"kind": "builtin", "deps": ["expat"]},
    "_ctypes": {"kind": "builtin", "deps": ["libffi"]},
    # Both built in, with one ncurses: as two shared modules each carried its own, and panels
    # made through _curses_panel were unknown to _curses's screen (top_panel() was None).
    "_curses": {"kind": "builtin", "deps": ["ncurses"]},
    "_curses_panel": {"kind": "builtin", "deps": ["ncurses"]},
    "_sqlite3": {"kind": "builtin", "deps": ["sqlite"]},
    "_ssl": {"kind": "builtin", "deps": ["openssl"]},
    "_hashlib": {"kind": "builtin", "deps": ["openssl"]},
    "_uuid": {"kind": "builtin", "deps": ["util_linux"]},
    "_zstd": {"kind": "builtin", "deps": ["zstd"], "min_python": "3.14"},
    # Shared, as PBS: Tcl, Tk and X11 load only with tkinter.
    # Tcl/Tk's script libraries ship as lib/tcl9.0, lib/tcl9 and lib/tk9.0 (build_cpython.py).
    "_tkinter": {"kind": "shared", "deps": ["tcl", "tk", "libx11", "libxcb", "libxau", "zlib"]},

    # CPython's own test modules: shared (PBS keeps most of them shared too; here all, so that
    # install_only can leave every one out), shipped in the full archive only.
    "_testbuffer": {"kind": "shared", "test": True},
    "_testinternalcapi": {"kind": "shared", "test": True},
    "_testcapi": {"kind": "shared", "test": True},
    "_testlimitedcapi": {"kind": "shared", "test": True, "min_python": "3.13"},
    "_testclinic": {"kind": "shared", "test": True},
    "_testclinic_limited": {"kind": "shared", "test": True, "min_python": "3.13"},
    "_testimportmultiple": {"kind": "shared", "test": True, "shared_only": "tests importing extension modules from shared objects"},
    "_testmultiphase": {"kind": "shared", "test": True, "shared_only": "tests importing extension modules from shared objects"},
    "_testsinglephase": {"kind": "shared", "test": True, "shared_only": "tests importing extension modules from shared objects"},
    "_ctypes_test": {"kind": "shared", "test": True, "deps": ["libffi"], "shared_only": "ctypes' tests load it as a shared library (CDLL)"},
    # In the source, deliberately not built.
    "_gdbm": {"kind": "shared", "disabled": "GNU dbm is GPL-3.0; the distribution ships only permissively licensed code (dbm uses Berkeley DB)"},
    "_scproxy": {"kind": "shared", "disabled": "macOS only"},
    "xxsubtype": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xxlimited": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xxlimited_35": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xx": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "_xxtestfuzz": {"kind": "shared", "disabled": "fuzzing harness, not shipped (as PBS)"},
    "_testexternalinspection": {"kind": "shared", "test": True, "max_python": "3.13", "shared_only": "Setup.stdlib.in builds it shared only"},

    # Version-specific modules (from CPython's Modules/Setup.stdlib.in of those versions).
    "_crypt": {"kind": "shared", "max_python": "3.12", "disabled": "needs the system's libcrypt (PBS ships it as an optional shared module; not yet here)"},
    "nis": {"kind": "shared", "max_python": "3.12", "disabled": "needs libnsl and Sun RPC; removed in 3.13 (as PBS, never built)"},
    "_xxsubinterpreters": {"kind": "builtin", "max_python": "3.12"},
    "_xxinterpchannels": {"kind": "builtin", "max_python": "3.12"},
    "_interpreters": {"kind": "builtin", "min_python": "3.13"},
}
