"""Every command's --help shows its examples as written: one command per line, ready to copy."""

from __future__ import annotations

import inspect

import click
import pytest
from click.testing import CliRunner

from tosmonitor.cli import cli


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def example_lines(command: click.Command) -> list[str]:
    """The lines of the docstring's example: after "Example:" on its line, or indented below it."""
    doc = inspect.cleandoc(command.help or "")
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("Example:", "Examples:")):
            inline = line.split(":", 1)[1].strip()
            below = [ln.strip() for ln in lines[index + 1:] if ln.strip() and ln.strip() != "\b"]
            return [inline] if inline else below
    return []


@pytest.mark.parametrize(("path", "command"), commands(cli), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_examples_survive_help_formatting(path: tuple[str, ...], command: click.Command) -> None:
    examples = example_lines(command)
    assert examples, f"tosmonitor {' '.join(path)} has no example"
    shown = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80)
    assert shown.exit_code == 0, shown.output
    help_lines = [line.strip().removeprefix("Example:").strip() for line in shown.output.splitlines()]
    for example in examples:
        assert example in help_lines, f"tosmonitor {' '.join(path)}: {example!r} is re-wrapped in --help"
