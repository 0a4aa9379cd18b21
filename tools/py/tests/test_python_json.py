from cpbuild import python_json


def test_platform_config_is_libpl_with_or_without_multiarch():
    stdlib = "install/lib/python3.13"
    glibc = {"LIBPL": "/install/lib/python3.13/config-3.13-x86_64-linux-gnu", "MULTIARCH": "x86_64-linux-gnu"}
    musl = {"LIBPL": "/install/lib/python3.13/config-3.13", "MULTIARCH": ""}
    assert python_json.stdlib_platform_config(stdlib, glibc) == f"{stdlib}/config-3.13-x86_64-linux-gnu"
    assert python_json.stdlib_platform_config(stdlib, musl) == f"{stdlib}/config-3.13"
