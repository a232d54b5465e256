"""The one build step that pyproject.toml cannot declare: ship ``ontology/`` inside the package.

The ontology, vocabularies, shapes and reference data live at the top of the repository
(``ontology/``), beside the package rather than in it. A wheel holds only what is inside
``kg/``, so the build copies the whole ``ontology/`` tree (every file, every subfolder) to
``kg/ontology/`` in the build directory. An editable install needs no copy: there
``kg.resources`` finds the checkout's ``ontology/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildWithOntology(build_py):
    """``build_py`` that also copies ``ontology/`` to ``kg/ontology/`` of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "kg" / "ontology"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "ontology", target, ignore=IGNORED)


setup(cmdclass={"build_py": BuildWithOntology})
