"""python -m bench bundle (make bench, part 2; make bench-export): 导出本季度报告
for N approved reports through real Celery worker processes; prints wall time,
reports per second and peak memory.

Uses its own organisation tree ("基准测试") in the configured database and a
queue of its own, so it never touches real data or real workers' queues. The
workers are started by tests/workers.py, as in the real-worker tests; every
report holds bench/docx_bench.py's standard report (text from bench/corpus/).
"""

import argparse
import sys
import tempfile
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model

from meetings.models import Membership, Organisation, Person
from reports import exports
from reports.models import GeneratedFile, QuarterlyReport, ReportSubmission
from tests.workers import celery_conf, start_worker, stop_worker

from .docx_bench import standard_report

COMMITTEE = "中共基准测试县委员会"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench bundle",
        description="基准：N个党组织的本季度报告通过两个Celery worker进程打包导出。",
    )
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=300)
    bench_bundle(**vars(parser.parse_args(argv)))


def bench_bundle(*, branches, workers, timeout):
    if not settings.CELERY_BROKER_URL:
        sys.exit("需要 CELERY_BROKER_URL（Redis）：基准要测的是真实 worker 进程。")
    department, reviewer = dataset(branches)
    GeneratedFile.objects.filter(organisation__path__startswith=department.parent.path).delete()
    queue = f"ideology-bench-{uuid.uuid4().hex[:8]}"
    media = tempfile.mkdtemp(prefix="bench-media-")
    procs = [
        start_worker(queue, name=f"bench{i}", media_root=media, loglevel="WARNING")
        for i in range(workers)
    ]
    try:
        time.sleep(4)  # let the workers connect
        with celery_conf(task_default_queue=queue, task_always_eager=False):
            started = time.monotonic()
            bundle = exports.request_quarter_bundle(
                department=department, year=2026, quarter=3, by=reviewer
            )
            while time.monotonic() - started < timeout:
                bundle.refresh_from_db()
                if bundle.status in (GeneratedFile.Status.DONE, GeneratedFile.Status.FAILED):
                    break
                time.sleep(0.1)
            elapsed = time.monotonic() - started
    finally:
        peaks = [stop_worker(p, timeout=30) for p in procs]
    if bundle.status != GeneratedFile.Status.DONE:
        sys.exit(f"打包未完成：{bundle.get_status_display()} {bundle.error}")
    print(f"本季度报告打包基准（{branches}个党组织，{workers}个worker进程）")
    print(f"  总耗时        {elapsed:6.1f} s   （目标：200份 < 20 s，1,000份 < 60 s）")
    print(f"  吞吐          {branches / elapsed:6.1f} 份/秒")
    print(f"  压缩包大小    {bundle.size / 1024 / 1024:6.1f} MB")
    print("  worker峰值内存 " + "、".join(f"{p / 1024:.0f} MB" for p in peaks))


def dataset(n):
    committee, _ = Organisation.objects.get_or_create(
        name=COMMITTEE, defaults={"org_type": Organisation.OrgType.COMMITTEE}
    )
    department, _ = Organisation.objects.get_or_create(
        name="中共基准测试县委宣传部",
        defaults={"org_type": Organisation.OrgType.PROPAGANDA, "parent": committee},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
    person, _ = Person.objects.get_or_create(name="基准审核人", user=user)
    Membership.objects.get_or_create(
        person=person, organisation=department, defaults={"role": Membership.Role.REVIEWER}
    )
    existing = Organisation.objects.filter(parent=committee, must_report=True).count()
    content = standard_report()
    for i in range(existing, n):
        org = Organisation.objects.create(
            name=f"中共基准测试县第{i + 1}支部委员会",
            parent=committee,
            must_report=True,
            org_type=Organisation.OrgType.BRANCH,
            unit_type=Organisation.UnitType.SCHOOL,
        )
        report = QuarterlyReport.objects.create(
            organisation=org,
            year=2026,
            quarter=3,
            title=content["title"],
            status=QuarterlyReport.Status.APPROVED,
            round=1,
        )
        ReportSubmission.objects.create(report=report, round=1, content=content)
    return department, user
