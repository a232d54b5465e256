"""Where polkg's data files live. Only this module knows.

``kg/queries`` and ``kg/templates`` are inside the package. ``ontology/`` (the
ontology, vocabularies, shapes, reference data and any other data file read at
run time) sits at the top of the repository; the build copies the whole tree
into the package as ``kg/ontology/``. An installed package (a wheel, or
``pip install .``) reads that copy; a source checkout and an editable install,
which have no copy, read the checkout's ``ontology/``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = [
    "ONTOLOGY_DIR",
    "data_file",
    "ontology_file",
    "vocab_files",
    "shape_files",
    "reference_files",
    "lexicon_files",
    "query_dir",
    "template_file",
    "decisions_model_dir",
]

_PACKAGE_DIR = Path(str(files("kg"))).resolve()
_INSTALLED = _PACKAGE_DIR / "ontology"
_CHECKOUT = _PACKAGE_DIR.parent / "ontology"
ONTOLOGY_DIR = _INSTALLED if (_INSTALLED / "polkg.ttl").is_file() else _CHECKOUT
"""The ontology tree: the installed copy if there is one, else the checkout's."""


def data_file(*parts: str) -> Path:
    """A file of the ontology tree, e.g. ``data_file("reference", "sources", "states.csv")``."""
    return ONTOLOGY_DIR.joinpath(*parts)


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


def lexicon_files() -> list[Path]:
    """The word lists of the extraction rules, ``ontology/lexicon/*.csv``."""
    return sorted((ONTOLOGY_DIR / "lexicon").glob("*.csv"))


def query_dir() -> Path:
    """The named SPARQL queries, ``kg/queries/*.rq``."""
    return _PACKAGE_DIR / "queries"


def template_file(name: str) -> Path:
    """A file of ``kg/templates``."""
    return _PACKAGE_DIR / "templates" / name


def decisions_model_dir() -> Path:
    """The trained sentence classifier (``make train``), ``kg/models/decisions``."""
    return _PACKAGE_DIR / "models" / "decisions"
