#!/usr/bin/env python3
"""``make deploy-smoke``: the compose deployment run for real, on this machine's Docker engine.

It builds the image with ``docker-compose.yml``'s own build section, brings the stack up in a
throwaway project folder (a copy of the compose file, a ``.env``, ``inbox/`` and ``out/``),
drops a photo folder into the inbox as an operator would and waits for its video; then drops a
longer one, kills the worker container rendering it and checks that the other worker finishes
the job, with one report. It checks who owns the outputs, brings the stack down (volumes too)
and prints what it checked and how long the build and the first video took.

Only the standard library: it runs with any Python 3.11 before ``make setup``. Exit codes:
0 every check held, 1 a check missed, 2 no Docker engine or no Compose v2 to run it with.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
IMAGE = "photoreel:smoke"
TEST_UID = 4242
"""The user the containers run as when the smoke runs as root (as for any operator, not root)."""
SETTINGS = {
    # A killed worker's stage is taken over after its lease: short, so the smoke is quick.
    "PHOTOREEL_LEASE_SECONDS": "10",
    "PHOTOREEL_RECONCILE_SECONDS": "5",
    "PHOTOREEL_INBOX_SETTLE_SECONDS": "2",
}
FIRST = ("summer-sale", None)
SECOND = ("weekend-trip", "A 40-second calm highlight reel with soft cross-dissolve transitions")
"""Photo folders of ``examples/`` and the prompt that replaces theirs: the second one renders
long enough for its worker to be killed mid-render."""
RENDER_STAGES = ("upload", "generate", "complete", "export")
UP_TIMEOUT = 300
STATE_FORMAT = "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"
JOB_TIMEOUT = 900


class Unavailable(Exception):
    """No engine or no Compose v2: the smoke cannot run here (exit 2)."""


class Checks:
    """What was checked, printed as it goes and summed up at the end."""

    def __init__(self) -> None:
        self.results: list[tuple[bool, str]] = []

    def check(self, ok: bool, what: str) -> bool:
        self.results.append((ok, what))
        print(f"  {'ok  ' if ok else 'MISS'} {what}", flush=True)
        return ok

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(ok for ok, _ in self.results)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def compose_command() -> list[str]:
    """Docker Compose v2, as the docker CLI plugin or the docker-compose binary, with a running
    engine behind it."""
    if shutil.which("docker") is None:
        raise Unavailable("no docker command on PATH")
    if run(["docker", "info"]).returncode != 0:
        raise Unavailable("no Docker engine answers `docker info`")
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        version = run([*command, "version", "--short"])
        if version.returncode == 0 and version.stdout.strip().lstrip("v").startswith("2"):
            return command
    raise Unavailable("no Docker Compose v2 (`docker compose` or `docker-compose`) on PATH")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def owner() -> tuple[int, int]:
    """The invoking user, or a test user when that is root."""
    if os.getuid() == 0:
        return TEST_UID, TEST_UID
    return os.getuid(), os.getgid()


class Stack:
    """The compose project in its throwaway folder."""

    def __init__(self, compose: list[str], folder: Path, uid: int, gid: int) -> None:
        self.folder = folder
        self.uid, self.gid = uid, gid
        self.name = f"photoreel-smoke-{os.getpid()}"
        self.compose = [*compose, "--project-name", self.name]
        self.login = f"smoke:{secrets.token_hex(8)}"
        self.flower_port = free_port()
        shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
        settings = {
            "FLOWER_BASIC_AUTH": self.login,
            "FLOWER_PORT": str(self.flower_port),
            "PHOTOREEL_UID": str(uid),
            "PHOTOREEL_GID": str(gid),
            "PHOTOREEL_IMAGE": IMAGE,
            "PHOTOREEL_BUILD_NETWORK": "host",
            **SETTINGS,
        }
        (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        for name in ("inbox", "out"):
            (folder / name).mkdir()
            os.chown(folder / name, uid, gid)
        self.inbox, self.out = folder / "inbox", folder / "out"

    def __call__(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = run([*self.compose, *arguments], cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(arguments[:2])} failed:\n{done.stderr.strip()}")
        return done

    def build(self) -> float:
        """Build the image with the compose file's build section (the sources' folder as its
        context, the host network); the seconds it took."""
        started = time.monotonic()
        sources = ["--project-directory", str(ROOT), "--env-file", str(self.folder / ".env")]
        built = run([*self.compose, *sources, "build", "worker"])
        said = built.stdout + built.stderr
        if built.returncode != 0 or not re.search(r"^\s*worker\s+Built\s*$", said, re.M):
            # (some docker-compose wrappers exit 0 whatever the binary they run says)
            raise RuntimeError(f"the image did not build:\n{said[-3000:]}")
        return time.monotonic() - started

    def containers(self, service: str) -> list[str]:
        return self("ps", "--quiet", service).stdout.split()

    def drop(self, example: str, prompt: str | None) -> tuple[str, float]:
        """Copy an example photo folder in under a hidden name and rename it into place, as
        README's watch section says; its name and when it was dropped."""
        name = f"{example}-{secrets.token_hex(3)}"
        hidden = self.inbox / f".{name}"
        shutil.copytree(EXAMPLES / example, hidden)
        if prompt is not None:
            (hidden / "prompt.txt").write_text(prompt + "\n")
        for path in [hidden, *hidden.rglob("*")]:
            os.chown(path, self.uid, self.gid)
        hidden.rename(self.inbox / name)
        return name, time.time()

    def job_folder(self, name: str) -> Path | None:
        """The job's output folder: the watcher names the job after the folder plus a digest."""
        found = [path for path in self.out.glob(f"{name}-*") if path.is_dir()]
        return found[0] if len(found) == 1 else None

    def states(self) -> dict[str, str]:
        """Each container of the project by name: its state, and its health where it has a
        check ("running/healthy")."""
        found = {}
        for container in self("ps", "--all", "--quiet").stdout.split():
            name, *state = run(
                ["docker", "inspect", "--format", STATE_FORMAT, container]
            ).stdout.split()
            found[name.lstrip("/").removeprefix(f"{self.name}-")] = "/".join(state)
        return found

    def down(self) -> None:
        self("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)


def wait_for(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")


def log_lines(container: str) -> Iterator[dict[str, Any]]:
    """The container's JSON log lines (PHOTOREEL_LOG_FORMAT=json)."""
    logs = subprocess.run(
        ["docker", "logs", container], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    for line in logs.stdout.splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def hostname(container: str) -> str:
    return run(["docker", "inspect", "--format", "{{.Config.Hostname}}", container]).stdout.strip()


def finished(stack: Stack, name: str) -> tuple[Path, dict[str, Any]] | None:
    """The job's folder and report once the report and the folder in ``done/`` are there."""
    folder = stack.job_folder(name)
    if folder is None or not (folder / "report.json").is_file():
        return None
    if not (stack.inbox / "done" / name).is_dir() and not (stack.inbox / "failed" / name).exists():
        return None
    return folder, json.loads((folder / "report.json").read_text())


def check_video(checks: Checks, folder: Path, report: dict[str, Any]) -> None:
    """The report says succeeded and its probe, read back from the file, is a sane video."""
    status = report.get("status")
    error = (report.get("error") or {}).get("message")
    checks.check(status == "succeeded", f"{folder.name}: report status {status} {error or ''}")
    video = folder / "video.mp4"
    probe = (report.get("output") or {}).get("probe") or {}
    planned = (report.get("plan") or {}).get("duration_s")
    checks.check(
        video.is_file() and probe.get("size") == video.stat().st_size,
        f"{folder.name}: video.mp4 of {video.stat().st_size if video.is_file() else 0} bytes, "
        f"as the report's probe says",
    )
    sane = (
        probe.get("video_codec") == "h264"
        and (probe.get("width") or 0) > 0
        and (probe.get("height") or 0) > 0
        and (probe.get("frames") or 0) > 0
        and isinstance(planned, int | float)
        and abs(float(probe.get("duration") or 0) - planned) < 0.5
    )
    summary = {key: probe.get(key) for key in ("video_codec", "width", "height", "fps", "frames")}
    checks.check(sane, f"{folder.name}: probe {summary}, {probe.get('duration')}s of {planned}s")
    checks.check((folder / "poster.jpg").is_file(), f"{folder.name}: poster.jpg written")


def first_video(stack: Stack, checks: Checks) -> float:
    """A dropped folder becomes a video; the seconds from the drop to the video written."""
    name, dropped = stack.drop(*FIRST)
    print(f"dropped inbox/{name}", flush=True)
    folder, report = wait_for(f"the video of {name}", lambda: finished(stack, name), JOB_TIMEOUT)
    written = (folder / "video.mp4").stat().st_mtime if (folder / "video.mp4").exists() else 0
    check_video(checks, folder, report)
    checks.check((stack.inbox / "done" / name).is_dir(), f"inbox/done/{name} filed")
    return written - dropped


def rendering_on(stack: Stack, name: str) -> tuple[str, str, str, str] | None:
    """(container, worker, job id, stage) of the job's render stage under way, once the
    container's log says a render stage started for it."""
    for container in stack.containers("worker"):
        for line in log_lines(container):
            job_id = str(line.get("job_id", ""))
            if (
                line.get("event") == "stage started"
                and job_id.startswith(f"{name}-")
                and line.get("stage") == "export"
            ):
                return container, str(line["worker"]), job_id, str(line["stage"])
    return None


def killed_mid_render(stack: Stack, checks: Checks) -> None:
    """Kill the worker container rendering a job: the other one finishes it, with one report."""
    name, _ = stack.drop(*SECOND)
    print(f"dropped inbox/{name} (a longer render)", flush=True)
    container, worker, job_id, stage = wait_for(
        f"a worker rendering {name}", lambda: rendering_on(stack, name), JOB_TIMEOUT
    )
    time.sleep(2)  # well into the render
    lease_owner = stack(
        "exec", "-T", "redis", "redis-cli", "HGET", f"photoreel:job:{job_id}", "owner"
    ).stdout.strip()
    checks.check(
        worker.split(":")[0] == hostname(container) and lease_owner == worker,
        f"{job_id}: {stage} runs in container {container[:12]} ({worker}, the lease owner)",
    )
    run(["docker", "kill", container], check=True)
    print(f"killed container {container[:12]} mid-{stage}", flush=True)
    folder, report = wait_for(
        f"the video of {name} after the kill", lambda: finished(stack, name), JOB_TIMEOUT
    )
    check_video(checks, folder, report)
    attempts = (report.get("stages") or {}).get("attempts") or {}
    checks.check(
        attempts.get(stage, 0) >= 2, f"{job_id}: the report counts {stage} attempts {attempts}"
    )
    log = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines() if line]
    starts = [line for line in log if line.get("event") == "stage started"]
    killed_at = max(index for index, line in enumerate(starts) if line["worker"] == worker)
    others = {line["worker"].split(":")[0] for line in starts[killed_at + 1 :]}
    survivors = {hostname(other) for other in stack.containers("worker") if other != container}
    checks.check(
        bool(others) and others <= survivors,
        f"{job_id}: finished on the other worker {sorted(others)}",
    )
    reports = list(stack.out.glob(f"{name}-*/report.json"))
    checks.check(len(reports) == 1, f"{name}: one job folder, one report ({len(reports)})")
    checks.check((stack.inbox / "done" / name).is_dir(), f"inbox/done/{name} filed")


def owned_by(stack: Stack, checks: Checks) -> None:
    strangers = [
        path.relative_to(stack.out)
        for path in [stack.out, *stack.out.rglob("*")]
        if (path.lstat().st_uid, path.lstat().st_gid) != (stack.uid, stack.gid)
    ]
    total = sum(1 for _ in stack.out.rglob("*"))
    checks.check(
        not strangers,
        f"./out: all {total} files and folders belong to {stack.uid}:{stack.gid}"
        + (f"; not: {[str(path) for path in strangers[:5]]}" if strangers else ""),
    )


def flower_needs_login(stack: Stack, checks: Checks) -> None:
    url = f"http://127.0.0.1:{stack.flower_port}/"

    def status(headers: dict[str, str]) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10):
                return 200
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    login = {"Authorization": "Basic " + b64encode(stack.login.encode()).decode()}
    codes = wait_for("Flower", lambda: (status({}), status(login)) if status(login) else None, 60)
    checks.check(codes == (401, 200), f"Flower: {codes[0]} without the login, {codes[1]} with it")


def base_image() -> str:
    """The image the Dockerfile's last stage starts from."""
    froms = [
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.upper().startswith("FROM ")
    ]
    return froms[-1]


def smoke(compose: list[str], folder: Path) -> tuple[Checks, dict[str, float]]:
    uid, gid = owner()
    stack = Stack(compose, folder, uid, gid)
    checks, timings = Checks(), {}
    previous = run(["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE]).stdout.strip()
    print(f"building {IMAGE} (docker-compose.yml's build section, host network)", flush=True)
    timings["image build"] = stack.build()
    built = run(["docker", "image", "inspect", "--format", "{{.Id}} {{.Size}}", IMAGE]).stdout
    image_id, size = built.split()
    if previous and previous != image_id:
        run(["docker", "image", "rm", previous])  # this smoke's previous build, now untagged
    base = base_image()
    base_size = run(["docker", "image", "inspect", "--format", "{{.Size}}", base]).stdout.strip()
    added = f", {(int(size) - int(base_size)) / 1e6:.0f} MB over {base}" if base_size else ""
    print(f"image {IMAGE}: {int(size) / 1e6:.0f} MB{added}; starting the stack", flush=True)
    try:
        started = time.monotonic()
        stack("up", "--detach", "--no-build", "--wait", "--wait-timeout", str(UP_TIMEOUT))
        timings["stack up, healthy"] = time.monotonic() - started
        states = stack.states()
        checks.check(
            len(states) == 6
            and all(state in ("running", "running/healthy") for state in states.values()),
            f"{len(states)} containers up, those with a health check healthy: {states}",
        )
        checks.check(len(stack.containers("worker")) == 2, "two worker replicas")
        flower_needs_login(stack, checks)
        timings["folder dropped to video written"] = first_video(stack, checks)
        killed_mid_render(stack, checks)
        owned_by(stack, checks)
    except (TimeoutError, RuntimeError, subprocess.CalledProcessError) as error:
        checks.check(False, str(error))
        print(stack("logs", "--tail", "40", "--no-color", check=False).stdout[-8000:])
    finally:
        stack.down()
        left = stack("ps", "--all", "--quiet", check=False).stdout.split()
        checks.check(not left, "stack down: no container left" + (f" ({left})" if left else ""))
    return checks, timings


def main() -> int:
    try:
        compose = compose_command()
    except Unavailable as why:
        print(f"deploy-smoke: cannot run: {why}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="photoreel-smoke-"))
    try:
        checks, timings = smoke(compose, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\ntimings:")
    for what, seconds in timings.items():
        print(f"  {what}: {seconds:.1f}s")
    missed = sum(1 for ok, _ in checks.results if not ok)
    print(f"\n{len(checks.results) - missed} checks held, {missed} missed")
    return 0 if checks.passed else 1


if __name__ == "__main__":
    sys.exit(main())
