from worker.job.draft import Draft, Segment, Track, TrackType, timeline_summary

SEED_LIKE = {
    "t": [
        {"tt": 0, "sg": [{"d": 5000, "m": {"start": 0}}, {"d": 5000, "m": {"start": 5000}}]},
        {"tt": 1, "sg": [{"d": 10000, "m": {"start": 0, "mood": "Lo-fi", "volume": 0.35}}]},
        {"tt": 7, "sg": [{"d": 3000, "m": {"start": 0, "text": "Urban Dreams"}}]},
    ]
}


def test_summary_has_one_entry_per_track() -> None:
    summary = timeline_summary(Draft.model_validate(SEED_LIKE))
    assert summary == (
        "Timeline (3 tracks): 1. Video: 2 clips (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        "3. Title: Urban Dreams (0-3s)"
    )


def test_ready_and_stage_two_detection() -> None:
    stage_one = Draft.model_validate({"t": [SEED_LIKE["t"][0]]})
    assert stage_one.ready_for_export
    assert not stage_one.has_content(TrackType.AUDIO)
    full = Draft.model_validate(SEED_LIKE)
    assert full.has_content(TrackType.AUDIO) and full.has_content(TrackType.TEXT)
    assert full.duration_ms == 10000
    assert not Draft.model_validate({"t": [{"tt": 0, "sg": []}]}).ready_for_export


def test_unknown_keys_from_the_cloud_are_kept() -> None:
    draft = Draft.model_validate({"t": [{"tt": 0, "sg": [{"d": 1, "x": 2}], "id": "v"}], "v": 3})
    dumped = draft.model_dump()
    assert dumped["v"] == 3 and dumped["t"][0]["id"] == "v" and dumped["t"][0]["sg"][0]["x"] == 2


def test_summary_names_the_role_of_promo_layers() -> None:
    layers = [
        Segment(d=3000, m={"start": 0, "text": "Mug", "role": "name"}),
        Segment(d=3000, m={"start": 0, "text": "$9", "role": "price"}),
        Segment(d=6000, m={"start": 0, "text": "", "role": "logo", "image": "logo.png"}),
        Segment(d=1000, m={"start": 5000, "text": "Hello"}),
    ]
    draft = Draft(t=[Track(tt=TrackType.TEXT, sg=layers)])
    summary = timeline_summary(draft)
    assert summary == "Timeline (1 track): 1. Title: name: Mug / price: $9 / logo / Hello (0-6s)"


JS_SHAPED = {
    # a third of 10 s in fractional milliseconds, and null where the cloud had nothing
    "t": [
        {"tt": 0, "sg": [{"d": 3333.33, "m": None}] * 3, "m": None},
        {"tt": 1, "sg": [{"d": 10000.0, "m": {"start": 0, "mood": "calm"}}]},
        {"tt": 7, "sg": None},
    ],
    "m": None,
}


def test_a_draft_as_the_cloud_s_json_has_it_is_read_not_taken_for_empty() -> None:
    draft = Draft.model_validate(JS_SHAPED)
    assert draft.ready_for_export and draft.has_content(TrackType.AUDIO)
    assert [segment.d for segment in draft.t[0].sg] == [3333, 3333, 3333]
    assert not draft.has_content(TrackType.TEXT)
    assert not Draft.model_validate({"t": None}).ready_for_export
    assert not Draft.model_validate({"t": [{"tt": 0, "sg": None}]}).ready_for_export


def test_null_starts_and_lengths_in_metadata_take_their_defaults() -> None:
    draft = Draft.model_validate(
        {"t": [{"tt": 0, "sg": [{"d": 1000, "m": {"start": None}}]}], "m": {"duration_ms": None}}
    )
    assert (draft.t[0].sg[0].start_ms, draft.duration_ms) == (0, 1000)
    assert timeline_summary(draft) == "Timeline (1 track): 1. Video: 1 clip (0-1s)"
