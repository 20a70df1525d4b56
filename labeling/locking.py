"""One writer per output: an exclusive lock on a lock file next to it (``OUT.lock``).

Two batch runs into one file would write every document twice, and two trainings into
one folder would mix one's config with the other's weights. The second writer is refused
at once rather than made to wait. The lock is ``flock`` on POSIX; it is released by the
kernel if the holder dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labeling.exceptions import OutputLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking
    fcntl = None  # type: ignore[assignment]


def lock_path(target: str | os.PathLike) -> Path:
    """``TARGET.lock`` beside the target, from its resolved path, so ``./out`` and a symlink to it share a lock."""
    resolved = Path(target).resolve()
    return resolved.with_name(f"{resolved.name or 'root'}.lock")


def _holder(lock: Path) -> str:
    try:
        return lock.read_text(encoding="ascii").strip() or "unknown"
    except (OSError, UnicodeDecodeError):
        return "unknown"


def _acquire(lock: Path, target: str | os.PathLike) -> int:
    """An open descriptor on ``lock`` holding its exclusive lock; raise :class:`OutputLockedError` when held."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputLockedError(
                f"{target} is being written by another process (pid {_holder(lock)}, "
                f"lock file {lock}); wait for it to finish or choose another output"
            ) from None
        try:
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        opened = os.fstat(fd)
        if current is not None and (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
            return fd
        os.close(fd)  # the holder removed this file as it finished: lock the new one


def is_first_process() -> bool:
    """False in the other processes of a distributed launch (``torchrun`` and ``accelerate launch`` set RANK)."""
    return os.environ.get("RANK", "0") == "0"


@contextmanager
def exclusive_lock(target: str | os.PathLike, first_process_only: bool = False) -> Iterator[Path]:
    """Hold the lock of ``target`` for the ``with`` block; a second writer gets :class:`OutputLockedError`.

    With ``first_process_only``, the other processes of a distributed launch take no lock: they
    work for the first one, which alone writes the output.
    """
    lock = lock_path(target)
    if fcntl is None or (first_process_only and not is_first_process()):  # pragma: no cover - no flock on Windows
        yield lock
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(lock, target)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield lock
    finally:
        lock.unlink(missing_ok=True)  # while still locked: whoever opened this file fails, or retries
        os.close(fd)
