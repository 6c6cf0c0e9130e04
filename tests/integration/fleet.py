"""Machines of a fleet on one host: `photoreel worker` processes that share nothing but Redis and
the bucket. Each has its own temporary folder (its scratch), HOME and working directory, and
its own process group, so that a whole machine can be lost at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.chaos import wait_until
from tests.integration.test_run import PHOTOREEL
from worker.files.scratch import ROOT_NAME
from worker.job.store import JobStore

READY_SECONDS = 90


@dataclass
class Machine:
    name: str
    root: Path
    env: dict[str, str]
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    pids: set[int] = field(default_factory=set)
    """Every process this machine ran (its worker and its pool), for telling whose a lease is."""

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def log_file(self) -> Path:
        return self.root / "worker.log"

    def start(self) -> Machine:
        for folder in (self.tmp, self.root / "home", self.root / "work"):
            folder.mkdir(parents=True, exist_ok=True)
        env = {
            **self.env,
            "TMPDIR": str(self.tmp),
            "HOME": str(self.root / "home"),
            "PHOTOREEL_LOG_FORMAT": "json",
        }
        env.pop("PHOTOREEL_SCRATCH_DIR", None)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [PHOTOREEL, "worker", *self.command, "--name", f"{self.name}@fleet"],
                cwd=self.root / "work",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: lost as a whole
            )
        wait_until(self.ready, timeout=READY_SECONDS, what=f"{self.name} to be ready", poll=0.2)
        return self

    def ready(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log()[-3000:]
        self.pids |= group_pids(self.process.pid)
        return any('"worker ready"' in line for line in self.log().splitlines())

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def lose(self) -> None:
        """The machine dies: its worker, pool and ffmpeg, all at once."""
        assert self.process is not None
        self.pids |= group_pids(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def scratch_folders(self) -> list[str]:
        root = self.tmp / ROOT_NAME
        return sorted(path.name for path in root.iterdir()) if root.is_dir() else []


def group_pids(group: int) -> set[int]:
    """The processes of a process group, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == group:  # state, ppid, pgrp, …
            found.add(int(entry.name))
    return found


def running_stages(store: JobStore, job_ids: list[str], machine: Machine) -> set[tuple[str, str]]:
    """(job, stage) of each stage ``machine`` claimed and has not ended: the job is running,
    owned by one of its processes (its lease may have run out meanwhile, if it was lost)."""
    found = set()
    for job_id in job_ids:
        status, owner, stage = store.redis.hmget(
            f"photoreel:job:{job_id}", "status", "owner", "stage"
        )
        if status == b"running" and owner and int(owner.decode().rsplit(":", 1)[1]) in machine.pids:
            found.add((job_id, stage.decode()))
    return found


def stage_machines(job_log: str, machines: list[Machine]) -> dict[str, set[str]]:
    """From a job's log.jsonl: which machines started each of its stages."""
    by_pid = {pid: machine.name for machine in machines for pid in machine.pids}
    ran: dict[str, set[str]] = {}
    for line in job_log.splitlines():
        event = json.loads(line)
        if event.get("event") == "stage started":
            pid = int(str(event["worker"]).rsplit(":", 1)[1])
            ran.setdefault(event["stage"], set()).add(by_pid.get(pid, f"unknown pid {pid}"))
    return ran
