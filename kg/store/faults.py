"""Storage faults in one line: what went wrong with the store on disk, and what to do.

pyoxigraph reports a fault of the file system or of the RocksDB files as an
``OSError`` or a ``RuntimeError`` whose text is RocksDB's. :func:`store_fault`
turns one into a :class:`~kg.errors.StoreError` that names the store and the
remedy::

    no space left        free space; what is stored is whole, the batch being written was not stored
    read-only            reading works as it is; writing needs a writable copy
    permission denied    run as the owner of the store, or fix its permissions
    damaged              kg restore BACKUP, or ingest the documents into a new store
    database lock held   another program (an oxigraph server) has the store open
    version mismatch     the store was written by another Oxigraph version

A fault that is none of these is still a one-line ``StoreError``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil

from kg.errors import StoreError

__all__ = ["store_fault", "is_store_fault", "DAMAGED_HELP"]

DAMAGED_HELP = ("restore a backup (kg restore DIR), or rebuild it (kg rebuild --archive FILE.jsonl, or kg rebuild "
                "to read the documents again from where they were ingested)")

_KINDS = (
    ("space", re.compile(r"no space left|ENOSPC|disk quota|errno 28\b", re.IGNORECASE)),
    ("read-only", re.compile(r"read-only file system|EROFS|errno 30\b", re.IGNORECASE)),
    ("permission", re.compile(r"permission denied|EACCES|operation not permitted|errno 13\b", re.IGNORECASE)),
    ("version", re.compile(r"encoding version|too recent version|outdated", re.IGNORECASE)),
    ("lock", re.compile(r"while lock file|lock hold by current process|resource temporarily unavailable.*LOCK"
                        r"|LOCK.*resource temporarily unavailable", re.IGNORECASE)),
    ("damaged", re.compile(r"corrupt|checksum mismatch|bad table magic|bad magic|size mismatch|does not end with "
                           r"newline|no such file or directory|truncated|invalid (?:type|term)|manifest"
                           r"|not a valid|unexpected end", re.IGNORECASE)),
)
_ERRNO_KINDS = {errno.ENOSPC: "space", errno.EDQUOT: "space", errno.EROFS: "read-only",
                errno.EACCES: "permission", errno.EPERM: "permission"}


def _kind(exc: BaseException) -> str | None:
    number = getattr(exc, "errno", None)
    if number in _ERRNO_KINDS:
        return _ERRNO_KINDS[number]
    text = str(exc)
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return None


def is_store_fault(exc: BaseException) -> bool:
    """Whether ``exc`` (from pyoxigraph or the file system) is a fault of the stored files."""
    return isinstance(exc, (OSError, RuntimeError)) and _kind(exc) is not None


def _detail(exc: BaseException, store) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = text.replace(str(store).rstrip("/") + "/", "")
    return text if len(text) <= 160 else text[:157] + "..."


def _free(store) -> str:
    try:
        probe = store
        while probe and not os.path.exists(probe):
            probe = os.path.dirname(probe)
        return f"{shutil.disk_usage(probe or '.').free / 2**20:,.1f} MB free"
    except OSError:
        return "free space unknown"


def store_fault(store, exc: BaseException, *, doing: str = "") -> StoreError:
    """A one-line :class:`StoreError` for ``exc``, a fault met while ``doing`` something with
    the store at ``store``. Chain it: ``raise store_fault(path, exc) from exc``."""
    kind = _kind(exc)
    detail = _detail(exc, store)
    while_ = f" while {doing}" if doing else ""
    if kind == "space":
        message = (f"no space left on the device holding the store{while_} ({_free(store)}); free some space and "
                   "run the command again: the documents already stored are whole, the batch being written was "
                   "not stored")
    elif kind == "read-only":
        message = (f"the store is on a read-only file system{while_}; reading works as it is, writing needs a "
                   "writable copy (copy the folder and use --store)")
    elif kind == "permission":
        message = f"permission denied{while_} ({detail}); run as the owner of the store or fix its permissions"
    elif kind == "version":
        message = (f"the store was written by another version of Oxigraph ({detail}); use the polkg version "
                   "that wrote it, or export it there and ingest the export here")
    elif kind == "lock":
        message = (f"the store's database is held by another program{while_} ({detail}); stop it (an oxigraph "
                   "server?) and run the command again")
    elif kind == "damaged":
        message = f"store is damaged{while_} ({detail}); {DAMAGED_HELP}"
    else:
        message = f"cannot use the store{while_} ({detail})"
    return StoreError(f"{store}: {message}")
