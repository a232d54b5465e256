"""Where polkg's data files live. Only this module knows.

In a source checkout (and an editable install) the data sits beside the
package: ``ontology/`` at the top of the repository, ``kg/queries`` and
``kg/templates`` inside the package.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ONTOLOGY_DIR",
    "ontology_file",
    "vocab_files",
    "shape_files",
    "reference_files",
    "query_dir",
    "template_file",
    "decisions_model_dir",
]

_PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_DIR = _PACKAGE_DIR.parent / "ontology"


def ontology_file() -> Path:
    """The OWL ontology, ``ontology/polkg.ttl``."""
    return ONTOLOGY_DIR / "polkg.ttl"


def vocab_files() -> list[Path]:
    """The SKOS concept schemes, ``ontology/vocab/*.ttl``."""
    return sorted((ONTOLOGY_DIR / "vocab").glob("*.ttl"))


def shape_files() -> list[Path]:
    """The SHACL shapes, ``ontology/shapes.ttl``."""
    return [ONTOLOGY_DIR / "shapes.ttl"]


def reference_files() -> list[Path]:
    """Canonical actors and regions, ``ontology/reference/*.ttl``."""
    return sorted((ONTOLOGY_DIR / "reference").glob("*.ttl"))


def query_dir() -> Path:
    """The named SPARQL queries, ``kg/queries/*.rq``."""
    return _PACKAGE_DIR / "queries"


def template_file(name: str) -> Path:
    """A file of ``kg/templates``."""
    return _PACKAGE_DIR / "templates" / name


def decisions_model_dir() -> Path:
    """The trained sentence classifier (``make train``), ``kg/models/decisions``."""
    return _PACKAGE_DIR / "models" / "decisions"
