"""python -m cpbuild: the tools of the Bazel build of standalone CPython.

Run through tools/py/run, which provides the pinned Python packages inside the build root.

  seed        fill Bazel's repository cache with every pinned source, offline (Debian source
              and binary packages by name, wheels with pip), checking each sha256; tools/bazel
              runs it
  generate    rewrite the files generated from the tables (third_party/*/BUILD.bazel,
              tools/py/requirements.txt)
  check       fail, naming them, when generated files are stale
  targets     list the supported target triples
  setup-local --source DIR --version X.Y --target TRIPLE --output FILE [--modules-json FILE] [--static]
              write CPython's Modules/Setup.local from cpython/extensions.bzl, after checking
              the table against the source's Modules/Setup* files
  package ...  write PYTHON.json and the full, install_only and install_only_stripped archives
              of a CPython build (run by the //dist targets)
  check-artifacts --target TRIPLE FILE...
              check that ELF files and static libraries are for TRIPLE (machine, libc,
              glibc floor); each failure names its check
  validate [--target TRIPLE] ARCHIVE...
              validate distribution archives (full .tar.zst, install_only .tar.gz): layout,
              PYTHON.json, every ELF file, build paths; each failure names its check
  compare [--limit N] FIRST SECOND
              compare two builds' outputs (two files, or two directories file by file):
              sha256, then each differing archive member (in archive order: the first is the
              first difference), with the ELF sections or ar members that differ; exit 1 if
              anything differs
  release --tag YYYYMMDD [--out DIR] [--base-url URL] DIST...
              a release of built distributions (//dist targets or their output directories):
              the archives under PBS's release names, SHA256SUMS, uv's download-metadata.json
              and latest-release.json, in a new directory (default release/<tag>)
  inspect [--json] ARCHIVE|DIR|//dist:NAME
              what a distribution holds: version, target, libc floor, build options, each
              extension module's fate and licence, the largest directories and files, what
              differs between flavors
  extract ARCHIVE [DIR]
              unpack any flavor into DIR/python (default: the current directory), checking
              every member first; no `tar` needed
  pin NAME [FIELD], pin [--where FIELD=VALUE] [--with FIELD] [--without FIELD]
              print a pin of third_party/sources.bzl, one field of it (`pin zlib version`,
              `pin zlib archives.0.sha256`), or the names of the pins that match (for scripts)
  target TRIPLE [FIELD], target [--where ...] [--with ...] [--without ...]
              the same for the targets of platforms/targets.bzl (`target --with ci`)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from cpbuild import (
    archive_diff,
    archive_sizes,
    artifacts,
    extract,
    generate,
    inspection,
    mirror,
    package,
    query,
    release,
    setup_local,
    tables,
    validate,
)


def cmd_seed(args: argparse.Namespace) -> int:
    pins = tables.load_sources(args.sources)
    selected = [pins[n] for n in args.pins] if args.pins else list(pins.values())
    unknown = sorted(set(args.pins) - set(pins))
    if unknown:
        print(f"unknown pins {unknown}; known: {', '.join(sorted(pins))}", file=sys.stderr)
        return 2
    if args.cache is None:
        print("seed: no cache directory: give --cache, or run through tools/py/run (which sets "
              "CPYTHON_BAZEL_CACHE to `tools/buildroot/buildroot cache`)", file=sys.stderr)
        return 2
    mirror_url = args.debian_mirror or mirror.debian_mirror()
    debian = mirror.DebianSources(args.cache / "debian-sources", mirror_url) if mirror_url else None
    architectures = sorted({part.debian_binary["architecture"] for pin in selected for archive in pin.archives
                            for part in archive.parts if part.debian_binary and part.debian_binary.get("architecture")})
    binaries = (mirror.DebianBinaries(args.cache / "debian-binaries", mirror_url, architectures=architectures)
                if mirror_url else None)
    cache = mirror.RepositoryCache(args.cache / "repository_cache")
    outcomes = mirror.seed(selected, cache, debian, online=args.online, debian_binaries=binaries)
    missing = [o for o in outcomes if not o.ok and not pins[o.pin].unavailable]
    unavailable = [o for o in outcomes if not o.ok and pins[o.pin].unavailable]
    print(f"{len(outcomes) - len(missing) - len(unavailable)} pins present, "
          f"{len(unavailable)} known to be unavailable here, {len(missing)} missing")
    return 1 if missing else 0


def cmd_generate(args: argparse.Namespace) -> int:
    pins = tables.load_sources(args.sources)
    tables.check_patch_files(pins, Path(args.sources).parent)
    changed = generate.write(generate.generated_files(pins))
    for path in changed:
        print(f"wrote {path.relative_to(tables.REPO_ROOT)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    out_of_date = generate.stale(generate.generated_files(tables.load_sources(args.sources)))
    for path in out_of_date:
        print(f"stale: {path.relative_to(tables.REPO_ROOT)}", file=sys.stderr)
    if out_of_date:
        print("run `tools/py/run generate` and commit the result", file=sys.stderr)
        return 1
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    for triple, target in tables.load_targets().items():
        print(f"{triple:<32} {target.zig_target:<28} cpu={target.zig_cpu}")
    return 0


def cmd_check_artifacts(args: argparse.Namespace) -> int:
    target = tables.target(args.target)
    failures = 0
    paths = [found for given in args.files for found in artifacts.binary_files(given)]
    if not paths:
        print("FAIL no ELF file or static library among the given files")
        return 1
    for path in paths:
        errors = artifacts.check_file(path, target)
        failures += bool(errors)
        for error in errors:
            print(f"FAIL {error}")
        if not errors:
            print(f"ok   {path.name}: {target.elf_machine}, {target.libc}"
                  + (f", glibc <= {target.glibc}" if target.glibc else ""))
    return 1 if failures else 0


def cmd_validate(args: argparse.Namespace) -> int:
    archives = []
    for path in args.archives:
        try:
            validate.layout_of(path.name)
            archives.append(path)
        except validate.ValidationError:
            print(f"skip {path.name}: not a distribution archive")  # e.g. PYTHON.json beside them
    if not archives:
        print("FAIL no distribution archive among the given files", file=sys.stderr)
        return 2
    failed = 0
    for path in archives:
        try:
            report = validate.validate(path, args.target)
        except validate.ValidationError as error:
            print(f"FAIL {error}")
            failed += 1
            continue
        for failure in report.failures:
            print(f"FAIL {failure}")
        verdict = f"{len(report.failures)} failures" if report.failures else "ok"
        print(f"{'FAIL' if report.failures else 'ok  '} {report.archive} ({report.layout}, {report.target}): "
              f"{report.members} members, {report.elf_files} ELF objects: {verdict}")
        failed += bool(report.failures)
    return 1 if failed else 0


def cmd_setup_local(args: argparse.Namespace) -> int:
    tables.target(args.target)
    table = setup_local.load_extensions()
    setup_local.cross_check(table, setup_local.source_modules(args.source / "Modules"), args.version)
    libraries = (set(args.library) if args.library is not None
                 else setup_local.built_pins(tables.load_sources(args.sources)))
    fates = setup_local.plan(table, args.version, args.target, libraries, static=args.static)
    stdlib = setup_local.stdlib_modules(args.source / "Modules")
    args.output.write_text(setup_local.render(fates, args.version, args.target, stdlib))
    if args.modules_json:
        args.modules_json.write_text(json.dumps(
            {f.name: {"state": f.state, "reason": f.reason, "test": f.test, "deps": list(f.deps)} for f in fates},
            indent=1, sort_keys=True) + "\n")
    missing = [f.name for f in fates if f.state == "missing"]
    if missing:
        print(f"setup-local: {len(missing)} modules wait for their libraries: {', '.join(missing)}")
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    package.package(
        target=tables.target(args.target),
        full_version=args.full_version,
        build_options=args.build_options,
        install=args.install,
        install_manifest=args.install_manifest,
        build=args.build,
        modules_json=args.modules,
        dependencies_json=args.dependencies,
        cpython_license_file=args.cpython_license_file,
        cpython_license=args.cpython_license,
        strip=[str(args.strip)],
        outputs={"python_json": args.python_json, "full": args.full, "install_only": args.install_only,
                 "install_only_stripped": args.install_only_stripped},
        mtime=int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")),
        zstd_level=args.zstd_level,
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    try:
        identical, reports = archive_diff.compare(args.first, args.second, args.limit)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for text in reports:
        print(text)
    return 0 if identical else 1


def cmd_release(args: argparse.Namespace) -> int:
    out = args.out or tables.REPO_ROOT / "release" / args.tag
    try:
        names = release.release(args.distributions, args.tag, out, args.base_url)
    except release.ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    print(f"release {args.tag}: {out}")
    for line in release.summary(out, names):
        print(line)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    try:
        summary = inspection.inspect(args.distribution)
    except (inspection.InspectError, tables.TableError) as error:
        print(f"inspect: {error}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(inspection.to_json(summary))
    else:
        for line in inspection.render(summary):
            print(line)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        final = extract.extract(args.archive, args.directory)
    except extract.ExtractError as error:
        print(f"extract: {error}", file=sys.stderr)
        return 2
    print(f"extracted {args.archive.name} into {final.absolute()}")
    return 0


def _print_query(entries: Mapping[str, object], kind: str, args: argparse.Namespace) -> int:
    try:
        lines = query.query(entries, kind, args.key, args.field, args.where, args.with_, args.without)
    except query.QueryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


def cmd_sizes(args: argparse.Namespace) -> int:
    try:
        rows = [archive_sizes.sizes(path) for path in args.archives]
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(archive_sizes.table(rows))
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    return _print_query(tables.load_sources(args.sources), "pin", args)


def cmd_target(args: argparse.Namespace) -> int:
    targets = tables.load_targets()
    if args.key is not None:
        tables.target(args.key, targets)  # an unknown triple: the error lists the known ones
    return _print_query(targets, "target", args)


def _query_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], kind: str, table: str, example: str,
                  run: Callable[[argparse.Namespace], int]) -> None:
    parser = sub.add_parser(kind, help=f"print a {kind} of {table} or a field of it, or the {kind}s that match")
    parser.add_argument("key", nargs="?", metavar=kind.upper(),
                        help=f"the {kind} (default: list the {kind}s that match)")
    parser.add_argument("field", nargs="?", metavar="FIELD",
                        help=f"a field, dotted for one inside it (e.g. {example})")
    parser.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="only those whose FIELD prints as VALUE (repeatable)")
    parser.add_argument("--with", dest="with_", action="append", default=[], metavar="FIELD",
                        help="only those whose FIELD is set: not None, False or empty (repeatable)")
    parser.add_argument("--without", action="append", default=[], metavar="FIELD",
                        help="only those whose FIELD is not set (repeatable)")
    parser.set_defaults(run=run)


# An example for each command's --help (every command has one: a unit test checks).
EXAMPLES: dict[str, str] = {
    "seed": "tools/py/run seed                 # every pin; tools/bazel runs this once per sources.bzl\n"
            "tools/py/run seed zlib openssl    # only these",
    "generate": "tools/py/run generate             # after editing third_party/sources.bzl",
    "check": "tools/py/run check                # what //tools/py:generated_files_test runs",
    "targets": "tools/py/run targets",
    "setup-local": "tools/py/run setup-local --source cpython-src --version 3.13 "
                   "--target x86_64-unknown-linux-gnu --output Setup.local",
    "package": "(run by the //dist targets' packaging action)\n"
               "tools/bazel build //dist:cpython-3.13-x86_64-unknown-linux-gnu",
    "check-artifacts": "tools/py/run check-artifacts --target x86_64-unknown-linux-gnu bazel-bin/third_party/zlib",
    "validate": "tools/py/run validate bazel-bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto/*.tar.*",
    "sizes": "tools/py/run sizes bazel-bin/dist/cpython-3.13-x86_64-unknown-linux-gnu-pgo+lto/*.tar.*",
    "compare": "tools/py/run compare --limit 5 first-build/ second-build/",
    "release": "tools/py/run release --tag 20261205 --out ~/releases/20261205 "
               "//dist:cpython-3.13-x86_64-unknown-linux-gnu",
    "inspect": "tools/py/run inspect //dist:cpython-3.13-x86_64-unknown-linux-gnu\n"
               "tools/py/run inspect --json ~/Downloads/cpython-3.13.15+20261205-x86_64-unknown-linux-gnu-"
               "install_only.tar.gz",
    "extract": "tools/py/run extract cpython-3.13.15-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst /opt/cpython",
    "pin": "tools/py/run pin zlib archives.0.sha256\ntools/py/run pin --where kind=cpython --with unavailable",
    "target": "tools/py/run target --with ci\ntools/py/run target aarch64-unknown-linux-gnu qemu",
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m cpbuild", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--sources", type=Path, default=tables.SOURCES_FILE, help="the pinned-sources table")
    sub = top.add_subparsers(dest="command", required=True)

    seed = sub.add_parser("seed", help="fill Bazel's repository cache with the pinned sources")
    seed.add_argument("pins", nargs="*", help="pins to seed (default: all)")
    cache = os.environ.get("CPYTHON_BAZEL_CACHE")
    seed.add_argument("--cache", type=Path, default=Path(cache) if cache else None,
                      help="the project's cache directory (default: $CPYTHON_BAZEL_CACHE, %(default)s)")
    seed.add_argument("--debian-mirror", default=None,
                      help="Debian archive URL (default: `tools/buildroot/buildroot mirror`'s)")
    seed.add_argument("--online", action="store_true", help="also try upstream URLs")
    seed.set_defaults(run=cmd_seed)

    sub.add_parser("generate", help="rewrite the generated files").set_defaults(run=cmd_generate)
    sub.add_parser("check", help="fail when generated files are stale").set_defaults(run=cmd_check)
    sub.add_parser("targets", help="list the target triples").set_defaults(run=cmd_targets)

    setup = sub.add_parser("setup-local", help="write Modules/Setup.local for a CPython source")
    setup.add_argument("--source", type=Path, required=True, help="the CPython source tree")
    setup.add_argument("--version", required=True, help="the CPython minor version, e.g. 3.13")
    setup.add_argument("--target", required=True, help="the LLVM triple")
    setup.add_argument("--output", type=Path, required=True)
    setup.add_argument("--modules-json", type=Path, help="also write each module's fate as JSON")
    setup.add_argument("--static", action="store_true", help="a build without shared objects (+static)")
    setup.add_argument("--library", action="append", metavar="PIN",
                       help="a library this build links (repeatable; default: every pin with a build)")
    setup.set_defaults(run=cmd_setup_local)

    pack = sub.add_parser("package", help="write PYTHON.json and the distribution archives")
    for option in ("--target", "--full-version", "--build-options", "--cpython-license"):
        pack.add_argument(option, required=True)
    for option in ("--install", "--install-manifest", "--build", "--modules", "--dependencies",
                   "--cpython-license-file", "--strip", "--python-json", "--full", "--install-only",
                   "--install-only-stripped"):
        pack.add_argument(option, type=Path, required=True)
    pack.add_argument("--zstd-level", type=int, default=12)
    pack.set_defaults(run=cmd_package)

    check_artifacts = sub.add_parser("check-artifacts", help="check files are built for a target")
    check_artifacts.add_argument("--target", required=True, help="the LLVM triple")
    check_artifacts.add_argument("files", nargs="+", type=Path)
    check_artifacts.set_defaults(run=cmd_check_artifacts)

    check_distribution = sub.add_parser("validate", help="validate distribution archives")
    check_distribution.add_argument("--target", help="the LLVM triple (default: PYTHON.json's, or the file name's)")
    check_distribution.add_argument("archives", nargs="+", type=Path, metavar="ARCHIVE")
    check_distribution.set_defaults(run=cmd_validate)

    sizes = sub.add_parser("sizes", help="print distribution archives' sizes (Markdown table)")
    sizes.add_argument("archives", nargs="+", type=Path)
    sizes.set_defaults(run=cmd_sizes)
    compare = sub.add_parser("compare", help="compare two builds' outputs, member by member")
    compare.add_argument("first", type=Path, metavar="FIRST", help="a file, or a directory of outputs")
    compare.add_argument("second", type=Path, metavar="SECOND", help="the same from the other build")
    compare.add_argument("--limit", type=int, default=0, metavar="N",
                         help="show at most N differing members an archive (default: all)")
    compare.set_defaults(run=cmd_compare)

    make_release = sub.add_parser(
        "release", help="a release directory of built distributions (PBS's names, SHA256SUMS, uv metadata)",
        description=release.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    make_release.add_argument("--tag", required=True, help="the release tag, a date YYYYMMDD")
    make_release.add_argument("--out", type=Path, help="the directory to write; must not exist "
                              "(default: release/<tag> in the workspace)")
    make_release.add_argument("--base-url", help="where clients download the archives from: the URLs of "
                              "download-metadata.json (default: the file:// URL of --out)")
    make_release.add_argument("distributions", nargs="+", metavar="DIST",
                              help="a built //dist target (its outputs found with bazel cquery), or a "
                              "distribution directory")
    make_release.set_defaults(run=cmd_release)

    inspect = sub.add_parser(
        "inspect", help="summarize a distribution (archive, output directory or //dist target)",
        description=inspection.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    inspect.add_argument("distribution", metavar="ARCHIVE|DIR|//dist:NAME",
                         help="an archive, a distribution's output directory, or a built //dist target")
    inspect.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    inspect.set_defaults(run=cmd_inspect)

    unpack = sub.add_parser("extract", help="unpack a distribution archive safely (zstd included)",
                            description=extract.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    unpack.add_argument("archive", type=Path, metavar="ARCHIVE", help="a .tar.zst or .tar.gz distribution archive")
    unpack.add_argument("directory", type=Path, nargs="?", default=Path("."), metavar="DIR",
                        help="where python/ appears (default: the current directory)")
    unpack.set_defaults(run=cmd_extract)

    _query_parser(sub, "pin", "third_party/sources.bzl", "archives.0.sha256", cmd_pin)
    _query_parser(sub, "target", "platforms/targets.bzl", "qemu", cmd_target)
    for name, command in sub.choices.items():
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        command.epilog = "example:\n" + "\n".join(f"  {line}" for line in EXAMPLES[name].splitlines())
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except tables.TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        sys.stderr.close()
        return 141


if __name__ == "__main__":
    sys.exit(main())
