import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import make_photo
from tests.web_server import PhotoServer
from worker.files.bucket import S3Bucket, open_bucket
from worker.files.inputs import (
    describe_inputs,
    fetched_path,
    is_staged,
    local_input,
    local_photos,
    local_spec,
    stage_inputs,
)
from worker.job.errors import JobFailed
from worker.job.spec import JobOptions, JobSource, JobSpec
from worker.job.styles import Brand


class CountingBucket(S3Bucket):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.uploads: list[str] = []

    def put_file(self, key: str, source: Path) -> str:
        self.uploads.append(key)
        return super().put_file(key, source)


def producer_spec(folder: Path) -> JobSpec:
    photos = [make_photo(folder / f"{index}.jpg", size=(64, 48), seed=index) for index in range(2)]
    music = folder / "song.wav"
    music.write_bytes(b"RIFF....WAVE")
    return JobSpec(
        id="trip",
        photos=[str(photo) for photo in photos],
        prompt="calm",
        options=JobOptions(music=str(music)),
        source=JobSource(kind="folder", path=str(folder)),
    )


def test_staged_spec_names_bucket_objects_only(s3_out: str, tmp_path: Path) -> None:
    folder = tmp_path / "producer" / "trip"
    spec = producer_spec(folder)
    staged = stage_inputs(spec, open_bucket(s3_out))
    assert str(tmp_path) not in staged.model_dump_json()
    assert all(is_staged(photo) for photo in staged.photos)
    digest = hashlib.sha256((folder / "0.jpg").read_bytes()).hexdigest()
    assert staged.photos[0] == f"{s3_out}/.inputs/sha256/{digest}/0.jpg"
    assert staged.options.music is not None and staged.options.music.endswith("/song.wav")
    assert staged.source.path == "trip"


def test_an_input_already_in_the_bucket_is_not_sent_again(s3_out: str, tmp_path: Path) -> None:
    spec = producer_spec(tmp_path / "trip")
    bucket = CountingBucket(s3_out)
    stage_inputs(spec, bucket)
    assert len(bucket.uploads) == 3
    again = stage_inputs(spec.model_copy(update={"id": "trip-again"}), bucket)
    assert len(bucket.uploads) == 3
    assert again.photos == stage_inputs(spec, bucket).photos


def test_worker_fetches_inputs_without_the_producers_files(
    s3_out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "producer" / "trip"
    spec = producer_spec(folder)
    originals = [Path(photo).read_bytes() for photo in spec.photos]
    staged = stage_inputs(spec, open_bucket(s3_out))
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    elsewhere = tmp_path / "worker-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    workdir = tmp_path / "scratch" / "trip"

    photos = [local_input(photo, workdir) for photo in staged.photos]

    assert [photo.read_bytes() for photo in photos] == originals
    assert [photo.name for photo in photos] == ["0.jpg", "1.jpg"]
    assert all(photo.is_relative_to(workdir) for photo in photos)
    music = local_spec(staged, workdir).options.music
    assert music is not None and Path(music).read_bytes() == b"RIFF....WAVE"
    described = describe_inputs(staged, workdir)
    assert [(item["role"], item["name"]) for item in described] == [
        ("photo", "0.jpg"),
        ("photo", "1.jpg"),
        ("music", "song.wav"),
    ]
    assert described[0]["sha256"] == hashlib.sha256(originals[0]).hexdigest()
    assert described[0]["size"] == len(originals[0])
    assert not list(workdir.rglob("*.tmp"))


def test_logos_and_brand_fonts_are_staged_and_fetched_like_music(
    s3_out: str, tmp_path: Path
) -> None:
    spec = producer_spec(tmp_path / "producer" / "trip")
    files = {
        "logo": make_photo(tmp_path / "producer" / "logo.png", size=(40, 20)),
        "brand_logo": make_photo(tmp_path / "producer" / "brand-logo.png", size=(40, 20), seed=1),
        "row_logo": make_photo(tmp_path / "producer" / "row-logo.png", size=(40, 20), seed=2),
        "font": tmp_path / "producer" / "Brand.ttf",
    }
    files["font"].write_bytes(b"not really a font")
    options = spec.options.model_copy(
        update={
            "logo": str(files["logo"]),
            "brand": Brand(logo=str(files["brand_logo"]), font=str(files["font"])),
        }
    )
    source = spec.source.model_copy(update={"fields": {"logo": str(files["row_logo"])}})
    spec = spec.model_copy(update={"options": options, "source": source})
    staged = stage_inputs(spec, open_bucket(s3_out))
    assert str(tmp_path) not in staged.model_dump_json()
    contents = {name: path.read_bytes() for name, path in files.items()}
    for path in files.values():
        path.unlink()
    workdir = tmp_path / "scratch" / "trip"
    local = local_spec(staged, workdir)
    assert local.options.logo is not None and local.options.brand is not None
    assert local.source.fields is not None
    found = {
        "logo": local.options.logo,
        "brand_logo": local.options.brand.logo,
        "row_logo": local.source.fields["logo"],
        "font": local.options.brand.font,
    }
    for name, location in found.items():
        assert location is not None and Path(location).is_relative_to(workdir)
        assert Path(location).read_bytes() == contents[name]
    roles = [item["role"] for item in describe_inputs(staged, workdir)]
    assert roles == ["photo", "photo", "music", "logo", "logo", "font", "logo"]


def test_a_missing_staged_input_fails_the_job_naming_it(s3_out: str, tmp_path: Path) -> None:
    location = f"{s3_out}/.inputs/sha256/{'0' * 64}/gone.jpg"
    with pytest.raises(JobFailed) as failed:
        local_input(location, tmp_path)
    assert failed.value.file == "gone.jpg"
    assert not fetched_path(location, tmp_path).exists()


def test_local_inputs_stay_where_they_are(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "a.jpg", size=(32, 32))
    assert local_input(str(photo), tmp_path / "scratch") == photo
    spec = JobSpec(id="j", photos=[str(photo), "https://example.com/b.jpg"], prompt="")
    assert local_spec(spec, tmp_path) is spec
    described = describe_inputs(spec, tmp_path)
    assert [item["name"] for item in described] == ["a.jpg", "b.jpg"]
    assert described[0]["size"] == os.path.getsize(photo)
    assert described[1] == {  # not fetched on this machine: nothing to measure here
        "role": "photo",
        "name": "b.jpg",
        "location": "https://example.com/b.jpg",
        "sha256": None,
        "size": None,
    }


def test_web_photos_are_fetched_into_the_jobs_scratch_unless_the_backend_takes_urls(
    loopback_fetch: Path, tmp_path: Path
) -> None:
    local = make_photo(tmp_path / "here.jpg", size=(64, 48))
    with PhotoServer() as server:
        spec = JobSpec(id="web", photos=[server.url("/cdn/a.jpg"), str(local)])
        fetched, kept = local_photos(spec, tmp_path / "job", keep_urls=False)
        assert fetched.is_relative_to(tmp_path / "job") and fetched.name == "a.jpg"
        assert kept == local
        assert list(local_photos(spec, tmp_path / "job", keep_urls=True)) == [local]
        assert [item["name"] for item in describe_inputs(spec, tmp_path / "job")] == [
            "a.jpg",
            "here.jpg",
        ]
        with pytest.raises(JobFailed) as raised:
            local_input(server.url("/missing.jpg"), tmp_path / "job")
    assert raised.value.file == server.url("/missing.jpg")
