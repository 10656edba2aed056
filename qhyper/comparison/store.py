"""The run store: one record per (task, method, seed, options) run, appended to a JSON Lines file.

Why JSON Lines and not ``sqlite3``: a comparison has one writer (the driver; remote
workers hand their records back to it), so nothing needs sqlite's locking. An append of
one line followed by ``fsync`` is durable, and a crash mid-write can only tear the *last*
line, which the reader detects and drops. The file is readable with any tool
(``jq``, ``pandas.read_json(path, lines=True)``), and a diff of two experiments is a text diff.

Records are strict JSON: NaN and ±inf become ``null`` (strict parsers reject them). While
a record is appended, SIGINT and SIGTERM are held back, so an interrupt never tears one.
Summaries derived from the store are written with :func:`write_atomic` (a temporary file
in the same folder, then ``os.replace``), so a reader never sees half a file.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import signal
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any, Iterator

from .._checks import InputTypeError

__all__ = ["RunStore", "run_key", "strict", "write_atomic", "FINISHED", "STATUSES"]

#: statuses a record may have; the first three are final (a resumed experiment skips them)
STATUSES = ("ok", "failed", "unavailable", "interrupted")
FINISHED = frozenset(STATUSES[:3])


def strict(value: Any) -> Any:
    """``value`` as strict-JSON-ready data: non-finite floats → ``None``, tensors and arrays →
    lists, tuples → lists, other objects → ``str``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    if hasattr(value, "tolist"):
        return strict(value.tolist())
    return str(value)


def run_key(task: str, method: str, seed: int, options: dict) -> str:
    """A stable identity of a run: the same task, method, seed and resolved options give the
    same key in any process (options are hashed in canonical JSON)."""
    canonical = json.dumps(strict(options), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"{task}/{method}/{seed}/{digest}"


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM back while a record is written (POSIX, main thread): a Ctrl-C
    then lands between records, never inside one, and its handler runs right after."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def write_atomic(path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class RunStore:
    """Append-only records of runs in ``folder/runs.jsonl``.

    Args:
        folder: the experiment's folder (created if missing).
        name: the file name inside it.

    Example:
        >>> store = RunStore("results/exp1")
        >>> store.append({"key": run_key("moons", "ste", 0, {}), "status": "ok", "metrics": {...}})
        >>> store.finished_keys()
    """

    def __init__(self, folder, name: str = "runs.jsonl"):
        if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
            raise (ValueError if isinstance(folder, str) else InputTypeError)(
                f"store folder must be a non-empty path (a str or Path) of the experiment's folder; got {folder!r:.80}")
        if not isinstance(name, str) or not name.strip() or Path(name).name != name or name in (".", ".."):
            raise (ValueError if isinstance(name, str) else InputTypeError)(
                f"store name must be a plain file name inside the folder, e.g. 'runs.jsonl'; got {name!r:.80}")
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(f"store folder {str(folder)!r} is a file, not a folder; give the experiment's folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / name
        if self.path.is_dir():
            raise ValueError(f"store name {name!r}: {self.path} is a folder; give the name of the runs file")

    def append(self, record: dict) -> dict:
        """Append one record durably (written, flushed and fsynced before returning); returns
        the record as stored. It needs a ``key`` and a ``status`` from :data:`STATUSES`."""
        if not isinstance(record, dict) or "key" not in record:
            raise ValueError(f"a run record is a dict with a 'key' (see run_key); got {record!r:.80}")
        if record.get("status") not in STATUSES:
            raise ValueError(f"record status must be one of {STATUSES}; got {record.get('status')!r}")
        stored = strict(record)
        line = json.dumps(stored, allow_nan=False, separators=(",", ":")) + "\n"
        with _signals_deferred(), open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        return stored

    def records(self) -> Iterator[dict]:
        """Every stored record in order. A torn last line (a crash mid-append) is dropped
        with a warning; a bad line anywhere else means the file was edited or corrupted,
        and raises."""
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as f:
            lines = f.readlines()
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                if i == len(lines) - 1 and not line.endswith("\n"):
                    warnings.warn(f"{self.path}: dropped a torn last record (the run that wrote it did not "
                                  f"finish writing; it will be redone on resume)", RuntimeWarning, stacklevel=2)
                    return
                raise ValueError(f"{self.path} line {i + 1} is not a JSON record ({err}); the store was edited or "
                                 f"corrupted: restore it, or start a new experiment folder") from err

    def latest(self) -> dict[str, dict]:
        """The last record of every key (a run redone after an interrupt supersedes it)."""
        out: dict[str, dict] = {}
        for record in self.records():
            out[record["key"]] = record
        return out

    def finished_keys(self) -> set[str]:
        """Keys whose latest record is final (``ok``, ``failed`` or ``unavailable``): a resumed
        experiment never redoes them."""
        return {k for k, r in self.latest().items() if r.get("status") in FINISHED}

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"
