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
    r"(?<![A-Za-z])(?:xx+|XX+|Xx|xX)(?![A-Za-z])"  # xx, XX — not inside app, xxx.com words
    r"|××+|＊{2,}|\*{2,}"
    r"|20[xX]{2}|20__+|202-(?!\d)"
    r"|某某"
    r"|(?<![A-Za-z])[Xx](?=[次名人个项条余年月日家])"  # X次, X名 …
)


def find_placeholders(text):
    """Placeholders left over from template essays (xx, ××, ***, 20xx, 某某, X次 …)."""
    if not text:
        return []
    return [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]
