"""Files polkg derives from its data and keeps between runs, in a user cache folder.

A cached file is named by a hash of what it was made from (the data files' bytes and
the versions that shape it), so a change to the data gives a new name and the old
file is simply no longer read. Writers write a temporary file and rename it into
place: two processes building the same file at once both succeed, and a reader
never sees half a file. Where the cache folder cannot be written (a read-only home,
a sandbox), the file is built in memory each time instead: never an error.

The folder is ``$POLKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/polkg``, else ``~/.cache/polkg``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["cache_dir", "cached_bytes"]


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    explicit = os.environ.get("POLKG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "polkg"


def cached_bytes(name: str, build: Callable[[], bytes]) -> tuple[bytes | None, Path | None]:
    """The file ``name`` of the cache: ``(None, its path)`` when it is there (or was just
    written), ``(build(), None)`` when the cache cannot be written.

    ``name`` must carry the hash of what the content is made from.
    """
    folder = cache_dir()
    path = folder / name
    if path.is_file():
        return None, path
    data = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)  # atomic: concurrent writers of the same content both succeed
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return data, None
    return None, path
