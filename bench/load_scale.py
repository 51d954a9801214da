"""python -m bench load_scale: a province-sized dataset for make bench-web,
deterministic from a seed, in an empty PostgreSQL database.

1 county-level committee with its propaganda department → 20 党委 → 1,000
branches, each with people and a secretary account; three years of quarters:
≈12,000 meetings, 60,000 findings, 120,000 measures, 12,000 reports in every
status (approved ones with their frozen submission). The text comes from
bench/corpus/ only, so a fresh clone gives the same dataset for the same seed.
Everything is inserted in bulk, without signals (no audit rows).
"""

import argparse
import datetime
import random
import sys
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from meetings import review_units
from meetings.models import (
    Finding,
    FindingCategory,
    Measure,
    Meeting,
    Membership,
    Organisation,
    Person,
)
from reports import figures
from reports.content import build_report_data
from reports.models import QuarterlyReport, ReportItem, ReportSubmission
from reports.services import default_title

from . import sentences

ROOT = "中共省级基准测试委员会"
PASSWORD = "qingshan2026"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "建国丽华敏伟东志强晓峰文静磊芳浩玉梅明涛琳军洋霞红平辉鹏"


class Bar:
    """A one-line progress bar on stderr."""

    def __init__(self, label, total):
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def step(self, n=1):
        self.done += n
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        sys.stderr.write(
            f"\r{self.label:<8} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>7}/{self.total} {time.monotonic() - self.started:5.1f}s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench load_scale",
        description="生成省级规模的基准数据（可由种子重现）：1,000个党支部、三年的会议、问题、措施和报告。",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--committees", type=int, default=20)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    ScaleLoader(**vars(parser.parse_args(argv))).run()


class ScaleLoader:
    def __init__(self, *, seed, committees, branches, years, out=None):
        self.seed, self.committees, self.branches, self.years = seed, committees, branches, years
        self.out = out or sys.stdout

    def run(self):
        committees, branches, years = self.committees, self.branches, self.years
        if Organisation.objects.filter(name=ROOT).exists():
            sys.exit(f"基准数据已存在（{ROOT}）：请在新的空数据库中运行。")
        started = time.monotonic()
        rng = random.Random(self.seed)
        self.text = sentences()
        self.rng = rng
        with transaction.atomic():
            branch_orgs, department = self._organisations(committees, branches)
            secretaries = self._people(branch_orgs, department)
            # bulk_create sends no signals: resolve the review units once.
            review_units.refresh()
        last_year = 2026
        quarters = [
            (y, q) for y in range(last_year - years + 1, last_year + 1) for q in (1, 2, 3, 4)
        ]
        categories = list(FindingCategory.objects.order_by("order"))
        bar = Bar("季度", len(quarters))
        for index, (year, quarter) in enumerate(quarters):
            with transaction.atomic():
                self._quarter(
                    branch_orgs,
                    secretaries,
                    categories,
                    year,
                    quarter,
                    latest=index == len(quarters) - 1,
                )
            bar.step()
        # bulk_create sends no signals: the precomputed statistics in one pass.
        figures.rebuild()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        counts = {
            m._meta.verbose_name: m.objects.count()
            for m in (Organisation, Meeting, Finding, Measure, QuarterlyReport)
        }
        print(
            "完成，用时%.0f秒：" % (time.monotonic() - started)
            + "、".join(f"{k}{v:,}" for k, v in counts.items()),
            file=self.out,
        )
        print(
            f"账号：scale-sec-1 … scale-sec-{branches}（支部书记），"
            f"scale-reviewer（审核人），密码 {PASSWORD}",
            file=self.out,
        )

    def pick(self, n=1):
        return "".join(self.rng.choice(self.text) for _ in range(n))

    def _organisations(self, committees, branches):
        root = Organisation.objects.create(
            name=ROOT, short_name="省级基准委", org_type="党委", unit_type="机关"
        )
        department = Organisation.objects.create(
            name="中共省级基准测试委员会宣传部", org_type="宣传部", parent=root
        )
        parents = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"中共基准第{i + 1}委员会",
                    short_name=f"基准{i + 1}委",
                    org_type="党委",
                    unit_type="机关",
                    parent=root,
                )
                for i in range(committees)
            ]
        )
        unit_types = ["学校", "医院", "企业", "乡镇", "机关"]
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"中共基准第{i % committees + 1}委员会第{i + 1}支部委员会",
                    short_name=f"第{i + 1}支部",
                    org_type="党支部",
                    unit_type=unit_types[i % len(unit_types)],
                    parent=parents[i % committees],
                    must_report=True,
                    address="三楼会议室",
                )
                for i in range(branches)
            ]
        )
        for org in [*parents, *orgs]:
            org.path = f"{org.parent.path}{org.pk}/"
        Organisation.objects.bulk_update([*parents, *orgs], ["path"], batch_size=1000)
        return orgs, department

    def _people(self, orgs, department):
        User = get_user_model()
        password = make_password(PASSWORD)  # hashed once, shared: thousands of accounts fast
        users = User.objects.bulk_create(
            [User(username=f"scale-sec-{i + 1}", password=password) for i in range(len(orgs))]
            + [User(username="scale-reviewer", password=password)]
        )
        roles = [
            ("书记", "manager"),
            ("宣传委员", "editor"),
            ("组织委员", "editor"),
            ("纪检委员", "reader"),
            ("党员", "reader"),
        ]
        people, memberships = [], []
        for i in range(len(orgs)):
            for j in range(len(roles)):
                name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
                people.append(Person(name=name, user=users[i] if j == 0 else None))
        people = Person.objects.bulk_create(people, batch_size=2000)
        for i, org in enumerate(orgs):
            for j, (party_role, role) in enumerate(roles):
                memberships.append(
                    Membership(
                        person=people[i * len(roles) + j],
                        organisation=org,
                        party_role=party_role,
                        role=role,
                        post="委员",
                    )
                )
        reviewer = Person.objects.create(name="基准审核人", user=users[-1])
        memberships.append(
            Membership(person=reviewer, organisation=department, role="reviewer", party_role="党员")
        )
        Membership.objects.bulk_create(memberships, batch_size=5000)
        return {org.pk: people[i * len(roles)] for i, org in enumerate(orgs)}

    def _quarter(self, orgs, secretaries, categories, year, quarter, *, latest):
        rng = self.rng
        day = datetime.date(year, 3 * quarter - 1, 15)
        today = datetime.date(2026, 11, 22)
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    organisation=org,
                    title=f"{year}年第{'一二三四'[quarter - 1]}季度意识形态分析研判会议",
                    date=day,
                    year=year,
                    quarter=quarter,  # `day` lies in the quarter
                    place=org.address,
                    chair=secretaries[org.pk],
                    recorder=secretaries[org.pk],
                    expected_count=9,
                    present_count=8,
                    study_content=self.pick(2),
                    briefings=self.pick(1),
                    statements=self.pick(3),
                    judgement="主流是好的",
                    judgement_detail=self.pick(1),
                    requirements=self.pick(2),
                    status="confirmed",
                )
                for org in orgs
            ],
            batch_size=2000,
        )
        findings = Finding.objects.bulk_create(
            [
                Finding(
                    organisation_id=m.organisation_id,
                    meeting=m,
                    category=rng.choice(categories),
                    finding_type=rng.choice(["存在问题", "风险隐患", "苗头性倾向性问题"]),
                    title=self.pick(1)[:40].rstrip("。"),
                    details=self.pick(2),
                    risk_level=rng.choice("高中中低低"),
                    raised_on=day,
                    year=year,
                    quarter=quarter,
                    order=k + 1,
                )
                for m in meetings
                for k in range(5)
            ],
            batch_size=5000,
        )
        measures = []
        for f in findings:
            for k in range(2):
                deadline = day + datetime.timedelta(days=rng.randint(20, 200))
                done = deadline < today and rng.random() < 0.8
                status = "已完成" if done else rng.choice(["整改中", "未开始", "整改中"])
                long_term = rng.random() < 0.1
                measures.append(
                    Measure(
                        finding=f,
                        content=self.pick(1),
                        order=k + 1,
                        responsible_person=secretaries[f.organisation_id],
                        deadline=None if long_term else deadline,
                        long_term=long_term,
                        status="长期坚持" if long_term else status,
                        progress_note=self.pick(1),
                        completed_at=deadline if done and not long_term else None,
                    )
                )
        Measure.objects.bulk_create(measures, batch_size=10000)
        statuses = (
            (["approved"] * 6 + ["submitted", "returned", "draft"])
            if not latest
            else (["approved"] * 3 + ["submitted", "returned", "draft"])
        )
        reports = QuarterlyReport.objects.bulk_create(
            [
                QuarterlyReport(
                    organisation=org,
                    year=year,
                    quarter=quarter,
                    title=default_title(org, year, quarter),
                    addressee=org.parent.name,
                    signatory=org.name,
                    issue_date=day + datetime.timedelta(days=40),
                    status=rng.choice(statuses),
                    round=1,
                )
                for org in orgs
            ],
            batch_size=2000,
        )
        items = []
        for report in reports:

            def item(section, key, order=10, heading="", sentences=1, report=report):
                return ReportItem(
                    report=report,
                    section=section,
                    order=order,
                    heading=heading,
                    body=self.pick(sentences),
                    origin="auto",
                    source_key=key,
                )

            items.append(item("opening", "opening", sentences=2))
            items += [
                item("basic", f"basic:{k}", 10 * (k + 1), self.pick(1)[:20], 2) for k in range(3)
            ]
            items.append(item("judgement", "judgement"))
            for k in range(5):
                items.append(item("problems", f"p:{k}", 10 * (k + 1), self.pick(1)[:20]))
                items.append(item("measures", f"m:{k}", 10 * (k + 1)))
            items.append(item("closing", "closing", sentences=2))
        ReportItem.objects.bulk_create(items, batch_size=10000)
        frozen = [r for r in reports if r.status != "draft"]
        if frozen:
            # One report's frozen content stands for all of this quarter's (same size and shape).
            sample = build_report_data(frozen[0])
            ReportSubmission.objects.bulk_create(
                [ReportSubmission(report=r, round=1, content=sample) for r in frozen],
                batch_size=1000,
            )
