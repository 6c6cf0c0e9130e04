from pathlib import Path

import pytest

from producer.photosets import PhotoSetError, job_id_for, specs_from_folder
from tests.conftest import make_photo
from worker.job.spec import JobOptions


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


@pytest.mark.parametrize(
    ("prompt", "chosen"),
    [
        ("", "a-intro.mp3"),
        ("15 s, music: Theme Song.WAV", "theme song.wav"),
        ("15 s, music: 'theme song.wav'", "theme song.wav"),
    ],
)
def test_of_several_music_files_the_one_the_prompt_names_is_used(
    photo_set: Path, prompt: str, chosen: str
) -> None:
    for name in ("a-intro.mp3", "theme song.wav"):
        (photo_set / name).write_bytes(b"RIFF")
    (photo_set / "prompt.txt").write_text(prompt)
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.options.music is not None and spec.options.music.endswith(chosen)


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


NOTEPAD_UNICODE = "utf-16"
"""What Windows Notepad's "Unicode" writes: UTF-16 LE with a byte order mark (and CRLF)."""


@pytest.mark.parametrize(
    ("encoding", "newline", "note"),
    [
        (NOTEPAD_UNICODE, "\r\n", "prompt.txt was read as UTF-16 (BOM)"),
        ("utf-16-be", "\r\n", "prompt.txt was read as UTF-16 BE (no BOM)"),
        ("utf-8-sig", "\r\n", None),
        ("utf-8", "\r", None),  # classic Mac OS line endings
    ],
    ids=["notepad unicode", "utf-16 be without bom", "utf-8 with bom", "mac line endings"],
)
def test_a_prompt_is_read_as_its_editor_saved_it(
    photo_set: Path, encoding: str, newline: str, note: str | None
) -> None:
    prompt = ["A 4-second calm reel, 16:9", "title 'Café Été'"]
    (photo_set / "prompt.txt").write_bytes((newline.join(prompt) + newline).encode(encoding))
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.prompt == "A 4-second calm reel, 16:9\ntitle 'Café Été'"
    assert spec.source.notes == ([note] if note else None)


def test_an_unreadable_prompt_is_one_error_naming_the_file(photo_set: Path) -> None:
    (photo_set / "prompt.txt").write_bytes("Café, 9:16".encode("cp1252"))
    with pytest.raises(PhotoSetError, match=r"prompt.txt: cannot read it: not UTF-8: byte 0xe9"):
        specs_from_folder(photo_set, JobOptions())
