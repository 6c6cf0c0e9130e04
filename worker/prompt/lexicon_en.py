"""English phrases as people type them in prompts, by what they ask for.

Keys are lower-case words separated by single spaces, as ``worker.prompt.tokens`` gives them:
hyphens split words ("fast-paced" is "fast paced"), apostrophes go ("don't" is "dont"), and
"/", "&" and "+" between words read as "and" ("fade in/out" is "fade in and out"). The longest
phrase wins, so "highlight reel" is not Instagram Reels and "just cuts" is not a "just".
"""

from __future__ import annotations

from worker.prompt.vocabulary import (
    BLACKS,
    BOUNDARY,
    CUT,
    DISSOLVES,
    FADE_IN,
    FADE_IN_AND_OUT,
    FADE_OUT,
    FILLER,
    FIRM,
    HINT,
    KEN_BURNS,
    MOTION_NOUN,
    MUSIC_NOUN,
    NEGATOR,
    NO_FADES,
    PACE_NEGATED,
    PAN,
    SILENT,
    SLIDES,
    SLOW_ZOOM_IN,
    SLOW_ZOOM_OUT,
    STATIC,
    TEXT_NOUN,
    TRANSITION_NOUN,
    WIPES,
    ZOOM_IN,
    ZOOM_OUT,
    ZOOMS,
    Entry,
    Mood,
    MotionStyle,
    Pace,
    Sense,
    Strength,
    TransitionStyle,
    entry,
    mood,
    moods,
    motion,
    pace,
    table,
    transition,
)


def _words(phrases: str) -> dict[str, Entry]:
    return table(phrases, FILLER)


GRAMMAR = _words(
    "a|an|the|and|or|nor|of|for|to|in|on|at|with|by|from|as|into|onto|via|per|than|then|so"
    "|is|are|was|were|be|been|being|am|it|its|this|that|these|those|there|here|which|who|what"
    "|when|where|how|if|i|im|id|ill|ive|me|my|we|were|us|our|ours|you|your|youre|they|their"
    "|them|he|his|she|her|one|ones|some|any|all|each|every|both|other|another|much|many|more"
    "|most|less|lot|lots|bit|little|very|really|super|quite|pretty|too|also|maybe|perhaps"
    "|please|pls|plz|thanks|thank|thx|hi|hello|hey|ok|okay|yes|yeah|can|could|would|will"
    "|should|shall|may|might|must|do|does|did|done|have|has|had|get|got|make|makes|making"
    "|made|create|creating|produce|generate|build|want|wanted|need|needed|needs|like|love to"
    "|use|using|used|add|adding|put|give|show|showing|shows|turn|keep|let|go|set|try|include"
    "|including|feature|featuring|about|around|approximately|approx|roughly|almost|nearly"
    "|under|over|within|max|maximum|at most|at least|tops|up to|no more|no more than"
    "|no longer than|not more than|less than|ish|long|length|total|overall|duration|time"
    "|something|anything|everything|thing|things|kind of|sort of|type of|style|styled|vibe"
    "|vibes|feel|feeling|look|looking|mood|tone|version|format|aspect|ratio|aspect ratio"
    "|size|resolution|quality|frame rate|framerate|fps|speed|tempo|pace|paced|rhythm|volume"
    "|start|beginning|end|ending|finish|intro|outro|opening|close|closing|between|throughout"
    "|across|whole|entire|first|last|next|after|before|during|along|together|again|now"
    "|today|tonight|tomorrow|new|nice|good|great|cool|awesome|beautiful|lovely|amazing"
    "|stunning|gorgeous|perfect|simple|clean|minimal|modern|professional|sleek|polished"
    "|fancy|flashy|extra|nothing fancy|fine|enough|is fine|is enough|if you can|if possible"
    "|possible|best|short|shorter|longer|quick one|little|small|big|w|smooth|smoothly"
    "|subtle|subtly|nicely|lots of|a lot of|plenty of|a bit|a little|bit of|on screen"
    "|effect|effects|card|title card|at the start|at the end|in the end|at the beginning"
    "|between shots|between photos|between the photos|between pictures|between images"
    "|between slides|between rooms|on each photo|on each picture|on every shot|on every photo"
    "|on the photos|on each room|each room|every room|each photo|each picture|every photo"
    "|background|backing|playing|shots|shot|photos|photo|pictures|picture|pics|pic|images"
    "|image|slides|frames|stills|clips|moments|st|nd|rd|th|n|say|says|saying|reads|reading|off"
    "|grand opening|grand reopening|grand re opening|grand finale|short and sweet"
    "|landscape photography|landscape photographer|landscape photos of|portrait photography"
    "|portrait photographer|portrait session|portrait sessions|times square|zoom meeting"
    "|zoom call|on zoom|fishing reel|slow cooker"
)
VIDEO_KINDS = _words(
    "video|videos|vid|vids|clip|clip|slideshow|slideshows|slide show|slide shows|montage"
    "|movie|film|promo|promos|promotional|promotion|ad|ads|advert|advertisement|commercial"
    "|teaser|trailer|bumper|recap|highlights|highlight|highlight reel|highlights reel"
    "|sizzle reel|demo reel|show reel|showreel|blooper reel|gag reel|portfolio reel"
    "|compilation|collage|slideshow video|memory video|photo video|showcase|spot|tour|walkthrough"
    "|walk through|reel video|post|posts|story video|vlog|mv|pin video"
)
ENDS = table(
    "but|just|only|instead|rather|except|except for|though|although|however|apart from",
    BOUNDARY,
)
NEGATORS = table(
    "no|not|without|dont|do not|doesnt|does not|never|skip|skip the|avoid|nothing|none|zero"
    "|no need for|dont want|dont need|dont add|leave out|no any|lose the|drop the|isnt"
    "|ditch the|free of|cut the|remove|turn off|switch off",
    NEGATOR,
)

_FAST = entry(pace(Pace.FAST), negated=PACE_NEGATED)
_FAST_FIRM = entry(pace(Pace.FAST, FIRM), negated=PACE_NEGATED)
_SLOW = entry(pace(Pace.SLOW), negated=PACE_NEGATED)
_SLOW_FIRM = entry(pace(Pace.SLOW, FIRM), negated=PACE_NEGATED)
PACES = {
    **table(
        "fast pace|fast paced|fast tempo|quick pace|quick paced|rapid pace|high tempo"
        "|up tempo|uptempo|pace fast|paced fast|fast rhythm|fast moving|quick moving|high paced"
        "|high pace|upbeat pace|energetic pace|lively pace|brisk pace|quickfire|quick fire",
        _FAST_FIRM,
    ),
    **table(
        "fast|faster|quick|quicker|quickly|rapid|rapidly|speedy|snappy|punchy|brisk|super fast"
        "|action packed|rapid fire|fast transitions|quick transitions|rapid transitions"
        "|snappy transitions|lots of energy|full of energy|high octane",
        _FAST,
    ),
    **table(
        "slow pace|slow paced|slower pace|relaxed pace|leisurely pace|gentle pace|calm pace"
        "|slow tempo|no rush|take it slow|unhurried|slowly paced|paced slowly|chill pace"
        "|slow moving|easy pace|relaxing pace|laid back pace|take it easy",
        _SLOW_FIRM,
    ),
    **table("slow|slower|slowly|leisurely|laid back|graceful|slowed down", _SLOW),
    **table(
        "medium pace|moderate pace|normal pace|steady pace|medium paced|regular pace"
        "|average pace|medium tempo|moderate tempo|mid pace|mid tempo|normal speed",
        entry(pace(Pace.MEDIUM, FIRM)),
    ),
    **table("medium|moderate|steady|moderately", entry(pace(Pace.MEDIUM))),
    "energetic": entry(pace(Pace.FAST), mood(Mood.UPBEAT), negated=PACE_NEGATED),
    "high energy": entry(pace(Pace.FAST), mood(Mood.UPBEAT), negated=PACE_NEGATED),
    "dynamic": entry(pace(Pace.FAST), negated=PACE_NEGATED),
    "lively": entry(pace(Pace.FAST), mood(Mood.UPBEAT), negated=PACE_NEGATED),
    "dreamy": entry(pace(Pace.SLOW), mood(Mood.CALM, HINT)),
    **table(
        "elegant|classy|sophisticated|premium|refined",
        entry(pace(Pace.SLOW, HINT), mood(Mood.CALM, HINT)),
    ),
    "luxurious": entry(pace(Pace.SLOW, HINT)),
    "luxury": entry(pace(Pace.SLOW, HINT)),
}


_CALM_SLOW = pace(Pace.SLOW)
MOODS = {
    **moods("calm|calming|relaxing|relaxed|gentle|peaceful|serene|tranquil", Mood.CALM, _CALM_SLOW),
    **moods(
        "soft|soothing|ambient|mellow|meditative|zen|easy listening|soft pastel|quiet|spa"
        "|spa music|classical|lullaby|meditation music|low energy",
        Mood.CALM,
    ),
    **moods(
        "upbeat|happy|cheerful|fun|joyful|joyous|party music|pop|edm|electronic|dance|hype|hyped"
        "|groovy|bright|playful|festive|uplifting|feel good|bouncy|exciting|good vibes"
        "|catchy|trendy|trending|summery|sunny|celebratory|funky|positive|house music"
        "|tropical house|deep house|disco|reggaeton|afrobeat|afrobeats|kpop|k pop|techno"
        "|dubstep|electro|electropop|dance pop",
        Mood.UPBEAT,
    ),
    **moods(
        "lo fi|lofi|chill|chilled|chillhop|chill hop|jazzy|jazz|lofi beats|chill beats"
        "|lo fi beats|lo fi hip hop|lofi hip hop|chillout|chill out|chill vibes",
        Mood.LOFI,
    ),
    **moods(
        "epic|dramatic|orchestral|inspiring|inspirational|moody|majestic|powerful"
        "|heroic|trailer music|suspenseful|intense|cinematic score|film score",
        Mood.CINEMATIC,
    ),
    "cinematic": entry(mood(Mood.CINEMATIC), pace(Pace.SLOW, HINT)),
    **moods(
        "romantic|romance|warm|warmth|cosy|cozy|sweet|tender|intimate"
        "|heartwarming|heart warming|love song",
        Mood.ROMANTIC,
    ),
    **table("party|celebration|festival|corporate", entry(mood(Mood.UPBEAT, HINT))),
    "grand": entry(mood(Mood.CINEMATIC, HINT)),
    **table(
        "emotional|sentimental|heartfelt|touching|nostalgic",
        entry(mood(Mood.ROMANTIC, HINT)),
    ),
    **table(
        "sad|melancholy|melancholic|somber|sombre|bittersweet|wistful",
        entry(mood(Mood.CALM, HINT)),
    ),
    **table(
        "mysterious|haunting|ominous|tense|dark music|suspense",
        entry(mood(Mood.CINEMATIC)),
    ),
    **table(
        "cute|bubbly|quirky|summer vibes|beach vibes|tropical|christmas music|holiday music"
        "|xmas music|jingle bells",
        entry(mood(Mood.UPBEAT, HINT)),
    ),
    **moods("vibrant|peppy|zippy", Mood.UPBEAT),
    **moods("study beats|study music|beats to study to", Mood.LOFI),
    "airy": entry(mood(Mood.CALM, HINT)),
}
INSTRUMENTS = {
    **table(
        "piano|acoustic|guitar|acoustic guitar|harp|soft piano|piano music|flute|ambient pads"
        "|grand piano",
        entry(mood(Mood.CALM, HINT), noun=True),
    ),
    **table("violin|violins|cello|strings and piano", entry(mood(Mood.ROMANTIC, HINT), noun=True)),
    **table(
        "strings|orchestra|choir|drums and strings", entry(mood(Mood.CINEMATIC, HINT), noun=True)
    ),
    **table(
        "ukulele|drums|synth|synths|synthwave|beats|bass|trap|hip hop|rock|guitar riffs|rap"
        "|reggae|phonk",
        entry(mood(Mood.UPBEAT, HINT), noun=True),
    ),
    **table("saxophone|sax|jazz piano|rhodes", entry(mood(Mood.LOFI, HINT), noun=True)),
}
MUSIC = {
    **table(
        "music|song|songs|soundtrack|audio|sound|sounds|track|tracks|tune|tunes|bgm|score"
        "|background music|background track|background song|music track|bg music|bg song",
        MUSIC_NOUN,
    ),
    **table(
        "silent|mute|muted|sound off|no sound|no audio|music none|music off|audio off"
        "|music free|audio free|sound free",
        SILENT,
    ),
    **table(
        "quiet background music|low background music|soft background music|light background"
        " music|subtle background music|quiet music|low music|music quiet|music low"
        "|music quietly|quietly|low volume|music in the background"
        "|background music low|background music quiet|music soft|low key music"
        "|music volume low|volume low|music volume quiet|volume down|music down"
        "|turn the music down|turn down the music|music turned down|low music volume"
        "|music should be quiet|music should be low|music should be soft|music quieter"
        "|quieter music|music not too loud|keep the music low|music kept low",
        entry(Sense("music_volume", 0.5)),
    ),
    "loud": entry(Sense("music_volume", 1.0), negated=(Sense("music_volume", 0.5),)),
    "music loud": entry(Sense("music_volume", 1.0), negated=(Sense("music_volume", 0.5),)),
}
TEXT = {
    **table(
        "text|texts|title|titles|caption|captions|subtitle|subtitles|words|lettering|overlay"
        "|overlays|text overlay|text overlays|on screen text|text on screen|writing|typography",
        TEXT_NOUN,
    ),
    **table("text free|caption free", entry(Sense("text", False, FIRM))),
}

_CUT = entry(transition(TransitionStyle.CUT, FIRM))
_CUT_FAST = entry(transition(TransitionStyle.CUT, FIRM), pace(Pace.FAST))
_BEAT = entry(
    Sense("beat_sync", True, FIRM),
    transition(TransitionStyle.CUT, FIRM),
    negated=(Sense("beat_sync", False, FIRM),),
)
TRANSITIONS = {
    **table(
        "transition|transitions|transition effects|transitions effects|effects between"
        "|fancy transitions|transition effect|trans",
        TRANSITION_NOUN,
    ),
    **table(
        "hard cut|hard cuts|hardcut|hardcuts|straight cut|straight cuts|jump cut|jump cuts"
        "|clean cut|clean cuts|simple cuts|basic cuts|cuts only|only cuts|just cuts|direct cuts"
        "|smash cuts|smash cut|match cut|match cuts|plain cuts|cut straight|straight cutting"
        "|hard cutting|hard edits|jump cutting|cut transition|cut transitions|cuts between"
        "|cut between",
        _CUT,
    ),
    **table(
        "quick cuts|quick cut|fast cuts|fast cut|snappy cuts|rapid cuts|rapid fire cuts"
        "|fast cutting|quick cutting|punchy cuts|fast edits|quick edits|fast paced cuts",
        _CUT_FAST,
    ),
    "cuts": entry(transition(TransitionStyle.CUT), noun=True),
    **table(
        "cut on the beat|cuts on the beat|cut to the beat|cuts to the beat|cutting on the beat"
        "|cut on beat|cuts on beat|beat cuts|beat synced|beat sync|beat synced cuts|beat synced"
        " transitions|synced to the beat|synced to the music|synced with the music|on the beat"
        "|on beat|to the beat|in sync with the music|beat matched|beat matching|music synced"
        "|cut to the music|cuts to the music|timed to the music|timed to the beat"
        "|edited to the beat|edit to the beat|synced to music|sync to the beat|sync to beat"
        "|sync with the beat|sync with the music|sync to the music",
        _BEAT,
    ),
    "ignore the beat": entry(Sense("beat_sync", False, FIRM)),
    "fades": entry(transition(TransitionStyle.DISSOLVE), negated=NO_FADES, noun=True),
    **table(
        "dissolve|dissolves|dissolving|cross dissolve|cross dissolves|crossdissolve|crossfade"
        "|crossfades|cross fade|cross fades|crossfading|fade transition|fade transitions"
        "|fading transitions|soft fades|smooth fades|slow fades|gentle fades|fades between"
        "|dissolve transitions|crossfade transitions|soft cuts|fade between|fading between"
        "|blending|blend transitions|blend between|blends between|smooth blend|morph|morphs"
        "|fade in between|fades in between|fading in between"
        "|morph transitions",
        DISSOLVES,
    ),
    **table(
        "smooth transitions|soft transitions|gentle transitions|seamless transitions",
        entry(transition(TransitionStyle.DISSOLVE, Strength.HINT), negated=CUT, noun=True),
    ),
    **table(
        "fade to black between|fades to black|fade through black|fades through black"
        "|dip to black|dips to black|dip through black|dips through black|black transitions"
        "|black transition|fade via black|fades via black|black flashes|dip to black between"
        "|fade to black between shots|through black",
        BLACKS,
    ),
    **table(
        "zoom transition|zoom transitions|zoom cut|zoom cuts|zoom blur|zooms between"
        "|zoom in transitions|zoom through|zoom transitions between|zoom in transition"
        "|zoom out transition|zoom out transitions|zooming transitions|zoom between"
        "|zoom effect between|zoom effects between",
        ZOOMS,
    ),
    **table(
        "slide transition|slide transitions|slides between|sliding transitions|slide in"
        "|slide ins|slide ins between|push transition|push transitions|swipe transition"
        "|swipe transitions|swipe|swipes|whip pan|whip pans|whip transitions|sliding|whip"
        "|whips|slide left|slide right|slide over",
        SLIDES,
    ),
    **table(
        "wipe|wipes|wipe transition|wipe transitions|smooth wipes|wiping",
        WIPES,
    ),
}
MOTIONS = {
    **table(
        "ken burns|kenburns|ken burns effect|ken burn|ken burns zoom|pan and zoom|zoom and pan"
        "|pan and zooms|pans and zooms",
        KEN_BURNS,
    ),
    "slow ken burns": entry(motion(MotionStyle.KEN_BURNS), pace(Pace.SLOW, HINT), negated=STATIC),
    **table(
        "zoom in|zooming in|zoom ins|zoomed in|zoom|zooms|zooming|push in|pushing in|push ins"
        "|punch in|punch ins|zoom in slowly|zoom into",
        ZOOM_IN,
    ),
    **table(
        "slow zoom|slow zoom in|slow zooms|slowly zoom in|slow push in|gentle zoom"
        "|gentle zoom in|gentle zoom ins|slow zoom ins|gentle zooms",
        SLOW_ZOOM_IN,
    ),
    **table(
        "zoom out|zooming out|zoom outs|zoomed out|pull back|pulling back|pull out|pull outs"
        "|pulls back|zoom out slowly",
        ZOOM_OUT,
    ),
    **table(
        "slow zoom out|slowly zoom out|slow pull back|gentle zoom out",
        SLOW_ZOOM_OUT,
    ),
    **table("pan|pans|panning|pan across|panning shots|drift|drifting|pan shots", PAN),
    **table(
        "slow pan|slow pans|slow panning|slowly pan|gentle pans|slow drift",
        entry(motion(MotionStyle.PAN), pace(Pace.SLOW, HINT), negated=STATIC, noun=True),
    ),
    **table(
        "static|static shots|static photos|static images|still images|still photos"
        "|still pictures|still frames|stills only|no movement|no motion|keep still|photos still"
        "|pictures still|keep them still|stay still|hold still",
        entry(motion(MotionStyle.STATIC, Strength.FIRM)),
    ),
    **table(
        "motion|movement|moving|animation|animations|camera movement|camera motion"
        "|camera moves|camera move",
        MOTION_NOUN,
    ),
}
FADES = {
    **table(
        "fade in and out|fade in and fade out|fades in and out|fade in out|fade in and out"
        "|fading in and out|fade ins and outs",
        FADE_IN_AND_OUT,
    ),
    **table(
        "fade in|fade up|fade from black|fade up from black|fade in at the start|fades in"
        "|fading in|fade in from black|open from black|fade at the start|fade at the beginning"
        "|start with a fade|open with a fade|begin with a fade|opening with a fade",
        FADE_IN,
    ),
    **table(
        "fade out|fade to black|fade to black at the end|fade out at the end|end on black"
        "|end in black|fades out|fading out|fade out to black|fade to black to end"
        "|fade at the end|fade at end|fade out at end|fade to finish|fades at the end"
        "|end with a fade|ending with a fade|end on a fade|finish with a fade",
        FADE_OUT,
    ),
    **table("fade|fading", Entry((Sense("filler"),), NO_FADES, noun=True)),
    **table("end abruptly|abrupt end|abrupt ending|hard stop", entry(Sense("fade_out", False))),
}
SHAPES = {
    **table(
        "vertical|vertically|upright|portrait|portrait mode|portrait orientation",
        entry(Sense("shape", "portrait", FIRM)),
    ),
    **table(
        "landscape|horizontal|widescreen|wide screen|landscape mode|horizontally",
        entry(Sense("shape", "16:9", FIRM)),
    ),
    **table("square|squared|square format", entry(Sense("shape", "1:1", FIRM))),
}
RESOLUTIONS = {
    **table("uhd|ultra hd", entry(Sense("resolution", "2160p"))),
    **table("full hd|fhd|full high definition", entry(Sense("resolution", "1080p"))),
    **table("hd|high definition|hd ready", entry(Sense("resolution", "720p"))),
}

LEXICON: dict[str, Entry] = {
    **GRAMMAR,
    **VIDEO_KINDS,
    **ENDS,
    **NEGATORS,
    **PACES,
    **MOODS,
    **INSTRUMENTS,
    **MUSIC,
    **TEXT,
    **TRANSITIONS,
    **MOTIONS,
    **FADES,
    **SHAPES,
    **RESOLUTIONS,
}
"""Every English phrase the reader knows, platforms excepted (``worker.prompt.platforms``)."""
