"""`photoreel run --backend nemo` against the stub over real HTTP, with real workers."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import make_photo
from tests.integration.nemo_env import point_workers_at
from worker.backends.nemo.stub import FakeConfig, running

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
