"""A transition to the platform of a target triple (//platforms:<attr.target>)."""

def _platform_transition_impl(_settings, attr):
    return {"//command_line_option:platforms": str(Label("//platforms:" + attr.target))}

platform_transition = transition(
    implementation = _platform_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)
