"""A normal (non-editable) install ships the top-level spiders/, templates/ and data/ folders."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import click
from click.testing import CliRunner
from packaging.utils import canonicalize_name

from tosmonitor.cli import cli
from tosmonitor.resources import data_dir, templates_dir

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_spiders_templates_data_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("tosmonitor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "spiders/terms.py" in names
    assert "tosmonitor/_resources/data/declarations/youtube.json" in names
    assert "tosmonitor/_resources/data/channels.toml" in names
    assert "tosmonitor/_resources/templates/README.md" in names
    assert any(n.startswith("tosmonitor/migrations/versions/") and n.endswith(".py") for n in names)
    assert "tosmonitor/migrations/env.py" in names
    assert "tosmonitor/rules/topics.json" in names


def test_editable_checkout_finds_the_source_tree_folders() -> None:
    assert (data_dir() / "declarations").is_dir()
    assert templates_dir().is_dir()


def _walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += _walk(command, prefix + name + " ")
    return found


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    commands = _walk(cli)
    assert {"init", "channels", "crawl", "history", "diff", "topics", "classify"} <= {n for n, _ in commands}
    for name, command in commands:
        result = runner.invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        if not isinstance(command, click.Group):
            assert "Example" in (command.help or ""), f"`tosmonitor {name}` has no example in its help"


def test_head_revision_constant_matches_the_migrations() -> None:
    from tosmonitor.store.db import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION


def _runtime_requirements() -> set[str]:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}


def test_every_third_party_import_of_the_package_is_a_runtime_dependency() -> None:
    """`pip install .` must be enough for every command (the demo once needed a test extra)."""
    import ast
    import importlib.metadata

    distributions = importlib.metadata.packages_distributions()
    required = _runtime_requirements()
    missing: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tosmonitor").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "tosmonitor" or top in sys.stdlib_module_names:
                    continue
                owners = {canonicalize_name(d) for d in distributions.get(top, [top])}
                if not owners & required:
                    missing.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    assert not missing, f"imported but not in [project.dependencies]: {missing}"
