"""Uploaded pictures kept on disk, by content, shared by every session (issue 9, bounded memory).

A session keeps only the key of its upload (the SHA-1 of the bytes) in ``st.session_state``;
the bytes are written once to a private temporary directory of the server process and read
back when a decode is not cached. Thirty students uploading 5 MB photos then cost 150 MB of
disk instead of 150 MB of RAM held by sessions, and the same photo uploaded twice is stored
once.

The directory is bounded: ``LAYERLAB_UPLOAD_DISK_MB`` (default 2048) megabytes; the least
recently used files are deleted first when a new one would pass it. A session whose file was
deleted meanwhile is told to upload it again (``read`` returns None).

May import: nothing from ui/ or streamlit (pure Python, testable alone).
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from .held import env_megabytes

__all__ = ["UploadStore", "store", "DEFAULT_DISK_MB"]

#: Disk budget of the upload store in MB (LAYERLAB_UPLOAD_DISK_MB).
DEFAULT_DISK_MB = 2048


class UploadStore:
    """Content-addressed files in ``directory`` with at most ``max_bytes`` in total.

    ``put(data) -> digest`` (SHA-1 hex), ``read(digest) -> bytes | None``, ``nbytes``.
    Raises ValueError for ``max_bytes`` < 1 or a digest that is not 40 hex digits.
    """

    def __init__(self, directory: Path, *, max_bytes: int):
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be >= 1, got {max_bytes}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = int(max_bytes)
        self._lock = threading.Lock()

    def _path(self, digest: str) -> Path:
        if len(digest) != 40 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-1 hex digest: {digest!r}")
        return self.directory / digest

    def _files(self) -> list[tuple[int, int, str]]:
        out = []
        for entry in os.scandir(self.directory):
            if entry.is_file() and not entry.name.endswith(".part"):
                st = entry.stat()
                out.append((st.st_atime_ns if st.st_atime_ns > st.st_mtime_ns else st.st_mtime_ns,
                            st.st_size, entry.path))
        return out

    @property
    def nbytes(self) -> int:
        """Bytes of every stored file."""
        with self._lock:
            return sum(size for _, size, _ in self._files())

    def put(self, data: bytes) -> str:
        """Store ``data`` (once per content) and return its SHA-1 hex digest."""
        digest = hashlib.sha1(data).hexdigest()
        path = self._path(digest)
        with self._lock:
            if path.exists():
                os.utime(path)  # most recently used
                return digest
            files = sorted(self._files())  # oldest use first
            total = sum(size for _, size, _ in files)
            while files and total + len(data) > self.max_bytes:
                _, size, old = files.pop(0)
                Path(old).unlink(missing_ok=True)
                total -= size
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            part.replace(path)
        return digest

    def read(self, digest: str) -> bytes | None:
        """The stored bytes for ``digest`` (marked as recently used), or None once deleted."""
        path = self._path(digest)
        with self._lock:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return None
            os.utime(path)
            return data


_store: dict[str, UploadStore] = {}
_store_lock = threading.Lock()


def store() -> UploadStore:
    """The server process's store (created on first use in a fresh temporary directory).

    Raises ValueError when LAYERLAB_UPLOAD_DISK_MB is not a positive number.
    """
    with _store_lock:
        if "store" not in _store:
            mb = env_megabytes("LAYERLAB_UPLOAD_DISK_MB", DEFAULT_DISK_MB)
            directory = Path(tempfile.mkdtemp(prefix="layerlab-uploads-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            _store["store"] = UploadStore(directory, max_bytes=int(mb * 1e6))
        return _store["store"]
