"""Constraint settings and platforms from the table of targets (//platforms:targets.bzl)."""

load("//platforms:targets.bzl", "DEFAULT_TARGET", "TARGETS", "X86_64_LEVELS")

def _glibc_value(floor):
    return "glibc_" + floor.replace(".", "_")

def _version_key(version):
    return [int(part) for part in version.split(".")]

def glibc_floors():
    """The glibc floors of the targets, each once, sorted as versions."""
    floors = {target["glibc"]: None for target in TARGETS.values() if target["glibc"]}
    return sorted(floors, key = _version_key)

def arm_eabi(triple):
    """The ARM EABI a triple names after its libc (armv7-unknown-linux-gnueabihf: "eabihf"), or None.

    The two armv7 glibc targets differ in nothing else the constraints see: the floating-point
    calling convention (eabi passes floats in integer registers, eabihf in VFP registers).
    """
    target = known_target(triple)
    return triple.rsplit("-", 1)[1][len(target["libc"]):] or None

def target_constraints(triple):
    """The constraint values of a target's platform, and of its toolchains.

    Args:
      triple: a target triple of //platforms:targets.bzl (an unknown one fails, listing them).

    Returns:
      The constraint values' labels, as strings.
    """
    target = known_target(triple)
    values = [
        "@platforms//cpu:" + target["cpu"],
        "@platforms//os:linux",
        str(Label("//platforms:libc_" + target["libc"])),
    ]
    if target["microarch"]:
        values.append(str(Label("//platforms:x86_64_" + target["microarch"])))
    if target["glibc"]:
        values.append(str(Label("//platforms:" + _glibc_value(target["glibc"]))))
    if arm_eabi(triple):
        values.append(str(Label("//platforms:arm_" + arm_eabi(triple))))
    return values

# A macro without `name`: it declares a whole package of targets, each named by the table.
# buildifier: disable=unnamed-macro
def define_platforms():
    """Constraint settings for libc, x86-64 level, glibc floor and ARM EABI; one platform per triple.

    The defaults are those of DEFAULT_TARGET, so Bazel's auto-detected host platform (which
    sets none of these settings) resolves the same toolchains as that target.
    """
    default = TARGETS[DEFAULT_TARGET]
    native.constraint_setting(name = "libc", default_constraint_value = ":libc_" + default["libc"])
    for libc in ["gnu", "musl"]:
        native.constraint_value(name = "libc_" + libc, constraint_setting = ":libc")
    native.constraint_setting(name = "x86_64_level", default_constraint_value = ":x86_64_" + default["microarch"])
    for level in X86_64_LEVELS:
        native.constraint_value(name = "x86_64_" + level, constraint_setting = ":x86_64_level")
    native.constraint_setting(name = "glibc", default_constraint_value = ":" + _glibc_value(default["glibc"]))
    for floor in glibc_floors():
        native.constraint_value(name = _glibc_value(floor), constraint_setting = ":glibc")
    native.constraint_setting(name = "arm_float_abi")
    for eabi in sorted({arm_eabi(triple): None for triple in TARGETS if arm_eabi(triple)}):
        native.constraint_value(name = "arm_" + eabi, constraint_setting = ":arm_float_abi")
    for triple in TARGETS:
        native.platform(name = triple, constraint_values = target_constraints(triple))

def known_target(triple):
    """The table's entry for a triple.

    Args:
      triple: a target triple; an unknown one fails, listing the known ones.

    Returns:
      The entry of //platforms:targets.bzl's TARGETS.
    """
    if triple not in TARGETS:
        fail("unknown target triple '{}'; known triples: {}".format(triple, ", ".join(sorted(TARGETS))))
    return TARGETS[triple]
