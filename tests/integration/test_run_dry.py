"""`photoreel run --backend dry` on real Redis and real workers: every job planned, reported
and previewed as a contact sheet, nothing encoded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import assert_valid_report, make_photo
from tests.integration.test_run import photoreel

pytestmark = pytest.mark.integration


def test_a_dry_batch_writes_reports_timelines_and_contact_sheets(tmp_path: Path) -> None:
    shoots = tmp_path / "shoots"
    for name, prompt in (("beach", "4-second calm reel, 16:9"), ("shop", "6 s promo, 9:16")):
        for index in range(3):
            make_photo(shoots / name / f"{index}.jpg", seed=index)
        (shoots / name / "prompt.txt").write_text(prompt)
    out = tmp_path / "out"

    result = photoreel("run", str(shoots), "--backend", "dry", "--out", str(out))

    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("beach", "shop"):
        job = out / name
        assert sorted(path.name for path in job.iterdir()) == [
            "contact-sheet.jpg",
            "log.jsonl",
            "report.json",
        ]
        assert (job / "contact-sheet.jpg").read_bytes()[:2] == b"\xff\xd8"
        report = json.loads((job / "report.json").read_text())
        assert_valid_report(report)
        assert report["status"] == "succeeded" and report["backend"]["name"] == "dry"
        assert report["output"]["files"]["contact_sheet"] == f"{name}/contact-sheet.jpg"
        assert report["output"]["probe"] is None and report["credits"] is None
        assert report["timeline"]["summary"].startswith("Timeline (")
    summary = json.loads(next((out / "batches").glob("*/summary.json")).read_text())
    assert summary["counts"] == {"succeeded": 2}
    page = (out / "index.html").read_text()
    assert 'src="beach/contact-sheet.jpg"' in page


def test_a_prompt_saved_by_notepad_as_unicode_is_read_and_the_encoding_said(
    tmp_path: Path,
) -> None:
    shoot = tmp_path / "beach"
    for index in range(2):
        make_photo(shoot / f"{index}.jpg", seed=index)
    # Notepad's "Unicode": UTF-16 LE with a byte order mark, CRLF line endings
    (shoot / "prompt.txt").write_bytes(
        "5-second calm reel, 9:16\r\ntitle 'Été'\r\n".encode("utf-16")
    )
    out = tmp_path / "out"

    result = photoreel("run", str(shoot), "--backend", "dry", "--out", str(out))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    note = "prompt.txt was read as UTF-16 (BOM)"
    assert f"! beach: {note}" in result.stderr
    report = json.loads((out / "beach" / "report.json").read_text())
    assert_valid_report(report)
    assert (report["plan"]["duration_s"], report["plan"]["aspect"]) == (5.0, "9:16")
    assert report["plan"]["title"] == "Été"
    assert report["warnings"] == [note]
    summary = json.loads(next((out / "batches").glob("*/summary.json")).read_text())
    assert summary["jobs"][0]["warnings"] == [note]
    assert note in (out / "index.html").read_text()
