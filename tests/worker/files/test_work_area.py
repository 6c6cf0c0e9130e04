from pathlib import Path

import pytest

from worker.files.bucket import Bucket, open_bucket
from worker.files.work_area import KEPT_DIR, BucketArea, ScratchArea, work_prefix
from worker.job.errors import JobFailed

PREFIX = work_prefix("trip", "0123456789ab")


@pytest.fixture(params=["folder", "s3"])
def bucket(request: pytest.FixtureRequest, tmp_path: Path) -> Bucket:
    if request.param == "folder":
        return open_bucket(str(tmp_path / "out"))
    return open_bucket(request.getfixturevalue("s3_out"))


def test_a_kept_file_reaches_a_stage_on_another_machine(bucket: Bucket, tmp_path: Path) -> None:
    machine_a, machine_b = tmp_path / "a" / "trip", tmp_path / "b" / "trip"
    render = machine_a / "video.mp4"
    render.parent.mkdir(parents=True)
    render.write_bytes(b"frames" * 100)
    name = BucketArea(bucket, PREFIX, machine_a).keep(render)
    assert name.endswith("-video.mp4") and name != "video.mp4"
    assert bucket.exists(f".work/trip-0123456789ab/{name}")
    on_b = BucketArea(bucket, PREFIX, machine_b).local(name)
    assert on_b == machine_b / KEPT_DIR / name
    assert on_b.read_bytes() == render.read_bytes()


def test_the_keeping_machine_reads_its_own_copy(tmp_path: Path) -> None:
    class NoReads:
        url, remote = "none", True

        def put_file(self, key: str, source: Path) -> str:
            self.kept = (key, source.read_bytes())
            return key

        def get_file(self, key: str, target: Path) -> None:
            raise AssertionError("fetched a file this machine has")

    bucket = NoReads()
    render = tmp_path / "video.mp4"
    render.write_bytes(b"v")
    area = BucketArea(bucket, PREFIX, tmp_path)  # type: ignore[arg-type]
    name = area.keep(render)
    assert area.local(name).read_bytes() == b"v"
    assert area.keep(area.local(name)) == name  # a copy of a kept file is not sent again
    assert bucket.kept == (f"{PREFIX}{name}", b"v")


def test_each_keep_has_a_name_of_its_own(bucket: Bucket, tmp_path: Path) -> None:
    """A late attempt keeping its file never replaces the one the checkpoint names."""
    area = BucketArea(bucket, PREFIX, tmp_path / "scratch")
    render = tmp_path / "scratch" / "video.mp4"
    render.parent.mkdir()
    render.write_bytes(b"first")
    first = area.keep(render)
    render.write_bytes(b"second attempt")
    second = area.keep(render)
    assert first != second
    other_machine = BucketArea(bucket, PREFIX, tmp_path / "other")
    assert other_machine.local(first).read_bytes() == b"first"


def test_a_file_gone_from_the_work_area_fails_the_job_naming_it(
    bucket: Bucket, tmp_path: Path
) -> None:
    area = BucketArea(bucket, PREFIX, tmp_path)
    with pytest.raises(JobFailed) as failure:
        area.local("1a2b3c4d-video.mp4")
    assert failure.value.file == "video.mp4"
    assert failure.value.message == "what an earlier stage made is gone"


def test_on_one_machine_the_scratch_folder_is_the_work_area(tmp_path: Path) -> None:
    render = tmp_path / "renders" / "video.mp4"
    render.parent.mkdir()
    render.write_bytes(b"v")
    area = ScratchArea(tmp_path)
    assert area.keep(render) == "renders/video.mp4"
    assert area.local("renders/video.mp4") == render
    render.unlink()
    with pytest.raises(JobFailed, match="gone"):
        area.local("renders/video.mp4")
