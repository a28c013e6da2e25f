"""Locate the bundled ``templates/`` and ``data/`` folders in both normal and editable installs."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (``templates`` or ``data``) shipped with tosmonitor."""
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tosmonitor is installed without its {name}/ folder")


def templates_dir() -> Path:
    return resource_dir("templates")


def data_dir() -> Path:
    return resource_dir("data")
