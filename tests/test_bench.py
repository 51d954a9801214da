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


# --------------------------------------------------------------------------
# make bench-web's load generator (bench/loadgen.py): its statistics and its
# schedule, without a server; then one short real run against the live server.
# --------------------------------------------------------------------------


def test_percentiles_interpolate_between_ranks():
    from bench.loadgen import percentile

    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([4, 1, 3, 2], 50) == 2.5  # unsorted in, the mean of the middle two
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile(range(1, 101), 0) == 1 and percentile(range(1, 101), 100) == 100


def test_a_summary_counts_errors_apart_from_the_latencies():
    from bench.loadgen import summarise

    s = summarise([10.0, 20.0, 30.0, 40.0], errors=2, seconds=2.0)
    assert (s.requests, s.errors, s.rps) == (6, 2, 2.0)  # answered requests a second
    assert s.p50 == 25.0 and s.p95 == pytest.approx(38.5)


def serialised_server(service_seconds):
    """A fake server with one worker: a request waits for the one before it."""
    import threading
    import time

    worker = threading.Lock()

    def handle():
        with worker:
            time.sleep(service_seconds)

    return handle


def test_the_open_loop_sends_on_schedule_whatever_the_answers():
    import time

    from bench.loadgen import open_loop

    handle, sent = serialised_server(0.02), []  # 50 a second at most
    started = time.perf_counter()

    def send(i):
        sent.append((i, time.perf_counter() - started))
        handle()
        return "页", True

    result = open_loop(send, rate=100, seconds=0.5, senders=64)
    assert result.requests == 50 and result.errors == 0
    # each request left at its time (i / 100 s), though the answers came ever later
    assert all(at == pytest.approx(i / 100, abs=0.05) for i, at in sent)
    assert result.extra["lag_max"] < 50
    # twice the server's capacity: the queue grows, and the latency shows it
    assert result.p95 > 5 * 20 and result.p50 > 2 * 20
    assert result.rps == pytest.approx(50, rel=0.3)
    assert result.extra["by_page"]["页"].requests == 50


def test_the_open_loop_counts_failures_and_the_requests_it_had_to_drop():
    from bench.loadgen import open_loop

    handle = serialised_server(0.05)

    def send(i):
        if i == 0:
            raise ConnectionRefusedError
        handle()
        return "页", i % 2 == 0  # odd ones answer wrongly

    # one sender, 10 due in 0.1 s, none started after the schedule ends (drain 0)
    result = open_loop(send, rate=100, seconds=0.1, senders=1, drain=0, name=lambda i: "页")
    assert result.requests == 10
    assert 8 <= result.errors <= 10  # the refused one, an odd one, then the dropped
    assert result.extra["by_page"]["页"].errors == result.errors  # each under its page
    assert result.extra["lag_max"] > 40  # with its only sender busy, it left late


def test_the_closed_loop_keeps_each_client_busy_for_the_time():
    from bench.loadgen import Page, closed_loop

    handle = serialised_server(0.01)

    class Fake(Page):
        def send(self, client):
            handle()
            return 200

    page = Fake("页", "GET", "/")
    result = closed_loop(lambda n, i: (page, None), clients=2, seconds=0.3)
    assert result.errors == 0 and 0.3 <= result.seconds < 0.5
    # one worker for two clients: at most 100 a second, none quicker than its service time
    assert 40 < result.rps <= 105 and result.requests == result.extra["by_page"]["页"].requests
    assert min(result.p50, result.p95) >= 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_load_generator_signs_in_through_the_form_and_measures_a_page(live_server):
    from urllib.parse import urlsplit

    from bench.loadgen import Client, Page, sequential

    from .factories import UserFactory

    user = UserFactory()
    address = urlsplit(live_server.url)
    client = Client(address.hostname, address.port).login(user.username, "qingshan2026")
    assert "sessionid" in client.cookies and "csrftoken" in client.cookies
    result = sequential(Page("登录基线", "GET", "/healthz/session/"), client, 5, warmup=1)
    assert (result.requests, result.errors) == (5, 0) and result.p50 > 0
    # a page the user may not see, or a form refused, is an error
    refused = sequential(Page("待审核", "GET", "/reports/review/"), client, 2)
    assert refused.errors == 2
    anonymous = Client(address.hostname, address.port)
    assert anonymous.get("/healthz/session/")[0] == 302
