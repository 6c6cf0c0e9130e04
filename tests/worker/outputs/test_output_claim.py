import json
import time
from pathlib import Path

import pytest

from worker.files.bucket import LocalBucket
from worker.job.errors import OutputTaken
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus, Stage
from worker.outputs.output_claim import claim_output, mark_key, release_output


def state_of(batch: str, *, overwrite: bool = False) -> JobState:
    return JobState(
        spec=JobSpec(id="reel", photos=["/a.jpg"]),
        out="/out",
        batch=batch,
        status=JobStatus.RUNNING,
        stage=Stage.PUBLISH,
        epoch=7,
        error=None,
        error_file=None,
        parked_reason=None,
        created_at=0.0,
        updated_at=0.0,
        due_at=0.0,
        overwrite=overwrite,
    )


def finished_by(bucket: LocalBucket, batch: str) -> None:
    bucket.put_bytes(
        "reel/report.json", json.dumps({"status": "succeeded", "batch": batch}).encode()
    )


def test_one_run_at_a_time_publishes(tmp_path: Path) -> None:
    bucket = LocalBucket(tmp_path)
    claim_output(bucket, state_of("first"), stale_after=60)
    claim_output(bucket, state_of("first"), stale_after=60)  # its own retry goes on
    with pytest.raises(OutputTaken, match="another run \\(batch first\\) is publishing reel now"):
        claim_output(bucket, state_of("second"), stale_after=60)
    release_output(bucket, state_of("second"))  # not its mark: left alone
    assert bucket.exists(mark_key("reel"))
    release_output(bucket, state_of("first"))
    assert not bucket.exists(mark_key("reel"))


def test_another_runs_finished_output_is_kept_unless_overwrite(tmp_path: Path) -> None:
    bucket = LocalBucket(tmp_path)
    finished_by(bucket, "first")
    with pytest.raises(OutputTaken, match="made meanwhile by another run \\(batch first\\)"):
        claim_output(bucket, state_of("second"), stale_after=60)
    assert not bucket.exists(mark_key("reel")), "the mark is given back"
    claim_output(bucket, state_of("second", overwrite=True), stale_after=60)
    release_output(bucket, state_of("second"))
    claim_output(bucket, state_of("first"), stale_after=60)  # its own report: a redelivery


def test_a_dead_publishers_mark_is_taken_over(tmp_path: Path) -> None:
    bucket = LocalBucket(tmp_path)
    old = json.dumps({"batch": "crashed", "at": time.time() - 120}).encode()
    bucket.put_bytes(mark_key("reel"), old)
    claim_output(bucket, state_of("next"), stale_after=60)
    assert json.loads(bucket.read_bytes(mark_key("reel")) or b"")["batch"] == "next"


def test_put_new_lets_exactly_one_writer_in(tmp_path: Path) -> None:
    bucket = LocalBucket(tmp_path)
    assert bucket.put_new("job/.mark", b"one")
    assert not bucket.put_new("job/.mark", b"two")
    assert bucket.read_bytes("job/.mark") == b"one"
    assert sorted(path.name for path in (tmp_path / "job").iterdir()) == [".mark"]
