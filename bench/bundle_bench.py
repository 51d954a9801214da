"""python -m bench bundle (make bench, part 2; make bench-export): 导出本季度报告
for N approved reports through real Celery worker processes; prints wall time,
reports per second, the phases, the ZIP's size and each worker's peak memory.

    python -m bench bundle --branches 200 --workers 2
    python -m bench bundle --branches 1000 5000 --workers 2   # and the scaling ratio

Each N has an organisation tree of its own ("中共基准测试N县委员会", N branches,
N approved reports), created on first use in the configured database, and each
run a queue of its own, so a run never touches real data, real workers' queues
or another size's reports. The workers are started by tests/workers.py, as in
the real-worker tests; every report holds bench/docx_bench.py's standard report
(text from bench/corpus/).

Peak memory: every 0.2 s the sampler reads /proc for each worker process and
all its descendants (a prefork pool's children, `--pool prefork`), keeping each
process's VmHWM (the kernel's own high-water mark, so nothing between samples
is missed) and the largest sum of their VmRSS at one instant. A worker's peak
is the larger of the two: with the solo pool (the default, one process) both
are its VmHWM.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Min

from meetings.models import Membership, Organisation, Person
from reports import exports
from reports.models import GeneratedFile, QuarterlyReport, ReportSubmission
from tests.workers import celery_conf, start_worker, stop_worker

from .docx_bench import standard_report

TARGETS = "目标：1,000份 < 40 s；5,000份与1,000份相比每份用时不超过其1.10倍；worker峰值 < 300 MB"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench bundle",
        description="基准：N个党组织的本季度报告通过Celery worker进程打包导出；"
        "给出多个N时依次运行并打印每份用时之比（线性扩展）。",
    )
    parser.add_argument("--branches", type=int, nargs="+", default=[200])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pool", choices=["solo", "prefork"], default="solo", help="worker 进程池（默认 solo）"
    )
    parser.add_argument(
        "--timeout", type=int, default=None, help="每次运行的秒数上限（默认 120 + 0.5×N）"
    )
    args = parser.parse_args(argv)
    if not settings.CELERY_BROKER_URL:
        sys.exit("需要 CELERY_BROKER_URL（Redis）：基准要测的是真实 worker 进程。")
    results = []
    for n in args.branches:
        result = bench_bundle(
            branches=n,
            workers=args.workers,
            pool=args.pool,
            timeout=args.timeout or 120 + n // 2,
        )
        print_result(result)
        results.append(result)
    if len(results) > 1:
        print_scaling(results)


@dataclass
class Result:
    branches: int
    workers: int
    pool: str
    elapsed: float = 0.0
    size: int = 0
    members: int = 0
    phases: dict = field(default_factory=dict)
    peaks: list = field(default_factory=list)  # KiB per worker
    processes: list = field(default_factory=list)  # (processes seen, main VmHWM KiB)
    cpu: list = field(default_factory=list)  # CPU seconds per worker
    db_cpu: float = 0.0  # CPU seconds of the database's PostgreSQL backends
    load: tuple = (0.0, 0.0)  # the 1-minute load average when it started and ended

    @property
    def cpu_per_report(self):
        return sum(self.cpu) / self.branches

    @property
    def per_report(self):
        return self.elapsed / self.branches


def bench_bundle(*, branches, workers, pool="solo", timeout=300):
    department, reviewer = dataset(branches)
    GeneratedFile.objects.filter(organisation__path__startswith=department.parent.path).delete()
    analyze()
    queue = f"ideology-bench-{uuid.uuid4().hex[:8]}"
    media = tempfile.mkdtemp(prefix="bench-media-")
    procs = [
        start_worker(queue, name=f"bench{i}", media_root=media, loglevel="WARNING", pool=pool)
        for i in range(workers)
    ]
    sampler = WorkerSampler([p.pid for p in procs], database=connection.settings_dict["NAME"])
    result = Result(branches=branches, workers=workers, pool=pool)
    try:
        time.sleep(4)  # let the workers connect
        sampler.start()
        load = os.getloadavg()[0]
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
            result.elapsed = time.monotonic() - started
            result.load = (load, os.getloadavg()[0])
    finally:
        sampler.stop()
        for p in procs:
            stop_worker(p, timeout=30)
        result.peaks = sampler.peaks()
        result.processes = sampler.processes()
        result.cpu = sampler.cpu_seconds()
        result.db_cpu = sampler.database_cpu_seconds()
    try:
        if bundle.status != GeneratedFile.Status.DONE:
            sys.exit(f"打包未完成（{branches}份）：{bundle.get_status_display()} {bundle.error}")
        result.size = bundle.size
        with zipfile.ZipFile(Path(media) / bundle.file.name) as archive:  # the workers' MEDIA_ROOT
            result.members = len(archive.namelist()) - 1  # less the 汇总
        if result.members != branches:
            sys.exit(f"压缩包中有{result.members}份报告，应为{branches}份。")
        result.phases = phases(bundle)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return result


def analyze():
    """Fresh planner statistics after the bulk writes (PostgreSQL). Autovacuum
    would take them in its own time, or never where it is off (as on the
    benchmark machine): with a table believed empty the 汇总's per-organisation
    subqueries scan every report of the quarter for each organisation."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def phases(bundle):
    """Where the wall time went, from the records' own timestamps (seconds)."""
    members = GeneratedFile.objects.filter(bundle=bundle).aggregate(
        created=Max("created_at"), first=Min("started_at"), last=Max("finished_at")
    )
    return {
        "分派（建记录、入队）": (members["created"] - bundle.started_at).total_seconds(),
        "渲染（第一份开始到最后一份完成）": (members["last"] - members["first"]).total_seconds(),
        "打包（最后一份完成到压缩包完成）": (bundle.finished_at - members["last"]).total_seconds(),
    }


def print_result(r):
    print(f"本季度报告打包基准（{r.branches}个党组织，{r.workers}个worker进程，{r.pool}）")
    print(f"  总耗时        {r.elapsed:7.1f} s")
    per = 1000 * r.per_report
    print(f"  吞吐          {r.branches / r.elapsed:7.1f} 份/秒（每份 {per:.1f} ms）")
    for name, seconds in r.phases.items():
        print(f"    {name} {seconds:6.1f} s")
    cpu = "、".join(f"{c:.1f}" for c in r.cpu)
    print(f"  worker CPU    {cpu} s（每份 {1000 * r.cpu_per_report:.1f} ms）")
    if r.db_cpu:
        per_db = 1000 * r.db_cpu / r.branches
        print(f"  PostgreSQL CPU {r.db_cpu:.1f} s（每份 {per_db:.1f} ms，本库的后端进程）")
    print(f"  压缩包大小    {r.size / 1024 / 1024:7.1f} MB（{r.members}份报告和汇总）")
    shown = []
    for peak, (n, main) in zip(r.peaks, r.processes, strict=True):
        tree = f"（{n}个进程，主进程 {main / 1024:.0f} MB）" if n > 1 else ""
        shown.append(f"{peak / 1024:.0f} MB{tree}")
    print("  worker峰值内存 " + "、".join(shown))
    start, end = r.load
    print(f"  机器负载      开始 {start:.1f}，结束 {end:.1f}（1分钟平均，{os.cpu_count()}核）")


def print_scaling(results):
    base = results[0]
    print(f"扩展性（与{base.branches}份相比；{TARGETS}）")
    for r in results[1:]:
        wall = r.per_report / base.per_report
        cpu = r.cpu_per_report / base.cpu_per_report
        verdict = "线性，10%以内" if wall <= 1.10 else "超出10%"
        print(
            f"  {r.branches}份 / {base.branches}份：总耗时之比 {r.elapsed / base.elapsed:.2f}"
            f"（份数之比 {r.branches / base.branches:.0f}），每份用时之比 {wall:.3f}（{verdict}），"
            f"每份 worker CPU 之比 {cpu:.3f}，"
            f"worker峰值 {max(r.peaks) / 1024:.0f} MB 对 {max(base.peaks) / 1024:.0f} MB"
        )


class WorkerSampler:
    """Peak memory and CPU time of each root process and its descendants, from /proc."""

    def __init__(self, roots, interval=0.2, database=None):
        self.roots = roots
        self.database = database  # PostgreSQL backends serving it are counted too
        self.db_cpu = {}  # backend pid -> CPU seconds, last seen
        self.interval = interval
        self.hwm = {root: {} for root in roots}  # root -> {pid: VmHWM KiB}
        self.rss_sum = dict.fromkeys(roots, 0)  # root -> largest sum of VmRSS
        self.cpu = {root: {} for root in roots}  # root -> {pid: CPU seconds, last seen}
        self.cpu_before = {}  # pid -> CPU seconds when the sampler started (start-up)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.cpu_before = {pid: seconds for pid, (_, seconds) in processes().items()}
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.sample()  # the last reading, before the workers are stopped

    def peaks(self):
        """Per worker (KiB): the larger of its processes' largest VmHWM and the
        largest sum of their VmRSS at one instant (shared pages counted in each)."""
        return [max(max(self.hwm[r].values(), default=0), self.rss_sum[r]) for r in self.roots]

    def processes(self):
        """Per worker: how many processes were seen, and the main process's VmHWM."""
        return [(len(self.hwm[r]), self.hwm[r].get(r, 0)) for r in self.roots]

    def cpu_seconds(self):
        """Per worker: CPU time (user + system) of its processes since start()."""
        return [
            sum(max(0.0, s - self.cpu_before.get(pid, 0.0)) for pid, s in self.cpu[r].items())
            for r in self.roots
        ]

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def database_cpu_seconds(self):
        """CPU time of the PostgreSQL backends connected to the bench's database
        (the workers', and this process's polling) since start()."""
        return sum(max(0.0, t - self.cpu_before.get(pid, 0.0)) for pid, t in self.db_cpu.items())

    def sample(self):
        table = processes()
        if self.database:
            for pid, (_, seconds) in table.items():
                if pid in self.db_cpu or is_backend_of(pid, self.database):
                    self.db_cpu[pid] = seconds
        for root in self.roots:
            total = 0
            for pid in descendants(root, table):
                status = read_status(pid)
                if not status:
                    continue
                known = self.hwm[root].get(pid, 0)
                self.hwm[root][pid] = max(known, status.get("VmHWM", 0))
                total += status.get("VmRSS", 0)
                self.cpu[root][pid] = table[pid][1]
            self.rss_sum[root] = max(self.rss_sum[root], total)


TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """pid -> (parent pid, CPU seconds) of every process, from /proc/<pid>/stat."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()  # after "pid (comm)"
        except OSError:
            continue  # ended meanwhile
        # state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        table[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return table


def is_backend_of(pid, database):
    """A PostgreSQL backend on `database` ("postgres: 15/main: user database host …")."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return False
    return title.startswith("postgres:") and f" {database} " in title


def descendants(root, table):
    """The root and every process below it, by parent pid (this kernel has no
    /proc/<pid>/task/<tid>/children)."""
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root] if root in table else []
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def read_status(pid):
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {
        key: int(value.split()[0])
        for key, _, value in (line.partition(":") for line in text.splitlines())
        if key in ("VmHWM", "VmRSS")
    }


def dataset(n):
    """The tree of size n: a committee, its 宣传部 (the bench reviewer's), n branches
    each with an approved 2026年第三季度 report holding the standard report."""
    committee, _ = Organisation.objects.get_or_create(
        name=f"中共基准测试{n}县委员会", defaults={"org_type": Organisation.OrgType.COMMITTEE}
    )
    department, _ = Organisation.objects.get_or_create(
        name=f"中共基准测试{n}县委宣传部",
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
            name=f"中共基准测试{n}县第{i + 1}支部委员会",
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
