"""No text routine can be stalled by one stored record: every function that
touches user text on save, assembly, preview, checks and DOCX runs in time
linear in the length of the text. Each hostile shape of 200,000 characters is
compared with a plain text of the same length in the same test: within 10×
(quadratic behaviour at this size is thousands of times slower)."""

import time

import pytest

from ideology_review.lib.text import (
    clean_text,
    count_traditional,
    document_heading,
    document_text,
    join_broken_lines,
    normalise_enumeration,
    simplify,
    strip_leading_marker,
    tidy,
    to_fullwidth,
)
from reports.docx import render_docx
from reports.typography import find_placeholders

N = 200_000
# A long paste as it comes: sentences with an enumeration, a line break after each.
LINE = "党支部坚持把意识形态工作摆在重要位置，一是定期分析研判；二是做好正面宣传。\n"
PLAIN = (LINE * (N // len(LINE) + 1))[:N]
HOSTILE = {
    "unclosed parenthesis": "(" + "中" * (N - 1),
    "parentheses": "(中" * (N // 2),
    "closing parentheses": "中" + ")" * (N - 1),
    "question marks": "中" + "?" * (N - 1),
    "spaces after chinese": "中" + " " * (N - 2) + "a",
    "spaced chinese": "中 " * (N // 2),
    "numerals without a marker": "。" + "一" * (N - 1),
    "markers": "，一是" * (N // 3),
    "placeholders": "x" * (N - 1) + "a",
    "hyphens": "中" + "-" * (N - 1),
    "line breaks": "中\n" * (N // 2),
    "blank lines": "\n" * N,
    "book titles": "《" * N,
    "quotes": '中"' * (N // 2),
    "junk-like": "人的记忆力会随着" * (N // 8),
    "leading spaces": " " * (N - 1) + "一",
}
FUNCTIONS = {
    "clean_text": clean_text,
    "simplify": simplify,
    "count_traditional": count_traditional,
    "tidy": tidy,
    "document_text": document_text,
    "document_heading": document_heading,
    "to_fullwidth": to_fullwidth,
    "strip_leading_marker": strip_leading_marker,
    "normalise_enumeration": normalise_enumeration,
    "find_placeholders": find_placeholders,
    "join_broken_lines": join_broken_lines,
}


def timed(function, text, repeat=3):
    """CPU seconds of this thread (best of `repeat`): time spent waiting for a
    core that another process holds does not count, so a busy shared machine
    does not look like quadratic behaviour."""
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        function(text)
        best = min(best, time.thread_time() - started)
    return best


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_text_routine_is_linear_on_hostile_input(name):
    function = FUNCTIONS[name]
    plain = timed(function, PLAIN)
    slow = {shape: timed(function, text) for shape, text in HOSTILE.items()}
    # 10× the plain pass, plus 50 ms of slack for a machine that is busy elsewhere
    limit = 10 * plain + 0.05
    over = {shape: t for shape, t in slow.items() if t > limit}
    if over:
        # A shape with more units of work per character than the plain text (one
        # line per two characters, say) may cost more than 10× and still be linear:
        # then a quarter of it must cost about a quarter (quadratic: a sixteenth).
        plain = min(plain, timed(function, PLAIN))
        limit = 10 * plain + 0.05
        over = {
            shape: (
                min(t, timed(function, HOSTILE[shape])),
                timed(function, HOSTILE[shape][: N // 4]),
            )
            for shape, t in over.items()
        }
        over = {
            shape: t for shape, (t, quarter) in over.items() if t > max(limit, 8 * quarter + 0.05)
        }
    assert {shape: round(t, 3) for shape, t in over.items() if t > limit} == {}, (
        f"{name}: plain {plain:.3f}s"
    )


def _report(text):
    paragraph = {"marker": "（一）", "heading": text[:300], "text": text}
    return {
        "title": "标题",
        "addressee": "中共青山县委员会",
        "opening": [{"marker": "", "heading": "", "text": text}],
        "parts": [{"number": "一、", "title": "基本情况", "paragraphs": [paragraph]}],
        "closing": [],
        "signatory": "中共青山县城关第一实验学校支部委员会",
        "issue_date": "2026年9月28日",
        "ledger": [
            {
                "index": 1,
                "finding": text[:200],
                "measures": [
                    {
                        "content": text,
                        "person": "王丽华",
                        "dept": text[:100],
                        "deadline": "长期坚持",
                        "status": "长期坚持",
                        "progress": text,
                    }
                ],
            }
        ],
    }


def test_the_document_pipeline_and_renderer_are_linear_on_hostile_input():
    """Text as it reaches the DOCX: through document_text (content.py), then rendered."""

    def render(text):
        return render_docx(_report(document_text(text)))

    plain = timed(render, PLAIN, repeat=2)
    for shape in ("unclosed parenthesis", "line breaks", "question marks", "quotes", "markers"):
        took = timed(render, HOSTILE[shape], repeat=2)
        assert took < 10 * plain + 0.2, f"{shape}: {took:.2f}s against {plain:.2f}s"


def test_the_round_to_round_diff_is_linear_on_hostile_input():
    from reports.changes import round_changes

    def frozen(text):
        # each pasted line a paragraph of its own: 100,000 paragraphs at worst
        paragraphs = [{"marker": "", "heading": "", "text": line} for line in text.split("\n")]
        return {
            "title": "标题",
            "addressee": "主送",
            "opening": [],
            "parts": [{"number": "一、", "title": "基本情况", "paragraphs": paragraphs}],
            "closing": [],
            "signatory": "落款",
            "issue_date": "",
        }

    def diff(text):
        return round_changes(
            frozen(text), frozen(text[: len(text) // 2] + "改" + text[len(text) // 2 :])
        )

    plain = timed(diff, PLAIN, repeat=2)
    for shape in ("unclosed parenthesis", "line breaks", "blank lines", "spaced chinese"):
        took = timed(diff, HOSTILE[shape], repeat=2)
        assert took < 10 * plain + 0.2, f"{shape}: {took:.2f}s against {plain:.2f}s"
