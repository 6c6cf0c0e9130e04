"""Folders of photos → job specs.

A folder with images (and an optional ``prompt.txt``) is one job; a folder whose subfolders
hold the images is one job per subfolder. Files are only read, never changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from producer.text_files import TextDecodeError, read_text_file
from worker.job.spec import JobOptions, JobSource, JobSpec, has_audio_suffix
from worker.understanding.music_files import music_files

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp", ".gif"}
    | {".jfif", ".jpe", ".avif"}
)
"""Photos by name. ``.jfif`` is a JPEG as Chrome and Edge on Windows save one from the web,
``.jpe`` an older JPEG name, ``.avif`` what browsers download more and more: left unlisted,
they were left out of the video without a word."""
DOCUMENT_SUFFIXES = frozenset({".rtf", ".rtfd", ".doc", ".docx", ".odt", ".pages"})
"""What word processors save (TextEdit's default is ``.rtf``): not plain text."""
SYSTEM_FOLDERS = frozenset({"__MACOSX", "$RECYCLE.BIN", "System Volume Information"})
"""Folders other systems leave beside the user's, never photo sets: macOS's zip archiver's
``__MACOSX`` (its ``._`` copies of each file's metadata), and a Windows drive's recycle bin and
index. Skipped like hidden folders, so unzipping into an inbox files nothing in ``failed/``."""
PROMPT_FILE = "prompt.txt"
PROMPT_NAMES = frozenset({PROMPT_FILE, "prompt.txt.txt", "prompt.md"})
"""The names a folder's prompt is found under, in any case: Windows and macOS ignore case, so
a folder made there arrives with ``Prompt.txt`` or ``PROMPT.TXT``; Explorer hides extensions,
so a file named "prompt.txt" there is ``prompt.txt.txt``; Markdown is plain text too. A word
processor's ``prompt`` (TextEdit's ``prompt.rtf``, ``prompt.docx``) is refused rather than
left unread: the job would silently lose its prompt."""


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


def is_users(entry: Path) -> bool:
    """Neither hidden nor one of the SYSTEM_FOLDERS: a file or folder the user put there."""
    return not entry.name.startswith(".") and entry.name not in SYSTEM_FOLDERS


def is_broken_link(entry: Path) -> bool:
    return entry.is_symlink() and not entry.exists()


def broken_link(entry: Path) -> str:
    """What is wrong with a link whose target is not there (a drive not mounted, a file
    moved): said, where skipping it would leave a job silently short of it."""
    return f"a link to {os.readlink(entry)}, which is not there"


def _visible_files(folder: Path) -> list[Path]:
    return sorted(entry for entry in folder.iterdir() if entry.is_file() and is_users(entry))


def images_in(folder: Path) -> list[Path]:
    """The folder's photos; a PhotoSetError for a link named as a photo that leads nowhere."""
    for entry in sorted(folder.iterdir()):
        if entry.suffix.lower() in IMAGE_SUFFIXES and is_users(entry) and is_broken_link(entry):
            raise PhotoSetError(f"{entry}: {broken_link(entry)}")
    return [entry for entry in _visible_files(folder) if entry.suffix.lower() in IMAGE_SUFFIXES]


def named_file(folder: Path, names: frozenset[str], usual: str) -> Path | None:
    """The folder's one file among ``names`` (any case; None without one). A PhotoSetError
    naming the entry for two of them, for a folder of such a name, and for a word processor's
    document named like ``usual`` (the name to save it as), which the producer cannot read."""
    stem = Path(usual).stem
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        name = entry.name.lower()
        if name in names:
            if entry.is_dir():
                raise PhotoSetError(f"{entry}: a folder, not a text file")
            if is_broken_link(entry):
                raise PhotoSetError(f"{entry}: {broken_link(entry)}")
            found.append(entry)
        elif Path(name).stem == stem and Path(name).suffix in DOCUMENT_SUFFIXES:
            raise PhotoSetError(f"{entry}: not a plain text file (save it as {usual})")
    if len(found) > 1:
        listed = " and ".join(entry.name for entry in found)
        raise PhotoSetError(f"{folder}: {listed} both; keep one")
    return found[0] if found else None


def read_prompt(folder: Path) -> tuple[str, str | None]:
    """The folder's prompt (its ``prompt.txt`` under any name of PROMPT_NAMES, "" without
    one) and a note when the file was not UTF-8: ``read_prompt_file``."""
    prompt_file = named_file(folder, PROMPT_NAMES, PROMPT_FILE)
    if prompt_file is None:
        return "", None
    return read_prompt_file(prompt_file)


def read_prompt_file(prompt_file: Path) -> tuple[str, str | None]:
    """The file's prompt with its line endings made ``\n`` whatever the editor wrote, and a
    note when the file was not UTF-8 (Notepad's "Unicode" is UTF-16), or holds no words (a
    save that did not happen: the defaults apply, which a job's warnings should say). A
    PhotoSetError naming the file when it cannot be read."""
    try:
        decoded = read_text_file(prompt_file, legacy_fallback=False)
    except (OSError, TextDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PhotoSetError(f"{prompt_file}: cannot read it: {reason}") from None
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return "", f"{prompt_file.name} is empty: the defaults apply"
    return text, decoded.note(prompt_file.name)


def _music_files(folder: Path) -> list[Path]:
    return [entry for entry in _visible_files(folder) if has_audio_suffix(entry)]


def chosen_music(found: list[Path], prompt: str) -> Path | None:
    """Of a folder's music files ``found``, the one its prompt names ("music: song.mp3"), else
    the first by name. It becomes the job's music option, so it travels with the job's inputs to
    whichever machine renders it."""
    named = [Path(music.name).name.lower() for music in music_files(prompt)]

    def is_named(entry: Path) -> bool:  # "music: Theme Song.wav", unquoted, reads "Song.wav"
        name = entry.name.lower()
        return any(name == said or name.endswith(f" {said}") for said in named)

    return next((entry for entry in found if is_named(entry)), next(iter(found), None))


def photo_set_spec(folder: Path, options: JobOptions, *, source_kind: str = "folder") -> JobSpec:
    photos = images_in(folder)
    prompt, note = read_prompt(folder)
    notes = [note] if note else []
    found = _music_files(folder)
    music = chosen_music(found, prompt)
    if music is not None and options.music is None:
        options = options.model_copy(update={"music": str(music.resolve())})
        notes += [
            f"{extra.name}: not played (one music file a video: {music.name})"
            for extra in found
            if extra != music
        ]
    notes += [
        f"{sub.name}/: its photos are left out (a folder's video is made of its own photos,"
        " not of its subfolders')"
        for sub in _subfolders(folder)
        if any(entry.suffix.lower() in IMAGE_SUFFIXES for entry in _visible_files(sub))
    ]
    return JobSpec(
        id=job_id_for(folder.resolve().name),
        photos=[str(photo.resolve()) for photo in photos],
        prompt=prompt,
        options=options,
        source=JobSource(kind=source_kind, path=str(folder.resolve()), notes=notes or None),
    )


def _subfolders(folder: Path) -> list[Path]:
    return sorted(entry for entry in folder.iterdir() if entry.is_dir() and is_users(entry))


def specs_from_folder(folder: Path, options: JobOptions) -> list[JobSpec]:
    if images_in(folder):
        return [photo_set_spec(folder, options)]
    specs = [photo_set_spec(sub, options) for sub in _subfolders(folder) if images_in(sub)]
    if not specs:
        raise PhotoSetError(f"{folder}: no photos here or in its subfolders")
    return specs
