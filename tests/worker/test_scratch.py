import os
from pathlib import Path
from typing import IO

import pytest

from worker.scratch import (
    IN_USE,
    STRANGER_GRACE_SECONDS,
    cached_folders,
    folder_in_use,
    parse_folder_name,
    remove_unused,
    sweep,
)

TOKEN_A, TOKEN_B, TOKEN_C = "a" * 12, "b" * 12, "c" * 12


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
        assert (folder / "video.mp4").is_file()
    assert remove_unused(folder)
    assert not folder.exists()


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

    monkeypatch.setattr("worker.scratch.open", a_sweep_wins_the_first_race, raising=False)
    with folder_in_use(folder) as held:
        (held / "photo.npy").write_bytes(b"p")
        assert not remove_unused(folder)
    assert len(opened) == 1
    assert (folder / "photo.npy").is_file()


def test_sweep_removes_finished_jobs_and_keeps_those_under_way(tmp_path: Path) -> None:
    running = job_folder(tmp_path, "running", TOKEN_A)
    finished = job_folder(tmp_path, "finished", TOKEN_A)
    remade = job_folder(tmp_path, "remade", TOKEN_A)
    held = job_folder(tmp_path, "held", TOKEN_A)
    asked: list[list[str]] = []

    def tokens(job_ids: list[str]) -> dict[str, str | None]:
        asked.append(job_ids)
        return {"running": TOKEN_A, "finished": None, "remade": TOKEN_B, "held": None}

    with folder_in_use(held):
        removed = sweep(tmp_path, tokens, max_bytes=10**9, now=2000)
    assert sorted(removed) == sorted([finished, remade])
    assert running.is_dir() and held.is_dir()
    assert asked == [["finished", "held", "remade", "running"]]  # one question for all


def test_folders_of_unknown_jobs_stay_for_a_grace_time(tmp_path: Path) -> None:
    other_run = job_folder(tmp_path, "other-run", TOKEN_C, used=1000)
    assert sweep(tmp_path, lambda _ids: {}, max_bytes=10**9, now=1000 + 60) == []
    late = 1000 + STRANGER_GRACE_SECONDS + 1
    assert sweep(tmp_path, lambda _ids: {}, max_bytes=10**9, now=late) == [other_run]


def test_sweep_keeps_the_cache_under_its_size_least_recently_used_first(tmp_path: Path) -> None:
    oldest = job_folder(tmp_path, "oldest", TOKEN_A, size=400, used=100)
    middle = job_folder(tmp_path, "middle", TOKEN_A, size=400, used=200)
    newest = job_folder(tmp_path, "newest", TOKEN_A, size=400, used=300)
    live = {"oldest": TOKEN_A, "middle": TOKEN_A, "newest": TOKEN_A}
    with folder_in_use(oldest):  # in use: skipped, the next one goes instead
        removed = sweep(tmp_path, lambda _ids: dict(live), max_bytes=900, now=400)
    assert removed == [middle]
    assert oldest.is_dir() and newest.is_dir()
    assert [folder.job_id for folder in cached_folders(tmp_path)] == ["newest", "oldest"]


def test_sweep_of_a_missing_root_does_nothing(tmp_path: Path) -> None:
    assert sweep(tmp_path / "none", lambda _ids: {}, max_bytes=0) == []
