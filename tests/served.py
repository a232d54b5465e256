"""A real ``kg serve`` process on a free loopback port, for the server and security tests."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

KG = [sys.executable, "-m", "kg"]


class Served:
    """A ``kg serve`` process, the lines it printed and, once stopped, its standard error."""

    def __init__(self, store: Path, *args: str, env: dict | None = None) -> None:
        self.store = store
        self.stderr = ""
        self._errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen([*KG, "--store", str(store), "serve", "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=self._errors, text=True,
                                        env={**os.environ, **(env or {})})
        self.lines: list[str] = []
        printed: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [printed.put(line) for line in self.process.stdout] + [printed.put("")],
                         daemon=True).start()
        deadline = time.monotonic() + 120
        while not any(line.startswith("Press Ctrl+C") for line in self.lines):
            try:
                line = printed.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if not line:
                self.process.kill()
                self.stop()
                raise AssertionError(f"kg serve did not start: {self.lines} {self.stderr}")
            self.lines.append(line.rstrip("\n"))
        self.endpoint = self.lines[0].split()[2]
        self.base = self.endpoint.removesuffix("/sparql")

    def children(self) -> list[int]:
        """The living child processes, whichever thread started them."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                found += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
        return sorted(p for p in found if "zombie" not in status_of(p))

    def upstream_port(self) -> int:
        """The loopback port of the Oxigraph process behind the front."""
        command = Path(f"/proc/{self.children()[0]}/cmdline").read_bytes().split(b"\0")
        bind = command[command.index(b"--bind") + 1].decode()
        assert bind.startswith("127.0.0.1:")
        return int(bind.rsplit(":", 1)[1])

    def stop(self) -> int:
        """Stop the server (SIGTERM); its exit code. What it wrote to stderr is in ``stderr``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(30)
        if not self._errors.closed:
            self._errors.seek(0)
            self.stderr = self._errors.read().decode("utf-8", "replace")
            self._errors.close()
        return code


def status_of(pid: int) -> str:
    """The /proc status of ``pid``; "gone (zombie)" once it has gone."""
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone (zombie)"
