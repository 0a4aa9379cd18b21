"""Installed trees made relocatable (cpbuild.relocate)."""

from __future__ import annotations

import stat
from pathlib import Path

from cpbuild import relocate

PC = b"""prefix=/install
exec_prefix=${prefix}
libdir=/install/lib
includedir=/install/include
installer=/installer/x

Name: zlib
Libs: -L/install/lib -lz
Cflags: -I/install/include -I/install
Libs.private: -L/installed/lib -L${libdir} /install
"""


def test_pc_files_are_made_relative_to_themselves() -> None:
    assert relocate.relocate_pc(PC) == b"""prefix=${pcfiledir}/../..
exec_prefix=${prefix}
libdir=${prefix}/lib
includedir=${prefix}/include
installer=/installer/x

Name: zlib
Libs: -L${prefix}/lib -lz
Cflags: -I${prefix}/include -I${prefix}
Libs.private: -L/installed/lib -L${libdir} ${prefix}
"""


def test_pc_rewrite_keeps_lines_that_name_no_prefix_and_a_missing_final_newline() -> None:
    cpython = b"prefix=/install\nexec_prefix=${prefix}\nlibdir=${exec_prefix}/lib\nCflags: -I${includedir}/python3.13"
    assert relocate.relocate_pc(cpython) == (b"prefix=${pcfiledir}/../..\nexec_prefix=${prefix}\n"
                                             b"libdir=${exec_prefix}/lib\nCflags: -I${includedir}/python3.13")


def test_relocating_pc_files_makes_links_to_them_files_as_sed_does(tmp: Path) -> None:
    pkgconfig = tmp / "lib" / "pkgconfig"
    pkgconfig.mkdir(parents=True)
    (pkgconfig / "python-3.13.pc").write_bytes(b"prefix=/install\n")
    (pkgconfig / "python-3.13.pc").chmod(0o640)
    (pkgconfig / "python3.pc").symlink_to("python-3.13.pc")
    (pkgconfig / "notes.txt").write_bytes(b"prefix=/install\n")
    relocate.relocate_pc_files(tmp)
    for name in ("python-3.13.pc", "python3.pc"):
        path = pkgconfig / name
        assert not path.is_symlink() and path.read_bytes() == b"prefix=${pcfiledir}/../..\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert (pkgconfig / "notes.txt").read_bytes() == b"prefix=/install\n"


def test_text_files_are_scrubbed_binary_files_and_links_left_alone(tmp: Path) -> None:
    work, execroot = "/tmp/configure_make.tcl.AbC123", "/sandbox/1/execroot/_main"
    (tmp / "lib").mkdir()
    config = tmp / "lib" / "tclConfig.sh"
    config.write_text(f"TCL_SRC_DIR='{work}/src/unix'\nTCL_CC='cc -I{execroot}/bazel-out/x'\nTCL_W='{work}/bin'\n")
    config.chmod(0o755)
    binary = tmp / "lib" / "libtcl.a"
    binary.write_bytes(b"!<arch>\n\0" + f"{work}/src".encode())
    (tmp / "lib" / "link.sh").symlink_to("tclConfig.sh")
    pairs = [(f"{work}/src".encode(), b"/build/tcl"), (execroot.encode(), b".")]
    assert relocate.scrub_text_files(tmp, pairs) == [config]
    assert config.read_text() == f"TCL_SRC_DIR='/build/tcl/unix'\nTCL_CC='cc -I./bazel-out/x'\nTCL_W='{work}/bin'\n"
    assert stat.S_IMODE(config.stat().st_mode) == 0o755 and (tmp / "lib" / "link.sh").is_symlink()
    assert binary.read_bytes().endswith(f"{work}/src".encode())


def test_share_pkgconfig_moves_to_lib_and_empty_directories_go(tmp: Path) -> None:
    (tmp / "share" / "pkgconfig").mkdir(parents=True)
    (tmp / "share" / "pkgconfig" / "xcb-proto.pc").write_text("x")
    relocate.move_share_pkgconfig(tmp)
    assert (tmp / "lib" / "pkgconfig" / "xcb-proto.pc").read_text() == "x" and not (tmp / "share").exists()
    (tmp / "share" / "pkgconfig").mkdir(parents=True)
    (tmp / "share" / "pkgconfig" / "a.pc").write_text("a")
    (tmp / "share" / "xcb").mkdir()
    relocate.move_share_pkgconfig(tmp)
    assert (tmp / "lib" / "pkgconfig" / "a.pc").exists() and (tmp / "share" / "xcb").is_dir()
    assert not (tmp / "share" / "pkgconfig").exists()
    relocate.move_share_pkgconfig(tmp)  # nothing to move: nothing happens
