"""The agency API's request log, off the request path and never lost.

A request's entry is one JSON line appended to a file of the serving process's own in
``AGENCY_API_LOG_SPOOL`` before its answer leaves (``Spool.append``): one ``os.write`` of the
whole line to a descriptor opened with ``O_APPEND``, no buffer in Python, so once the call
returns the operating system holds the line and a worker that crashes or is killed afterwards
loses nothing (a crash of the machine itself could lose what the kernel had not yet written to
the disk, as a database committing with ``synchronous_commit = off`` could). Nothing waits for
the database on the way out.

The lines are ingested into ``AgencyRequest`` in batches (``ingest``): by beat
(``companies.tasks.ingest_request_log``) and by each process itself at the end of a request,
once it has appended ``AGENCY_API_LOG_BATCH`` entries or ``AGENCY_API_LOG_SECONDS`` have passed
since it last did. Every entry carries its own id (``entry_id``, unique in the table), and rows
are inserted with ON CONFLICT DO NOTHING: a file ingested again after a crash between the commit
and its deletion inserts nothing twice.

Files are rotated by whoever ingests, while their writers keep writing, without losing a line:

- a writer takes ``flock`` on its file for each append, and appends only if its file's name
  still leads to the file it holds open; otherwise it opens a new file under its name;
- an ingester renames ``<name>.log`` to ``<name>.<n>.batch``, then takes and releases that
  file's lock once: a writer that was appending has finished, and every later one sees the
  rename and writes to a new file. Only then is the batch read, inserted, committed and deleted.

So the folder holds, per process, the file it appends to and, between a rotation and the end of
its ingestion, batches; one ingestion runs at a time per folder (a lock file), and a process that
finds one running leaves the work to it. A line that cannot be read (a machine crash in the
middle of a write) is kept in ``<batch>.rejected`` for a human, never dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from companies.models import AgencyRequest

logger = logging.getLogger(__name__)

ACTIVE = ".log"
BATCH = ".batch"
REJECTED = ".rejected"
INGEST_LOCK = ".ingest.lock"
INSERT_BATCH = 5000  # entries per INSERT statement

FIELDS = (
    *("x_road_id", "client", "service", "user_id", "method", "path", "status", "duration_ms"),
)


# What the table says of an entry it will not take (an ON CONFLICT on entry_id is no refusal).
REFUSED = (DataError, IntegrityError, ValueError, TypeError)
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def folder() -> Path:
    return Path(settings.AGENCY_API_LOG_SPOOL)


class Spool:
    """This process's spool file, opened on its first append (again after a fork or a rotation),
    and when this process should ingest next."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._path: str | None = None
        self._folder: object = None  # the setting the file was opened under
        self._identity: tuple[int, int] | None = None
        self._name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self.appended = 0  # since this process last ingested
        self.ingested_at = time.monotonic()

    def append(self, **fields: Any) -> None:
        """One entry, held by the operating system when this returns; ``OSError`` if not."""
        entry = {
            "entry_id": uuid.uuid4().hex,
            "created_at": timezone.now().isoformat(),
            **fields,
        }
        line = (ENCODER.encode(entry) + "\n").encode()
        with self._lock:
            while not self._write(line):
                self._close()  # rotated away by an ingester: a new file under our name
            self.appended += 1

    def _write(self, line: bytes) -> bool:
        fd, path = self._open()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            try:
                here = os.stat(path)
            except FileNotFoundError:
                return False
            if (here.st_dev, here.st_ino) != self._identity:
                return False
            written = os.write(fd, line)
            if written != len(line):  # the disk is full: leave no half line behind
                os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_CUR) - written)
                raise OSError(f"the request log spool took {written} of {len(line)} bytes")
            return True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> tuple[int, str]:
        where = settings.AGENCY_API_LOG_SPOOL
        if self._fd is not None and self._path is not None and where is self._folder:
            return self._fd, self._path
        self._close()
        Path(where).mkdir(parents=True, exist_ok=True)
        path = os.path.join(where, self._name + ACTIVE)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        fd = os.open(path, flags, 0o640)
        opened = os.fstat(fd)
        self._fd, self._path, self._identity = fd, path, (opened.st_dev, opened.st_ino)
        self._folder = where
        return fd, path

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._path = self._identity = None

    def due(self) -> bool:
        """Whether this process has enough entries, or old enough ones, to ingest now."""
        if not self.appended:
            return False
        waited = time.monotonic() - self.ingested_at
        return self.appended >= settings.AGENCY_API_LOG_BATCH or (
            waited >= settings.AGENCY_API_LOG_SECONDS
        )

    def ingest_if_due(self) -> None:
        """``ingest`` when due; a failure is logged and left for the next time (the entries
        stay in their files)."""
        if not self.due():
            return
        self.appended, self.ingested_at = 0, time.monotonic()
        try:
            ingest()
        except Exception:
            logger.exception("the request log could not be ingested now; it stays spooled")


spool = Spool()


@contextlib.contextmanager
def _only_ingester(directory: Path) -> Iterator[bool]:
    """Whether this is the only ingestion of ``directory`` now (held until the block ends)."""
    # Read-only is enough for flock: web processes and the worker may be different users of
    # one group, and whoever made the lock file first owns it.
    fd = os.open(directory / INGEST_LOCK, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def rotate(path: Path) -> Path | None:
    """``path`` renamed to a batch once no writer can append to it any more; None if another
    ingester took it first."""
    batch = path.with_name(f"{path.name.removesuffix(ACTIVE)}.{time.time_ns()}{BATCH}")
    try:
        os.rename(path, batch)
    except FileNotFoundError:
        return None
    fd = os.open(batch, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for an append in progress; later ones see the rename
    finally:
        os.close(fd)
    return batch


def _entry(line: bytes) -> dict[str, Any]:
    """One spooled line read back; ``ValueError`` unless it is a whole entry (the values'
    types are the database's to check)."""
    entry = json.loads(line)
    if not isinstance(entry, dict) or not {"entry_id", "created_at", *FIELDS} <= entry.keys():
        raise ValueError("not an entry of the request log")
    return entry


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(AgencyRequest._meta.db_table)
    columns = ", ".join(quote(name) for name in ("entry_id", "created_at", *FIELDS))
    # The lines go to PostgreSQL as they are, one JSON array, and become rows there: the ORM
    # took a quarter of a millisecond a row to build the same INSERT. The names are the
    # model's (none sets db_column), the entries one parameter.
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) "
        "ON CONFLICT (entry_id) DO NOTHING"
    )


def _insert(lines: list[bytes]) -> None:
    """The entries in the table, those already there left alone, in one transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_insert_sql(), [(b"[" + b",".join(lines) + b"]").decode()])
            return
        rows = []
        for line in lines:
            entry = json.loads(line)
            rows.append(
                AgencyRequest(
                    entry_id=uuid.UUID(entry["entry_id"]),
                    created_at=datetime.fromisoformat(entry["created_at"]),
                    **{name: entry[name] for name in FIELDS},
                )
            )
        AgencyRequest.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _insert_each(lines: list[bytes]) -> list[bytes]:
    """The entries one by one, when the batch was refused; the lines the table refused."""
    refused = []
    for line in lines:
        try:
            _insert([line])
        except REFUSED:
            refused.append(line)
    return refused


def _store(lines: list[bytes]) -> tuple[int, list[bytes]]:
    """``lines`` in the table: how many were stored, and those the table refused."""
    try:
        _insert(lines)
    except REFUSED:  # a value that is not what its column takes: find it, keep the rest
        refused = _insert_each(lines)
        return len(lines) - len(refused), refused
    return len(lines), []


def ingest_batch(batch: Path) -> int:
    """The entries of one batch file in the table (those already there are left alone), then
    the file deleted; how many entries it held. A line that is not an entry is kept in
    ``<batch>.rejected``."""
    stored, rejected, lines = 0, [], []
    with open(batch, "rb") as spooled:
        for line in spooled:
            if not line.endswith(b"\n"):  # cut short: the machine stopped in the middle
                rejected.append(line)
                continue
            try:
                _entry(line)
            except ValueError:
                rejected.append(line[:-1])
                continue
            lines.append(line[:-1])
            if len(lines) == INSERT_BATCH:
                done, refused = _store(lines)
                stored, rejected, lines = stored + done, rejected + refused, []
    if lines:
        done, refused = _store(lines)
        stored, rejected = stored + done, rejected + refused
    if rejected:
        with open(batch.with_name(batch.name + REJECTED), "ab") as kept:
            kept.write(b"".join(line + b"\n" for line in rejected))
        logger.error(
            "%s line(s) of the request log could not be stored; kept in %s%s",
            len(rejected),
            batch.name,
            REJECTED,
        )
    batch.unlink()
    return stored


def ingest(directory: Path | None = None) -> int:
    """Every spooled entry in the table: the files being appended to rotated, then every batch
    (also those an interrupted ingestion left) ingested; how many entries were read. Returns 0
    at once when another ingestion of the folder is running."""
    directory = directory or folder()
    if not directory.is_dir():
        return 0
    with _only_ingester(directory) as alone:
        if not alone:
            return 0
        for active in sorted(directory.glob("*" + ACTIVE)):
            rotate(active)
        return sum(ingest_batch(batch) for batch in sorted(directory.glob("*" + BATCH)))
