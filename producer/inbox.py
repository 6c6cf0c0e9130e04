"""A watched inbox folder: each photo folder dropped into it becomes one job once complete.

A subfolder of the inbox is *complete* when it holds a ``.ready`` marker file, or when the
name, size and modification time of every file in it (at any depth) have stayed the same for
the settle period. A file still being copied keeps changing size or mtime, so a half-copied
folder never starts a job; a folder moved in whole (an atomic rename) settles at once and is
taken after the settle period. Hidden folders (``.upload-tmp``) are not looked at, so copying
into a hidden name and renaming it when done also works.

Filesystem events only say *where* to look; what counts is what ``scan`` sees on disk.
``scan`` (every tick) re-reads the folders events pointed at and those not yet complete, and
the whole inbox at start and every ``rescan_seconds``, so events the OS dropped (network
drives, overflowing queues) only delay a job. Time comes from an injectable ``clock``.

A complete folder is claimed with ``SET NX`` on a digest of its path and its files' names,
sizes and mtimes (``worker.job.keys.inbox_claim``): duplicate events, several watchers and
restarts never enqueue it twice; a folder whose video the output folder already holds (its
succeeded report has the same digest) is filed without a new job, which covers a restarted
self-contained watcher, whose private Redis starts empty. Its job id is the folder name plus
the digest's start, so a later folder of the same name gets its own job and output folder.

When the job ends the folder moves to ``done/`` or ``failed/`` (an ``error.txt`` in it says
why); nothing is deleted. A folder whose ``job.yaml`` is invalid, or that has no photos, goes
to ``failed/`` at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from producer.enqueue import enqueue_specs, finished_digest
from producer.manifest import ManifestError, load_options_file
from producer.photosets import (
    PhotoSetError,
    images_in,
    is_users,
    job_id_for,
    named_file,
    photo_set_spec,
)
from worker.job import keys
from worker.job.spec import JobOptions, JobSpec, with_notes
from worker.job.states import JobStatus
from worker.job.store import JobStore

READY_MARKER = ".ready"
OPTIONS_FILE = "job.yaml"
OPTIONS_NAMES = frozenset({OPTIONS_FILE, "job.yml", "job.yaml.txt"})
"""``job.yaml`` as it arrives (any case; ``.txt`` added where Windows hides extensions):
``producer.photosets.named_file`` says why."""
ERROR_FILE = "error.txt"
DONE, FAILED = "done", "failed"
DIGEST_IN_JOB_ID = 8

FileFacts = tuple[str, int, int]
"""A file's path inside its folder, size in bytes and mtime in nanoseconds."""


def folder_files(folder: Path) -> list[FileFacts]:
    """Every file under ``folder`` but the ready marker, sorted."""
    facts: list[FileFacts] = []
    for directory, _subfolders, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if relative == READY_MARKER:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # moved away while we looked; the next scan sees the change
            facts.append((relative, stat.st_size, stat.st_mtime_ns))
    return sorted(facts)


def folder_digest(folder: Path, files: list[FileFacts]) -> str:
    payload = json.dumps([str(folder.resolve()), files])
    return hashlib.sha256(payload.encode()).hexdigest()


def inbox_job_id(folder: Path, digest: str) -> str:
    name = job_id_for(folder.name)[: 127 - DIGEST_IN_JOB_ID]
    return f"{name}-{digest[:DIGEST_IN_JOB_ID]}"


class FolderProblem(ValueError):
    """A complete folder that cannot be a job; the message goes to its ``error.txt``."""


def photos_folder(folder: Path) -> Path:
    """Where a dropped folder's photos are: in it, or in the one folder it holds and nothing
    else beside (``shoot/shoot/``: what Windows' "Extract All" makes of ``shoot.zip``)."""
    held = [entry for entry in folder.iterdir() if is_users(entry)]
    if len(held) == 1 and held[0].is_dir() and not held[0].is_symlink():
        return held[0]
    return folder


def folder_spec(folder: Path, digest: str, overrides: dict[str, Any]) -> JobSpec:
    """The job of a complete folder: its photos and ``prompt.txt``, the ``overrides`` (from
    the command line) with its ``job.yaml`` over them. The folder's digest goes into the job
    id and ``source.digest``: the same file names written anew make a new job."""
    notes: list[str] = []
    try:
        photos_at = photos_folder(folder)
        if not images_in(photos_at):
            raise FolderProblem(f"{folder.name}: no photos in this folder")
        options_file = named_file(photos_at, OPTIONS_NAMES, OPTIONS_FILE)
        if options_file is not None:
            options = load_options_file(options_file, overrides, notes)
        else:
            options = JobOptions.model_validate(overrides)
        spec = with_notes(photo_set_spec(photos_at, options, source_kind="inbox"), notes)
    except (ManifestError, PhotoSetError) as error:
        raise FolderProblem(str(error)) from None
    source = spec.source.model_copy(update={"digest": digest})
    return spec.model_copy(update={"id": inbox_job_id(folder, digest), "source": source})


def free_destination(parent: Path, name: str) -> Path:
    """``parent/name``, or ``parent/name-2``, ``-3`` … when taken."""
    candidate, number = parent / name, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{name}-{number}"
    return candidate


def _top_folder_name(root: Path, out: str) -> list[str]:
    """The name of the inbox subfolder that holds the output folder, if one does."""
    if "://" in out:
        return []
    try:
        return list(Path(out).resolve().relative_to(root).parts[:1])
    except ValueError:
        return []


@dataclass
class Sighting:
    files: list[FileFacts]
    since: float
    """Clock time at which the folder was first seen holding exactly these files."""


class Inbox:
    """The watcher's state and decisions, driven by explicit ``notice`` and ``scan`` calls."""

    def __init__(
        self,
        root: Path,
        store: JobStore,
        *,
        out: str,
        batch: str,
        overrides: dict[str, Any],
        settle_seconds: float,
        rescan_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        announce: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.root = root.resolve()
        self.store = store
        self.out = out
        self.batch = batch
        self.overrides = overrides
        self.settle_seconds = settle_seconds
        self.rescan_seconds = rescan_seconds
        self.clock = clock
        self.announce = announce
        self.not_inputs = {DONE, FAILED, *_top_folder_name(self.root, out)}
        """Names of the inbox's subfolders that never become jobs (and the output, if inside)."""
        self.sightings: dict[Path, Sighting] = {}
        self.jobs: dict[str, Path] = {}
        """Job id → its folder, for the jobs whose folder waits in the inbox."""
        self.touched: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self.next_rescan: float | None = None
        self.loose_files: set[str] = set()
        """Files dropped into the inbox itself, said once each: only folders become jobs."""

    def notice(self, path: Path) -> None:
        """Something happened at ``path`` (any thread): look at its folder on the next scan."""
        self.touched.put(path)

    def scan(self) -> None:
        """Look at new and unsettled folders, start the jobs of complete ones, and move the
        folders of ended jobs."""
        now = self.clock()
        if self.next_rescan is None or now >= self.next_rescan:
            self.next_rescan = now + self.rescan_seconds
            for folder in self._candidates():
                self.sightings.setdefault(folder, Sighting(files=[], since=now))
            self._say_loose_files()
        while not self.touched.empty():
            folder = self._folder_of(self.touched.get())
            if folder is not None:
                self.sightings.setdefault(folder, Sighting(files=[], since=now))
        for folder in sorted(self.sightings):
            self._look_at(folder, now)
        self.move_ended()

    def move_ended(self) -> None:
        for job_id, folder in list(self.jobs.items()):
            state = self.store.get(job_id)
            if state is None or not state.status.finished:
                continue
            del self.jobs[job_id]
            if state.status == JobStatus.SUCCEEDED:
                self._move(folder, DONE, f"{job_id} succeeded")
            else:
                where = f"{state.error_file}: " if state.error_file else ""
                error = f"job {job_id} failed at {state.stage}: {where}{state.error}\n"
                self._move(folder, FAILED, f"{job_id} failed", error=error)

    def _say_loose_files(self) -> None:
        """Name each photo or zip dropped into the inbox itself, once: left alone, it would
        wait there for ever with nothing said."""
        for entry in sorted(self.root.iterdir()):
            if entry.name in self.loose_files or not is_users(entry) or not entry.is_file():
                continue
            self.loose_files.add(entry.name)
            self.announce(
                f"{entry.name}: left alone: only a folder dropped here becomes a job"
                " (put the photos of one video, or an unpacked zip, in a folder)"
            )

    def _candidates(self) -> list[Path]:
        return sorted(entry for entry in self.root.iterdir() if self._takes(entry))

    def _takes(self, entry: Path) -> bool:
        """A folder to look at: not hidden or another system's, not done/, failed/ or the
        output, not already a job's."""
        if not is_users(entry) or entry.name in self.not_inputs:
            return False
        return entry not in self.jobs.values() and entry.is_dir()

    def _folder_of(self, path: Path) -> Path | None:
        """The inbox subfolder ``path`` is in (or is), if it is one the watcher takes."""
        try:
            relative = path.resolve().relative_to(self.root)
        except ValueError:
            return None
        if not relative.parts:
            return None
        folder = self.root / relative.parts[0]
        return folder if self._takes(folder) else None

    def _look_at(self, folder: Path, now: float) -> None:
        if not folder.is_dir():
            del self.sightings[folder]
            return
        try:
            files = folder_files(folder)
        except OSError as error:  # unreadable for now (permissions, a flaky network drive)
            self.announce(f"{folder.name}: cannot read it yet: {error}")
            return
        sighting = self.sightings[folder]
        if files != sighting.files:
            self.sightings[folder] = sighting = Sighting(files=files, since=now)
        ready = (folder / READY_MARKER).is_file()
        settled = now - sighting.since >= self.settle_seconds
        if not files or not (ready or settled):
            return
        del self.sightings[folder]
        self._take(folder, files)

    def _take(self, folder: Path, files: list[FileFacts]) -> None:
        digest = folder_digest(folder, files)
        try:
            spec = folder_spec(folder, digest, self.overrides)
        except FolderProblem as problem:
            self._move(folder, FAILED, "cannot be a job", error=f"{problem}\n")
            return
        job_id = spec.id
        if finished_digest(self.out, job_id) == digest:
            # Made before, by a watcher stopped before it could file the folder.
            self._move(folder, DONE, f"{job_id} was made before")
            return
        claim = keys.inbox_claim(digest)
        # Kept as long as a finished job (PHOTOREEL_RETENTION_SECONDS). Should it lapse while
        # its folder still waits, the job record (created with NX under the same id) still
        # keeps the folder from being enqueued twice.
        retention = self.store.retention_seconds
        claimed = self.store.redis.set(claim, job_id, nx=True, ex=retention)
        if claimed or self.store.get(job_id) is None:
            # Unclaimed, or claimed by a watcher that stopped before enqueueing: creating the
            # job is itself idempotent, so at most one of several watchers submits it.
            result = enqueue_specs([spec], self.store, out=self.out, batch=self.batch)
            if result.conflicts:
                error = f"job {job_id} exists already, with other options\n"
                self._move(folder, FAILED, "cannot be a job", error=error)
                return
            if result.enqueued:
                self.announce(f"{folder.name}: job {job_id} enqueued")
            # The job that stands for this content may be an earlier one under another id.
            job_id = next(iter(result.job_ids), job_id)
        self.jobs[job_id] = folder

    def _move(self, folder: Path, outcome: str, summary: str, *, error: str | None = None) -> None:
        parent = self.root / outcome
        parent.mkdir(exist_ok=True)
        destination = free_destination(parent, folder.name)
        try:
            folder.rename(destination)
        except FileNotFoundError:
            return  # another watcher moved it first
        if error is not None:
            (destination / ERROR_FILE).write_text(error, encoding="utf-8")
        self.announce(f"{folder.name}: {summary} → {destination.relative_to(self.root)}/")

    @property
    def tick_seconds(self) -> float:
        """How often the loop scans: often enough to catch a settle period and a new marker
        promptly, seldom enough that a burst of events during a big copy costs little."""
        return min(self.settle_seconds / 4, 1.0)

    def run(self, stop: threading.Event, *, polling: bool = False) -> None:
        """Watch until ``stop`` is set: events note where to look, each tick scans."""
        observer = PollingObserver() if polling else Observer()
        observer.schedule(_EventsToInbox(self), str(self.root), recursive=True)
        observer.start()
        try:
            while not stop.is_set():
                self.scan()
                stop.wait(self.tick_seconds)
        finally:
            observer.stop()
            observer.join()

    def drain(self, abort: threading.Event, *, healthy: Callable[[], bool]) -> None:
        """Take no new folders; wait for the enqueued jobs to end and move their folders."""
        while self.jobs and healthy() and not abort.wait(self.tick_seconds):
            self.move_ended()


class _EventsToInbox(FileSystemEventHandler):
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def on_any_event(self, event: FileSystemEvent) -> None:
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.inbox.notice(Path(os.fsdecode(path)))
