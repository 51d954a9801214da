"""与上一轮相比的修改: what a reviewer reads between two frozen rounds.

Computed once, when a round is submitted (reports.services._transition), and
stored in ReportSubmission.changes; a page view only renders it. The two
rounds' paragraphs are aligned (difflib on whole paragraphs), a paragraph
found elsewhere unchanged or nearly so is shown as moved, and inside a changed
paragraph the insertions and deletions are marked character by character (a
run of ASCII letters or digits is one token, so "2025" → "2026" reads as one
word replaced). The 台账 rows are compared field by field.

Everything is bounded, because pasted text is unbounded: character matching is
quadratic, so it runs only on the differing middle of a paragraph (after the
common beginning and end are cut off), only up to a size per paragraph and a
total per round; beyond that a paragraph is shown whole, old and new, with a
note. Rows, segments and stored characters are capped.

The stored value is {"version": 2, …}; rounds frozen before it hold a list of
{"added", "text"} rows, which `for_display` reads as well.
"""

import difflib
import re

from .content import paragraph_line

CHANGES_VERSION = 2
# What is stored: rows listed (paragraphs and 台账 rows each), characters of text.
CHANGES_MAX_ROWS = 200
CHANGES_MAX_CHARS = 50_000
CHANGES_MAX_TEXT = 2000  # one paragraph shown whole, or one inserted or deleted run
CHANGES_MATCH_MAX = 2000  # paragraphs of both rounds together, for an ordered match
# Character matching: tokens of each side's differing middle, and of a whole round.
CHAR_DIFF_MAX = 3000
CHAR_DIFF_BUDGET = 60_000
SEGMENTS_MAX = 300
CONTEXT = 40  # unchanged characters kept either side of a change
# Pairing by likeness (bigram Jaccard): a changed paragraph, a moved one.
PAIR_MAX = 5000  # candidate pairs compared at most
PAIR_WINDOW = 10  # new paragraphs of a block looked at for each old one, in order
CHANGED_LIKENESS = 0.3
MOVED_LIKENESS = 0.7
WHOLE_NOTE = "本段改动较大，已整段显示"
CUT_NOTE = "……（全文见提交的版本）"

LEDGER_FIELDS = (
    ("content", "整改措施"),
    ("person", "责任人"),
    ("dept", "责任部门"),
    ("deadline", "整改时限"),
    ("status", "整改状态"),
    ("progress", "进展情况"),
)
# Fields long enough to be worth marking character by character.
LEDGER_PROSE = {"finding", "content", "progress"}

TOKEN = re.compile(r"[A-Za-z0-9]+|.", re.S)


class _Budget:
    """What is left of a round's allowance, spent as rows are built."""

    def __init__(self):
        self.diff = CHAR_DIFF_BUDGET
        self.chars = CHANGES_MAX_CHARS

    def spend(self, row):
        self.chars -= _row_chars(row)
        return self.chars >= 0


def _row_chars(row):
    total = 0
    for key in ("text", "old", "new", "finding", "measure"):
        total += len(row.get(key) or "")
    for _, text in row.get("segments") or ():
        total += len(text)
    for field in row.get("fields") or ():
        total += _row_chars(field)
    return total


def _cut(text, limit=CHANGES_MAX_TEXT):
    return text if len(text) <= limit else text[:limit] + CUT_NOTE


def _word(c):
    return c.isascii() and c.isalnum()


def _splits_word(text, k):
    """Whether a cut at k falls inside a run of ASCII letters or digits."""
    return 0 < k < len(text) and _word(text[k - 1]) and _word(text[k])


def char_diff(old, new, budget=None):
    """Segments [[tag, text], …] (tag equal, insert, delete, or gap: the number
    of unchanged characters left out) turning `old` into `new`, or None when the
    paragraph is better shown whole (too long a change, or rewritten)."""
    if old == new:
        return [["equal", _cut(old)]]
    # The common beginning and end, in linear time: a sentence added to a long
    # paragraph leaves only the sentence to match. Never inside an ASCII word.
    p = len(_common_prefix(old, new))
    while p and (_splits_word(old, p) or _splits_word(new, p)):
        p -= 1
    s = len(_common_prefix(old[p:][::-1], new[p:][::-1]))
    while s and (_splits_word(old, len(old) - s) or _splits_word(new, len(new) - s)):
        s -= 1
    a, b = old[p : len(old) - s], new[p : len(new) - s]
    a_tokens, b_tokens = TOKEN.findall(a), TOKEN.findall(b)
    if len(a_tokens) > CHAR_DIFF_MAX or len(b_tokens) > CHAR_DIFF_MAX:
        return None
    if budget is not None:
        if budget.diff < len(a_tokens) + len(b_tokens):
            return None
        budget.diff -= len(a_tokens) + len(b_tokens)
    ops = [["equal", old[:p], old[:p]]]
    matcher = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ops.append([tag, "".join(a_tokens[i1:i2]), "".join(b_tokens[j1:j2])])
    ops.append(["equal", old[len(old) - s :], old[len(old) - s :]])
    # A character that happens to match inside a rewritten phrase (的, 了)
    # makes confetti: it is read as part of the change.
    for k in range(1, len(ops) - 1):
        short = ops[k][0] == "equal" and len(ops[k][1]) <= 1
        if short and ops[k - 1][0] != "equal" != ops[k + 1][0]:
            ops[k][0] = "replace"
    segments = []
    kept = 0
    for tag, a_text, b_text in ops:
        if tag == "equal":
            if a_text:
                segments.append(["equal", a_text])
                kept += len(a_text)
            continue
        if a_text:
            _append(segments, "delete", a_text)
        if b_text:
            _append(segments, "insert", b_text)
    _order_runs(segments)
    # Rewritten rather than edited: old and new side by side read better.
    if kept < 0.3 * min(len(old), len(new)) and min(len(old), len(new)) > 20:
        return None
    segments = _elide(segments)
    if len(segments) > SEGMENTS_MAX:
        return None
    return segments


def _common_prefix(a, b):
    n = 0
    limit = min(len(a), len(b))
    # compare in chunks: C speed for the long common stretch, then char by char
    step = 1024
    while n + step <= limit and a[n : n + step] == b[n : n + step]:
        n += step
    while n < limit and a[n] == b[n]:
        n += 1
    return a[:n]


def _append(segments, tag, text):
    if segments and segments[-1][0] == tag:
        segments[-1][1] += text
    else:
        segments.append([tag, text])


def _order_runs(segments):
    """Within a run of changes, the deletion first, then one insertion."""
    k = 0
    while k < len(segments):
        if segments[k][0] == "equal":
            k += 1
            continue
        end = k
        while end < len(segments) and segments[end][0] != "equal":
            end += 1
        deleted = "".join(t for tag, t in segments[k:end] if tag == "delete")
        inserted = "".join(t for tag, t in segments[k:end] if tag == "insert")
        run = ([["delete", deleted]] if deleted else []) + (
            [["insert", inserted]] if inserted else []
        )
        segments[k:end] = run
        k += len(run)


def _elide(segments):
    """Unchanged stretches keep CONTEXT characters beside each change; changed
    runs are cut to CHANGES_MAX_TEXT."""
    out = []
    last = len(segments) - 1
    for k, (tag, text) in enumerate(segments):
        if tag != "equal":
            out.append([tag, _cut(text)])
            continue
        head = CONTEXT if k > 0 else 0  # what follows the change before it
        tail = CONTEXT if k < last else 0  # what leads into the change after it
        if len(text) <= head + tail + CONTEXT:  # not worth a gap
            out.append(["equal", text])
            continue
        if head:
            out.append(["equal", text[:head]])
        out.append(["gap", str(len(text) - head - tail)])
        if tail:
            out.append(["equal", text[len(text) - tail :]])
    return out


def _likeness_key(text):
    """Character bigrams of a paragraph's first part: comparing two sets is
    cheap, whatever the paragraphs' lengths."""
    text = text[:2000]
    return set(text) | {text[k : k + 2] for k in range(len(text) - 1)}


def _likeness(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# --- paragraphs -------------------------------------------------------------


def _paragraphs(content):
    """The paragraphs of frozen content as {place, n, marker, text}: where it
    stands (导语, 一、基本情况 …), its position there, its computed numbering
    (kept apart, so that a renumbered paragraph is not a changed one)."""
    out = []

    def add(place, n, text, marker=""):
        if text:
            out.append({"place": place, "n": n, "marker": marker, "text": text})

    add("标题", 1, content.get("title") or "")
    add("主送单位", 1, (content.get("addressee") or "") and content["addressee"] + "：")
    for n, p in enumerate(content.get("opening") or (), start=1):
        add("导语", n, _unmarked(p))
    for part in content.get("parts") or ():
        place = f"{part.get('number', '')}{part.get('title', '')}"
        add(place, 0, place)
        for n, p in enumerate(part.get("paragraphs") or (), start=1):
            add(place, n, _unmarked(p), p.get("marker") or "")
    for n, p in enumerate(content.get("closing") or (), start=1):
        add("结束语", n, _unmarked(p))
    add("落款", 1, content.get("signatory") or "")
    add("成文日期", 1, content.get("issue_date") or "")
    return out


def _unmarked(p):
    return paragraph_line({**p, "marker": ""})


def _where(paragraph):
    if paragraph["place"] in ("标题", "主送单位", "落款", "成文日期"):
        return paragraph["place"]
    if paragraph["n"] == 0:
        return f"“{paragraph['place']}”标题"
    return f"“{paragraph['place']}”第{paragraph['n']}段"


def _blocks(a, b):
    """("equal", i1, i2, j1, j2) and ("change", olds, news) in order."""
    if len(a) + len(b) > CHANGES_MATCH_MAX:
        # Matching is quadratic in the number of paragraphs at worst: a round of
        # thousands is compared as sets (what is gone, what is new), in order.
        before, after = set(a), set(b)
        olds = [i for i, text in enumerate(a) if text not in after]
        news = [j for j, text in enumerate(b) if text not in before]
        same = len(b) - len(news)
        return ([("equal", 0, same, 0, same)] if same else []) + [("change", olds, news)]
    blocks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.append(("equal", i1, i2, j1, j2))
        else:
            blocks.append(("change", list(range(i1, i2)), list(range(j1, j2))))
    return blocks


def paragraph_changes(previous, current, budget):
    old, new = _paragraphs(previous), _paragraphs(current)
    blocks = _blocks([p["text"] for p in old], [p["text"] for p in new])
    changes = [b for b in blocks if b[0] == "change"]
    deleted = [i for _, olds, _ in changes for i in olds]
    inserted = [j for _, _, news in changes for j in news]
    block_of_old = {i: k for k, (_, olds, _) in enumerate(changes) for i in olds}
    block_of_new = {j: k for k, (_, _, news) in enumerate(changes) for j in news}

    # Moved unchanged: the same text gone from one place and new in another.
    moved = {}  # new index → old index
    by_text = {}
    for i in deleted:
        by_text.setdefault(old[i]["text"], []).append(i)
    for j in inserted:
        if by_text.get(new[j]["text"]):
            moved[j] = by_text[new[j]["text"]].pop(0)
    taken = set(moved.values())

    # Changed in place: within a block, paired in order by likeness.
    paired = {}  # new index → old index
    keys = {}

    def key(side, index):
        if (side, index) not in keys:
            keys[side, index] = _likeness_key((old if side == "old" else new)[index]["text"])
        return keys[side, index]

    compared = 0
    for _, olds, news in changes:
        start = 0
        for i in olds:
            if i in taken:
                continue
            best, best_j = CHANGED_LIKENESS, None
            for pos in range(start, min(start + PAIR_WINDOW, len(news))):
                j = news[pos]
                if j in moved or j in paired or compared >= PAIR_MAX:
                    continue
                compared += 1
                # the nearer of two equally like paragraphs: pairs stay in step
                score = _likeness(key("old", i), key("new", j)) - 0.01 * (pos - start)
                if score > best:
                    best, best_j = score, (pos, j)
            if best_j is not None:
                start = best_j[0] + 1
                paired[best_j[1]] = i
                taken.add(i)

    # Moved and edited a little: likeness across blocks. Every step counts
    # against PAIR_MAX, so thousands of changed paragraphs cost a bounded time.
    candidates = [i for i in deleted if i not in taken] if len(changes) > 1 else []
    for j in inserted:
        if compared >= PAIR_MAX or not candidates:
            break
        if j in moved or j in paired:
            continue
        for i in candidates:
            compared += 1
            if compared >= PAIR_MAX:
                break
            if block_of_old[i] == block_of_new[j]:
                continue
            if _likeness(key("old", i), key("new", j)) >= MOVED_LIKENESS:
                moved[j] = i
                taken.add(i)
                candidates.remove(i)
                break

    rows = []
    summary = {"same": 0, "changed": 0, "inserted": 0, "deleted": 0, "moved": 0}
    for block in blocks:
        if block[0] == "equal":
            count = block[2] - block[1]
            summary["same"] += count
            if rows and rows[-1]["op"] == "same":
                rows[-1]["count"] += count
            else:
                rows.append({"op": "same", "count": count})
            continue
        _, olds, news = block
        waiting = [i for i in olds if i not in taken]
        # Old before new: what was deleted is listed before what follows it,
        # up to the next paragraph changed in place.
        pairs_after = [paired[j] for j in news if j in paired] + [len(old)]
        for j in news:
            while waiting and waiting[0] < pairs_after[0]:
                rows.append(_deleted(old[waiting.pop(0)], summary))
            if j in paired:
                pairs_after.pop(0)
                rows.append(_changed(old[paired[j]], new[j], budget, summary))
            elif j in moved:
                rows.append(_moved(old[moved[j]], new[j], budget, summary))
            else:
                rows.append(_inserted(new[j], summary))
        rows += [_deleted(old[i], summary) for i in waiting]
    return rows, summary


def _inserted(p, summary):
    summary["inserted"] += 1
    return {"op": "insert", "where": _where(p), "marker": p["marker"], "text": _cut(p["text"])}


def _deleted(p, summary):
    summary["deleted"] += 1
    return {"op": "delete", "where": _where(p), "marker": p["marker"], "text": _cut(p["text"])}


def _changed(before, after, budget, summary):
    summary["changed"] += 1
    row = {"op": "change", "where": _where(after), "marker": after["marker"]}
    segments = char_diff(before["text"], after["text"], budget)
    if segments is None:
        row.update(whole=True, old=_cut(before["text"]), new=_cut(after["text"]))
    else:
        row["segments"] = segments
    return row


def _moved(before, after, budget, summary):
    summary["moved"] += 1
    row = {"op": "move", "where": _where(after), "marker": after["marker"]}
    if before["place"] == after["place"] and before["n"] and after["n"]:
        row["moved"] = f"在“{after['place']}”中由第{before['n']}段移至第{after['n']}段"
    else:
        row["moved"] = f"由{_where(before)}移至{_where(after)}"
    if before["text"] == after["text"]:
        row["text"] = _cut(after["text"])
        return row
    segments = char_diff(before["text"], after["text"], budget)
    if segments is None:
        row.update(whole=True, old=_cut(before["text"]), new=_cut(after["text"]))
    else:
        row["segments"] = segments
    return row


# --- 台账 --------------------------------------------------------------------


def _title_key(text):
    return re.sub(r"[\W_]+", "", text or "").lower()


def _pair(olds, news, text_of, threshold):
    """{new index: old index}: equal texts first, then the rest in order by likeness."""
    pairs = {}
    free = {}
    for i, item in enumerate(olds):
        free.setdefault(_title_key(text_of(item)), []).append(i)
    for j, item in enumerate(news):
        if free.get(_title_key(text_of(item))):
            pairs[j] = free[_title_key(text_of(item))].pop(0)
    matched = set(pairs.values())
    left = [i for i in range(len(olds)) if i not in matched]
    compared = 0
    for j, item in enumerate(news):
        if j in pairs:
            continue
        best, best_i = threshold, None
        for i in left:
            if compared >= PAIR_MAX:
                break
            compared += 1
            score = _likeness(_likeness_key(text_of(olds[i])), _likeness_key(text_of(item)))
            if score >= best:
                best, best_i = score, i
        if best_i is not None:
            pairs[j] = best_i
            left.remove(best_i)
    return pairs


def _field(label, key, before, after, budget):
    field = {"label": label, "old": _cut(before), "new": _cut(after)}
    if key in LEDGER_PROSE and before and after:
        segments = char_diff(before, after, budget)
        if segments is not None:
            field = {"label": label, "segments": segments}
    return field


def _measure_line(m):
    return "；".join(f"{label}：{m.get(key)}" for key, label in LEDGER_FIELDS[1:5] if m.get(key))


def ledger_changes(previous, current, budget):
    """台账 rows added, removed and changed (field by field, old → new)."""
    old, new = previous.get("ledger") or [], current.get("ledger") or []
    rows = []

    def whole(op, finding, measures):
        for m in measures or [{}]:
            rows.append(
                {
                    "op": op,
                    "finding": _cut(finding),
                    "measure": _cut(m.get("content") or ""),
                    "detail": _measure_line(m),
                }
            )

    findings = _pair(old, new, lambda r: r.get("finding") or "", 0.5)
    for j, after in enumerate(new):
        if j not in findings:
            whole("insert", after.get("finding") or "", after.get("measures"))
            continue
        before = old[findings[j]]
        title = after.get("finding") or ""
        if (before.get("finding") or "") != title:
            rows.append(
                {
                    "op": "change",
                    "finding": _cut(title),
                    "measure": "",
                    "fields": [
                        _field("存在问题", "finding", before.get("finding") or "", title, budget)
                    ],
                }
            )
        olds, news = before.get("measures") or [], after.get("measures") or []
        measures = _pair(olds, news, lambda m: m.get("content") or "", 0.4)
        for k, m in enumerate(news):
            if k not in measures:
                whole("insert", title, [m])
                continue
            was = olds[measures[k]]
            fields = [
                _field(label, key, was.get(key) or "", m.get(key) or "", budget)
                for key, label in LEDGER_FIELDS
                if (was.get(key) or "") != (m.get(key) or "")
            ]
            if fields:
                rows.append(
                    {
                        "op": "change",
                        "finding": _cut(title),
                        "measure": _cut(m.get("content") or ""),
                        "fields": fields,
                    }
                )
        kept = set(measures.values())
        gone = [m for i, m in enumerate(olds) if i not in kept]
        if gone:
            whole("delete", title, gone)
    kept = set(findings.values())
    for i, before in enumerate(old):
        if i not in kept:
            whole("delete", before.get("finding") or "", before.get("measures"))
    return rows


# --- the stored value -------------------------------------------------------


def round_changes(previous, current):
    """What changed between two frozen rounds, for the reviewer, bounded."""
    budget = _Budget()
    paragraphs, summary = paragraph_changes(previous, current, budget)
    ledger = ledger_changes(previous, current, budget)
    omitted = 0
    kept_paragraphs, kept_ledger = [], []
    listed = 0
    for rows, kept in ((paragraphs, kept_paragraphs), (ledger, kept_ledger)):
        for row in rows:
            if row["op"] == "same":
                kept.append(row)
            elif listed < CHANGES_MAX_ROWS and budget.spend(row):
                kept.append(row)
                listed += 1
            else:
                omitted += 1
    return {
        "version": CHANGES_VERSION,
        "summary": summary,
        "paragraphs": kept_paragraphs,
        "ledger": kept_ledger,
        "omitted": omitted,
    }


def for_display(stored):
    """The stored value as the page reads it, with `empty` when nothing changed;
    rounds frozen before version 2 hold a list of {"added", "text"} rows (whole
    paragraphs), read as paragraphs inserted and deleted."""
    if stored is None:
        return None
    if isinstance(stored, dict) and stored.get("version") == CHANGES_VERSION:
        shown = dict(stored)
    else:
        rows = [
            {
                "op": "insert" if row.get("added") else "delete",
                "where": "",
                "marker": "",
                "text": row.get("text") or "",
            }
            for row in stored or ()
            if isinstance(row, dict)
        ]
        shown = {"version": 1, "summary": None, "paragraphs": rows, "ledger": [], "omitted": 0}
    shown["empty"] = not shown.get("ledger") and all(
        row.get("op") == "same" for row in shown.get("paragraphs") or ()
    )
    return shown
