"""The table of extension modules: every module of CPython's Modules/Setup* files, and how
this project builds it.

Single source of truth for modules: the Setup.local generator (tools/py) turns it into
Setup.local for a CPython version and target, and fails, naming the module, when it disagrees
with the source's own Modules/Setup* files; the smoke tests import exactly the modules it says
are built. Bazel loads it too. Data only.

Schema of an entry (key: the module's name as in Modules/Setup*):
  kind              "builtin" (in the interpreter: Setup.bootstrap.in's modules, and those of
                    Setup.stdlib.in that must share one copy of a vendored library) or "shared"
                    (lib-dynload/<name>.so; vendored libraries linked statically into it).
  deps              pins of //third_party:sources.bzl the module links; while one of them has
                    no build yet, the module is disabled and reported as missing.
  test              True for CPython's test modules (left out of install_only archives).
  min_python        first CPython version ("3.13") that has the module.
  max_python        last CPython version that has it.
  disabled          why it is never built (licence, platform).
  disabled_targets  {triple regex: reason}: targets it is not built for.
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

    # Modules/Setup.stdlib.in, no third-party library: shared modules in lib-dynload.
    "array": {"kind": "shared"},
    "_asyncio": {"kind": "shared"},
    "_bisect": {"kind": "shared"},
    "_contextvars": {"kind": "shared"},
    "_csv": {"kind": "shared"},
    "_heapq": {"kind": "shared"},
    "_json": {"kind": "shared"},
    "_lsprof": {"kind": "shared"},
    "_opcode": {"kind": "shared"},
    "_pickle": {"kind": "shared"},
    "_queue": {"kind": "shared"},
    "_random": {"kind": "shared"},
    "_struct": {"kind": "shared"},
    "_interpchannels": {"kind": "shared", "min_python": "3.13"},
    "_interpqueues": {"kind": "shared", "min_python": "3.13"},
    "_zoneinfo": {"kind": "shared"},
    "math": {"kind": "shared"},
    "cmath": {"kind": "shared"},
    "_statistics": {"kind": "shared"},
    "_datetime": {"kind": "shared"},
    "binascii": {"kind": "shared"},
    "_md5": {"kind": "shared"},
    "_sha1": {"kind": "shared"},
    "_sha2": {"kind": "shared"},
    "_sha3": {"kind": "shared"},
    "_blake2": {"kind": "shared"},
    "_elementtree": {"kind": "shared", "deps": ["expat"]},
    "_codecs_cn": {"kind": "shared"},
    "_codecs_hk": {"kind": "shared"},
    "_codecs_iso2022": {"kind": "shared"},
    "_codecs_jp": {"kind": "shared"},
    "_codecs_kr": {"kind": "shared"},
    "_codecs_tw": {"kind": "shared"},
    "_multibytecodec": {"kind": "shared"},
    "unicodedata": {"kind": "shared"},
    "fcntl": {"kind": "shared"},
    "grp": {"kind": "shared"},
    "mmap": {"kind": "shared"},
    "_posixsubprocess": {"kind": "shared"},
    "resource": {"kind": "shared"},
    "select": {"kind": "shared"},
    "_socket": {"kind": "shared"},
    "syslog": {"kind": "shared"},
    "termios": {"kind": "shared"},
    "_posixshmem": {"kind": "shared"},
    "_multiprocessing": {"kind": "shared"},

    # Modules that need a vendored library, linked statically into the module.
    "_decimal": {"kind": "shared", "deps": ["mpdecimal"]},
    "_bz2": {"kind": "shared", "deps": ["bzip2"]},
    "_lzma": {"kind": "shared", "deps": ["xz"]},
    "zlib": {"kind": "shared", "deps": ["zlib"]},
    "_dbm": {"kind": "shared", "deps": ["bdb5"]},
    "readline": {"kind": "shared", "deps": ["libedit", "ncurses"]},
    "pyexpat": {"kind": "shared", "deps": ["expat"]},
    "_ctypes": {"kind": "shared", "deps": ["libffi"]},
    # Built in, so that both use one ncurses: as two shared modules each carried its own, and
    # panels made through _curses_panel were unknown to _curses's screen (top_panel() was None).
    "_curses": {"kind": "builtin", "deps": ["ncurses"]},
    "_curses_panel": {"kind": "builtin", "deps": ["ncurses"]},
    "_sqlite3": {"kind": "shared", "deps": ["sqlite"]},
    "_ssl": {"kind": "shared", "deps": ["openssl"]},
    "_hashlib": {"kind": "shared", "deps": ["openssl"]},
    "_uuid": {"kind": "shared", "deps": ["util_linux"]},
    "_zstd": {"kind": "shared", "deps": ["zstd"], "min_python": "3.14"},
    # Tcl/Tk's script libraries ship as lib/tcl9.0, lib/tcl9 and lib/tk9.0 (build_cpython.py).
    "_tkinter": {"kind": "shared", "deps": ["tcl", "tk", "libx11", "libxcb", "libxau", "zlib"]},

    # CPython's own test modules: shipped in the full archive, left out of install_only.
    "_testbuffer": {"kind": "shared", "test": True},
    "_testinternalcapi": {"kind": "shared", "test": True},
    "_testcapi": {"kind": "shared", "test": True},
    "_testlimitedcapi": {"kind": "shared", "test": True, "min_python": "3.13"},
    "_testclinic": {"kind": "shared", "test": True},
    "_testclinic_limited": {"kind": "shared", "test": True, "min_python": "3.13"},
    "_testimportmultiple": {"kind": "shared", "test": True},
    "_testmultiphase": {"kind": "shared", "test": True},
    "_testsinglephase": {"kind": "shared", "test": True},
    "_ctypes_test": {"kind": "shared", "test": True, "deps": ["libffi"]},
    # In the source, deliberately not built.
    "_gdbm": {"kind": "shared", "disabled": "GNU dbm is GPL-3.0; the distribution ships only permissively licensed code (dbm uses Berkeley DB)"},
    "_scproxy": {"kind": "shared", "disabled": "macOS only"},
    "xxsubtype": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xxlimited": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xxlimited_35": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "xx": {"kind": "shared", "disabled": "example module, not shipped (as PBS)"},
    "_xxtestfuzz": {"kind": "shared", "disabled": "fuzzing harness, not shipped (as PBS)"},
    "_testexternalinspection": {"kind": "shared", "test": True, "max_python": "3.13"},

    # Version-specific modules (from CPython's Modules/Setup.stdlib.in of those versions).
    "_crypt": {"kind": "shared", "max_python": "3.12", "disabled": "needs the system's libcrypt (PBS ships it as an optional shared module; not yet here)"},
    "nis": {"kind": "shared", "max_python": "3.12", "disabled": "needs libnsl and Sun RPC; removed in 3.13 (as PBS, never built)"},
    "_xxsubinterpreters": {"kind": "shared", "max_python": "3.12"},
    "_xxinterpchannels": {"kind": "shared", "max_python": "3.12"},
    "_interpreters": {"kind": "shared", "min_python": "3.13"},
}
