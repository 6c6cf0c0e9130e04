import json
from pathlib import Path

from worker.files.bucket import open_bucket
from worker.job.states import JobStatus
from worker.outputs.summary import build_summary, render_page, write_batch_summary


def report(job_id: str, status: str, prompt: str, batch: str = "b1") -> dict:
    succeeded = status == "succeeded"
    files = {"report": f"{job_id}/report.json"}
    if succeeded:
        files |= {"video": f"{job_id}/video.mp4", "poster": f"{job_id}/poster.jpg"}
    return {
        "job_id": job_id,
        "batch": batch,
        "status": status,
        "spec": {"prompt": prompt},
        "stages": {"seconds": {"session": 0.5, "upload": 1.0}},
        "output": {
            "files": files,
            "probe": {
                "width": 1280,
                "height": 720,
                "fps": 30.0,
                "duration": 4.0,
                "container": "mp4",
            }
            if succeeded
            else None,
        },
        "error": None
        if succeeded
        else {"message": "cannot decode", "file": "broken.jpg", "stage": "upload"},
    }


def test_summary_is_written_once_every_report_is_there(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path))
    bucket.put_bytes("a/report.json", json.dumps(report("a", "succeeded", "calm")).encode())
    statuses = {"a": JobStatus.SUCCEEDED, "b": JobStatus.FAILED}
    assert not write_batch_summary(bucket, "b1", statuses, require_every_report=True)
    assert not (tmp_path / "batches").exists()
    bucket.put_bytes("b/report.json", json.dumps(report("b", "failed", "fast")).encode())
    assert write_batch_summary(bucket, "b1", statuses, require_every_report=True)

    summary = json.loads((tmp_path / "batches" / "b1" / "summary.json").read_text())
    assert summary["counts"] == {"succeeded": 1, "failed": 1}
    first, second = summary["jobs"]
    assert first["files"]["video"] == "a/video.mp4" and first["seconds"]["total"] == 1.5
    assert second["error"]["file"] == "broken.jpg"
    page = (tmp_path / "batches" / "b1" / "index.html").read_text()
    assert 'src="../../a/poster.jpg"' in page and 'src="../../a/video.mp4"' in page
    assert "upload · broken.jpg: cannot decode" in page
    latest = (tmp_path / "index.html").read_text()
    assert 'src="a/video.mp4"' in latest and 'href="batches/b1/summary.json"' in latest


def test_run_writes_a_summary_even_when_a_report_is_missing(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path))
    statuses = {"lost": JobStatus.SUCCEEDED, "waiting": JobStatus.PARKED}
    assert write_batch_summary(bucket, "b2", statuses, require_every_report=False)
    summary = json.loads((tmp_path / "batches" / "b2" / "summary.json").read_text())
    assert [job["status"] for job in summary["jobs"]] == ["missing", "parked"]


def test_another_runs_report_does_not_speak_for_this_batch(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path))
    other = report("a", "succeeded", "calm", batch="winner")
    bucket.put_bytes("a/report.json", json.dumps(other).encode())
    assert write_batch_summary(bucket, "loser", {"a": JobStatus.FAILED}, require_every_report=False)
    summary = json.loads((tmp_path / "batches" / "loser" / "summary.json").read_text())
    assert [job["status"] for job in summary["jobs"]] == ["missing"]
    assert not write_batch_summary(
        bucket, "loser", {"a": JobStatus.FAILED}, require_every_report=True
    )


def test_page_escapes_what_users_wrote() -> None:
    reports = {"x": report("x", "succeeded", "<script>alert(1)</script>")}
    summary = build_summary("b3", {"x": JobStatus.SUCCEEDED}, reports)
    page = render_page(summary, root="")
    assert "<script>" not in page and "&lt;script&gt;" in page
