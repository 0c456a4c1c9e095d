"""Files of the embedded deployment (store, queue, secret key): readable by their owner only.

They hold records, token hashes and credential ciphertexts. SQLite creates a database as
0644 under the usual umask, and its `-wal`/`-shm`/`-journal` files with the database file's
mode, so creating the database file 0600 first keeps the companions private too. Changing the
process umask instead would reach every thread's files, not only ours.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from .logs import get_logger

__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_sqlite_file"]

DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
_SQLITE_COMPANIONS: Final = ("-wal", "-shm", "-journal")

_log = get_logger("ironbridge.files")


def private_dir(path: Path) -> Path:
    """Create the folder `path` (and its parents) owner-only when it does not exist.

    An existing folder keeps its mode: it may be the operator's (a volume, a shared folder)
    and the files in it are made private one by one.
    """
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def _tighten(path: Path) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & ~FILE_MODE:
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        return
    except PermissionError:
        # Not ours to change (another user's file the operator shares with us on purpose).
        _log.warning("file_mode_not_tightened", path=str(path))


def private_sqlite_file(path: Path) -> Path:
    """Make the SQLite database `path` and its companion files owner-only, creating the empty
    database (a valid one for SQLite) first if it does not exist yet."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + s) for s in _SQLITE_COMPANIONS)):
        _tighten(candidate)
    return path
