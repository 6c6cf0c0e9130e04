"""`photoreel run --backend nemo` against the stub over real HTTP, with real workers."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import make_photo
from tests.integration.nemo_env import point_workers_at
from worker.backends.nemo.stub import FakeConfig, running
from worker.backends.nemo.stub.world import QUESTION, REFUSAL
from worker.media.ffmpeg import run_ffmpeg
from worker.media.probe import probe_video

pytestmark = pytest.mark.integration
PHOTOREEL = str(Path(sys.executable).parent / "photoreel")

FAULTY_SETS = (
    "a-nemofault-rate-limit-nemofault-silent",
    "b-nemofault-drop-stream",
    "c-nemofault-slow-stage2-nemofault-expire-token",
    "d-nemofault-render-fails-first",
    "e-nemofault-output-unreachable",
)


def config(credits: int) -> FakeConfig:
    stub = fast_config()
    stub.initial_credits = credits
    return stub


def test_mixed_faults_five_videos_five_charges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    for index, name in enumerate(FAULTY_SETS):
        for photo in range(2):
            make_photo(inbox / name / f"{photo}.jpg", size=(160, 120), seed=index * 10 + photo)
        (inbox / name / "prompt.txt").write_text("A 6-second promo, 9:16, title 'Sale'")
    out = tmp_path / "out"
    with running(config(credits=1000)) as fake:
        variables = point_workers_at(fake, tmp_path / "home", monkeypatch)
        result = subprocess.run(
            [PHOTOREEL, "run", str(inbox), "--backend", "nemo", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        stats = fake.stats()
        tokens = list(fake.world.tokens)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert stats["total_charges"] == 5 and set(stats["charges"].values()) == {1}
    assert stats["mistakes"] == []
    for name in FAULTY_SETS:
        report = json.loads((out / name / "report.json").read_text())
        assert report["status"] == "succeeded"
        assert report["backend"]["name"] == "nemo"
        assert report["backend"]["session_id"] and report["backend"]["task_link"]
        assert report["timeline"]["summary"].startswith("Timeline (")
        assert (out / name / "video.mp4").read_bytes()[4:8] == b"ftyp"
    client_id = Path(variables["HOME"]) / ".config" / "nemovideo" / "client_id"
    assert stat.S_IMODE(client_id.stat().st_mode) == 0o600
    written = output + "".join(path.read_text() for path in out.rglob("report.json"))
    assert tokens and not any(token in written for token in tokens)


def make_folders(inbox: Path, names: list[str]) -> None:
    for index, name in enumerate(names):
        for photo in range(2):
            make_photo(inbox / name / f"{photo}.jpg", size=(160, 120), seed=index * 10 + photo)
        (inbox / name / "prompt.txt").write_text("A 6-second promo, 9:16, title 'Sale'")


def run(inbox: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PHOTOREEL, "run", str(inbox), "--backend", "nemo", "--out", str(out), *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_five_and(
    odd: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, int, dict[str, Any], dict[str, dict[str, Any]], list[str]]:
    """Run five plain folders and ``odd`` against the stub: the run's output and exit code, the
    stub's books, every report by folder and every token the stub issued."""
    names = [f"set{index}" for index in range(5)] + [odd]
    make_folders(tmp_path / "inbox", names)
    out = tmp_path / "out"
    with running(config(credits=1000)) as fake:
        point_workers_at(fake, tmp_path / "home", monkeypatch)
        result = run(tmp_path / "inbox", out)
        stats = fake.stats()
        tokens = list(fake.world.tokens)
    output = result.stdout + result.stderr
    output += "".join(path.read_text() for path in out.rglob("*.json"))
    reports = {name: json.loads((out / name / "report.json").read_text()) for name in names}
    return output, result.returncode, stats, reports, tokens


def test_a_question_is_answered_once_and_every_folder_gets_its_video(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = "asked-nemofault-asks-question"
    output, code, stats, reports, tokens = run_five_and(odd, tmp_path, monkeypatch)
    assert code == 0, output
    assert stats["total_charges"] == 6 and stats["mistakes"] == []
    assert all(report["status"] == "succeeded" for report in reports.values())
    assert all(report["backend"]["agent_said"] for report in reports.values())
    asked = reports[odd]["backend"]
    assert asked["agent_said"][0] == QUESTION and asked["answer_sent"]
    assert sum(report["credits"]["charges"] for report in reports.values()) == 6
    assert tokens and not any(token in output for token in tokens)


def test_two_runs_ask_for_one_token_in_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for batch in ("first", "second"):
        make_folders(tmp_path / batch, [f"{batch}-{index}" for index in range(5)])
    with running(config(credits=1000)) as fake:
        point_workers_at(fake, tmp_path / "home", monkeypatch)
        first = run(tmp_path / "first", tmp_path / "out")
        second = run(tmp_path / "second", tmp_path / "out")
        stats = fake.stats()
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert stats["token_requests"] == 1 and stats["total_charges"] == 10
    assert stats["mistakes"] == []


def test_webm_is_delivered_and_the_music_file_uploaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_folders(tmp_path / "inbox", ["with-music"])
    music = tmp_path / "inbox" / "with-music" / "theme.wav"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", music])
    out = tmp_path / "out"
    with running(config(credits=1000)) as fake:
        point_workers_at(fake, tmp_path / "home", monkeypatch)
        result = run(tmp_path / "inbox", out, "--container", "webm")
        uploaded = [
            item["filename"] for session in fake.world.sessions.values() for item in session.files
        ]
        prompts = [session.prompt for session in fake.world.sessions.values()]
        stats = fake.stats()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "theme.wav" in uploaded and stats["mistakes"] == []
    assert any('uploaded audio file "theme.wav"' in prompt for prompt in prompts)
    video = out / "with-music" / "video.webm"
    assert probe_video(video).video_codec == "vp9"
    report = json.loads((out / "with-music" / "report.json").read_text())
    assert report["backend"]["delivered"]["container"] == "webm"
    assert report["output"]["probe"]["container"] == "webm"
    assert report["warnings"], "the stub's 160x120 clip is not the asked 1080x1920"
    assert "with-music: size 160x120" in result.stdout + result.stderr


def test_a_refusal_ends_with_five_videos_and_one_failure_in_the_agents_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = "refused-nemofault-refuses"
    output, code, stats, reports, tokens = run_five_and(odd, tmp_path, monkeypatch)
    assert code != 0 and odd in output
    assert stats["total_charges"] == 5 and stats["mistakes"] == []
    assert len(list((tmp_path / "out").glob("*/video.mp4"))) == 5
    failed = reports.pop(odd)
    assert failed["status"] == "failed"
    assert REFUSAL in failed["error"]["message"] and failed["backend"]["agent_said"] == [REFUSAL]
    assert failed["credits"]["charges"] == 0
    assert all(report["credits"]["charges"] == 1 for report in reports.values())
    assert tokens and not any(token in output for token in tokens)
