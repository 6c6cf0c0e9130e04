import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

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


PROMPT_BYTES = b"A 4-second calm reel, 16:9\r\n"


@pytest.mark.parametrize(
    "name",
    # Windows and macOS ignore case; Explorer hides ".txt", so "prompt.txt" gets another one
    ["Prompt.txt", "PROMPT.TXT", "prompt.txt.txt", "Prompt.TXT.txt", "prompt.md"],
)
def test_the_prompt_is_found_under_the_names_it_arrives_with(photo_set: Path, name: str) -> None:
    (photo_set / "prompt.txt").unlink()
    (photo_set / name).write_bytes(PROMPT_BYTES)
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.prompt == "A 4-second calm reel, 16:9"


def test_a_utf16_prompt_under_another_name_is_noted_by_its_name(photo_set: Path) -> None:
    (photo_set / "prompt.txt").unlink()
    (photo_set / "Prompt.txt").write_bytes("5 s, café".encode("utf-16"))
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.prompt == "5 s, café"
    assert spec.source.notes == ["Prompt.txt was read as UTF-16 (BOM)"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda folder: (folder / "Prompt.TXT").write_bytes(PROMPT_BYTES),
            "Prompt.TXT and prompt.txt both; keep one",
        ),
        (lambda folder: (folder / "prompt.rtf").write_bytes(rb"{\rtf1\ansi 5 s}"), "prompt.rtf"),
        (lambda folder: (folder / "prompt.docx").write_bytes(b"PK\x03\x04"), "prompt.docx"),
    ],
    ids=["two prompts", "textedit rtf", "word docx"],
)
def test_a_prompt_that_cannot_be_the_prompt_is_one_error_naming_it(
    photo_set: Path, make: Callable[[Path], object], message: str
) -> None:
    make(photo_set)
    with pytest.raises(PhotoSetError, match=re.escape(message)):
        specs_from_folder(photo_set, JobOptions())


def test_a_prompt_txt_that_is_a_folder_is_an_error_not_an_empty_prompt(photo_set: Path) -> None:
    (photo_set / "prompt.txt").unlink()
    (photo_set / "prompt.txt").mkdir()
    with pytest.raises(PhotoSetError, match=r"prompt.txt: a folder, not a text file"):
        specs_from_folder(photo_set, JobOptions())


def test_backups_and_the_junk_of_other_systems_are_ignored(photo_set: Path) -> None:
    junk = {
        "prompt.txt~": b"old prompt",  # an editor's backup
        "prompt.txt.bak": b"old prompt",
        "Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # Windows Explorer's thumbnails
        "desktop.ini": b"[.ShellClassInfo]\r\n",
        "._00.jpg": b"\x00\x05\x16\x07\x00\x02\x00\x00",  # macOS AppleDouble on a FAT stick
        "00.jpg:Zone.Identifier": b"[ZoneTransfer]\r\nZoneId=3\r\n",  # copied in from WSL
    }
    for name, data in junk.items():
        (photo_set / name).write_bytes(data)
    (photo_set / "__MACOSX").mkdir()
    (photo_set / "__MACOSX" / "._00.jpg").write_bytes(b"\x00\x05\x16\x07")
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert [Path(photo).name for photo in spec.photos] == ["00.jpg", "01.jpg", "02.jpg"]
    assert spec.prompt.startswith("A 4-second calm reel")


def test_a_drive_s_recycle_bin_is_no_photo_set(tmp_path: Path) -> None:
    # `photoreel run E:/` on a memory card: the photos deleted from it are in its bin
    make_photo(tmp_path / "DCIM" / "a.jpg")
    make_photo(tmp_path / "$RECYCLE.BIN" / "$RZ1X2Y3.jpg")
    make_photo(tmp_path / "__MACOSX" / "b.jpg")
    assert [spec.id for spec in specs_from_folder(tmp_path, JobOptions())] == ["DCIM"]


@pytest.mark.parametrize(
    "saved", [b"", b"\r\n  \r\n", b"\xef\xbb\xbf", "\r\n".encode("utf-16")], ids=repr
)
def test_an_empty_prompt_file_is_said_not_taken_silently(photo_set: Path, saved: bytes) -> None:
    (photo_set / "prompt.txt").write_bytes(saved)
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.prompt == ""
    assert spec.source.notes == ["prompt.txt is empty: the defaults apply"]


def test_a_link_that_leads_nowhere_is_named_not_skipped(photo_set: Path) -> None:
    # photos linked from a drive that is not mounted: skipped, the video would lack them
    (photo_set / "03.jpg").symlink_to(photo_set.parent / "unmounted" / "03.jpg")
    with pytest.raises(PhotoSetError, match=r"03.jpg: a link to .*unmounted/03.jpg, which is not"):
        specs_from_folder(photo_set, JobOptions())
    (photo_set / "03.jpg").unlink()
    (photo_set / "prompt.txt").unlink()
    (photo_set / "prompt.txt").symlink_to(photo_set.parent / "unmounted" / "prompt.txt")
    with pytest.raises(PhotoSetError, match=r"prompt.txt: a link to .*, which is not there"):
        specs_from_folder(photo_set, JobOptions())


def test_photos_in_a_subfolder_of_a_photo_folder_are_said_to_be_left_out(
    photo_set: Path,
) -> None:
    make_photo(photo_set / "Day 2" / "d1.jpg")
    (photo_set / "empty").mkdir()
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert [Path(photo).name for photo in spec.photos] == ["00.jpg", "01.jpg", "02.jpg"]
    assert spec.source.notes == [
        "Day 2/: its photos are left out (a folder's video is made of its own photos, not of"
        " its subfolders')"
    ]


def test_jpegs_as_browsers_save_them_and_avif_are_photos(photo_set: Path) -> None:
    for name in ("03.jfif", "04.JPE"):  # Chrome and Edge on Windows: "Save image as" .jfif
        make_photo(photo_set / name)
    Image.open(photo_set / "00.jpg").save(photo_set / "05.avif")
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert [Path(photo).name for photo in spec.photos][3:] == ["03.jfif", "04.JPE", "05.avif"]


def test_music_as_people_keep_it_is_played_and_a_second_song_is_said(photo_set: Path) -> None:
    (photo_set / "b-song.ogg").write_bytes(b"OggS")
    (photo_set / "a-song.FLAC").write_bytes(b"fLaC")
    [spec] = specs_from_folder(photo_set, JobOptions())
    assert spec.options.music is not None and spec.options.music.endswith("a-song.FLAC")
    assert spec.source.notes == ["b-song.ogg: not played (one music file a video: a-song.FLAC)"]
