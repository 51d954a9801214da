"""python -m bench pages [--rounds 40] [--profile 工作台]: the secretary's pages
served in-process (Django's test client, no network, no gunicorn), one client,
against the minimal authenticated page (login, session, base.html, one query)
in the same run: each round requests every page once, so a busy machine slows
all of them alike and the ratios stay comparable. Prints per page the p50 of
wall time and of CPU time (this thread's: what the page costs in Python,
without waiting for PostgreSQL or for the other processes), each ÷ the floor's,
and the page's queries. `--profile PAGE` prints a pyinstrument profile of that
page instead (`pip install -e .[dev]`).

Runs on the `load_scale` data (make bench-web's first secretary, their newest
meeting and their draft report); DEBUG off, as in production (the cached template loader)."""

import argparse
import gc
import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Case, When
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, path

from meetings.models import Meeting
from reports.models import QuarterlyReport

FLOOR = "/bench-floor/"


@login_required
def floor(request):
    """The minimal authenticated page: base.html and one query of its own."""
    count = get_user_model().objects.filter(pk=request.user.pk).count()
    return render(request, "base.html", {"count": count})


REVIEWER = {
    "待审核": "/reports/review/",
    "审核工作台": "/reports/workbench/",
    "统计分析": "/reports/statistics/?year=2026&quarter=3",
}


def pages(username):
    if not Meeting.objects.filter(organisation__memberships__person__user__username=username):
        return {"最小页面": FLOOR, "修改密码": "/accounts/password/", **REVIEWER}
    meeting = (
        Meeting.objects.filter(organisation__memberships__person__user__username=username)
        .order_by("-date", "-pk")
        .first()
    )
    # the branch's draft, as in make bench-web (its page has the checks and
    # the buttons); otherwise its newest report
    report = (
        QuarterlyReport.objects.filter(organisation=meeting.organisation)
        .order_by(
            Case(When(status=QuarterlyReport.Status.DRAFT, then=0), default=1),
            "-year",
            "-quarter",
            "-pk",
        )
        .first()
    )
    return {
        "最小页面": FLOOR,
        "修改密码": "/accounts/password/",
        "工作台": "/",
        "研判会议列表": "/meetings/",
        "会议页": meeting.get_absolute_url(),
        "问题台账": "/findings/?year=2026&quarter=3&risk_level=高",
        "整改台账": "/measures/?status=已逾期",
        "报告页": report.get_absolute_url(),
        "研判报告列表": "/reports/",
    }


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--user", help="default: make bench-web's first secretary")
    parser.add_argument("--profile", metavar="PAGE")
    args = parser.parse_args(argv)
    if args.user is None:
        from bench.web_bench import secretaries

        args.user = secretaries()[0][0]
    from ideology_review import urls

    # Benchmark-only: the floor page exists in this process alone.
    urls.urlpatterns.insert(0, path(FLOOR.strip("/") + "/", floor))
    clear_url_caches()
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    urls_by_name = pages(args.user)
    # the draft as make bench-web shows it: after 一键汇总 (its paragraphs)
    assembled = client.post(urls_by_name["报告页"] + "assemble/")
    assert assembled.status_code in (302, 403), assembled.status_code
    for url in urls_by_name.values():
        for _ in range(3):  # templates compiled, connection warm
            assert client.get(url).status_code == 200, url
    if args.profile:
        profile(client, urls_by_name[args.profile], args.rounds)
        return
    wall = {name: [] for name in urls_by_name}
    cpu = {name: [] for name in urls_by_name}
    gc.disable()  # collected between rounds, not inside one page's time
    for _ in range(args.rounds):
        for name, url in urls_by_name.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            client.get(url)
            wall[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.thread_time() - start_cpu) * 1000)
        gc.collect()
    gc.enable()
    floor_wall = statistics.median(wall["最小页面"])
    floor_cpu = statistics.median(cpu["最小页面"])
    print(f"{'页面':<10}{'p50 ms':>8}{'÷最小页面':>10}{'CPU ms':>8}{'÷最小页面':>10}{'查询':>6}")
    for name, url in urls_by_name.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        p50, c50 = statistics.median(wall[name]), statistics.median(cpu[name])
        print(
            f"{name:<10}{p50:>8.1f}{p50 / floor_wall:>10.2f}{c50:>8.1f}{c50 / floor_cpu:>10.2f}"
            f"{len(queries):>6}"
        )


def profile(client, url, rounds):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(rounds):
            client.get(url)
    print(profiler.output_text(unicode=True, color=False))
