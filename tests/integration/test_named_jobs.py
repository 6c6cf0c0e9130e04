"""Jobs the user named are each made, whatever they share; and what a job asked for but did
not get is said in the run's summary and in its report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_photo
from tests.integration.test_run import decoded_frames, photoreel

pytestmark = pytest.mark.integration


def test_two_named_jobs_of_the_same_photos_and_prompt_are_both_made(tmp_path: Path) -> None:
    for index in range(2):
        make_photo(tmp_path / "photos" / f"{index}.jpg", seed=index)
    manifest = tmp_path / "copies.yaml"
    title = " ".join(["Sale"] * 60)  # 299 characters
    manifest.write_text(
        f"defaults: {{prompt: \"2 seconds, square, no music, title '{title}'\"}}\n"
        "jobs:\n"
        "  - {id: copy-a, photos: [photos/*.jpg]}\n"
        "  - {id: copy-b, photos: [photos/*.jpg]}\n"
    )
    out = tmp_path / "out"

    result = photoreel("run", str(manifest), "--out", str(out), "--resolution", "720p")

    assert result.returncode == 0, result.stderr
    warning = (
        "title cut from 299 to 199 characters (the limit is 200): now ends '…Sale Sale Sale Sale'"
    )
    for job_id in ("copy-a", "copy-b"):
        report = json.loads((out / job_id / "report.json").read_text())
        assert report["job_id"] == job_id and report["status"] == "succeeded"
        assert report["warnings"] == [warning]
        assert report["plan"]["title"] == " ".join(["Sale"] * 40)
        assert decoded_frames(out / job_id / "video.mp4") == 2 * 30
        assert f"✓ {job_id}" in result.stderr
        assert f"! {job_id}: {warning}" in result.stderr
