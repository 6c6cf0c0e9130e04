"""Platforms by name, and the canvas each one shows full size.

Reels, TikTok, Shorts, Stories, Snapchat, 抖音, 快手 and 视频号 fill a phone held upright (9:16);
YouTube, Bilibili and Vimeo play 16:9; the Instagram and Facebook feeds show 4:5 portrait
posts at their largest; 小红书 (Xiaohongshu, RED) cuts its feed to 3:4; Pinterest's standard
pin is 2:3; LinkedIn's feed, square. A ratio the prompt writes out wins over a platform, and
so does a shape word that disagrees with it ("Reels but square"); a shape word that agrees
("vertical, for 小红书") keeps the platform's own canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.prompt.vocabulary import Entry, Sense, entry, table


@dataclass(frozen=True)
class Platform:
    name: str
    aspect: str


REELS = Platform("Instagram Reels", "9:16")
TIKTOK = Platform("TikTok", "9:16")
DOUYIN = Platform("抖音", "9:16")
KUAISHOU = Platform("快手", "9:16")
CHANNELS = Platform("视频号", "9:16")
SHORTS = Platform("YouTube Shorts", "9:16")
STORIES = Platform("Stories", "9:16")
INSTAGRAM = Platform("Instagram feed", "4:5")
FACEBOOK = Platform("Facebook feed", "4:5")
YOUTUBE = Platform("YouTube", "16:9")
PINTEREST = Platform("Pinterest", "2:3")
XIAOHONGSHU = Platform("小红书", "3:4")
LINKEDIN = Platform("LinkedIn", "1:1")


def _platform(phrases: str, platform: Platform) -> dict[str, Entry]:
    return table(phrases, entry(Sense("platform", platform), noun=True))


ENGLISH: dict[str, Entry] = {
    **_platform(
        "reels|reel|instagram reels|instagram reel|ig reels|ig reel|insta reels|insta reel"
        "|facebook reels|fb reels|facebook reel|fb reel",
        REELS,
    ),
    **_platform("tiktok|tik tok|tick tock|tic toc|tiktoks", TIKTOK),
    **_platform("douyin", DOUYIN),
    **_platform("kuaishou", KUAISHOU),
    **_platform("shorts|youtube shorts|yt shorts|youtube short|yt short", SHORTS),
    **_platform(
        "stories|instagram story|instagram stories|insta story|insta stories|ig story"
        "|ig stories|facebook story|facebook stories|fb story|fb stories|snapchat"
        "|snapchat story|whatsapp status|whatsapp|status video",
        STORIES,
    ),
    **_platform(
        "instagram|insta|ig|the gram|instagram post|instagram feed|ig feed|insta feed"
        "|ig post|insta post|instagram carousel|carousel|feed|feed post",
        INSTAGRAM,
    ),
    **_platform("facebook|fb|facebook feed|fb feed|facebook post|facebook page", FACEBOOK),
    **_platform("youtube|yt|you tube|vimeo|bilibili|twitter|youtube video", YOUTUBE),
    **_platform("pinterest|pin|video pin|pinterest pin|pins|idea pin", PINTEREST),
    **_platform("xiaohongshu|xhs|rednote|red note|little red book|red app|redbook", XIAOHONGSHU),
    **_platform("linkedin|linked in", LINKEDIN),
    **_platform("wechat channels|weixin channels", CHANNELS),
}
CHINESE: dict[str, Entry] = {
    **_platform("抖音|抖音号", DOUYIN),
    **_platform("快手", KUAISHOU),
    **_platform("视频号|微信视频号", CHANNELS),
    **_platform("小红书|红书|小红书笔记", XIAOHONGSHU),
    **_platform("b站|B站|哔哩哔哩|西瓜视频|优酷|油管", YOUTUBE),
}

STORY_WORD = "story"
"""Stories only when the prompt says whose ("Instagram story", "for my story", "story for
IG"): a love story is not a platform."""
STORY = entry(Sense("platform", STORIES), noun=True)
