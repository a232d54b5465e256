"""The store's lock file: one writer (an exclusive ``flock`` that records its pid), many
readers (shared), and who holds it, read from ``/proc/locks``.

::

    .kg/polkg.lock                 who holds the store (flock; the writer's pid)
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from kg.errors import StoreError
from kg.store.faults import store_fault

__all__ = ["_Lock", "_flock", "_holders"]

_LOCK = "polkg.lock"
_POLL = 0.2


def _holders(path: Path) -> list[tuple[int, str]]:
    """``(pid, "READ" | "WRITE")`` of each process holding a lock on ``path``, from
    ``/proc/locks`` (Linux); empty where that cannot be read."""
    try:
        info = path.stat()
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return []
    wanted = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) < 6 or parts[1] == "->" or parts[1] != "FLOCK":
            continue
        try:
            major, minor, inode = parts[5].split(":")
            if (int(major, 16), int(minor, 16), int(inode)) == wanted:
                found.append((int(parts[4]), parts[3]))
        except ValueError:
            continue
    return found


def _flock(fh, flags: int, wait: float) -> bool:
    """Take the lock ``flags`` on ``fh``, trying for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh, flags | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL)


class _Lock:
    """A lock on the store directory: exclusive for the writer (which records its
    pid in the file), shared for readers."""

    def __init__(self, directory: Path, *, wait: float = 0, shared: bool = False) -> None:
        self.directory = directory
        self.path = directory / _LOCK
        self.shared = shared
        self.fh = self._open_file(shared)
        if self.fh is None:  # a read-only folder without a lock file: nobody can be writing it
            return
        if not _flock(self.fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, wait):
            message = self.in_use()
            self.fh.close()
            raise StoreError(message)
        if not shared:
            try:
                self.fh.seek(0)
                self.fh.truncate()
                self.fh.write(str(os.getpid()))
                self.fh.flush()
            except OSError as exc:
                self.release()
                raise store_fault(directory, exc, doing="taking the store's lock") from exc

    def _open_file(self, shared: bool):
        """The lock file, opened to be written; for a reader on a read-only file system (or
        a folder it may not write) opened for reading, or None when there is none."""
        try:
            return open(self.path, "a+")
        except OSError as exc:
            if shared and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                try:
                    return open(self.path, "r")
                except FileNotFoundError:
                    return None
                except OSError:
                    pass
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
                raise store_fault(self.directory, exc, doing="opening the lock file") from exc
            raise StoreError(f"{self.directory}: cannot open the lock file ({exc.strerror})") from exc

    def in_use(self) -> str:
        """Why the lock could not be taken, naming the process that holds it."""
        holders = _holders(self.path)
        writers = [pid for pid, mode in holders if mode == "WRITE"]
        readers = [pid for pid, mode in holders if mode == "READ"]
        if writers:
            who, doing = writers[0], "writing"
        elif readers:
            others = len(readers) - 1
            more = f", with {others} other reader{'s' if others > 1 else ''}" if others else ""
            who, doing = readers[0], f"reading{more}"
        else:
            self.fh.seek(0)
            who, doing = self.fh.read().strip() or "unknown", "writing"
        return (f"{self.directory}: store is in use by process {who} ({doing}); "
                "wait for it to finish or use --wait SECONDS")

    def release(self) -> None:
        if self.fh is not None and not self.fh.closed:
            if not self.shared:
                try:
                    self.fh.seek(0)
                    self.fh.truncate()
                except OSError:
                    pass  # a full or read-only disk: the lock goes with the descriptor anyway
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()
