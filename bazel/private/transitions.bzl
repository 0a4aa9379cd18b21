"""A transition to the platform of a target triple (//platforms:<attr.target>).

It also resets --//cpython:build_options: the distribution's own target names its options, so
what it builds (the libraries above all) is the same, and cached once, whatever the flag says.
"""

_BUILD_OPTIONS_FLAG = str(Label("//cpython:build_options"))

def _platform_transition_impl(_settings, attr):
    return {
        "//command_line_option:platforms": str(Label("//platforms:" + attr.target)),
        _BUILD_OPTIONS_FLAG: "",
    }

platform_transition = transition(
    implementation = _platform_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms", _BUILD_OPTIONS_FLAG],
)
