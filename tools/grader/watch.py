"""Waiting for the student to save a file.

inotifywait (inotify-tools) reacts instantly and costs nothing while idle; when
it is not installed, polling modification times once a second is good enough.
Editors write several events per save (temp file, rename, chmod), so events
are debounced into one change.
"""

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

DEBOUNCE_S = 0.3


def _ignored(name):
    """Editor droppings that are not source changes."""
    base = os.path.basename(name.rstrip("/"))
    return base.startswith((".", "#")) or base.endswith(("~", ".swp", ".swx")) or base == "4913"


def snapshot(dirs):
    """{path: (mtime, size)} of every relevant file under the watched folders."""
    state = {}
    for d in dirs:
        for path in Path(d).rglob("*"):
            if path.is_file() and not _ignored(path.name):
                try:
                    st = path.stat()
                except OSError:
                    continue
                state[str(path)] = (st.st_mtime_ns, st.st_size)
    return state


class Poller:
    """Change detection by comparing snapshots once a second."""

    def __init__(self, dirs):
        self.dirs = dirs
        self.state = snapshot(dirs)

    def wait(self):
        while True:
            time.sleep(1)
            current = snapshot(self.dirs)
            if current != self.state:
                self.state = current
                return

    def close(self):
        pass


class Inotify:
    """Change detection with one long-running `inotifywait -m`.

    Its output is read from the raw file descriptor (not a buffered stream) so
    that select() sees exactly what is pending when debouncing. Saves made
    while tests run stay queued and trigger the next run.
    """

    def __init__(self, dirs):
        argv = ["inotifywait", "-m", "-q", "-r", "-e", "close_write,move,create,delete"]
        self.proc = subprocess.Popen(argv + [str(d) for d in dirs], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.fd = self.proc.stdout.fileno()
        self.pending = b""

    def _lines(self, timeout):
        """Complete event lines available within `timeout` seconds (None: block)."""
        if not select.select([self.fd], [], [], timeout)[0]:
            return []
        chunk = os.read(self.fd, 65536)
        if not chunk:
            raise RuntimeError("inotifywait exited")
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        return [ln.decode(errors="replace") for ln in lines]

    @staticmethod
    def _relevant(line):
        parts = line.split(" ", 2)  # "dir/ EVENTS name"
        return len(parts) == 3 and not _ignored(parts[2])

    def wait(self):
        """Blocks until a relevant event, then swallows the burst that follows it."""
        while not any(self._relevant(ln) for ln in self._lines(None)):
            pass
        while self._lines(DEBOUNCE_S):
            pass

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def watcher(dirs):
    """The best available change detector for these folders."""
    if shutil.which("inotifywait"):
        return Inotify(dirs)
    return Poller(dirs)
