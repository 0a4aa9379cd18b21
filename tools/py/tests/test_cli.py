"""`tools/py/run --help` and each command's: every command shows an example."""

import argparse

from cpbuild import __main__ as cli


def test_every_command_has_an_example_in_its_help() -> None:
    top = cli.parser()
    commands = next(action for action in top._actions if isinstance(action, argparse._SubParsersAction)).choices
    assert set(commands) == set(cli.EXAMPLES)
    for name, command in commands.items():
        text = command.format_help()
        assert "example:\n  " in text, name
        assert cli.EXAMPLES[name].splitlines()[0] in text, name


def test_the_top_help_lists_every_command() -> None:
    text = cli.parser().format_help()
    for name in cli.EXAMPLES:
        assert f"  {name}" in text, name
