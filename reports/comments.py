"""批注: where a comment sits in a round's frozen content, and the comments
of a report's page put beside their paragraphs and 台账 rows.

A paragraph that came from a ReportItem is anchored by the item's pk
("item-12"), a 台账 row by its measure ("measure-7") or, for a problem
without a measure, its finding ("finding-3"): the same records keep the same
anchors in the next round, so the reviewer sees beside the revised paragraph
what was said about it before. The few generated lines with no record (the
lead-in of 下一步工作措施) and content frozen before the 台账 carried pks are
anchored by position. Anchors are also the page's element ids (no ":").
"""

from .content import paragraph_line

QUOTE_MAX = 200


def _quote(text):
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[:QUOTE_MAX] + "……"


def _paragraph_anchor(p, place, index):
    return f"item-{p['item']}" if p.get("item") else f"{place}-{index}"


def anchors(content):
    """(anchor, kind, quote, target) for every paragraph and 台账 row of frozen
    content, in reading order; `target` is the content's own dict (a paragraph,
    a measure, or a 台账 row without measures)."""
    for index, p in enumerate(content.get("opening", [])):
        yield _paragraph_anchor(p, "opening", index), "paragraph", _quote(paragraph_line(p)), p
    for part in content.get("parts", []):
        for index, p in enumerate(part["paragraphs"]):
            anchor = _paragraph_anchor(p, f"part-{part['key']}", index)
            yield anchor, "paragraph", _quote(paragraph_line(p)), p
    for index, p in enumerate(content.get("closing", [])):
        yield _paragraph_anchor(p, "closing", index), "paragraph", _quote(paragraph_line(p)), p
    for row in content.get("ledger", []):
        findings = row.get("findings") or []
        if not row["measures"]:
            anchor = f"finding-{findings[0]}" if findings else f"ledger-{row['index']}"
            yield anchor, "ledger", _quote(f"{row['finding']}：未制定整改措施"), row
        for index, m in enumerate(row["measures"]):
            anchor = f"measure-{m['pk']}" if m.get("pk") else f"ledger-{row['index']}-{index}"
            yield anchor, "ledger", _quote(f"{row['finding']}：{m['content']}"), m


def find_anchor(content, anchor):
    """(kind, quote) of the anchor in the content, or None if it has no such place."""
    for key, kind, quote, _ in anchors(content):
        if key == anchor:
            return kind, quote
    return None


def place_comments(content, current=(), earlier=()):
    """Mark up a page's copy of frozen content: every paragraph and 台账 row
    gets its "anchor", the round's comments ("comments") and the previous
    round's on the same record ("earlier"). Returns the comments of either
    round that found no place in this content (a paragraph since removed)."""
    by_anchor = {}
    for comment in current:
        by_anchor.setdefault(comment.anchor, ([], []))[0].append(comment)
    for comment in earlier:
        by_anchor.setdefault(comment.anchor, ([], []))[1].append(comment)
    for anchor, _, _, target in anchors(content):
        target["anchor"] = anchor
        target["comments"], target["earlier"] = by_anchor.pop(anchor, ([], []))
    return [comment for here, before in by_anchor.values() for comment in (*here, *before)]
