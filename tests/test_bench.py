"""bench/ stands alone: the product never imports it, its text is its own, and
the scale loader still builds its dataset from that text."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.db import transaction

from bench import CORPUS, sentences
from bench.docx_bench import standard_report
from bench.load_scale import ScaleLoader
from meetings.models import Finding, Measure, Meeting, Organisation
from reports.docx import render_docx
from reports.models import QuarterlyReport

ROOT = Path(__file__).resolve().parent.parent


def test_the_product_never_imports_bench():
    imports = re.compile(r"^\s*(from bench[ .]|import bench\b)", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("ideology_review", "meetings", "reports")
        for path in (ROOT / app).rglob("*.py")
        if imports.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_bench_reads_nothing_outside_the_repository():
    """No path above the repository (the seed essays in ../shared/ were read
    once, so a fresh clone gave other figures)."""
    outside = re.compile(r"[\"']shared[\"'/]|\.\./|\.parents\[|(\.parent){3}")
    offenders = [
        path.name
        for path in (ROOT / "bench").rglob("*.py")
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_corpus_is_sentences_of_the_reports_length():
    found = sentences()
    assert len(found) >= 60 and len(set(found)) == len(found)
    assert all(20 <= len(s) <= 60 and s.endswith("。") for s in found), [
        s for s in found if not 20 <= len(s) <= 60 or not s.endswith("。")
    ]
    assert sum(p.stat().st_size for p in CORPUS.glob("*.txt")) < 20_000  # a few KB


def test_the_standard_report_renders_from_the_corpus():
    data = standard_report()
    assert len(data["parts"][2]["paragraphs"]) == 12 and len(data["ledger"]) == 12
    assert data["parts"][2]["paragraphs"][0]["text"] in sentences()
    assert render_docx(data).startswith(b"PK")


def load_scale(seed):
    """A small scale dataset, rolled back: (what was printed, every finding's text)."""
    out = StringIO()
    with transaction.atomic():
        ScaleLoader(seed=seed, committees=2, branches=4, years=1, out=out).run()
        assert Organisation.objects.filter(must_report=True).count() == 4
        assert Meeting.objects.count() == 4 * 4 and QuarterlyReport.objects.count() == 4 * 4
        assert Finding.objects.count() == 4 * 4 * 5 and Measure.objects.count() == 4 * 4 * 5 * 2
        assert set(Meeting.objects.values_list("briefings", flat=True)) <= set(sentences())
        findings = list(
            Finding.objects.order_by("pk").values_list("title", "details", "risk_level")
        )
        transaction.set_rollback(True)
    return out.getvalue(), findings


@pytest.mark.django_db
def test_the_scale_loader_gives_the_same_data_for_the_same_seed():
    printed, first = load_scale(seed=7)
    assert "完成" in printed and "scale-sec-4" in printed
    assert load_scale(seed=7)[1] == first
    assert load_scale(seed=8)[1] != first
