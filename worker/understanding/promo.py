"""The words a promo shows — name, price, old price, discount, call to action, captions — and
where each came from.

Precedence, per word: an explicit job option, then a column of the job's catalog row, then
the prompt. The prompt is read for phrases people write without quotes ("promo for Fresh Roast
Coffee, now only $12.50", "was $15 now $12", "20% off", "end with Shop now", "原价¥120 现价¥88",
"八折"). A phrase that could mean two things (two prices and no word saying which was before)
is left out and named in ``ambiguous``: no text beats a wrong price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from worker.job.spec import JobOptions
from worker.job.styles import LogoPlacement
from worker.prompt.numbers import chinese_number

WORD_FIELDS = ("title", "name", "price", "old_price", "discount", "cta")
"""Merge fields every template may use, whatever the feed's columns."""


class Source(StrEnum):
    OPTION = "option"
    COLUMN = "column"
    PROMPT = "prompt"


@dataclass(frozen=True)
class Word:
    text: str
    source: Source


@dataclass(frozen=True)
class PromoWords:
    title: Word | None = None
    """A headline that is not a product name ("Summer Sale")."""
    name: Word | None = None
    price: Word | None = None
    old_price: Word | None = None
    discount: Word | None = None
    """A badge text such as ``-20%``."""
    cta: Word | None = None
    captions: tuple[Word, ...] = ()
    logo: Word | None = None
    logo_placement: LogoPlacement | None = None
    ambiguous: tuple[str, ...] = field(default=())

    @property
    def is_product(self) -> bool:
        return self.name is not None or self.price is not None

    def merge_fields(self) -> dict[str, str]:
        """The words as template merge fields: ``{name}``, ``{price}``, ``{discount}`` …"""
        words = {
            "title": self.title or self.name,
            "name": self.name,
            "price": self.price,
            "old_price": self.old_price,
            "discount": self.discount,
            "cta": self.cta,
        }
        return {key: word.text for key, word in words.items() if word is not None}

    def to_record(self) -> dict[str, Any]:
        """What was understood and from where, for the report."""
        record: dict[str, Any] = {}
        for key in ("title", "name", "price", "old_price", "discount", "cta", "logo"):
            word = getattr(self, key)
            if word is not None:
                record[key] = {"text": word.text, "from": str(word.source)}
        if self.captions:
            record["captions"] = [
                {"text": word.text, "from": str(word.source)} for word in self.captions
            ]
        if self.logo_placement is not None:
            record["logo_placement"] = str(self.logo_placement)
        if self.ambiguous:
            record["ambiguous"] = list(self.ambiguous)
        return record


# -- prices ------------------------------------------------------------------------------------

_SYMBOL = r"[$€£¥￥]"
_CODE = r"(?:USD|EUR|GBP|JPY|CNY|RMB|HKD|CAD|AUD|CHF)"
_CN_UNIT = r"(?:元|块钱|块|美元|欧元|英镑|日元)"
_AMOUNT = r"\d{1,3}(?:[,\s]\d{3})*(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
PRICE_PATTERN = re.compile(
    rf"(?:(?:US|C|A|HK)?{_SYMBOL}\s?(?:{_AMOUNT})"
    rf"|{_CODE}\s?(?:{_AMOUNT})"
    rf"|(?<![A-Za-z0-9.,])(?:{_AMOUNT})\s?(?:{_CODE}\b|{_CN_UNIT}|{_SYMBOL}))"
)
_OLD_MARKERS = re.compile(
    r"(?:\bwas|\bregular(?:ly)?(?:\s+price)?|\boriginal(?:ly)?(?:\s+price)?|\binstead of"
    r"|\busually|\bnormally|\bretail|\blist price|\bRRP|\bMSRP|原价|原来|划线价|市场价)"
    r"\s*[:：]?\s*$",
    re.IGNORECASE,
)
_NEW_MARKERS = re.compile(
    r"(?:\bnow|\bonly|\bjust|\bsale(?:\s+price)?|\bprice[d]?|\bfor|\bat|\bcosts?|现价|售价|特价"
    r"|只要|仅需|仅售|仅|到手价|秒杀价|价格)\s*(?:only|just)?\s*[:：]?\s*$",
    re.IGNORECASE,
)


def _tidy_price(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def parse_prices(prompt: str) -> tuple[str | None, str | None, bool]:
    """(price, old price, ambiguous) as written in the prompt.

    "was $15 now $12" and "原价¥120 现价¥88" give both; one price alone is the price; two or
    more prices with nothing saying which one was before are ambiguous and give neither.
    Percentages and durations ("20%", "8-second") are never prices.
    """
    found = list(PRICE_PATTERN.finditer(prompt))
    if not found:
        return None, None, False
    old: list[str] = []
    new: list[str] = []
    unmarked: list[str] = []
    for match in found:
        before = prompt[max(0, match.start() - 24) : match.start()]
        text = _tidy_price(match.group())
        if _OLD_MARKERS.search(before):
            old.append(text)
        elif _NEW_MARKERS.search(before):
            new.append(text)
        else:
            unmarked.append(text)
    arrow = re.search(
        rf"({PRICE_PATTERN.pattern})\s*(?:→|->|=>|➜|to|down to|降到|降至)\s*"
        rf"({PRICE_PATTERN.pattern})",
        prompt,
    )
    if arrow and not old and len(found) == 2:
        return _tidy_price(arrow.group(2)), _tidy_price(arrow.group(1)), False
    if len(old) > 1 or len(new) > 1:
        return None, None, True
    if old and not new and len(unmarked) == 1:
        new, unmarked = unmarked, []
    if unmarked and (new or len(unmarked) > 1):
        return None, None, True
    if not new and len(unmarked) == 1:
        new = unmarked
    price = new[0] if new else None
    old_price = old[0] if old and price else None
    return price, old_price, bool(old and not price)


# -- discounts ---------------------------------------------------------------------------------


def parse_discount(prompt: str) -> str | None:
    """A badge text: "20% off", "save 30%", "-15%" → ``-20%``; "八折", "8折", "7.5折" → ``-20%``…"""
    off = re.search(
        r"(?:\bsave\s+|\bup to\s+|(?<![\w.])-\s?)?(\d{1,2}(?:\.\d)?)\s?%\s*"
        r"(off\b|discount|折扣|优惠)?",
        prompt,
        re.IGNORECASE,
    )
    if off and (off.group(2) or re.match(r"save|-", off.group(0).strip(), re.IGNORECASE)):
        return f"-{off.group(1)}%"
    tenths = re.search(r"(\d(?:\.\d)?|[一二两三四五六七八九])\s?折", prompt)
    if tenths:
        value = chinese_number(tenths.group(1)) or 0.0
        percent = round(100 - value * 10)
        return f"-{percent}%" if 0 < percent < 100 else None
    return None


def discount_between(price: str, old_price: str) -> str | None:
    """``-20%`` for "$12" after "$15"; None unless both are plain amounts in one currency."""
    amounts = []
    units = []
    for text in (price, old_price):
        number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
        if number is None:
            return None
        digits = number.group()
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
            digits = digits.replace(",", "")
        amounts.append(float(digits.replace(",", ".")))
        units.append(text.replace(number.group(), "").strip())
    if units[0] != units[1] or amounts[1] <= amounts[0] or amounts[1] == 0:
        return None
    percent = round((1 - amounts[0] / amounts[1]) * 100)
    return f"-{percent}%" if percent > 0 else None


# -- names, calls to action, the logo ----------------------------------------------------------

_QUOTE_OPEN = "\"“「『《‘'"
_QUOTE_CLOSE = "\"”」』》’'"
_PLATFORM_WORDS = re.compile(
    r"^(?:instagram|insta|reels?|tiktok|youtube|shorts|stories|story|facebook|"
    r"the\s+(?:feed|web|site|shop|store)|our\s+(?:shop|store|feed)|social(?: media)?)\b",
    re.IGNORECASE,
)
_PLATFORM_NAMES = re.compile(
    r"\b(?:instagram|insta|reels?|tiktok|tik tok|youtube|shorts|facebook|pinterest|snapchat"
    r"|linkedin|xiaohongshu|douyin|the gram)\b|抖音|快手|小红书|视频号|b站",
    re.IGNORECASE,
)
_NAME_END = (
    r"(?=\s*(?:[,，。;；.!?！？\n(]|\s[-–—]\s|\s(?:now|only|just|at|for|with|was|in|on)\b|$))"
)


def _unquote(text: str) -> str:
    return text.strip().strip(_QUOTE_OPEN + _QUOTE_CLOSE).strip()


def parse_name(prompt: str) -> str | None:
    """The product a promo is for: "promo for Fresh Roast Coffee, now only …" → the name.

    Platform words ("promo for Reels") are not names. Chinese: "商品：…", "产品：…"."""
    labelled = re.search(
        r"(?:product|item|商品|产品|品名)\s*(?:name)?\s*[:：]\s*([^,，。;；\n]+)",
        prompt,
        re.IGNORECASE,
    )
    if labelled:
        return _clean_name(labelled.group(1))
    match = re.search(
        rf"\b(?:promo(?:tion(?:al)?)?|ad(?:vert(?:isement)?)?|commercial|spot|video|clip|reel)"
        rf"\s+(?:video\s+)?(?:for|of|about|featuring|showcasing)\s+(.+?){_NAME_END}",
        prompt,
        re.IGNORECASE,
    )
    if match is None:
        return None
    return _clean_name(match.group(1))


def _clean_name(text: str) -> str | None:
    name = _unquote(text)
    name = re.sub(r"^(?:the|our|a|an)\s+", "", name, flags=re.IGNORECASE) if name else name
    if not name or _PLATFORM_WORDS.match(name) or PRICE_PATTERN.fullmatch(name):
        return None
    if _PLATFORM_NAMES.search(name):
        return None
    if re.fullmatch(r"[\d\s\-:./x]+|(?:\d+\s*-?\s*(?:seconds?|secs?|s)\b.*)", name, re.IGNORECASE):
        return None
    return name[:300]


def _cta_match(prompt: str) -> re.Match[str] | None:
    quoted = rf"[{_QUOTE_OPEN}](.+?)[{_QUOTE_CLOSE}]"
    patterns = (
        rf"(?:end|close|finish)(?:s|ing)?\s+(?:with|on)\s+(?:a\s+|an\s+|the\s+)?(?:cta\s+|call\s+to\s+action\s+)?{quoted}",
        rf"(?:cta|call[\s-]+to[\s-]+action)\s*(?:is|of)?\s*[:：=]?\s*{quoted}",
        rf"以\s*{quoted}\s*(?:结尾|收尾|结束)",
        rf"(?:结尾|片尾|最后)\s*(?:是|为|显示)?\s*[:：]?\s*{quoted}",
        r"(?:cta|call[\s-]+to[\s-]+action)\s*[:：=]\s*([^,，。;；.!\n]+)",
        r"(?:end|close|finish)(?:s|ing)?\s+(?:with|on)\s+(?:a\s+|the\s+)?(?:cta\s+|call\s+to\s+action\s+)?"
        r"(?!(?:a|the)?\s*(?:logo|fade|black|freeze|still|slow|music|card\b))([^,，。;；.!\n]+)",
        r"(?:结尾|片尾)\s*[:：]\s*([^,，。;；\n]+)",
    )
    for pattern in patterns:
        match = re.search(pattern, prompt, re.IGNORECASE)
        if match:
            text = _unquote(match.group(1))
            if text and not re.fullmatch(r"(?:a|the)?\s*(?:logo|fade.*|black)", text, re.I):
                return match
    return None


def parse_cta(prompt: str) -> str | None:
    """The call to action: "end with 'Shop now'", "end on Shop now.", "CTA: Buy today",
    "call to action: …", "以“立即购买”结尾", "结尾：立即购买"."""
    match = _cta_match(prompt)
    return _unquote(match.group(1))[:80] if match else None


def cta_span(prompt: str) -> tuple[int, int] | None:
    """Where the call-to-action phrase is (so "Shop now" is not read as a title)."""
    match = _cta_match(prompt)
    return match.span() if match else None


def word_spans(prompt: str) -> list[tuple[int, int]]:
    """Where the prompt writes prices and the call to action."""
    spans = [match.span() for match in PRICE_PATTERN.finditer(prompt)]
    if cta := cta_span(prompt):
        spans.append(cta)
    return spans


def name_span(prompt: str) -> tuple[int, int] | None:
    """Where the prompt writes the product's name (a guess: other readers may take its words)."""
    name = parse_name(prompt)
    at = prompt.find(name) if name else -1
    return (at, at + len(str(name))) if at >= 0 else None


def parse_logo_placement(prompt: str) -> LogoPlacement | None:
    text = prompt.lower()
    if re.search(
        r"(?:open|start|begin)\w*\s+with\s+(?:the\s+|our\s+)?logo"
        r"|logo\s+(?:first|at the start)|以\s*logo\s*开头|开头.{0,4}logo",
        text,
    ):
        return LogoPlacement.START
    if re.search(
        r"(?:end|close|finish)\w*\s+(?:with|on)\s+(?:the\s+|our\s+)?logo"
        r"|logo\s+(?:at the end|last|on the end card)|logo.{0,4}结尾",
        text,
    ):
        return LogoPlacement.END
    if re.search(r"logo\s+(?:in|on)\s+(?:the\s+)?(?:corner|top|bottom)|watermark|角标|水印", text):
        return LogoPlacement.CORNER
    return None


# -- precedence --------------------------------------------------------------------------------

NAME_COLUMNS = ("name", "title", "product_name")
SALE_PRICE_COLUMNS = ("sale_price", "sale")
OLD_PRICE_COLUMNS = ("old_price", "was_price", "regular_price", "list_price")


def _column(fields: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def name_text(word: Word | None) -> str | None:
    return word.text if word else None


def _first(*choices: tuple[str | None, Source]) -> Word | None:
    return next((Word(text, source) for text, source in choices if text), None)


def read_words(
    prompt: str,
    options: JobOptions,
    fields: Mapping[str, Any] | None,
    prompt_title: str | None = None,
) -> PromoWords:
    """The promo's words by precedence: options, then the catalog row ``fields``, then the
    prompt (``prompt_title``: the quoted or labelled title the planner read from it)."""
    row = fields or {}
    sale = _column(row, SALE_PRICE_COLUMNS)
    column_price = sale or _column(row, ("price",))
    column_old = _column(row, OLD_PRICE_COLUMNS) or (_column(row, ("price",)) if sale else None)
    prompt_price, prompt_old, ambiguous_price = parse_prices(prompt)
    prompt_name = parse_name(prompt)
    title_as_name = prompt_title if (prompt_price or prompt_name) else None
    column_name = _column(row, NAME_COLUMNS)
    product = bool(options.price or column_price or prompt_price or column_name or prompt_name)
    option_name = options.title if product else None
    name = _first(
        (option_name, Source.OPTION),
        (column_name, Source.COLUMN),
        (prompt_name or title_as_name, Source.PROMPT),
    )
    title = None
    if options.title and not product:
        title = Word(options.title, Source.OPTION)
    elif prompt_title and not options.title and prompt_title != name_text(name):
        title = Word(prompt_title, Source.PROMPT)
    price = _first(
        (options.price, Source.OPTION),
        (column_price, Source.COLUMN),
        (prompt_price, Source.PROMPT),
    )
    old_price = _first(
        (options.old_price, Source.OPTION),
        (column_old, Source.COLUMN),
        (prompt_old if price and price.source == Source.PROMPT else None, Source.PROMPT),
    )
    discount = _first(
        (_column(row, ("discount",)), Source.COLUMN),
        (parse_discount(prompt), Source.PROMPT),
    )
    if discount is None and price and old_price:
        computed = discount_between(price.text, old_price.text)
        discount = Word(computed, old_price.source) if computed else None
    column_captions = _column(row, ("captions",))
    captions: tuple[Word, ...] = ()
    if options.captions:
        captions = tuple(Word(text, Source.OPTION) for text in options.captions)
    elif column_captions:
        captions = tuple(
            Word(text.strip(), Source.COLUMN) for text in column_captions.split("|") if text.strip()
        )
    logo = _first(
        (options.logo, Source.OPTION),
        (_column(row, ("logo",)), Source.COLUMN),
        (options.brand.logo if options.brand else None, Source.OPTION),
    )
    placement = options.logo_placement or parse_logo_placement(prompt)
    return PromoWords(
        title=title,
        name=name,
        price=price,
        old_price=old_price,
        discount=discount,
        cta=_first(
            (options.cta, Source.OPTION),
            (_column(row, ("cta",)), Source.COLUMN),
            (parse_cta(prompt), Source.PROMPT),
        ),
        captions=captions,
        logo=logo,
        logo_placement=placement if logo else None,
        ambiguous=("price",) if ambiguous_price and price is None else (),
    )
