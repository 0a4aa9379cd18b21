"""The table of pinned sources: every file the build fetches, with its sha256 and licence.

Single source of truth for versions. Bazel loads it (the `sources` module extension and the
WORKSPACE macros create one repository per entry); tools/py reads it through starlark-pyo3
(the mirror tool seeds Bazel's repository cache from it, the BUILD generator reads `build`).
Data only: no load(), no function calls.

Schema of an entry (key: the pin's name, also the name of its Bazel repository):
  kind           "library" (a dependency built by //bazel:configure_make), "cpython" (a
                 CPython source release), "wheel" (a Python wheel used by the build or tests) or
                 "tool" (prebuilt files the build uses as they are, e.g. LLVM's profile runtime:
                 its repository's files are all_files).
  version        the upstream release.
  license        SPDX expression; license_files: paths inside the source (or wheel).
  archives       the places the same release can be had, tried in order; each:
                   sha256        of the file; always checked.
                   urls          upstream download URLs (may be empty).
                   debian        {"package", "version", "file"}: a Debian source package whose
                                 file has this sha256. The mirror tool finds it by sha256 in any
                                 suite it reaches, so a newer Debian revision of the same upstream
                                 file still matches.
                   debian_binary {"package", "version", "file", optional "architecture"}: a Debian
                                 binary package (.deb) with this sha256, found the same way in any
                                 suite (`apt-get download`); Bazel extracts its data (data.tar.*).
                                 For a library: only architecture-independent data (headers, .pc
                                 files, XML, Python modules), built with system "prebuilt-data",
                                 when no reachable mirror serves its source. For a tool: the
                                 Debian architecture the package is of ("amd64", "arm64";
                                 default: the build host's).
                   pypi          {"name", "version", "file"}: a wheel fetched with pip by name.
                   strip_prefix  the top directory inside the archive ("usr" for a .deb).
                   license_files {pin's licence path: path in this archive}: where the licence
                                 texts are when the archive is not laid out like the upstream
                                 source (a .deb: share/doc/<package>/copyright); they are
                                 copied to the paths the pin's license_files name.
                   extra_archives  further files of the same release (sha256, strip_prefix and
                                 one origin each), extracted over this one: e.g. the other
                                 binary packages Debian splits one source package into.
  build          for kind "library": how //third_party/<name> is built (see bazel/configure_make.bzl):
                   system           "autotools" (configure --prefix --build --host --disable-shared),
                                    "configure" (a hand-written configure taking --prefix), "make"
                                    (a plain Makefile: CC, AR, RANLIB, CFLAGS, LDFLAGS, PREFIX
                                    given to make), "openssl" (OpenSSL's Configure, for the
                                    target's openssl_target in platforms/targets.bzl) or
                                    "prebuilt-data" (no build: the tree is already installed
                                    architecture-independent files, a .deb extracted at usr/;
                                    its include/, lib/ and share/ are installed)
                   configure_args   extra arguments to configure; in these, make_targets and
                                    install_targets, {dep:NAME} is the install tree of the
                                    direct dep NAME (e.g. "--with-tcl={dep:tcl}/lib")
                   libc_configure_args  {"gnu"|"musl": [arguments]}: more configure arguments
                                    for targets of that C library
                   subdir           where configure and make run (default: the top directory)
                   configure_script relative to subdir (default ./configure)
                   bootstrap        steps before configure: "autoreconf" (no generated
                                    configure), "config-sub" (config.sub too old for the target)
                   make_targets     make's targets and variables (default: all)
                   install_targets  the install step's targets (default: install)
                   copts            extra C flags
                   static_libraries the libraries the build installs into lib/
                   deps             other library pins this one is built against
                   dep_include_subdirs  subdirectories of the deps' include/ also on the include
                                    path, for headers a dep installs in one (ncursesw/) that
                                    this build includes without it and without pkg-config
                   patches          files of third_party/<name>/ applied to the source (patch -p1)
  unavailable    why no reachable mirror holds this pin (it stays pinned for online builds).
  hidden_symbols for a library whose build installs static_libraries: a sample of the symbols it
                 defines (its public API). No executable or shared object of a distribution may
                 export one (the validator's elf-vendored-symbol check): vendored libraries are
                 compiled with hidden visibility, so that they cannot clash with another copy of
                 the library in the same process. Every such library names at least one.
"""

SOURCES = {
    # --- CPython ------------------------------------------------------------------------------
    "cpython_3_12": {
        "kind": "cpython",
        "version": "3.12.14",
        "license": "Python-2.0 AND CNRI-Python",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "5c8462af5790baf43a321a1559dbe0db06d1be4300fb85fb53c40060668e548a",
                "urls": ["https://www.python.org/ftp/python/3.12.14/Python-3.12.14.tar.xz"],
                "strip_prefix": "Python-3.12.14",
            },
        ],
        "unavailable": "no Debian suite reachable offline ships a CPython 3.12 source package; only python.org has Python-3.12.14.tar.xz",
    },
    "cpython_3_13": {
        "kind": "cpython",
        "version": "3.13.15",
        "license": "Python-2.0 AND CNRI-Python",
        "license_files": ["LICENSE"],
        "archives": [
            {
                # Debian's orig is python.org's tarball byte for byte (same sha256).
                "sha256": "1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76",
                "urls": ["https://www.python.org/ftp/python/3.13.15/Python-3.13.15.tar.xz"],
                "debian": {"package": "python3.13", "version": "3.13.15-1", "file": "python3.13_3.13.15.orig.tar.xz"},
                "strip_prefix": "Python-3.13.15",
            },
        ],
    },
    "cpython_3_14": {
        "kind": "cpython",
        "version": "3.14.10",
        "license": "Python-2.0 AND CNRI-Python",
        "license_files": ["LICENSE"],
        "archives": [
            {
                # Debian ships python.org's tarball as its orig, with the release manager's
                # signature beside it.
                "sha256": "de414a57119abef52784d8993e341d53aed635fc2b05c2607d9f98a2c5b72032",
                "urls": ["https://www.python.org/ftp/python/3.14.10/Python-3.14.10.tar.xz"],
                "debian": {"package": "python3.14", "version": "3.14.10-1", "file": "python3.14_3.14.10.orig.tar.xz"},
                "strip_prefix": "Python-3.14.10",
            },
        ],
        "unavailable": "the reachable Debian archive lists python3.14 3.14.8 to 3.14.10 but serves none of their files (404, seen 2026-11-21); python.org is not reachable",
    },

    # --- Libraries linked into the distribution -----------------------------------------------
    "zlib": {
        "kind": "library",
        "version": "1.3.2",
        "license": "Zlib",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "bb329a0a2cd0274d05519d61c667c062e06990d72e125ee2dfa8de64f0119d16",
                "urls": ["https://github.com/madler/zlib/releases/download/v1.3.2/zlib-1.3.2.tar.gz"],
                "strip_prefix": "zlib-1.3.2",
            },
            {
                # Repacked by Debian (+dfsg: contrib/ removed); the library sources are the same.
                "sha256": "7b6903eb019983987b7112eccf90f1703f1c6c0e0cede36564bf611d19ca579d",
                "debian": {"package": "zlib", "version": "1:1.3.dfsg+really1.3.2-3", "file": "zlib_1.3.dfsg+really1.3.2.orig.tar.gz"},
                "strip_prefix": "zlib-1.3.dfsg+really1.3.2",
            },
        ],
        "build": {
            "system": "configure",
            # --disable-crcvx: s390x's vector CRC-32 is in contrib/crc32vx, which Debian's repack
            # removed; off, both archives build the same library on every target.
            "configure_args": ["--static", "--disable-crcvx"],
            "static_libraries": ["libz.a"],
            "deps": [],
        },
        "hidden_symbols": ["inflate", "deflate"],
    },
    "bzip2": {
        "kind": "library",
        "version": "1.0.8",
        "license": "bzip2-1.0.6",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269",
                "urls": ["https://sourceware.org/pub/bzip2/bzip2-1.0.8.tar.gz"],
                "debian": {"package": "bzip2", "version": "1.0.8-6", "file": "bzip2_1.0.8.orig.tar.gz"},
                "strip_prefix": "bzip2-1.0.8",
            },
        ],
        "build": {
            "system": "make",
            # Its Makefile has no pkg-config file nor DESTDIR; -D_FILE_OFFSET_BITS=64 is in the
            # CFLAGS that the toolchain's replace.
            "make_targets": ["libbz2.a"],
            "copts": ["-D_FILE_OFFSET_BITS=64"],
            "static_libraries": ["libbz2.a"],
        },
        "hidden_symbols": ["BZ2_bzCompress"],
    },
    "xz": {
        "kind": "library",
        "version": "5.8.3",
        "license": "0BSD",
        "license_files": ["COPYING", "COPYING.0BSD"],
        "archives": [
            {
                "sha256": "3d3a1b973af218114f4f889bbaa2f4c037deaae0c8e815eec381c3d546b974a0",
                "urls": ["https://github.com/tukaani-project/xz/releases/download/v5.8.3/xz-5.8.3.tar.gz"],
                "strip_prefix": "xz-5.8.3",
            },
            {
                "sha256": "fff1ffcf2b0da84d308a14de513a1aa23d4e9aa3464d17e64b9714bfdd0bbfb6",
                "debian": {"package": "xz-utils", "version": "5.8.3-1", "file": "xz-utils_5.8.3.orig.tar.xz"},
                "strip_prefix": "xz-5.8.3",
            },
        ],
        "build": {
            "system": "autotools",
            "configure_args": [
                "--disable-xz",
                "--disable-xzdec",
                "--disable-lzmadec",
                "--disable-lzmainfo",
                "--disable-lzma-links",
                "--disable-scripts",
                "--disable-doc",
                "--disable-nls",
                "--disable-rpath",
                # liblzma marks its API visibility("default") when the compiler supports
                # visibility; without that it takes our -fvisibility=hidden, so that the _lzma
                # module does not export lzma_* (validate.py: elf-vendored-symbol).
                "gl_cv_cc_visibility=no",
            ],
            "static_libraries": ["liblzma.a"],
        },
        "hidden_symbols": ["lzma_code"],
    },
    "zstd": {
        "kind": "library",
        "version": "1.5.7",
        "license": "BSD-3-Clause",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "f24b52470d12f466e9fa4fcc94e6c530625ada51d7b36de7fdc6ed7e6f499c8e",
                "urls": ["https://github.com/python/cpython-source-deps/archive/refs/tags/zstd-1.5.7.tar.gz"],
                "strip_prefix": "cpython-source-deps-zstd-1.5.7",
            },
            {
                "sha256": "0c092ef267edce57ba7f3f2645c861f72eaf5e76273c6c3632869423464b90a5",
                "debian": {"package": "libzstd", "version": "1.5.7+dfsg-1", "file": "libzstd_1.5.7+dfsg.orig.tar.xz"},
                "strip_prefix": "zstd-1.5.7",
            },
        ],
        "build": {
            "system": "make",
            "subdir": "lib",
            "make_targets": ["libzstd.a", "libzstd.pc"],
            "install_targets": ["install-static", "install-includes", "install-pc"],
            # Its API is marked visibility("default") explicitly: hidden like the rest.
            "copts": ["-DZSTDLIB_VISIBLE=", "-DZSTDERRORLIB_VISIBLE=", "-DZDICTLIB_VISIBLE="],
            "static_libraries": ["libzstd.a"],
        },
        "hidden_symbols": ["ZSTD_compress", "ZSTD_decompress"],
    },
    "libffi": {
        "kind": "library",
        "version": "3.4.8",
        "license": "MIT",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "bc9842a18898bfacb0ed1252c4febcc7e78fa139fd27fdc7a3e30d9d9356119b",
                "urls": ["https://github.com/libffi/libffi/releases/download/v3.4.8/libffi-3.4.8.tar.gz"],
                "strip_prefix": "libffi-3.4.8",
            },
            {
                "sha256": "cbb7f0b3b095dc506387ec1e35b891bfb4891d05b90a495bc69a10f2293f80ff",
                "debian": {"package": "libffi", "version": "3.4.8-2", "file": "libffi_3.4.8.orig.tar.gz"},
                "strip_prefix": "libffi-3.4.8",
            },
        ],
        "build": {
            "system": "autotools",
            # Debian's orig is the git tree: no generated configure.
            "bootstrap": ["autoreconf"],
            # --disable-builddir: configure and make in place, not in a directory named after
            # the host (whose top Makefile then recurses under the --build triple's name).
            "configure_args": [
                "--disable-docs",
                "--disable-multi-os-directory",
                "--disable-builddir",
                # configure decides whether its assembly may mark symbols .hidden by compiling
                # with `$CC -Werror -S`, which zig's clang fails ("argument unused: -c"). Without
                # .hidden, the aarch64 closure entry points are preemptible: the static
                # trampoline's `b ffi_closure_SYSV` then goes through the PLT, which clobbers the
                # closure pointer in x17, and every ctypes callback crashes.
                "libffi_cv_hidden_visibility_attribute=yes",
            ],
            "patches": ["powerpc-note-gnu-stack.patch", "riscv-note-gnu-stack.patch"],
            "static_libraries": ["libffi.a"],
        },
        "hidden_symbols": ["ffi_call", "ffi_closure_SYSV", "ffi_closure_unix64"],
    },
    "openssl": {
        "kind": "library",
        "version": "3.5.7",
        "license": "Apache-2.0",
        "license_files": ["LICENSE.txt"],
        "archives": [
            {
                "sha256": "a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8",
                "urls": ["https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz"],
                "debian": {"package": "openssl", "version": "3.5.7-1~deb13u2", "file": "openssl_3.5.7.orig.tar.gz"},
                "strip_prefix": "openssl-3.5.7",
            },
        ],
        "build": {
            "system": "openssl",
            # /etc/ssl: the system's CA certificates on Debian/Ubuntu and Alpine layouts (ssl.py
            # adds the Fedora/RHEL ones); no legacy provider; static only.
            "configure_args": [
                "no-shared",
                "no-legacy",
                "no-module",
                "no-tests",
                "no-docs",
                "no-apps",
                "no-engine",
                "--openssldir=/etc/ssl",
            ],
            "make_targets": ["build_libs"],
            "install_targets": ["install_dev"],
            "static_libraries": ["libssl.a", "libcrypto.a"],
            "patches": ["riscv64-call-plt.patch"],
        },
        "hidden_symbols": ["SSL_read", "BIO_ADDR_new", "EVP_DigestInit"],
    },
    "sqlite": {
        "kind": "library",
        "version": "3.53.4",
        "license": "blessing",
        "license_files": [],
        "archives": [
            {
                # Debian repacks sqlite.org's sqlite-src-3530400.zip; no upstream tarball of this
                # release is pinned yet.
                "sha256": "05366adc8ee80c6b1faa71285b49d133c2121238ca58934b077fdeb95934abd4",
                "debian": {"package": "sqlite3", "version": "3.53.4-2", "file": "sqlite3_3.53.4.orig.tar.xz"},
                "strip_prefix": "sqlite3-3.53.4",
            },
        ],
        "build": {
            "system": "autotools",
            "configure_args": [
                "--fts3",
                "--fts4",
                "--fts5",
                "--rtree",
                "--geopoly",
                "--dbstat",
                "--session",
                "--disable-tcl",
                "--disable-readline",
            ],
            "copts": ["-DSQLITE_ENABLE_FTS3_PARENTHESIS"],
            # The library alone: make's default also builds the sqlite3 shell, which compiles
            # the whole amalgamation a second time (and install installs it, with its man page).
            "make_targets": ["lib"],
            "install_targets": ["install-lib", "install-headers", "install-pc"],
            "static_libraries": ["libsqlite3.a"],
        },
        "hidden_symbols": ["sqlite3_open"],
    },
    "ncurses": {
        "kind": "library",
        "version": "6.5-20250216",
        "license": "X11",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "b37baafa436e7133bb12a185cb8f60e1599b1947e9f0181c76f3190acf28b6eb",
                "debian": {"package": "ncurses", "version": "6.5+20250216-2", "file": "ncurses_6.5+20250216.orig.tar.gz"},
                "strip_prefix": "ncurses-6.5-20250216",
            },
        ],
        "build": {
            "system": "autotools",
            "configure_args": [
                "--enable-widec",
                # tgetent and the rest of terminfo in libtinfo (as Debian and Fedora do): the
                # termcap interface libedit's configure looks for (-ltinfo), beside libncursesw.
                "--with-termlib=tinfo",
                "--without-shared",
                "--with-normal",
                "--without-debug",
                "--without-profile",
                "--without-cxx",
                "--without-cxx-binding",
                "--without-ada",
                "--without-progs",
                "--without-tests",
                "--without-manpages",
                "--without-gpm",
                # No terminfo database from the build (no tic run): the system's is used.
                "--disable-db-install",
                "--with-terminfo-dirs=/etc/terminfo:/lib/terminfo:/usr/share/terminfo",
                "--with-default-terminfo-dir=/usr/share/terminfo",
                # ncursesw.pc, panelw.pc, tinfo.pc, ... in ${libdir}/pkgconfig, without the
                # build's LDFLAGS.
                "--enable-pc-files",
                "--with-pkg-config-libdir=libdir",
                "--disable-pkg-ldflags",
            ],
            # In link order (panelw needs ncursesw, which needs tinfo).
            # ncurses marks its API visibility("default") for GCC-compatible compilers:
            # without that it takes our -fvisibility=hidden, so that _curses and readline do
            # not export initscr, tgetent, ... (validate.py: elf-vendored-symbol).
            "patches": ["hidden-visibility.patch"],
            "static_libraries": ["libpanelw.a", "libncursesw.a", "libtinfo.a"],
            "deps": [],
        },
        "hidden_symbols": ["initscr", "tgetent"],
    },
    "libedit": {
        "kind": "library",
        "version": "20250104-3.1",
        "license": "BSD-3-Clause",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "23792701694550a53720630cd1cd6167101b5773adddcb4104f7345b73a568ac",
                "debian": {"package": "libedit", "version": "3.1-20250104-1", "file": "libedit_3.1-20250104.orig.tar.gz"},
                "strip_prefix": "libedit-20250104-3.1",
            },
        ],
        "build": {
            "system": "autotools",
            # Its configure finds tgetent in ncurses' -ltinfo and includes <curses.h>, which
            # ncurses installs in include/ncursesw/.
            "configure_args": ["--disable-examples"],
            "dep_include_subdirs": ["ncursesw"],
            # chartype.h wants __STDC_ISO_10646__ (wchar_t is UCS-4): glibc's features.h
            # includes stdc-predef.h, which defines it; musl's does not and zig's clang does
            # not include it implicitly the way gcc does. Included explicitly (a no-op on glibc).
            "copts": ["-include", "stdc-predef.h"],
            "static_libraries": ["libedit.a"],
            "deps": ["ncurses"],
        },
        "hidden_symbols": ["el_init"],
    },
    "bdb6": {
        "kind": "library",
        "version": "6.0.19",
        "license": "Sleepycat",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "2917c28f60903908c2ca4587ded1363b812c4e830a5326aaa77c9879d13ae18e",
                "urls": ["https://ftp.osuosl.org/pub/blfs/conglomeration/db/db-6.0.19.tar.gz"],
                "strip_prefix": "db-6.0.19",
            },
        ],
        "unavailable": "Berkeley DB 6.0.19 is in no Debian suite; Debian's db5.3 (pin bdb5, same Sleepycat licence) is the offline choice",
    },
    "bdb5": {
        "kind": "library",
        "version": "5.3.28",
        "license": "Sleepycat",
        "license_files": ["LICENSE"],
        "archives": [
            {
                "sha256": "ad41b507415dec8316e828b2230242af2251d2c86eefa3c7aa9ef47c5239ef33",
                "debian": {"package": "db5.3", "version": "5.3.28+dfsg2-11", "file": "db5.3_5.3.28+dfsg2.orig.tar.xz"},
                "strip_prefix": "db-5.3.28",
            },
        ],
        "build": {
            "system": "autotools",
            "subdir": "build_unix",
            "configure_script": "../dist/configure",
            "bootstrap": ["config-sub"],
            # C library only. --enable-dbm builds the ndbm API (dbm_open() is __db_ndbm_open
            # under DB_DBM_HSEARCH) that CPython's _dbm links with --with-dbmliborder=bdb.
            # Mutexes: configure's cross-build link probes find POSIX/pthreads/library (plus the
            # x86_64 test-and-set hybrid on x86_64), as a native build does. No .pc upstream.
            "configure_args": [
                "--enable-dbm",
                "--disable-cxx",
                "--disable-java",
                "--disable-tcl",
                "--disable-sql",
                "--disable-replication",
                # Its check includes <sys/time.h> only, where CLOCK_MONOTONIC is not declared;
                # every target's libc has clock_gettime(CLOCK_MONOTONIC).
                "db_cv_clock_monotonic=yes",
            ],
            # The library without the db_* utilities; headers and library without docs.
            "make_targets": ["libdb.a"],
            "install_targets": ["install_include", "install_lib"],
            "copts": [
                # configure's probes (x86 atomics, hybrid mutexes) call exit() undeclared and use
                # implicit int, errors by default in clang 16+: they would fail silently.
                "-Wno-error=implicit-function-declaration",
                "-Wno-error=implicit-int",
                # K&R-style definitions throughout: over a thousand warnings otherwise.
                "-Wno-deprecated-non-prototype",
            ],
            "static_libraries": ["libdb.a"],
            "deps": [],
        },
        "hidden_symbols": ["db_create"],
    },
    "mpdecimal": {
        "kind": "library",
        "version": "4.0.1",
        "license": "BSD-2-Clause",
        "license_files": ["COPYRIGHT.txt"],
        "archives": [
            {
                "sha256": "96d33abb4bb0070c7be0fed4246cd38416188325f820468214471938545b1ac8",
                "debian": {"package": "mpdecimal", "version": "4.0.1-6", "file": "mpdecimal_4.0.1.orig.tar.gz"},
                "strip_prefix": "mpdecimal-4.0.1",
            },
        ],
        "build": {
            "system": "autotools",
            "configure_args": ["--disable-cxx", "--disable-doc"],
            "static_libraries": ["libmpdec.a"],
        },
        "hidden_symbols": ["mpd_qnew"],
    },
    "expat": {
        "kind": "library",
        "version": "2.8.3",
        "license": "MIT",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "f6256df90c906773d344da084402b7d3e4f22ed41b1a59c989098a83d3ea0c85",
                "urls": ["https://github.com/libexpat/libexpat/releases/download/R_2_8_3/expat-2.8.3.tar.xz"],
                "strip_prefix": "expat-2.8.3",
            },
            {
                "sha256": "533659a16e0184035a99fd8e783f1ad61a887a7bf8586a8681740b9d7ed42389",
                "debian": {"package": "expat", "version": "2.8.3-1~deb13u1", "file": "expat_2.8.3.orig.tar.gz"},
                # Debian's orig is the git tag's archive; the library is in its expat/ directory
                # (no generated configure: it needs autoreconf).
                "strip_prefix": "libexpat-R_2_8_3/expat",
            },
        ],
        "build": {
            "system": "autotools",
            # Debian's orig is the git tag: no generated configure.
            "bootstrap": ["autoreconf"],
            "configure_args": ["--without-docbook", "--without-examples", "--without-tests", "--without-xmlwf"],
            "static_libraries": ["libexpat.a"],
        },
        "hidden_symbols": ["XML_ParserCreate"],
    },
    "util_linux": {
        # For libuuid only (BSD-3-Clause); the rest of util-linux is not built.
        "kind": "library",
        "version": "2.41.5",
        "license": "BSD-3-Clause",
        "license_files": ["libuuid/COPYING"],
        "archives": [
            {
                "sha256": "f586e35d320ff537aab3ffeca37e9ecd482ccbe013590db4429a414d8aa6a728",
                "debian": {"package": "util-linux", "version": "2.41.5-0+deb13u1", "file": "util-linux_2.41.5.orig.tar.xz"},
                "strip_prefix": "util-linux-2.41.5",
            },
        ],
        "build": {
            # libuuid only: lib/libuuid.a, include/uuid/uuid.h, lib/pkgconfig/uuid.pc (whose
            # Cflags name include/uuid, for #include <uuid.h>).
            "system": "autotools",
            "configure_args": [
                "--disable-all-programs",
                "--enable-libuuid",
                "--disable-nls",
                "--disable-asciidoc",
                "--disable-poman",
                "--disable-bash-completion",
                "--disable-makeinstall-chown",
                "--disable-makeinstall-setuid",
                "--without-python",
                "--without-systemd",
                "--without-udev",
                "--without-tinfo",
                "--without-ncursesw",
                "--without-readline",
                "--without-cap-ng",
                "--without-libmagic",
                "--without-econf",
                "--without-selinux",
                "--without-audit",
                "--without-user",
                "--without-btrfs",
                "--without-cryptsetup",
            ],
            "static_libraries": ["libuuid.a"],
            "deps": [],
        },
        "hidden_symbols": ["uuid_generate"],
    },
    "tcl": {
        "kind": "library",
        "version": "9.0.4",
        "license": "TCL",
        "license_files": ["license.terms"],
        "archives": [
            {
                "sha256": "d0aed49230bc02a65c1e0229e65f34590a4b037ec40d546f32573b467f7551ea",
                "urls": ["https://prdownloads.sourceforge.net/tcl/tcl9.0.4-src.tar.gz"],
                "strip_prefix": "tcl9.0.4",
            },
            {
                "sha256": "523956ef4bc830b09109a44143a546574c3b2d298ca7468ffaa2299818e0f073",
                "debian": {"package": "tcl9.0", "version": "9.0.4+dfsg-1", "file": "tcl9.0_9.0.4+dfsg.orig.tar.gz"},
                "strip_prefix": "tcl9.0.4",
            },
        ],
        "build": {
            # Static, without zipfs: the script library is installed as files (lib/tcl9.0/,
            # lib/tcl9/), which Tcl finds relative to the executable at run time. Debian's
            # +dfsg tarball has no bundled zlib (compat/zlib) and no pkgs/: zlib is the pin's.
            # The build host's tclsh9.0 (build root) is configure's TCLSH_PROG, used only by
            # maintainer targets; nothing built for the target runs during the build.
            "system": "autotools",
            "subdir": "unix",
            "configure_args": ["--disable-zipfs"],
            # tcl.h marks the API visibility("default") for GCC-compatible compilers, also in a
            # static build: hidden there, so that _tkinter does not export Tcl's (nor Tk's) API.
            "patches": ["static-api-hidden.patch"],
            # musl has epoll but no <sys/queue.h>, which Tcl's epoll notifier needs: the
            # select(2) notifier instead.
            "libc_configure_args": {"musl": ["ac_cv_header_sys_epoll_h=no"]},
            "install_targets": ["install-binaries", "install-libraries", "install-msgs", "install-tzdata", "install-headers"],
            "static_libraries": ["libtcl9.0.a", "libtclstub.a"],
            "deps": ["zlib"],
        },
        "hidden_symbols": ["Tcl_CreateInterp", "Tcl_Init"],
    },
    "tk": {
        "kind": "library",
        "version": "9.0.4",
        "license": "TCL",
        "license_files": ["license.terms"],
        "archives": [
            {
                "sha256": "d7a146d2917eb8b5cc95276dbf0e3d03c7464d2b19c1675357857c989301dbb4",
                "urls": ["https://prdownloads.sourceforge.net/tcl/tk9.0.4-src.tar.gz"],
                "debian": {"package": "tk9.0", "version": "9.0.4-1", "file": "tk9.0_9.0.4.orig.tar.gz"},
                "strip_prefix": "tk9.0.4",
            },
        ],
        "build": {
            # Static, X11 (no Xft, no XScreenSaver, no CUPS), without zipfs: the script library
            # is installed as files (lib/tk9.0/). Static libraries carry no dependencies: wish
            # (linked as a check) is told that libX11.a needs libxcb.a, which needs libXau.a.
            "system": "autotools",
            "subdir": "unix",
            "configure_args": [
                "--with-tcl={dep:tcl}/lib",
                "--with-x",
                "--x-includes={dep:libx11}/include",
                "--x-libraries={dep:libx11}/lib",
                "--disable-xft",
                "--disable-xss",
                "--disable-libcups",
                "--disable-zipfs",
            ],
            "make_targets": ["X11_LIB_SWITCHES=-lX11 -lxcb -lXau", "all"],
            "install_targets": ["X11_LIB_SWITCHES=-lX11 -lxcb -lXau", "install-binaries", "install-libraries", "install-headers"],
            "static_libraries": ["libtcl9tk9.0.a", "libtkstub.a"],
            # tk.pc names libX11 by its build path and alone (libX11.a needs libxcb.a and
            # libXau.a): it requires x11.pc instead, so that `pkg-config --static --libs tk`
            # (CPython's configure) is complete and names no build path.
            "patches": ["pkg-config-requires-x11.patch"],
            "deps": ["tcl", "libx11"],
        },
        "hidden_symbols": ["Tk_Init", "Tk_MainWindow"],
    },
    "libx11": {
        "kind": "library",
        "version": "1.8.12",
        "license": "X11",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "220fbcf54b6e4d8dc40076ff4ab87954358019982490b33c7802190b62d89ce1",
                "debian": {"package": "libx11", "version": "2:1.8.12-1", "file": "libx11_1.8.12.orig.tar.gz"},
                "strip_prefix": "libX11-1.8.12",
            },
        ],
        "build": {
            # --datadir=/usr/share: Xlib's run-time data (locale tables, XErrorDB) is looked up
            # where every X11 system has it, not in the build's prefix; that data is therefore
            # not installed here. malloc(0) cannot be probed when cross-compiling: assumed to
            # return NULL on every target, as configure's default. No dlopen of libXcursor.
            "system": "autotools",
            "configure_args": [
                "--disable-silent-rules",
                "--datadir=/usr/share",
                "--enable-malloc0returnsnull",
                "--disable-loadable-xcursor",
                "--disable-specs",
                "--without-xmlto",
                "--without-fop",
                "--without-xsltproc",
            ],
            "static_libraries": ["libX11.a", "libX11-xcb.a"],
            "deps": ["xorgproto", "xtrans", "libxcb"],
        },
        "hidden_symbols": ["XOpenDisplay"],
    },
    "libxcb": {
        "kind": "library",
        "version": "1.17.0",
        "license": "X11",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "2c69287424c9e2128cb47ffe92171e10417041ec2963bceafb65cb3fcf8f0b85",
                "debian": {"package": "libxcb", "version": "1.17.0-2", "file": "libxcb_1.17.0.orig.tar.gz"},
                "strip_prefix": "libxcb-1.17.0",
            },
        ],
        "build": {
            # The protocol code is generated from xcb_proto's XML by its xcbgen (Python, from
            # the xcb_proto install tree through PYTHONPATH) run by the build root's python3.
            # Only the core library: libX11 and Tk (without Xft and Xss) use no extension's.
            "system": "autotools",
            "configure_args": [
                "--disable-silent-rules",
                "--disable-devel-docs",
                "--without-doxygen",
                "--disable-composite",
                "--disable-damage",
                "--disable-dbe",
                "--disable-dpms",
                "--disable-dri2",
                "--disable-dri3",
                "--disable-ge",
                "--disable-glx",
                "--disable-present",
                "--disable-randr",
                "--disable-record",
                "--disable-render",
                "--disable-resource",
                "--disable-screensaver",
                "--disable-shape",
                "--disable-shm",
                "--disable-sync",
                "--disable-xevie",
                "--disable-xfixes",
                "--disable-xfree86-dri",
                "--disable-xinerama",
                "--disable-xinput",
                "--disable-xkb",
                "--disable-xprint",
                "--disable-selinux",
                "--disable-xtest",
                "--disable-xv",
                "--disable-xvmc",
            ],
            "static_libraries": ["libxcb.a"],
            "deps": ["xcb_proto", "libxau", "libpthread_stubs", "xorgproto"],
        },
        "hidden_symbols": ["xcb_connect"],
    },
    "libxau": {
        "kind": "library",
        "version": "1.0.11",
        "license": "MIT-open-group",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "3a321aaceb803577a4776a5efe78836eb095a9e44bbc7a465d29463e1a14f189",
                "debian": {"package": "libxau", "version": "1:1.0.11-1", "file": "libxau_1.0.11.orig.tar.gz"},
                "strip_prefix": "libXau-1.0.11",
            },
        ],
        "build": {
            "system": "autotools",
            "configure_args": ["--disable-silent-rules"],
            "static_libraries": ["libXau.a"],
            "deps": ["xorgproto"],
        },
        "hidden_symbols": ["XauGetBestAuthByAddr"],
    },
    "xorgproto": {
        "kind": "library",
        "version": "2025.1",
        "license": "MIT",
        "license_files": ["COPYING-x11proto"],
        "archives": [
            {
                # Headers and .pc files only, no compiled code: Debian's x11proto-dev (built from
                # this release) installs exactly what building it would. The reachable Debian
                # archive serves this .deb but not the orig tarball below (404, seen 2026-11-21);
                # the build (prebuilt-data) installs the .deb's files.
                "sha256": "01362eb7d3ca1d0f40b99bc1c369aa5d5f411b0d4a64323a21e111b65d89a45f",
                "debian_binary": {"package": "x11proto-dev", "version": "2025.1-1", "file": "x11proto-dev_2025.1-1_all.deb"},
                "strip_prefix": "usr",
                "license_files": {"COPYING-x11proto": "share/doc/x11proto-dev/copyright"},
            },
            {
                # The upstream source (it would need an autotools build, not prebuilt-data).
                "sha256": "d6f89f65bafb8c9b735e0515882b8a1511e8e864dde5e9513e191629369f2256",
                "debian": {"package": "xorgproto", "version": "2025.1-1", "file": "xorgproto_2025.1.orig.tar.gz"},
                "strip_prefix": "xorgproto-2025.1",
            },
        ],
        "build": {
            "system": "prebuilt-data",
            "static_libraries": [],
            "deps": [],
        },
    },
    "xtrans": {
        "kind": "library",
        "version": "1.4.0",
        "license": "MIT",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "48ed850ce772fef1b44ca23639b0a57e38884045ed2cbb18ab137ef33ec713f9",
                "debian": {"package": "xtrans", "version": "1.4.0-1", "file": "xtrans_1.4.0.orig.tar.gz"},
                "strip_prefix": "xtrans-1.4.0",
            },
        ],
        "build": {
            # Headers and C sources that libX11 compiles in, and xtrans.pc: no library.
            "system": "autotools",
            "configure_args": ["--disable-docs", "--without-xmlto", "--without-fop"],
            "static_libraries": [],
            "deps": [],
        },
    },
    "xcb_proto": {
        "kind": "library",
        "version": "1.17.0",
        "license": "X11",
        "license_files": ["COPYING"],
        "archives": [
            {
                # XML protocol descriptions, xcb-proto.pc and the xcbgen Python package, no
                # compiled code: Debian splits this release into xcb-proto (XML, .pc) and
                # python3-xcbgen (lib/python3/dist-packages/xcbgen), both served by the reachable
                # Debian archive, unlike the orig tarball below (404, seen 2026-11-21). The build
                # (prebuilt-data) installs their files; libxcb's build imports xcbgen from them
                # through PYTHONPATH (lib/python3/dist-packages): the pythondir of Debian's
                # xcb-proto.pc (lib/python3.11/site-packages) names no directory of the tree.
                "sha256": "45d8455db9b689093f613eaa4937cf09cbf19a91ded5ffde072712ad815a71de",
                "debian_binary": {"package": "xcb-proto", "version": "1.17.0-1", "file": "xcb-proto_1.17.0-1_all.deb"},
                "strip_prefix": "usr",
                "license_files": {"COPYING": "share/doc/xcb-proto/copyright"},
                "extra_archives": [
                    {
                        "sha256": "9cf9ae5a685ff7a344e91dbac5a88cfc4c64d98c7eb91604578d3e26884a74fb",
                        "debian_binary": {"package": "python3-xcbgen", "version": "1.17.0-1", "file": "python3-xcbgen_1.17.0-1_all.deb"},
                        "strip_prefix": "usr",
                    },
                ],
            },
            {
                # The upstream source (it would need an autotools build, not prebuilt-data).
                "sha256": "392d3c9690f8c8202a68fdb89c16fd55159ab8d65000a6da213f4a1576e97a16",
                "debian": {"package": "xcb-proto", "version": "1.17.0-1", "file": "xcb-proto_1.17.0.orig.tar.gz"},
                "strip_prefix": "xcb-proto-1.17.0",
            },
        ],
        "build": {
            "system": "prebuilt-data",
            "static_libraries": [],
            "deps": [],
        },
    },
    "libpthread_stubs": {
        "kind": "library",
        "version": "0.5",
        "license": "X11",
        "license_files": ["COPYING"],
        "archives": [
            {
                "sha256": "593196cc746173d1e25cb54a93a87fd749952df68699aab7e02c085530e87747",
                "debian": {"package": "libpthread-stubs", "version": "0.5-2", "file": "libpthread-stubs_0.5.orig.tar.gz"},
                "strip_prefix": "libpthread-stubs-0.5",
            },
        ],
        "build": {
            # Only pthread-stubs.pc: on Linux the C library has every pthread function.
            "system": "autotools",
            "static_libraries": [],
            "deps": [],
        },
    },

    # --- Wheels: the compiler, and the Python packages the tools and tests import -------------
    # LLVM's profile runtime (compiler-rt's lib/profile) for instrumented CPython builds
    # (//bazel/private:pgo.bzl): zig ships none. Debian's LLVM 21 writes raw profiles that zig's
    # clang 20 reads (../shared facts; llvm-profdata 21 merges them, from the build root's
    # llvm-21, tools/buildroot/packages.txt). One pin per target CPU, as the .a is named
    # (libclang_rt.profile-<cpu>.a); the instrumented builds are never shipped.
    "llvm_profile_runtime_x86_64": {
        "kind": "tool",
        "version": "21.1.8",
        "license": "Apache-2.0 WITH LLVM-exception",
        "license_files": ["copyright"],
        "archives": [
            {
                "sha256": "352589a485fe7b4d36de45b6eedf5cd2f7e5ab3b4207eac54c863c209470f0e4",
                "debian_binary": {"package": "libclang-rt-21-dev", "version": "1:21.1.8-13", "file": "libclang-rt-21-dev_21.1.8-13_amd64.deb", "architecture": "amd64"},
                "strip_prefix": "usr",
                "license_files": {"copyright": "share/doc/libclang-rt-21-dev/copyright"},
            },
        ],
    },
    "llvm_profile_runtime_aarch64": {
        "kind": "tool",
        "version": "21.1.8",
        "license": "Apache-2.0 WITH LLVM-exception",
        "license_files": ["copyright"],
        "archives": [
            {
                "sha256": "f99cb9cc3fd0f39583f99be486f7c602136145eb4e264143c5c87dc894ebf78c",
                "debian_binary": {"package": "libclang-rt-21-dev", "version": "1:21.1.8-13", "file": "libclang-rt-21-dev_21.1.8-13_arm64.deb", "architecture": "arm64"},
                "strip_prefix": "usr",
                "license_files": {"copyright": "share/doc/libclang-rt-21-dev/copyright"},
            },
        ],
    },
    "ziglang": {
        "kind": "wheel",
        "version": "0.15.2",
        "license": "MIT",
        "license_files": ["ziglang/LICENSE"],
        "archives": [
            {
                "sha256": "806316453d1ede7174ed3fefb8e5348154629089c3bb5fe812dfd0e172fac130",
                "pypi": {"name": "ziglang", "version": "0.15.2", "file": "ziglang-0.15.2-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "starlark_pyo3": {
        "kind": "wheel",
        "version": "2026.1.3",
        "license": "Apache-2.0",
        "license_files": [],
        "archives": [
            {
                "sha256": "7a91a24ad6378bb4523e3dd31031e62a5b703e4646cd3479f47e151a8c8f1139",
                "pypi": {"name": "starlark-pyo3", "version": "2026.1.3", "file": "starlark_pyo3-2026.1.3-cp314-cp314-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "deflate": {
        # libdeflate (bundled in the wheel; abi3): the .tar.gz archives' compressor, smaller
        # than zlib's at every level and still plain gzip (cpbuild/archive.py).
        "kind": "wheel",
        "version": "0.9.0",
        "license": "MIT",
        "license_files": [],
        "archives": [
            {
                "sha256": "cfca14731727716ca0a112e26911a5a94998d31bb04eb5cc4bc268a5a308ba8a",
                "pypi": {"name": "deflate", "version": "0.9.0", "file": "deflate-0.9.0-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "zstandard": {
        "kind": "wheel",
        "version": "0.25.0",
        "license": "BSD-3-Clause",
        "license_files": [],
        "archives": [
            {
                "sha256": "e09bb6252b6476d8d56100e8147b803befa9a12cea144bbe629dd508800d1ad0",
                "pypi": {"name": "zstandard", "version": "0.25.0", "file": "zstandard-0.25.0-cp314-cp314-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "pytest": {
        "kind": "wheel",
        "version": "9.2.0",
        "license": "MIT",
        "license_files": [],
        "archives": [
            {
                "sha256": "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588",
                "pypi": {"name": "pytest", "version": "9.2.0", "file": "pytest-9.2.0-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "pygments": {
        "kind": "wheel",
        "version": "2.21.0",
        "license": "BSD-2-Clause",
        "license_files": [],
        "archives": [
            {
                "sha256": "2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9",
                "pypi": {"name": "pygments", "version": "2.21.0", "file": "pygments-2.21.0-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "pluggy": {
        "kind": "wheel",
        "version": "1.7.0",
        "license": "MIT",
        "license_files": [],
        "archives": [
            {
                "sha256": "7dd7b0d8832ba3cb632c306926ded123429211b83641b35dc5c41ad2d34f9bec",
                "pypi": {"name": "pluggy", "version": "1.7.0", "file": "pluggy-1.7.0-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "iniconfig": {
        "kind": "wheel",
        "version": "2.3.1",
        "license": "MIT",
        "license_files": [],
        "archives": [
            {
                "sha256": "9121e2c1fdb355232495be3194c8dfe87ccc2d5dee45947b78e68f499790d7a7",
                "pypi": {"name": "iniconfig", "version": "2.3.1", "file": "iniconfig-2.3.1-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
    "packaging": {
        "kind": "wheel",
        "version": "26.3",
        "license": "Apache-2.0 OR BSD-2-Clause",
        "license_files": [],
        "archives": [
            {
                "sha256": "d7193f7c8e4e93f444fde0262bf90af30e16fa0ad0ad44cb553c87339b23cd1c",
                "pypi": {"name": "packaging", "version": "26.3", "file": "packaging-26.3-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
    # uv, the installer clients use most: tests/clients/uv_test.py installs a release of this
    # project's distributions with it (`uv python install` from the release's download metadata).
    "uv": {
        "kind": "wheel",
        "version": "0.13.8",
        "license": "MIT OR Apache-2.0",
        "license_files": [],
        "archives": [
            {
                "sha256": "e18a57b8b352eb7c8feb317b9f6f533c8f0ad9673fd6cf34bbe3cf1a9f6a8984",
                "pypi": {"name": "uv", "version": "0.13.8", "file": "uv-0.13.8-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
                "strip_prefix": "",
            },
        ],
    },
    # setuptools, the build backend of the sdist tests/integration/pip_extension.sh compiles with
    # the system's cc in a venv of a distribution (installed from this wheel, offline).
    "setuptools": {
        "kind": "wheel",
        "version": "84.2.1",
        "license": "MIT",
        "license_files": [],
        "archives": [
            {
                "sha256": "ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2",
                "pypi": {"name": "setuptools", "version": "84.2.1", "file": "setuptools-84.2.1-py3-none-any.whl"},
                "strip_prefix": "",
            },
        ],
    },
}
