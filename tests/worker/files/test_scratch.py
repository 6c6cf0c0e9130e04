import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from worker.files.scratch import (
    IN_USE,
    STRANGER_GRACE_SECONDS,
    cached_folders,
    folder_in_use,
    parse_folder_name,
    remove_unused,
    sweep,
)

TOKEN_A, TOKEN_B, TOKEN_C = "a" * 12, "b" * 12, "c" * 12
HOLD_THEN_EXIT = """
import sys, time
from pathlib import Path
from worker.files.scratch import folder_in_use
with folder_in_use(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(0.5)
"""


def job_folder(root: Path, job_id: str, token: str, size: int = 10, used: float = 1000) -> Path:
    folder = root / f"{job_id}-{token}"
    with folder_in_use(folder):
        (folder / "photo.npy").write_bytes(b"x" * size)
    os.utime(folder / IN_USE, (used, used))
    return folder


def test_folder_names_carry_job_id_and_token() -> None:
    assert parse_folder_name(f"summer-sale-{TOKEN_A}") == ("summer-sale", TOKEN_A)
    assert parse_folder_name("summer-sale") is None
    assert parse_folder_name(f"-{TOKEN_A}") is None


def test_a_folder_in_use_is_never_removed(tmp_path: Path) -> None:
    folder = tmp_path / f"job-{TOKEN_A}"
    with folder_in_use(folder) as held:
        (held / "video.mp4").write_bytes(b"v")
        assert not remove_unused(folder)
        assert not remove_unused(folder, wait=0.2)
        assert (folder / "video.mp4").is_file()
    assert remove_unused(folder)
    assert not folder.exists()
    assert remove_unused(folder)  # already gone


def test_a_folder_is_removed_once_a_dying_holder_lets_go(tmp_path: Path) -> None:
    folder = tmp_path / f"job-{TOKEN_A}"
    holding = subprocess.Popen(
        [sys.executable, "-c", HOLD_THEN_EXIT, str(folder)], stdout=subprocess.PIPE
    )
    assert holding.stdout is not None and holding.stdout.readline() == b"held\n"
    assert not remove_unused(folder)
    assert remove_unused(folder, wait=10)
    assert holding.wait() == 0 and not folder.exists()


def test_a_folder_removed_before_its_lock_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / f"job-{TOKEN_A}"
    opened: list[object] = []

    def a_sweep_wins_the_first_race(path: object, mode: str) -> IO[bytes]:
        handle = open(path, mode)  # noqa: SIM115 - returned
        if not opened:
            opened.append(path)
            monkeypatch.undo()
            assert remove_unused(folder)
        return handle

    monkeypatch.setattr("worker.files.scratch.open", a_sweep_wins_the_first_race, raising=False)
    with folder_in_use(folder) as held:
        (held / "photo.npy").write_bytes(b"p")
        assert not remove_unused(folder)
    assert len(opened) == 1
    assert (folder / "photo.npy").is_file()


def test_sweep_removes_finished_jobs_and_keeps_those_under_way(tmp_path: Path) -> None:
    running = job_folder(tmp_path, "running", TOKEN_A)
    finished = job_folder(tmp_path, "finished", TOKEN_A)
    held = job_folder(tmp_path, "held", TOKEN_A)
    asked: list[list[str]] = []

    def tokens(job_ids: list[str]) -> dict[str, tuple[str, bool]]:
        asked.append(job_ids)
        return {"running": (TOKEN_A, False), "finished": (TOKEN_A, True), "held": (TOKEN_A, True)}

    with folder_in_use(held):
        removed = sweep(tmp_path, tokens, max_bytes=10**9, now=2000)
    assert removed == [finished]
    assert running.is_dir() and held.is_dir()
    assert asked == [["finished", "held", "running"]]  # one question for all


def test_folders_of_records_this_redis_does_not_hold_stay_for_a_grace_time(
    tmp_path: Path,
) -> None:
    """Another run on this machine (its own Redis) may be making a job of the same id."""
    other_run = job_folder(tmp_path, "other-run", TOKEN_C, used=1000)
    same_id = job_folder(tmp_path, "summer-sale", TOKEN_B, used=1000)
    tokens = {"summer-sale": (TOKEN_A, True)}  # this Redis's own summer-sale finished
    assert sweep(tmp_path, lambda _ids: dict(tokens), max_bytes=10**9, now=1000 + 60) == []
    late = 1000 + STRANGER_GRACE_SECONDS + 1
    removed = sweep(tmp_path, lambda _ids: dict(tokens), max_bytes=10**9, now=late)
    assert sorted(removed) == sorted([other_run, same_id])


def test_sweep_keeps_the_cache_under_its_size_least_recently_used_first(tmp_path: Path) -> None:
    oldest = job_folder(tmp_path, "oldest", TOKEN_A, size=400, used=100)
    middle = job_folder(tmp_path, "middle", TOKEN_A, size=400, used=200)
    newest = job_folder(tmp_path, "newest", TOKEN_A, size=400, used=300)
    live = {name: (TOKEN_A, False) for name in ("oldest", "middle", "newest")}
    with folder_in_use(oldest):  # in use: skipped, the next one goes instead
        removed = sweep(tmp_path, lambda _ids: dict(live), max_bytes=900, now=400)
    assert removed == [middle]
    assert oldest.is_dir() and newest.is_dir()
    assert [folder.job_id for folder in cached_folders(tmp_path)] == ["newest", "oldest"]


def test_sweep_of_a_missing_root_does_nothing(tmp_path: Path) -> None:
    assert sweep(tmp_path / "none", lambda _ids: {}, max_bytes=0) == []
