"""Music files named in a prompt, written the ways people name them."""

from __future__ import annotations

import pytest

from worker.understanding.music_files import music_files


@pytest.mark.parametrize(
    ("prompt", "names"),
    [
        ("10 second reel, music: song.mp3, cut on the beat", ["song.mp3"]),
        ("use 'Summer Mix 2.wav' as the soundtrack", ["Summer Mix 2.wav"]),
        ('play "Don\'t Stop.MP3" under it', ["Don't Stop.MP3"]),
        ("music: “My Song.m4a”", ["My Song.m4a"]),
        ("背景音乐用 track-02.m4a，卡点", ["track-02.m4a"]),
        ("背景音乐：夏日.mp3，15秒", ["夏日.mp3"]),
        ("music ./audio/beat_01.flac please", ["./audio/beat_01.flac"]),
        ("music=song.mp3", ["song.mp3"]),
        ("(intro.wav) then outro.ogg", ["intro.wav", "outro.ogg"]),
        ("no mp3 here, 9:16, 30 fps", []),
        ("send it to dj.mp3@example.com", []),
    ],
)
def test_names_as_people_write_them(prompt: str, names: list[str]) -> None:
    assert [found.name for found in music_files(prompt)] == names


def test_where_a_name_is_written_includes_its_quotes() -> None:
    prompt = "music: 'My Song.mp3', fast"
    [found] = music_files(prompt)
    assert prompt[found.start : found.end] == "'My Song.mp3'"
