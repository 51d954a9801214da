"""make bench-web: service time apart from queueing, on the scale dataset.

gunicorn (2 sync workers) is pinned to one core (`taskset -c 1`), this
process and its load generator (bench/loadgen.py) to the other
(`taskset -c 0`); PostgreSQL is a system service on both. Per page:

- single client: p50/p95 of BENCH_SINGLE_REQUESTS (200) sequential requests
  after BENCH_WARMUP (20), no think time;
- closed loop at 2 and 4 clients, no think time, BENCH_CLOSED_SECONDS (6) each;
- against two floors measured in the same run: /healthz/ (one SELECT 1,
  no session) and /healthz/session/ (signed in: session, base.html and its
  menu, one query of its own); ratios are to the signed-in floor.

Then the realistic mix (MIX's weights) closed-loop at 2 and 4 clients and
open-loop at BENCH_OPEN_RATE (20) req/s for BENCH_OPEN_SECONDS (60): sent on
schedule whatever the answers, latency from the moment each request was due.
Also each page's query count (Django's test client, in process) and the
in-process 一键汇总 of a branch with 40 findings and 80 measures.
BENCH_QUICK=1: 30 requests, 1.5 s, 10 s open loop (a check that it runs).
Prints a table; writes one CSV row per page and measurement (BENCH_CSV, by
default bench/results/web-<UTC time>.csv)."""

import csv
import datetime
import os
import random
import subprocess
import sys
import time
import unicodedata
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Client, Page, closed_loop, open_loop, sequential  # noqa: E402

PASSWORD = "qingshan2026"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")
SINGLE = int(os.environ.get("BENCH_SINGLE_REQUESTS", "30" if QUICK else "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5" if QUICK else "20"))
CLOSED_SECONDS = float(os.environ.get("BENCH_CLOSED_SECONDS", "1.5" if QUICK else "6"))
OPEN_RATE = float(os.environ.get("BENCH_OPEN_RATE", "20"))
OPEN_SECONDS = float(os.environ.get("BENCH_OPEN_SECONDS", "10" if QUICK else "60"))
OPEN_SENDERS = int(os.environ.get("BENCH_OPEN_SENDERS", "256"))
CLIENT_CPU = os.environ.get("BENCH_CLIENT_CPU", "0")
SERVER_CPU = os.environ.get("BENCH_SERVER_CPU", "1")
SECRETARIES = 8  # distinct branches the load comes from

SERVER_ENV = {
    **os.environ,
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "STATICFILES_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
    "LOGIN_FAILURE_LIMIT": "1000",
}

FLOOR, SESSION_FLOOR = "框架基线（/healthz/）", "登录基线（/healthz/session/）"
# (name, who, method, path of a client, statuses that are a success)
PAGES = [
    Page(FLOOR, "GET", "/healthz/"),
    Page(SESSION_FLOOR, "GET", "/healthz/session/"),
    Page("工作台", "GET", "/"),
    Page("研判会议列表", "GET", "/meetings/"),
    Page("会议页", "GET", lambda c: f"/meetings/{c.meeting}/"),
    Page("问题台账（筛选）", "GET", "/findings/?year=2026&quarter=3&risk_level=高"),
    Page("整改台账（筛选）", "GET", "/measures/?status=已逾期"),
    Page("报告页", "GET", lambda c: f"/reports/{c.report}/"),
    Page("一键汇总", "POST", lambda c: f"/reports/{c.report}/assemble/", ok=(302,)),
    Page("待审核", "GET", "/reports/review/"),
    Page("审核工作台", "GET", "/reports/workbench/"),
    Page("统计分析", "GET", "/reports/statistics/?year=2026&quarter=3"),
]
REVIEWER_PAGES = {"待审核", "审核工作台", "统计分析"}
BY_NAME = {page.name: page for page in PAGES}
# The realistic mix (the weights of the locust journeys this replaced): three
# secretaries' requests to a reviewer's, the floors left out. Weights out of 60.
MIX = {
    "工作台": 9,
    "研判会议列表": 6,
    "会议页": 9,
    "问题台账（筛选）": 6,
    "整改台账（筛选）": 6,
    "报告页": 6,
    "一键汇总": 3,
    "待审核": 5,
    "审核工作台": 5,
    "统计分析": 5,
}


def django_setup():
    os.environ.update(
        {
            k: v
            for k, v in SERVER_ENV.items()
            if k not in os.environ
            or k
            in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "STATICFILES_MANIFEST", "ALLOWED_HOSTS")
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideology_review.settings")
    import django

    django.setup()


def secretaries():
    """SECRETARIES secretaries whose branch has a draft report (一键汇总 needs one):
    (username, a meeting of the branch, the draft)."""
    from meetings.models import Meeting
    from reports.models import QuarterlyReport

    found = []
    for n in range(1, 1001):
        username = f"scale-sec-{n}"
        meeting = (
            Meeting.objects.filter(organisation__memberships__person__user__username=username)
            .order_by("-date")
            .first()
        )
        draft = (
            QuarterlyReport.objects.filter(
                organisation=meeting.organisation, status=QuarterlyReport.Status.DRAFT
            ).first()
            if meeting
            else None
        )
        if draft:
            found.append((username, meeting.pk, draft.pk))
        if len(found) == SECRETARIES:
            return found
    raise SystemExit("规模数据中没有足够的草稿报告（先运行 python -m bench load_scale）")


def query_counts_and_assembly(first):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from meetings.models import Finding, Measure, Meeting
    from reports import services
    from reports.models import QuarterlyReport

    setup_test_environment()
    User = get_user_model()
    username, meeting_pk, report_pk = first
    secretary, reviewer = TestClient(), TestClient()
    secretary.force_login(User.objects.get(username=username))
    reviewer.force_login(User.objects.get(username="scale-reviewer"))
    seen = SimpleNamespace(meeting=meeting_pk, report=report_pk)
    counts = {}
    for page in PAGES:
        client = reviewer if page.name in REVIEWER_PAGES else secretary
        send = client.post if page.method == "POST" else client.get
        with CaptureQueriesContext(connection) as queries:
            status = send(page.path_for(seen)).status_code
        if status not in page.ok:
            raise SystemExit(f"{page.name}: HTTP {status}")
        counts[page.name] = len(queries)

    # 一键汇总 of a branch with 40 findings and 80 measures (this quarter's).
    meeting = Meeting.objects.get(pk=meeting_pk)
    org = meeting.organisation
    by = User.objects.get(username=username)
    draft, _ = QuarterlyReport.objects.get_or_create(
        organisation=org, year=2027, quarter=1, defaults={"title": "基准", "created_by": by}
    )
    target = Meeting.objects.create(
        organisation=org, title="基准会议", date=datetime.date(2027, 2, 15)
    )
    sample = Finding.objects.filter(organisation=org).first()
    for i in range(40):
        f = Finding.objects.create(
            organisation=org,
            meeting=target,
            category=sample.category,
            title=f"基准问题{i}",
            details=sample.details,
        )
        for k in range(2):
            Measure.objects.create(
                finding=f,
                content=f"基准措施{i}-{k}",
                responsible_person=meeting.chair,
                deadline="2027-06-30",
            )
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        services.report_assemble(report=draft, by=by)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    target.delete()
    draft.delete()
    connection.close()
    return counts, timings[len(timings) // 2]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def pinning():
    """(command prefix for the server, what to print): this process (the load
    generator) on CLIENT_CPU, gunicorn on SERVER_CPU, where the machine has both."""
    client, server = int(CLIENT_CPU), int(SERVER_CPU)
    if client == server or max(client, server) >= (os.cpu_count() or 1):
        # make bench-web starts this process under `taskset -c 0`: gunicorn, its
        # child, would inherit that one core
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
        return [], (
            "未绑定核（BENCH_CLIENT_CPU 与 BENCH_SERVER_CPU 相同，或机器不足 2 个核）："
            "负载生成器、gunicorn 与 PostgreSQL 共用全部的核"
        )
    os.sched_setaffinity(0, {client})  # as `taskset -c 0`, which make bench-web uses
    return ["taskset", "-c", SERVER_CPU], (
        f"负载生成器（本进程）绑定核 {client}，gunicorn（2 个 worker）绑定核 {server}；"
        "PostgreSQL 是系统服务，不绑定，与两者共用两个核"
    )


def sign_in(pool):
    sessions = []
    for username, meeting, report in pool:
        client = Client(HOST, PORT).login(username, PASSWORD)
        client.meeting, client.report = meeting, report
        sessions.append(client)
    reviewers = [Client(HOST, PORT).login("scale-reviewer", PASSWORD) for _ in range(4)]
    return sessions, reviewers


def measure(sessions, reviewers, log):
    """{page: {measurement: Summary}} for every page, then for the mix ("混合")."""

    def who(page, n):
        return (reviewers if page.name in REVIEWER_PAGES else sessions)[n]

    results = {}
    for page in PAGES:
        results[page.name] = {"single": sequential(page, who(page, 0), SINGLE, warmup=WARMUP)}
        for clients in (2, 4):
            results[page.name][f"closed-{clients}"] = closed_loop(
                lambda n, i, page=page: (page, who(page, n)), clients, CLOSED_SECONDS
            )
        log(page.name, results[page.name])

    names = [name for name, weight in MIX.items() for _ in range(weight)]
    results["混合"] = {}
    for clients in (2, 4):
        rngs = [random.Random(2026 + n) for n in range(clients)]

        def pick(n, i, rngs=rngs):
            page = BY_NAME[rngs[n].choice(names)]
            return page, who(page, n)

        results["混合"][f"closed-{clients}"] = closed_loop(pick, clients, CLOSED_SECONDS)
    schedule = random.Random(14)
    order = [BY_NAME[schedule.choice(names)] for _ in range(int(OPEN_RATE * OPEN_SECONDS))]

    def open_send(i):
        page = order[i]
        pool = reviewers if page.name in REVIEWER_PAGES else sessions
        return page.name, page.send(pool[i % len(pool)]) in page.ok

    results["混合"]["open"] = open_loop(
        open_send, OPEN_RATE, OPEN_SECONDS, senders=OPEN_SENDERS, name=lambda i: order[i].name
    )
    log("混合", results["混合"])
    return results


def width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell(value, size, digits=0, left=False):
    if value is None:
        text = "—"
    else:
        text = f"{value:,.{digits}f}" if isinstance(value, float) else str(value)
    pad = " " * max(size - width(text), 0)
    return text + pad if left else pad + text


def load_average():
    return "、".join(f"{x:.1f}" for x in os.getloadavg())


def report(results, counts, assemble_ms, pinned, csv_path, load_before):
    floor = results[SESSION_FLOOR]
    floor_p50, floor_cap = floor["single"].p50, floor["closed-2"].rps
    print()
    print(
        "Web 基准（gunicorn 2 个 sync worker；数据：1,000 个党支部、12,000 次会议、120,000 项措施；"
        f"单客户 {SINGLE} 次请求（先预热 {WARMUP} 次）、闭环每页 {CLOSED_SECONDS:g} 秒，"
        "无思考时间）"
    )
    print(f"  {pinned}")
    print(
        f"  机器负载（1/5/15 分钟平均，{os.cpu_count()} 个核）：开始时 {load_before}，"
        f"结束时 {load_average()}（其他进程也在用这台机器时，数字偏高）"
    )
    print(f"  倍数以{SESSION_FLOOR}为准：p50 ÷ 其单客户 p50，容量 ÷ 其 2 并发容量")
    head = [
        ("页面", 30, True),
        ("查询", 5, False),
        ("单客户p50", 10, False),
        ("p95", 7, False),
        ("p50倍数", 8, False),
        ("2并发req/s", 11, False),
        ("p50", 7, False),
        ("p95", 7, False),
        ("容量比", 7, False),
        ("4并发req/s", 11, False),
        ("p50", 7, False),
        ("p95", 7, False),
        ("错误", 5, False),
    ]
    print("  " + " ".join(cell(h, w, left=left) for h, w, left in head))
    rows = []
    for page in PAGES:
        r = results[page.name]
        s, c2, c4 = r["single"], r["closed-2"], r["closed-4"]
        errors = s.errors + c2.errors + c4.errors
        values = [
            page.name,
            counts.get(page.name),
            s.p50,
            s.p95,
            s.p50 / floor_p50,
            c2.rps,
            c2.p50,
            c2.p95,
            c2.rps / floor_cap,
            c4.rps,
            c4.p50,
            c4.p95,
            errors,
        ]
        digits = [0, 0, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 0]
        print(
            "  "
            + " ".join(
                cell(v, w, d, left) for v, (_, w, left), d in zip(values, head, digits, strict=True)
            )
        )
        rows.append(csv_row(page.name, "single", s, counts.get(page.name), s.p50 / floor_p50))
        for kind, summary in (("closed-2", c2), ("closed-4", c4)):
            rows.append(csv_row(page.name, kind, summary, None, summary.rps / floor_cap))

    mix = results["混合"]
    for n in (2, 4):
        m = mix[f"closed-{n}"]
        print(
            f"  混合（闭环 {n} 并发）：{m.rps:.1f} req/s，p50 {m.p50:.1f} ms，p95 {m.p95:.1f} ms，"
            f"错误 {m.errors}，容量 ÷ 登录基线 2 并发容量 = {m.rps / floor_cap:.2f}"
        )
        rows.append(csv_row("混合", f"closed-{n}", m, None, m.rps / floor_cap))
    o = mix["open"]
    print(
        f"  混合（开环 {OPEN_RATE:g} req/s × {OPEN_SECONDS:g} 秒，按计划发送、不等响应）："
        f"{o.requests} 次，p50 {cell(o.p50, 0, 1)} ms，p95 {cell(o.p95, 0, 1)} ms，"
        f"错误 {o.errors}，"
        f"实际 {o.rps:.1f} req/s；发送比计划晚 p95 {cell(o.extra['lag_p95'], 0, 1)} ms、"
        f"最多 {cell(o.extra['lag_max'], 0, 1)} ms"
    )
    rows.append(csv_row("混合", "open", o, None, None))
    for name, summary in o.extra["by_page"].items():
        print(
            f"    {cell(name, 18, left=True)}{summary.requests:>5} 次"
            f"  p50 {cell(summary.p50, 8, 1)}  p95 {cell(summary.p95, 8, 1)}"
            f"  错误 {summary.errors}"
        )
        rows.append(csv_row(name, "open", summary, None, None))
    print(
        f"  一键汇总（进程内，40 个问题、80 项措施）中位数 {assemble_ms:.0f} ms"
        f" = 登录基线 p50 的 {assemble_ms / floor_p50:.1f} 倍"
    )
    rows.append(
        {
            "page": "一键汇总（40 个问题、80 项措施）",
            "measurement": "in-process",
            "p50_ms": f"{assemble_ms:.1f}",
            "ratio": f"{assemble_ms / floor_p50:.2f}",
        }
    )
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"  CSV：{csv_path}")


CSV_FIELDS = [
    "page",
    "measurement",
    "clients",
    "requests",
    "errors",
    "seconds",
    "req_per_s",
    "p50_ms",
    "p95_ms",
    "queries",
    "ratio",
]


def csv_row(page, kind, summary, queries, ratio):
    clients = {"single": 1, "closed-2": 2, "closed-4": 4}.get(kind, "")

    def fmt(value, digits=1):
        return "" if value is None else f"{value:.{digits}f}"

    return {
        "page": page,
        "measurement": kind,
        "clients": clients,
        "requests": summary.requests,
        "errors": summary.errors,
        "seconds": fmt(summary.seconds, 2),
        "req_per_s": fmt(summary.rps),
        "p50_ms": fmt(summary.p50),
        "p95_ms": fmt(summary.p95),
        "queries": "" if queries is None else queries,
        "ratio": fmt(ratio, 2),
    }


def analyze():
    """The planner's statistics as autovacuum keeps them where it runs (it is
    off on this machine): the runs before this one added audit rows (every
    一键汇总 writes two), and a report page's 历史记录 read through the index the
    stale estimate favours took 5.7 ms instead of 0.4."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def main():
    django_setup()
    pool = secretaries()
    counts, assemble_ms = query_counts_and_assembly(pool[0])
    analyze()
    prefix, pinned = pinning()
    print(pinned, flush=True)
    load_before = load_average()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    csv_path = Path(os.environ.get("BENCH_CSV") or ROOT / "bench" / "results" / f"web-{stamp}.csv")
    server = subprocess.Popen(
        [
            *prefix,
            sys.executable,
            "-m",
            "gunicorn",
            "ideology_review.wsgi",
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=SERVER_ENV,
    )
    try:
        wait_for(f"http://{HOST}:{PORT}/healthz/")
        sessions, reviewers = sign_in(pool)

        def log(name, measured):
            parts = [
                f"{kind} {m.p50:.1f}/{m.p95:.1f} ms {m.rps:.1f} req/s"
                for kind, m in measured.items()
                if m.p50 is not None
            ]
            print(f"  … {name}: " + "; ".join(parts), flush=True)

        results = measure(sessions, reviewers, log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, counts, assemble_ms, pinned, csv_path, load_before)


if __name__ == "__main__":
    main()
