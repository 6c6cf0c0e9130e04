"""Chinese phrases as people write them in prompts, by what they ask for.

Chinese has no spaces: ``worker.prompt.tokens`` cuts it by the longest phrase of this lexicon
at each place. So the lexicon also holds the everyday words that contain a phrase's characters
and mean something else (愉快, 快手, 尽快 hold 快 but are not "fast"), and the particles and
request words around them (的, 做一个, 视频), which ask for nothing but are understood.
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
    PACE_NEGATED,
    PAN,
    SILENT,
    SLIDES,
    SLOW_ZOOM_IN,
    SLOW_ZOOM_OUT,
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
    TransitionStyle,
    entry,
    mood,
    moods,
    motion,
    pace,
    table,
    transition,
)

PARTICLES = "的地得了着过和与跟及也都再吧呢啊呀哦嘛吗个把给请我你他她它这那就只很"
"""One-character words that never belong to the word beside them: reported words that set
nothing are cut at these, and at no other one-character filler (成长, 上市 stay whole)."""
FILLERS = table(
    "的|地|得|了|着|过|个|一个|一下|一点|一些|点|些|帮我|帮忙|请|麻烦|给|我|我们|你|您|他|她|它"
    "|这|这些|这个|那|那些|做|做成|做个|做一个|制作|生成|剪|剪辑|剪成|弄|搞|要|想|想要|需要|用|把|和"
    "|与|跟|及|以及|还有|并且|并|也|都|再|吧|呢|啊|呀|哦|嘛|吗|是|为|有|在|上|中|里|成|来|出|让"
    "|能|可以|一|很|非常|比较|更|最|稍微|有点|一点儿|左右|大约|大概|约|以内|之内|不超过|最多"
    "|至少|时长|长度|总长|比例|画面比例|画幅|尺寸|分辨率|帧率|节奏|速度|风格|感觉|氛围|效果|特效"
    "|画面|镜头|开头|结尾|片头|片尾|开场|照片|图片|相片|素材|视频|短视频|短片|片子|影片|宣传片|宣传"
    "|广告|相册|影集|电子相册|合集|集锦|回顾|纪念|展示|介绍|分享|记录|笔记|版|版本|格式|配|配上"
    "|加|加上|添加|带|带上|背景|整体|全程|每张|每张照片|之间|风|款|条|段|部|支|首|张|秒钟|一起"
    "|尽快|赶快|快递|凉快|痛快|快门|快闪|傲慢|怠慢|生日快乐|新年快乐|封面|主图|作品|作品集"
    "|一样|一种|样子|就好|就行|即可|就可以|可以了|谢谢|好的",
    FILLER,
)
ENDS = table("但|但是|只|只要|就|而是|改成|换成|只用|只需|只需要|不过|然后", BOUNDARY)
NEGATORS = table(
    "不要|不用|不需要|无|没有|别|不加|去掉|不带|免|不|勿|不想要|不想|拒绝|取消|省略|别加|不配|去除|删掉"
    "|关掉|关闭",
    NEGATOR,
)

_FAST = entry(pace(Pace.FAST), negated=PACE_NEGATED)
_SLOW = entry(pace(Pace.SLOW), negated=PACE_NEGATED)
PACES = {
    **table(
        "快节奏|节奏快|节奏快一点|节奏快些|节奏很快|节奏紧凑|节奏明快|节奏轻快|节奏感强|加快节奏|快速节奏",
        entry(pace(Pace.FAST, FIRM), negated=PACE_NEGATED),
    ),
    **table("快|快一点|快一些|快点|快速|紧凑|明快|节奏感|太快|很快|较快|飞快|利落", _FAST),
    **table(
        "慢节奏|节奏慢|节奏慢一点|节奏舒缓|节奏缓慢|节奏很慢|节奏放慢|放慢节奏",
        entry(pace(Pace.SLOW, FIRM), negated=PACE_NEGATED),
    ),
    **table("慢|慢一点|慢一些|慢点|缓慢|慢慢|悠闲|平缓|慢悠悠|太慢|很慢|较慢|舒展", _SLOW),
    **table("节奏适中|中等节奏|正常节奏|节奏正常|节奏中等", entry(pace(Pace.MEDIUM, FIRM))),
    **table("适中|中速|中等|不快不慢", entry(pace(Pace.MEDIUM))),
    "动感": entry(pace(Pace.FAST), mood(Mood.UPBEAT), negated=PACE_NEGATED),
    **table("慢动作|慢镜头", entry(pace(Pace.SLOW, HINT))),
}


MOODS = {
    **moods("舒缓|放松|平静", Mood.CALM, pace(Pace.SLOW)),
    **moods("安静|轻柔|轻音乐|清新|治愈|宁静|轻松|柔和|恬静|静谧|温柔|淡雅", Mood.CALM),
    **moods(
        "欢快|轻快|活力|有活力|愉快|快乐|喜庆|热闹|嗨|燃|活泼|俏皮|青春|轻松愉快|欢乐|开心|动感十足"
        "|节日|热烈|元气|电音|嗨翻",
        Mood.UPBEAT,
    ),
    **moods("低保真|慵懒|爵士", Mood.LOFI),
    **moods(
        "史诗|史诗感|大气|震撼|磅礴|大气磅礴|庄重|激昂|恢弘|宏大|热血|壮观|霸气|紧张|悬疑",
        Mood.CINEMATIC,
    ),
    "电影感": entry(mood(Mood.CINEMATIC), pace(Pace.SLOW, HINT)),
    **moods("浪漫|温馨|温暖|甜蜜|唯美|抒情|深情|柔情|温情|甜美|浪漫唯美", Mood.ROMANTIC),
    **table("感人|感动|伤感|怀旧|煽情|悲伤|忧伤|难过", entry(mood(Mood.CALM, HINT))),
    **table("可爱|萌", entry(mood(Mood.UPBEAT, HINT))),
    **table("悠扬|文艺", entry(mood(Mood.CALM, HINT))),
    **table("劲爆|燃爆|炸裂", entry(mood(Mood.UPBEAT))),
    **table("古典|古典乐", entry(mood(Mood.CALM, HINT), noun=True)),
    **table("电子|电子乐", entry(mood(Mood.UPBEAT, HINT), noun=True)),
}
INSTRUMENTS = {
    **table("钢琴|钢琴曲|吉他|古筝|古琴|竖琴|八音盒", entry(mood(Mood.CALM, HINT), noun=True)),
    **table("小提琴|大提琴", entry(mood(Mood.ROMANTIC, HINT), noun=True)),
    **table("交响|交响乐|管弦乐", entry(mood(Mood.CINEMATIC, HINT), noun=True)),
    **table("鼓点|架子鼓|摇滚|说唱", entry(mood(Mood.UPBEAT, HINT), noun=True)),
}
MUSIC = {
    **table(
        "音乐|配乐|背景音乐|歌|歌曲|曲子|音效|声音|音频|伴奏|背景乐|乐曲|曲",
        MUSIC_NOUN,
    ),
    **table("静音|无声|无音乐|纯画面|无背景音乐|无配乐", SILENT),
    **table(
        "音量小一点|音量小|音量低一点|音量低|小声一点|小声|声音小一点|声音小|音乐小声|音量调低|音量轻一点"
        "|音乐小一点|音乐小点|音乐调小|音乐调低|背景音乐小一点|背景音乐小点|背景音乐调小"
        "|背景音乐调低|配乐小一点|配乐调小|配乐调低",
        entry(Sense("music_volume", 0.5)),
    ),
    "音量": FILLER,
}
TEXT = table(
    "文字|字幕|标题|字|文案|花字|文本",
    TEXT_NOUN,
)
_BEAT = entry(
    Sense("beat_sync", True, FIRM),
    transition(TransitionStyle.CUT, HINT),
    negated=(Sense("beat_sync", False, FIRM),),
)
TRANSITIONS = {
    **table("转场|过渡|切换|转场特效|转场效果|过渡效果", TRANSITION_NOUN),
    **table(
        "硬切|直切|直接切|直接切换|硬切换|直接剪切|干脆利落的切换",
        entry(transition(TransitionStyle.CUT, FIRM)),
    ),
    **table("快切|快剪|快速切换", entry(transition(TransitionStyle.CUT, FIRM), pace(Pace.FAST))),
    **table("卡点|踩点|卡点视频|踩点视频|节拍|跟着节拍|踩节拍|卡节奏|跟着音乐节奏", _BEAT),
    **table(
        "叠化|溶解|交叉淡化|淡化转场|渐变转场|渐变|叠化转场|溶解转场|交叉溶解|叠加过渡|淡入淡出转场",
        DISSOLVES,
    ),
    **table(
        "黑场|黑场过渡|黑场转场|闪黑|黑屏过渡|黑场切换",
        BLACKS,
    ),
    **table(
        "缩放转场|变焦转场|推拉转场|放大转场|缩放过渡",
        ZOOMS,
    ),
    **table(
        "滑动|滑动转场|推移|滑入|推移转场|平推|滑屏|滑动切换",
        SLIDES,
    ),
    **table("擦除|划像|擦除转场|擦除过渡", WIPES),
    **table(
        "丝滑|丝滑转场|平滑转场|转场自然|转场平滑|转场丝滑|过渡自然|自然过渡|柔和转场",
        entry(transition(TransitionStyle.DISSOLVE, HINT), negated=CUT, noun=True),
    ),
}
MOTIONS = {
    **table(
        "肯伯恩斯|推拉镜头|推拉|镜头推拉|缓慢推拉",
        KEN_BURNS,
    ),
    **table("推近|推进|推镜|推镜头|镜头推近|放大|逐渐放大|推入|镜头推进|拉近", ZOOM_IN),
    **table(
        "慢慢推近|缓慢推近|缓缓推近|慢推|缓推",
        SLOW_ZOOM_IN,
    ),
    **table("拉远|镜头拉远|拉镜|拉镜头|缩小|逐渐缩小|拉出", ZOOM_OUT),
    **table(
        "慢慢拉远|缓慢拉远|缓缓拉远",
        SLOW_ZOOM_OUT,
    ),
    **table("平移|平移镜头|摇镜|摇镜头|横移|镜头平移|左右平移|左右移动", PAN),
    **table(
        "静止|静态|不动|静止画面|静态画面|定格|不要动|静止的照片|静态照片|画面不动|固定镜头"
        "|固定机位|镜头固定",
        entry(motion(MotionStyle.STATIC, FIRM)),
    ),
    **table("运镜|动效|动画|移动|晃动", MOTION_NOUN),
}
FADES = {
    **table(
        "淡入淡出|渐入渐出|渐显渐隐|淡进淡出|首尾淡入淡出",
        FADE_IN_AND_OUT,
    ),
    **table(
        "淡入|渐入|渐显|开头淡入|从黑场淡入",
        FADE_IN,
    ),
    **table(
        "淡出|渐出|渐隐|结尾淡出|淡出结尾|黑场结尾|以黑场结尾|淡出收尾|结尾黑屏|黑屏结尾|黑屏收尾",
        FADE_OUT,
    ),
}
SHAPES = {
    **table("竖屏|竖版|竖屏版|竖幅|竖构图|竖着|竖的", entry(Sense("shape", "portrait", FIRM))),
    **table("横屏|横版|横幅|宽屏|横构图|横着|横的", entry(Sense("shape", "16:9", FIRM))),
    **table("方形|正方形|方屏|方版|方图", entry(Sense("shape", "1:1", FIRM))),
}
RESOLUTIONS = {
    **table("超高清", entry(Sense("resolution", "2160p"))),
    **table("全高清|超清|蓝光", entry(Sense("resolution", "1080p"))),
    **table("画质|清晰度", FILLER),
}

LEXICON: dict[str, Entry] = {
    **FILLERS,
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
"""Every Chinese phrase the reader knows, platforms excepted (``worker.prompt.platforms``)."""
