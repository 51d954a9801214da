"""Text that users paste from Word and websites, made safe to store and to render.

Word writes a manual line break as U+000B and a page break as U+000C; both are
illegal in XML and make python-docx raise. We turn them into line breaks, drop
the other characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF, lone
surrogates) and keep everything else exactly as typed: traditional script,
emoji, placeholders and typos are the user's business, not ours.
"""

import re

# Characters XML 1.0 does not allow, except the two we map to newlines.
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")


def clean_text(value):
    """Return `(text, removed)`: the text safe for the database and DOCX, and
    how many characters had to be dropped (line-break characters that were
    converted do not count as dropped)."""
    if not isinstance(value, str) or not value:
        return value, 0
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAKS.sub("\n", text)
    text, removed = _ILLEGAL.subn("", text)
    return text, removed


def safe_text(value):
    return clean_text(value)[0]


PLACEHOLDER_RE = re.compile(
    # xx, XX, ＸＸ — but not inside Latin words (app, Xbox) or domains (xxx.com)
    r"(?<![A-Za-z])(?:[xX]{2,}|[ｘＸ]{2,})(?![A-Za-z]|\.[A-Za-z])"
    r"|××+|○○+|＊{2,}|\*{2,}"
    r"|20[xXＸｘ]{2}|20__+|202-(?!\d)"
    r"|某某"
    r"|(?<![A-Za-z])[XxＸｘ×](?=[次名人个项条余年月日家场篇期份处位])"  # X次, ×月×日 …
)


def find_placeholders(text):
    """Placeholders left over from template essays (xx, ××, ***, 20xx, 某某, X次 …)."""
    if not text:
        return []
    return [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (counts in report prose)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def cn_date(date):
    """GB/T 9704 成文日期: Arabic numerals, no zero padding (2026年9月28日)."""
    return f"{date.year}年{date.month}月{date.day}日" if date else ""


_CN_NUM = "一二三四五六七八九十百零〇两"
# Leading enumeration markers users type: 一、 （一） (一) 1. 1、 1． （1） ① 一是 第一，
_LEADING_MARKER = re.compile(
    r"^\s*(?:"
    rf"[（(][{_CN_NUM}]+[）)][、.．,，]?"
    rf"|[（(]\d+[）)][、.．,，]?"
    rf"|[{_CN_NUM}]+[、.．]"
    r"|\d+(?:[、．]|\.(?!\d))"
    r"|[①-⑳]"
    rf"|[{_CN_NUM}]+[是要](?=[^\s，,])"
    rf"|第[{_CN_NUM}]+[，,、]"
    r"|[-—–]+(?:是)?"
    r")\s*"
)


def strip_leading_marker(text):
    """Remove numbering a user typed; the report numbers items from their order."""
    if not text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _LEADING_MARKER.sub("", text, count=1)
    return text


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》]"
_FULLWIDTH = {",": "，", ";": "；", "?": "？", "!": "！", ":": "："}


def to_fullwidth(text):
    """Official-document punctuation: ASCII , ; : ? ! ( ) next to Chinese become
    full-width; numbers (1,000 / 3.5 / 10:30), URLs and Latin text are left alone."""
    if not text:
        return text

    def punct(match):
        return _FULLWIDTH[match.group(0)]

    # (…) whose content or neighbour is Chinese.
    text = re.sub(
        rf"\(([^()]*{_CJK}[^()]*)\)|(?<={_CJK})\(([^()]*)\)",
        lambda m: "（" + (m.group(1) if m.group(1) is not None else m.group(2)) + "）",
        text,
    )
    # , ; : ? ! preceded or followed by a CJK character (not between two digits).
    return re.sub(rf"(?<={_CJK})[,;:?!]|[,;:?!](?={_CJK})", punct, text)


def parse_int(value, *, low=None, high=None):
    """An integer from a query parameter, or None ("²".isdigit() is True, int("²") fails)."""
    try:
        number = int(value) if value and value.isascii() else None
    except (TypeError, ValueError):
        return None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        return None
    return number
