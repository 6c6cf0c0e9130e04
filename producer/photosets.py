"""Folders of photos → job specs.

A folder with images (and an optional ``prompt.txt``) is one job; a folder whose subfolders
hold the images is one job per subfolder. Files are only read, never changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from producer.text_files import TextDecodeError, read_text_file
from worker.job.spec import AUDIO_SUFFIXES, JobOptions, JobSource, JobSpec
from worker.understanding.music_files import music_files

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp", ".gif"}
)
PROMPT_FILE = "prompt.txt"


class PhotoSetError(ValueError):
    """A path that is not a photo set; the message says which and why."""


def job_id_for(name: str) -> str:
    """A job id (an output folder name) for ``name``: its letters without accents, and when
    letters had to be dropped (Chinese, Arabic …) a short digest of the name, so that two such
    names still get two ids: ``Été 2024`` → ``Ete-2024``, ``中文`` → ``job-72726d88``."""
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-.") or "job"
    if plain.isascii():
        return slug[:128]
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{slug[:119]}-{digest}"


def _visible_files(folder: Path) -> list[Path]:
    return sorted(
        entry for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith(".")
    )


def images_in(folder: Path) -> list[Path]:
    return [entry for entry in _visible_files(folder) if entry.suffix.lower() in IMAGE_SUFFIXES]


def read_prompt(folder: Path) -> tuple[str, str | None]:
    """The folder's prompt (its ``prompt.txt``, "" without one) with its line endings made
    ``\n`` whatever the editor wrote, and a note when the file was not UTF-8 (Notepad's
    "Unicode" is UTF-16). A PhotoSetError naming the file when it cannot be read."""
    prompt_file = folder / PROMPT_FILE
    if not prompt_file.is_file():
        return "", None
    try:
        decoded = read_text_file(prompt_file, legacy_fallback=False)
    except (OSError, TextDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PhotoSetError(f"{prompt_file}: cannot read it: {reason}") from None
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(), decoded.note(PROMPT_FILE)


def folder_music(folder: Path, prompt: str) -> Path | None:
    """The folder's music file: the one its prompt names ("music: song.mp3") when it holds
    several, else the first by name. It becomes the job's music option, so it travels with the
    job's inputs to whichever machine renders it."""
    found = [entry for entry in _visible_files(folder) if entry.suffix.lower() in AUDIO_SUFFIXES]
    named = [Path(music.name).name.lower() for music in music_files(prompt)]

    def is_named(entry: Path) -> bool:  # "music: Theme Song.wav", unquoted, reads "Song.wav"
        name = entry.name.lower()
        return any(name == said or name.endswith(f" {said}") for said in named)

    return next((entry for entry in found if is_named(entry)), next(iter(found), None))


def photo_set_spec(folder: Path, options: JobOptions, *, source_kind: str = "folder") -> JobSpec:
    photos = images_in(folder)
    prompt, note = read_prompt(folder)
    music = folder_music(folder, prompt)
    if music is not None and options.music is None:
        options = options.model_copy(update={"music": str(music.resolve())})
    return JobSpec(
        id=job_id_for(folder.resolve().name),
        photos=[str(photo.resolve()) for photo in photos],
        prompt=prompt,
        options=options,
        source=JobSource(
            kind=source_kind, path=str(folder.resolve()), notes=[note] if note else None
        ),
    )


def specs_from_folder(folder: Path, options: JobOptions) -> list[JobSpec]:
    if images_in(folder):
        return [photo_set_spec(folder, options)]
    subfolders = sorted(
        entry for entry in folder.iterdir() if entry.is_dir() and not entry.name.startswith(".")
    )
    specs = [photo_set_spec(sub, options) for sub in subfolders if images_in(sub)]
    if not specs:
        raise PhotoSetError(f"{folder}: no photos here or in its subfolders")
    return specs
