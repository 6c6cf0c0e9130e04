from pathlib import Path

import fsspec
import pytest

from worker.files.bucket import Bucket, BucketError, LocalBucket, S3Bucket, open_bucket


def test_writes_land_whole_and_leave_no_temporaries(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path / "out"))
    source = tmp_path / "video.mp4"
    source.write_bytes(b"x" * 1000)
    address = bucket.put_file("job/video.mp4", source)
    bucket.put_bytes("job/report.json", b"{}")
    assert Path(address).read_bytes() == b"x" * 1000
    assert sorted(path.name for path in (tmp_path / "out" / "job").iterdir()) == [
        "report.json",
        "video.mp4",
    ]
    assert bucket.exists("job/report.json")


def test_failed_copy_leaves_nothing(tmp_path: Path) -> None:
    bucket = LocalBucket(tmp_path / "out")
    with pytest.raises(FileNotFoundError):
        bucket.put_file("job/video.mp4", tmp_path / "missing.mp4")
    assert list((tmp_path / "out" / "job").iterdir()) == []


def test_keys_cannot_leave_the_bucket(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="leaves the bucket"):
        LocalBucket(tmp_path).put_bytes("../escape.json", b"{}")


def test_s3_objects_land_whole_under_their_keys(s3_out: str, tmp_path: Path) -> None:
    bucket = open_bucket(s3_out)
    source = tmp_path / "video.mp4"
    source.write_bytes(b"v" * 3000)
    assert not bucket.exists("job/report.json")
    assert bucket.read_bytes("job/report.json") is None
    address = bucket.put_file("job/video.mp4", source)
    bucket.put_bytes("job/report.json", b"{}")
    assert address == f"{s3_out}/job/video.mp4"
    assert bucket.read_bytes("job/video.mp4") == b"v" * 3000
    assert bucket.exists("job/report.json")
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    assert fs.info(f"{s3_out}/job/video.mp4")["ContentType"] == "video/mp4"
    prefix = s3_out.removeprefix("s3://")
    listed = sorted(fs.ls(f"{prefix}/job"))
    assert listed == [f"{prefix}/job/report.json", f"{prefix}/job/video.mp4"]


def test_failed_s3_upload_leaves_nothing(s3_out: str, tmp_path: Path) -> None:
    bucket = open_bucket(s3_out)
    with pytest.raises(FileNotFoundError):
        bucket.put_file("job/video.mp4", tmp_path / "missing.mp4")
    assert not bucket.exists("job/video.mp4")


@pytest.mark.parametrize("key", ["../escape.json", "job//report.json", "./report.json"])
def test_s3_keys_are_plain(s3_out: str, key: str) -> None:
    with pytest.raises(ValueError, match="not a plain object key"):
        open_bucket(s3_out).put_bytes(key, b"{}")


@pytest.mark.parametrize("url", ["gs://bucket", "s3://"])
def test_unsupported_buckets_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        open_bucket(url)


def test_local_bucket_reads_back(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path))
    assert bucket.read_bytes("job/report.json") is None
    bucket.put_bytes("job/report.json", b"{}")
    assert bucket.read_bytes("job/report.json") == b"{}"
    assert bucket.address("job/report.json") == str(tmp_path / "job" / "report.json")


def test_check_says_why_a_bucket_cannot_be_written(s3_out: str, tmp_path: Path) -> None:
    open_bucket(s3_out).check()
    open_bucket(str(tmp_path / "new" / "out")).check()
    with pytest.raises(BucketError, match="there is no bucket 'no-such-bucket'"):
        open_bucket("s3://no-such-bucket/videos").check()
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BucketError, match="cannot make the output folder"):
        open_bucket(str(tmp_path / "a-file" / "out")).check()


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_one_listing_gives_every_object_and_when_it_was_written(
    kind: str, s3_out: str, tmp_path: Path
) -> None:
    bucket = open_bucket(s3_out if kind == "s3" else str(tmp_path / "out"))
    assert bucket.modified_times() == {}
    bucket.put_bytes("job/report.json", b"{}")
    bucket.put_bytes("job/succeeded-abc", b"")
    bucket.put_bytes("other/report.json", b"{}")
    times = bucket.modified_times()
    assert sorted(times) == ["job/report.json", "job/succeeded-abc", "other/report.json"]
    assert times["job/succeeded-abc"] >= times["job/report.json"] > 0


@pytest.fixture(params=["folder", "s3"])
def any_bucket(request: pytest.FixtureRequest, tmp_path: Path) -> Bucket:
    if request.param == "folder":
        return open_bucket(str(tmp_path / "out"))
    return open_bucket(request.getfixturevalue("s3_out"))


def test_objects_are_copied_inside_the_bucket_and_read_back_whole(
    any_bucket: Bucket, tmp_path: Path
) -> None:
    source = tmp_path / "render.mp4"
    source.write_bytes(b"r" * 2048)
    any_bucket.put_file(".work/job-1/abc-render.mp4", source)
    any_bucket.copy(".work/job-1/abc-render.mp4", "job/video.mp4")
    fetched = tmp_path / "machine-b" / "video.mp4"
    any_bucket.get_file("job/video.mp4", fetched)
    assert fetched.read_bytes() == b"r" * 2048
    assert [path.name for path in fetched.parent.iterdir()] == ["video.mp4"]
    with pytest.raises(FileNotFoundError):
        any_bucket.get_file("job/none.mp4", tmp_path / "none.mp4")
    assert not (tmp_path / "none.mp4").exists()
    with pytest.raises(FileNotFoundError):
        any_bucket.copy(".work/job-1/none.mp4", "job/other.mp4")
    assert not any_bucket.exists("job/other.mp4")


def test_a_prefix_goes_whole_and_nothing_beside_it(any_bucket: Bucket) -> None:
    for key in (".work/job-1/a.mp4", ".work/job-1/b/c.jpg", ".work/job-10/a.mp4", "job-1/x"):
        any_bucket.put_bytes(key, b"x")
    any_bucket.delete_prefix(".work/job-1/")
    assert not any_bucket.exists(".work/job-1/a.mp4")
    assert not any_bucket.exists(".work/job-1/b/c.jpg")
    assert any_bucket.exists(".work/job-10/a.mp4") and any_bucket.exists("job-1/x")
    any_bucket.delete_prefix(".work/job-1/")  # nothing left: no error


def test_of_two_s3_writers_racing_for_a_new_object_exactly_one_wins(s3_out: str) -> None:
    """The publishing mark: a conditional write, not a look then a write."""
    first, second = open_bucket(s3_out), open_bucket(s3_out)
    looked = [second.exists("job/.publishing")]  # both look before either writes
    assert looked == [False] and not first.exists("job/.publishing")
    assert first.put_new("job/.publishing", b"first")
    assert not second.put_new("job/.publishing", b"second")
    assert second.read_bytes("job/.publishing") == b"first"


def test_a_store_without_conditional_writes_falls_back_to_look_then_write(
    s3_out: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = open_bucket(s3_out)
    assert isinstance(bucket, S3Bucket)
    real_pipe = bucket.fs.pipe_file

    def no_conditions(path: str, data: bytes, **options: object) -> None:
        if "IfNoneMatch" in options:
            raise OSError("An error occurred (NotImplemented) when calling PutObject")
        real_pipe(path, data, **options)

    monkeypatch.setattr(bucket.fs, "pipe_file", no_conditions)
    assert bucket.put_new("job/.publishing", b"one")
    assert not bucket.conditional_writes
    assert not bucket.put_new("job/.publishing", b"two")
    assert bucket.read_bytes("job/.publishing") == b"one"
