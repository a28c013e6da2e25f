"""Build hook: ship the top-level ``templates/`` and ``data/`` folders inside the package.

The design card keeps ``templates/`` and ``data/`` at the top of the repository.  A normal
``pip install .`` copies them to ``tosmonitor/_resources/``; an editable install reads them from the
source tree (see ``tosmonitor.resources``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCE_DIRS = ("templates", "data")


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).parent
        target = Path(self.build_lib) / "tosmonitor" / "_resources"
        for name in RESOURCE_DIRS:
            destination = target / name
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(root / name, destination, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildPyWithResources})
