"""GB/T 9704 typography of the report: placeholders a template essay leaves
behind, counts in prose. (Document text itself — simplified, tidied, typed
numbering removed, full-width punctuation — is ideology_review.lib.text.)"""

import re

from ideology_review.lib.text import chinese_numeral

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


def count_of(n):
    """A count before a measure word: 两个方面, not 二个方面 (but 十二个)."""
    return "两" if n == 2 else chinese_numeral(n)
