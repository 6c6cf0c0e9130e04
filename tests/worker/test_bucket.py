from pathlib import Path

import pytest

from worker.bucket import LocalBucket, open_bucket


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
