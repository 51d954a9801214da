"""make bench-web: gunicorn (2 workers) on the scale dataset, driven by locust
from a separate process on 127.0.0.1 for a bounded time; prints per page the
requests, p50, p95, errors and the ratio of its p50 to the framework floor's.
Also prints each page's query count and the time of one 一键汇总 of a branch
with 40 findings and 80 measures."""

import csv
import datetime
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.get("BENCH_PORT", "8765")
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
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def query_counts_and_assembly():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from meetings.models import Finding, Measure, Meeting
    from reports import services
    from reports.models import QuarterlyReport

    setup_test_environment()
    User = get_user_model()
    secretary, reviewer = Client(), Client()
    secretary.force_login(User.objects.get(username="scale-sec-1"))
    reviewer.force_login(User.objects.get(username="scale-reviewer"))
    meeting = Meeting.objects.filter(
        organisation__memberships__person__user__username="scale-sec-1"
    ).first()
    report = QuarterlyReport.objects.filter(organisation=meeting.organisation).first()
    pages = [
        ("工作台", secretary, "/"),
        ("研判会议列表", secretary, "/meetings/"),
        ("会议页", secretary, f"/meetings/{meeting.pk}/"),
        ("问题台账（筛选）", secretary, "/findings/?year=2026&quarter=3&risk_level=高"),
        ("整改台账（筛选）", secretary, "/measures/?status=已逾期"),
        ("报告页", secretary, f"/reports/{report.pk}/"),
        ("待审核", reviewer, "/reports/review/"),
        ("统计分析", reviewer, "/reports/statistics/?year=2026&quarter=3"),
    ]
    counts = {}
    for name, client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        counts[name] = (len(queries), status)

    # 一键汇总 of a branch with 40 findings and 80 measures (this quarter's).
    org = meeting.organisation
    draft, _ = QuarterlyReport.objects.get_or_create(
        organisation=org,
        year=2027,
        quarter=1,
        defaults={"title": "基准", "created_by": User.objects.get(username="scale-sec-1")},
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
    by = User.objects.get(username="scale-sec-1")
    for _ in range(7):
        started = time.perf_counter()
        services.report_assemble(report=draft, by=by)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    target.delete()
    draft.delete()
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


def main():
    django_setup()
    counts, assemble_ms = query_counts_and_assembly()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ideology_review.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=SERVER_ENV,
    )
    out = Path(tempfile.mkdtemp(prefix="bench-web-")) / "stats"
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz/")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                os.environ.get("BENCH_USERS", "16"),
                "-r",
                "8",
                "-t",
                os.environ.get("BENCH_SECONDS", "60") + "s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(out),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
            ],
            check=False,
            capture_output=True,
            timeout=int(os.environ.get("BENCH_SECONDS", "60")) + 120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with open(f"{out}_stats.csv", encoding="utf-8") as stats:
        rows = {r["Name"]: r for r in csv.DictReader(stats)}
    floor = float(rows["框架基线（/healthz/）"]["Median Response Time"])
    print(
        f"Web 负载基准（gunicorn 2 workers，{os.environ.get('BENCH_USERS', '16')}个并发用户，"
        f"{os.environ.get('BENCH_SECONDS', '60')}秒，数据：1,000个党支部、12,000次会议、"
        "120,000项措施）"
    )
    print(
        f"  {'页面':<14}{'请求数':>7}{'p50 ms':>9}{'p95 ms':>9}{'错误':>6}"
        f"{'p50/基线':>10}{'查询数':>8}"
    )
    for name in [
        "工作台",
        "研判会议列表",
        "会议页",
        "问题台账（筛选）",
        "整改台账（筛选）",
        "报告页",
        "一键汇总",
        "待审核",
        "统计分析",
        "框架基线（/healthz/）",
    ]:
        r = rows.get(name)
        if not r:
            continue
        p50, p95 = float(r["Median Response Time"]), float(r["95%"])
        queries = counts.get(name, ("", ""))[0]
        print(
            f"  {name:<14}{int(r['Request Count']):>7}{p50:>9.0f}{p95:>9.0f}"
            f"{int(r['Failure Count']):>6}{p50 / floor:>10.1f}{queries!s:>8}"
        )
    total = rows.get("Aggregated", {})
    print(f"  合计 {total.get('Request Count')} 次请求，错误 {total.get('Failure Count')} 次")
    print(f"  一键汇总（40个问题、80项措施）中位数 {assemble_ms:.0f} ms（目标 < 200 ms）")


if __name__ == "__main__":
    main()
