"""Two self-contained `photoreel run` of the same folder into the same output, at once: each
has its own Redis and workers, so only the scratch folders and the bucket are shared."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_photo
from tests.integration.test_run import PHOTOREEL, decoded_frames

pytestmark = pytest.mark.integration
SECONDS, FPS = 3, 30


def start_run(photos: Path, out: Path, scratch: Path) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(TMPDIR=str(scratch), PHOTOREEL_WORKERS="1")
    return subprocess.Popen(
        [PHOTOREEL, "run", str(photos), "--out", str(out), "--resolution", "720p"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_runs_of_one_folder_never_lie(tmp_path: Path) -> None:
    photos = tmp_path / "set"
    for index in range(3):
        make_photo(photos / f"{index}.jpg", seed=index)
    (photos / "prompt.txt").write_text(f"{SECONDS} seconds, square, no music\n")
    out, scratch = tmp_path / "out", tmp_path / "scratch"
    scratch.mkdir()

    runs = [start_run(photos, out, scratch) for _ in range(2)]
    outcomes = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=600)
        outcomes.append((run.returncode, stdout + stderr))

    job = out / "set"
    report = json.loads((job / "report.json").read_text())
    video = job / "video.mp4"
    assert report["status"] == "succeeded", report["error"]
    assert decoded_frames(video) == SECONDS * FPS
    assert report["output"]["probe"]["size"] == video.stat().st_size
    for code, output in outcomes:
        assert "Traceback" not in output, output
        batch = re.search(r"batch (\S+): \d+ job", output)
        claimed = "✓ set" in output
        if claimed:  # it says it made the video: the report in the bucket must be its own
            assert batch is not None and report["batch"] == batch.group(1), output
            assert code == 0, output
        elif code == 0:  # success without making it: only as "already made"
            assert "already made" in output, output
        else:
            assert code == 1 and "another run" in output, output
    assert sum("✓ set" in output for _code, output in outcomes) == 1
    assert sorted(path.name for path in job.iterdir()) == ["poster.jpg", "report.json", "video.mp4"]
    leftovers = list((scratch / "photoreel-jobs").glob("set-*"))
    assert leftovers == [], "every scratch folder is removed when its job ends"
