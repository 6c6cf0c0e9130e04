"""YAML as people write it: ratios, clock times, yes/no and dates stay the text they are."""

from __future__ import annotations

import pytest

from producer.yaml_file import load_yaml


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("aspect: 9:16", "9:16"),
        ("duration: 0:30", "0:30"),
        ("duration: 1:30", "1:30"),
        ("resolution: 720p", "720p"),
        ("title: No", "No"),
        ("cta: yes", "yes"),
        ("title: 2024-05-01", "2024-05-01"),
        ("fps: 30", 30),
        ("count: 017", 17),
        ("mask: 0x1f", 31),
        ("duration: 7.5", 7.5),
        ("loop: true", True),
        ("music:", None),
    ],
)
def test_values_read_as_written(line: str, value: object) -> None:
    assert load_yaml(line) == {line.split(":")[0]: value}


def test_anchors_and_merge_keys_still_work() -> None:
    text = "base: &base {duration: 8, aspect: 9:16}\njob:\n  <<: *base\n  title: Hi\n"
    assert load_yaml(text)["job"] == {"duration": 8, "aspect": "9:16", "title": "Hi"}
