"""Text that users paste from Word and websites: made safe to store, and made
clean simplified document text (the one place that decides it).

Word writes a manual line break as U+000B and a page break as U+000C; both are
illegal in XML and make python-docx raise. We turn them into line breaks, drop
the other characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF, lone
surrogates) and keep everything else exactly as typed: traditional script,
emoji, placeholders and typos are the user's business, not ours.
"""

import functools
import itertools
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


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (counts in report prose)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


_CN_NUM = "一二三四五六七八九十百零〇两"
# Leading enumeration markers users type: 一、 （一） (一) 1. 1、 1． （1） ① 第一， --
# (一是/二是 are inline enumerations: see normalise_enumeration).
_LEADING_MARKER = re.compile(
    r"^\s*(?:"
    rf"[（(][{_CN_NUM}]+[）)][、.．,，]?"
    rf"|[（(]\d+[）)][、.．,，]?"
    rf"|[{_CN_NUM}]+[、.．]"
    r"|\d+(?:[、．]|\.(?!\d))"
    r"|[①-⑳]"
    rf"|第[{_CN_NUM}]+[，,、]"
    r"|[-—–]+(?!是)"
    r")\s*"
)


def strip_leading_marker(text):
    """Remove numbering a user typed at the start; the document numbers items
    from their order. An inline enumeration 一是…二是… is renumbered whole."""
    if not text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _LEADING_MARKER.sub("", text, count=1)
    return normalise_enumeration(text)


# 一是 / 二要 … at the start of the text or of a clause.
_INLINE_MARKER = re.compile(rf"(?:^|(?<=[。；;，,：:！!？?\n]))(\s*)([{_CN_NUM}]+)([是要])(?=\S)")


# An inline list longer than this is no enumeration anybody wrote (一是…五十是):
# such text is left alone, and renumbering stays cheap however long the text.
ENUMERATION_MAX = 50


def normalise_enumeration(text):
    """Inline enumerations read 一是…二是…三是…: a lone marker (the rest of the
    list was not pasted, or its first item lost its marker) is removed, a list
    of two or more is renumbered from 一 in order, never left as an orphan 二是."""
    if not text or ("是" not in text and "要" not in text):
        return text
    markers = list(itertools.islice(_INLINE_MARKER.finditer(text), ENUMERATION_MAX + 1))
    if not markers or len(markers) > ENUMERATION_MAX:
        return text  # none, or no list a person wrote: leave it as it is
    if len(markers) == 1:
        m = markers[0]
        return text[: m.start(2)] + text[m.end(3) :]
    suffix = markers[0].group(3)
    out, last, number = [], 0, 0
    # The first item lost its marker ("抓好整改；二是做好…"): the clause before the
    # first marker is item 一 when it is a clause of the list, not a lead-in ending in ：.
    head = text[: markers[0].start()].rstrip()
    if head and head[-1] in "；;" and "：" not in head and ":" not in head:
        start = len(head) - len(head.lstrip())
        clause_start = max(head.rfind(c) for c in "。\n") + 1
        if clause_start <= start:
            clause_start = start
        out.append(text[:clause_start] + "一" + suffix)
        last, number = clause_start, 1
    for m in markers:
        number += 1
        out.append(text[last : m.start(2)] + chinese_numeral(number) + suffix)
        last = m.end(3)
    out.append(text[last:])
    return "".join(out)


_CJK_CHARS = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’《》"
_CJK = rf"[{_CJK_CHARS}]"
_CJK_SET_RE = re.compile(_CJK)
_FULLWIDTH = {",": "，", ";": "；", "?": "？", "!": "！", ":": "："}
_PUNCT = re.compile(rf"(?<={_CJK})[,;:?!]|[,;:?!](?={_CJK})")


def _is_cjk(char):
    return bool(_CJK_SET_RE.match(char))


def to_fullwidth(text):
    """Official-document punctuation: ASCII , ; : ? ! ( ) next to Chinese become
    full-width; numbers (1,000 / 3.5 / 10:30), URLs and Latin text are left alone.
    One pass, no backtracking: the time is linear in the length of the text."""
    if not text:
        return text
    if "(" in text and ")" in text:
        chars = list(text)
        cjk_before = [0] * (len(chars) + 1)  # CJK characters in text[:i]
        for i, char in enumerate(chars):
            cjk_before[i + 1] = cjk_before[i] + (1 if _is_cjk(char) else 0)
        open_at = None
        for i, char in enumerate(chars):
            if char == "(":
                open_at = i  # (…) never nests in the cases we convert: the innermost pair
            elif char == ")" and open_at is not None:
                inside = cjk_before[i] - cjk_before[open_at + 1]
                if inside or (open_at and _is_cjk(chars[open_at - 1])):
                    chars[open_at], chars[i] = "（", "）"
                open_at = None
        text = "".join(chars)
    if '"' in text:
        text = "\n".join(_curly_quotes(line) for line in text.split("\n"))
    return _PUNCT.sub(lambda m: _FULLWIDTH[m.group(0)], text)


def _curly_quotes(line):
    """ "学用脱节" → “学用脱节” in a line with Chinese and pairs of ASCII quotes."""
    if line.count('"') % 2 or not _CJK_SET_RE.search(line):
        return line
    parts = line.split('"')
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append("“" if index % 2 == 0 else "”")
        out.append(part)
    return "".join(out)


# ---------------------------------------------------------------------------
# 繁体 → 简体 (OpenCC, phrase-level t2s)
# ---------------------------------------------------------------------------


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text):
    """Return `(simplified, changed)`: the text in simplified script and how many
    characters OpenCC's phrase-level t2s changed (于/后/干 already simplified stay)."""
    if not text:
        return text, 0
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        changed = sum(1 for a, b in zip(text, converted, strict=True) if a != b)
    else:  # a phrase of another length: count by characters instead
        changed = sum(1 for c in set(text) if _t2s().convert(c) != c)
    return converted, changed


def count_traditional(text):
    return simplify(text)[1]


# ---------------------------------------------------------------------------
# 整理文本: web-paste debris
# ---------------------------------------------------------------------------

# Lines and phrases content-farm and download sites add to what is copied.
_JUNK = re.compile(
    "|".join(
        [
            r"整理文档很辛苦[,，]?\s*赏杯茶钱您下走[!！]?",
            r"(?:免费)?阅读已结束[,，]?\s*(?:您可以)?(?:点击)?下载(?:文档离线)?阅读编辑(?:剩下)?"
            r"[ \t]*(?:\.{3}|…{1,2})?",
            r"^[ \t]*资源描述[ \t]*$",
            r"©[ \t]*\d{4}(?:-\d{4})?[^\n。]{0,40}[.。]?",
            r"备案号[:：][ \t]*[^\s]{1,30}",
            r"客服联系[ \t]*QQ[:：]?[ \t]*\d{5,12}",
            r"^[ \t]*保存成功[ \t]*$",
            r"^[ \t]*\d{1,4}[ \t]*/[ \t]*\d{1,4}[ \t]*$",
            r"下面是小[编編][为為]大家整理的[^。\n]{0,40}?[,，]?(?:供大家参考)?[。.]?",
            r"以下是小[编編]整理的[^。\n]{0,60}?[。.]",
            r"相关热词搜索[:：][^\n]{0,80}",
            r"时间[:：][ \t]*\d{4}-\d{1,2}-\d{1,2}[ \t]+\d{1,2}:\d{2}(?::\d{2})?"
            r"[ \t]*浏览量[:：]?[ \t]*\d*",
            r"[爱愛]?公文微信公[众眾][号號](?:[纠糾][纷紛])?",
            r"人的[记記][忆憶]力[会會][随隨]着[^\n]{0,200}?一起来看一看吧[。.!！]?",
            r"点击下载[^\n。]{0,20}",
            r"^[ \t]*下载阅读(?:编辑)?[ \t]*$",
        ]
    ),
    re.MULTILINE,
)
_GARBLED = re.compile(r"\?+(?=[。，；：、！,;:!．])|\?{2,}|\ufffd+")
_PROTECTED = re.compile(r"《[^《》\n]{0,200}》|https?://[^\s，。；）)]+|www\.[^\s，。；）)]+")
_SPACE_IN_CJK = re.compile(
    rf"(?<={_CJK})[ \t\u00a0\u3000]+(?={_CJK})"
    rf"|(?<=\d)[ \t\u00a0]+(?=[年月日号次个项条名人余])"
    rf"|(?<={_CJK})[ \t\u00a0]+(?=\d)"
)
_DOT_IN_CJK = re.compile(rf"(?<={_CJK})[.·](?={_CJK})")
_HYPHEN_AFTER_ONE = re.compile(rf"(?<=一)-+(?={_CJK})")
_HYPHEN_FOR_ONE = re.compile(
    rf"(?:^|(?<={_CJK})|(?<=[,，;；:：\s]))-{{1,2}}(?={_CJK})", re.MULTILINE
)
_LINE_END = "。！？：；…”’）)!?:;」』"
_STARTS_ITEM = re.compile(
    rf"^\s*(?:[（(][{_CN_NUM}\d]+[）)]|[{_CN_NUM}]+[、.．]|\d+[、.．]|[{_CN_NUM}]+[是要]|第[{_CN_NUM}]+|[①-⑳])"
)


def _snip(text, width=12):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width] + "…"


def _unprotected(text, function):
    """Apply `function` to the parts of `text` outside 《titles》 and URLs."""
    out, last = [], 0
    for m in _PROTECTED.finditer(text):
        out.append(function(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(function(text[last:]))
    return "".join(out)


def join_broken_lines(text):
    """A line break inside a sentence (web pages and PDFs wrap lines) joins the
    two lines; a break after a sentence, or before a numbered item, is a
    paragraph boundary. Blank lines collapse. Returns `(text, joined)`."""
    paragraphs, joined = [], 0
    current, single = [], False  # the pieces of one paragraph; is it one line so far?

    def is_heading(line):
        # "（一）标题" on a line of its own stays a line; "二是加强管理，" goes on.
        return bool(_STARTS_ITEM.match(line)) and len(line) <= 30 and line[-1] not in "，,、"

    for line in text.split("\n"):
        line = line.strip()
        if not line:
            if current:
                paragraphs.append("".join(current))
                current = []
            continue
        last = current[-1] if current else ""
        if (
            last
            and last[-1] not in _LINE_END
            and not (single and is_heading(last))
            and not _STARTS_ITEM.match(line)
        ):
            current.append(" " + line if last[-1].isascii() and line[0].isascii() else line)
            single = False
            joined += 1
        else:
            if current:
                paragraphs.append("".join(current))
            current, single = [line], True
    if current:
        paragraphs.append("".join(current))
    return "\n".join(paragraphs), joined


def tidy(text):
    """整理文本. Return `(text, changes)`: the text without web-paste debris, and
    what was changed, in words the user reads. Removes “?。”/“??”/“�” artefacts,
    site junk (下载阅读、赏杯茶钱、©…), spaces, dots and hyphens that PDF
    extraction put between Chinese characters, joins lines broken in mid-sentence
    and makes ASCII punctuation between Chinese characters full-width. Quoted
    titles 《…》, numbers and URLs are left alone; typos are never corrected."""
    if not text:
        return text, []
    changes = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    junk = [m.group(0) for m in _JUNK.finditer(text)]
    if junk:
        text = _JUNK.sub("", text)
        shown = "、".join(f"“{_snip(j)}”" for j in list(dict.fromkeys(junk))[:3])
        changes.append(f"删除网页附带内容{len(junk)}处：{shown}")

    counts = {"garbled": 0, "space": 0, "dot": 0, "hyphen": 0, "punct": 0}

    def clean(part):
        part, n = _GARBLED.subn("", part)
        counts["garbled"] += n
        part, n = _HYPHEN_AFTER_ONE.subn("", part)
        counts["hyphen"] += n
        part, n = _HYPHEN_FOR_ONE.subn("一", part)
        counts["hyphen"] += n
        converted = to_fullwidth(part)
        counts["punct"] += sum(1 for a, b in zip(part, converted, strict=True) if a != b)
        part, n = _SPACE_IN_CJK.subn("", converted)
        counts["space"] += n
        part, n = _DOT_IN_CJK.subn("", part)
        counts["dot"] += n
        return part

    text = _unprotected(text, clean)
    text, joined = join_broken_lines(text)
    labels = [
        ("garbled", "删除“?”“??”等乱码{}处"),
        ("space", "删除汉字之间多余的空格{}处"),
        ("dot", "删除汉字之间多余的“.”{}处"),
        ("hyphen", "将误作“-”的“一”还原或删除{}处"),
        ("punct", "汉字之间的半角标点改为全角{}处"),
    ]
    changes += [label.format(counts[key]) for key, label in labels if counts[key]]
    if joined:
        changes.append(f"合并句子中间的断行{joined}处")
    return text, changes


# ---------------------------------------------------------------------------
# Text as it goes into a document: the one place that decides it
# ---------------------------------------------------------------------------


def document_text(text):
    """Simplified, tidied text with typed leading numbering removed: what the
    report body, the 台账 and the pages' numbered lists print."""
    if not text:
        return ""
    text = simplify(text)[0]
    text = to_fullwidth(tidy(text)[0])  # 《titles》 too: （党组） in a document
    return "\n".join(strip_leading_marker(line) for line in text.split("\n")).strip()


def document_heading(text):
    """A heading or title: one line, no typed numbering, no closing punctuation."""
    text = " ".join(document_text(text).split("\n"))
    return text.rstrip("。.；;，, ")
