"""Errors polkg raises. ``str(exc)`` is always one line: ``<where>: <what is wrong>``.

::

    KgError                        base
    ├── InputError(path, reason)   a document that cannot be read: empty, binary, not UTF-8, too big
    ├── DataFileError(path, line)  a bad reference, vocabulary, query or gold file
    ├── ShapeError(report)         SHACL non-conformance, with the first violations
    ├── StoreError                 store unreachable, locked by another process, or corrupt
    └── QueryError(name, reason)   unknown query, unknown or bad parameter, syntax error
"""

from __future__ import annotations

__all__ = ["KgError", "InputError", "DataFileError", "ShapeError", "StoreError", "QueryError"]


class KgError(Exception):
    """Base class of every error polkg raises on purpose."""


class InputError(KgError):
    """A document that cannot be ingested. Other documents are not affected."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DataFileError(KgError):
    """A data file of the project or the user (reference data, gold file) is malformed."""

    def __init__(self, path: object, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class ShapeError(KgError):
    """A graph does not conform to the SHACL shapes."""

    def __init__(self, where: str, violations: list[str]) -> None:
        self.violations = violations
        first = "; ".join(violations[:3])
        more = f" (+{len(violations) - 3} more)" if len(violations) > 3 else ""
        super().__init__(f"{where}: does not conform: {first}{more}")


class StoreError(KgError):
    """The store cannot be opened, written or reached."""


class QueryError(KgError):
    """A query cannot be run as asked."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")
