"""YAML as people write it: ratios, clock times, yes/no and dates stay the text they are."""

from __future__ import annotations

import pytest
import yaml

from producer.yaml_file import load_yaml, yaml_problem


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


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # Notepad's Tab key
        (
            "jobs:\n\t- id: a\n",
            "line 2, column 1: not valid YAML: a tab indents it (YAML indents with spaces)",
        ),
        (
            "jobs:\n  - id: a\n    prompt: Summer: 50% off\n",
            "line 3, column 19: not valid YAML: a value holding ': ' must be quoted"
            ' (prompt: "Summer: 50% off")',
        ),
        ("aspect: [9:16\n", "line 2, column 1: not valid YAML: did not find expected ',' or ']'"),
    ],
    ids=["tab", "colon in a value", "unclosed"],
)
def test_a_yaml_mistake_is_one_line_with_its_place_and_its_mend(written: str, said: str) -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        load_yaml(written)
    assert yaml_problem(raised.value, written) == said
