from pathlib import Path

import pytest

from producer.photosets import PhotoSetError, job_id_for, specs_from_folder
from tests.conftest import make_photo
from worker.spec import JobOptions


def test_folder_of_photos_is_one_job(photo_set: Path) -> None:
    (photo_set / "notes.txt").write_text("not a photo")
    (photo_set / ".DS_Store").write_bytes(b"\0")
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.id == "beach-day"
    assert [Path(photo).name for photo in spec.photos] == ["00.jpg", "01.jpg", "02.jpg"]
    assert spec.prompt.startswith("A 4-second calm reel")
    assert spec.source.kind == "folder"


def test_folder_of_folders_is_one_job_per_subfolder(tmp_path: Path) -> None:
    make_photo(tmp_path / "one" / "a.jpg")
    make_photo(tmp_path / "two words" / "b.png")
    (tmp_path / "empty").mkdir()
    specs = specs_from_folder(tmp_path, JobOptions(duration=5))
    assert [spec.id for spec in specs] == ["one", "two-words"]
    assert all(spec.options.duration == 5 for spec in specs)


def test_music_file_beside_photos_is_used(photo_set: Path) -> None:
    (photo_set / "song.mp3").write_bytes(b"ID3")
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.options.music is not None and spec.options.music.endswith("song.mp3")


def test_folder_without_photos_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PhotoSetError, match="no photos"):
        specs_from_folder(tmp_path, JobOptions())


def test_job_ids_are_safe() -> None:
    assert job_id_for("Été 2024 / best!") == "Ete-2024-best"
    assert job_id_for("...") == "job"


def test_non_latin_folder_names_get_distinct_ids(tmp_path: Path) -> None:
    for name in ("中文", "日本"):
        make_photo(tmp_path / name / "a.jpg")
    ids = [spec.id for spec in specs_from_folder(tmp_path, JobOptions())]
    assert ids == [job_id_for("中文"), job_id_for("日本")]
    assert len(set(ids)) == 2 and all(job_id.startswith("job-") for job_id in ids)
