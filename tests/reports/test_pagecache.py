"""The reviewer pages' cached fragments (reports.pagecache): 统计分析, the
审核工作台 and 待审核 are built once per version of the records, served from
the cache until a change that they show, and hold nothing of one request's
own (the CSRF token, the export list)."""

import datetime
import re
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.access import get_scope
from meetings.models import Measure, today
from reports import notifications, pagecache, services
from reports.models import Deadline, GeneratedFile, Notification, QuarterlyReport, ReportItem

from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    OrganisationFactory,
    make_report,
)

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status
Kind = QuarterlyReport.Kind
STATISTICS = {"year": 2026, "quarter": 3}
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def html(response):
    """The page with this request's CSRF token masked (it differs each time)."""
    return TOKEN.sub(r"\1…", response.content.decode())


def high_risk(world, organisation=None, title="意识形态阵地管理存在漏洞"):
    finding = FindingFactory(
        meeting=MeetingFactory(
            organisation=organisation or world.branch, date=datetime.date(2026, 8, 3)
        ),
        title=title,
        risk_level="高",
    )
    MeasureFactory(finding=finding, status=Measure.Status.IN_PROGRESS)
    return finding


PAGES = [
    ("reports:dashboard", STATISTICS, 8),  # + the export list
    ("reports:workbench", {}, 7),
    ("reports:inbox", {}, 7),
]


@pytest.mark.parametrize("name, params, queries", PAGES)
def test_a_second_view_is_the_cached_page(
    client, world, django_assert_num_queries, name, params, queries
):
    high_risk(world)
    make_report(world)
    client.force_login(world.reviewer)
    first = client.get(reverse(name), params)
    # session, user, scope (2), the records' version, the menu's 待审核 badge
    # and 通知 bell… and no query of the page's own
    with django_assert_num_queries(queries):
        second = client.get(reverse(name), params)
    assert html(second) == html(first)


def test_every_change_a_reviewer_page_shows_makes_a_new_version(world):
    seen = [pagecache.current()]

    def moved_on():
        seen.append(pagecache.current())
        return seen[-1] > seen[-2]

    finding = high_risk(world)
    assert moved_on()
    measure = finding.measures.get()
    measure.status = Measure.Status.DONE
    measure.save()
    assert moved_on()
    report = make_report(world)
    assert moved_on()
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    assert moved_on()
    services.report_return(report=report, by=world.reviewer, comment="请补充佐证材料")
    assert moved_on()
    world.other_branch.short_name = "医院党支部（新）"
    world.other_branch.save()
    assert moved_on()
    Deadline.objects.create(
        organisation=world.department,
        kind=Kind.QUARTERLY,
        year=2026,
        quarter=3,
        due_date=datetime.date(2026, 10, 8),
    )
    assert moved_on()
    finding.delete()
    assert moved_on()


def test_what_no_reviewer_page_shows_keeps_the_version(world):
    report = make_report(world)
    before = pagecache.current()
    # 一键汇总 writes the report's text and its time, nothing a list shows
    ReportItem.objects.create(report=report, section="basic", heading="小标题", body="正文")
    report.save(update_fields=["assembled_at", "updated_at"])
    GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.REPORT,
        organisation=world.branch,
        report=report,
        requested_by=world.secretary,
        year=2026,
        quarter=3,
    )
    assert pagecache.current() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_version_moves_on_again_when_the_transaction_commits(world):
    """A page cached between a change and its commit was built from the data
    before it: the commit's own step leaves it behind."""
    before = pagecache.current()
    with transaction.atomic():
        high_risk(world)
        inside = pagecache.current()
        assert inside > before
    assert pagecache.current() > inside


def test_a_change_shows_at_once(client, world):
    report = make_report(world)
    client.force_login(world.reviewer)
    dashboard = client.get(reverse("reports:dashboard"), STATISTICS).content.decode()
    assert 'data-stat="pending">0<' in dashboard and 'data-stat="high">0<' in dashboard
    assert "没有待审核的报告" in client.get(reverse("reports:workbench")).content.decode()
    assert "没有待审核的报告" in client.get(reverse("reports:inbox")).content.decode()

    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    high_risk(world, title="网络阵地管理存在漏洞")
    dashboard = client.get(reverse("reports:dashboard"), STATISTICS).content.decode()
    assert 'data-stat="pending">1<' in dashboard and 'data-stat="high">1<' in dashboard
    workbench = client.get(reverse("reports:workbench")).content.decode()
    assert "待审核（1份）" in workbench and "网络阵地管理存在漏洞" in workbench
    assert report.title in client.get(reverse("reports:inbox")).content.decode()

    services.report_approve(report=report, by=world.reviewer)
    dashboard = client.get(reverse("reports:dashboard"), STATISTICS).content.decode()
    assert 'data-stat="pending">0<' in dashboard and 'data-stat="approved">1<' in dashboard
    assert "待审核（0份）" in client.get(reverse("reports:workbench")).content.decode()


def test_a_new_day_is_a_new_page(client, world, monkeypatch):
    """The pages count days (已等待, 逾期): the date is part of the key."""
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    client.force_login(world.reviewer)
    submitted_on = report.submitted_at.date() if report.submitted_at else datetime.date.today()
    for days in (0, 3):
        on = submitted_on + datetime.timedelta(days=days)
        monkeypatch.setattr("meetings.models.today", lambda on=on: on)
        monkeypatch.setattr("reports.workbench.today", lambda on=on: on)
        page = client.get(reverse("reports:workbench")).content.decode()
        assert ("今天提交" if days == 0 else "已等待3天") in page


def test_reviewers_of_other_units_and_users_do_not_share_a_page(client, world, chain):
    high_risk(world, title="学校的高风险问题")
    high_risk(world, chain.village, title="村级微信群管理不严")
    for user, shown, hidden in (
        (world.reviewer, "学校的高风险问题", "村级微信群管理不严"),
        (chain.committee_reviewer, "村级微信群管理不严", "学校的高风险问题"),
    ):
        client.force_login(user)
        for name, params, _ in PAGES[:2]:
            page = client.get(reverse(name), params).content.decode()
            assert shown in page and hidden not in page


def test_the_cached_workbench_holds_no_csrf_token_and_its_forms_still_post(world, monkeypatch):
    on = datetime.date(2026, 10, 13)  # Q3's reports were due 10月10日
    monkeypatch.setattr("reports.workbench.today", lambda: on)
    OrganisationFactory(parent=world.committee, must_report=True, name="中共青山县林业局支部委员会")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:workbench")).content.decode()
    forms = re.findall(r'<form method="post" action="[^"]+" class="mt-1" id="(urge-\d+)">', page)
    assert forms
    # every 催报 form gets this request's token through an input outside the fragment
    tokens = {
        form: token
        for token, form in re.findall(
            r'name="csrfmiddlewaretoken" value="([^"]+)" form="(urge-\d+)"', page
        )
    }
    assert sorted(tokens) == sorted(forms)
    key = pagecache._key(
        "workbench",
        (pagecache.current(), today().isoformat(), *pagecache.scope_key(get_scope(world.reviewer))),
    )
    cached = cache.get(key)
    assert "催报" in cached["html"] and "csrfmiddlewaretoken" not in cached["html"]
    # the browser posts the form with that token: accepted
    form = re.search(rf'id="{forms[0]}">(.*?)</form>', page, re.S).group(1)
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    org = re.search(r'name="org" value="(\d+)"', form).group(1)
    response = client.post(
        reverse("reports:urge"), {**data, "org": org, "csrfmiddlewaretoken": tokens[forms[0]]}
    )
    assert response.status_code == 302
    # and without a token it is refused
    assert client.post(reverse("reports:urge"), {**data, "org": org}).status_code == 403


def test_only_a_reminder_among_notifications_moves_the_version_on(world):
    before = pagecache.current()
    notifications.notify([world.secretary], Notification.Kind.DUE, "k1", "报告即将到期")
    assert pagecache.current() == before  # no reviewer page shows it
    notifications.notify(
        [world.secretary], Notification.Kind.URGE, "k2", "催报", organisation=world.branch
    )
    assert pagecache.current() > before  # the 审核工作台's 已催报


def test_a_restore_or_a_migrate_jumps_past_every_version_used_before(
    world, django_capture_on_commit_callbacks
):
    """A restored (or another) database sharing the cache must not meet the
    versions its cached pages were built under: loaddata and migrate put the
    version past the clock in ms."""
    with connection.cursor() as cursor:  # a database counted from 1, never jumped
        cursor.execute(f"SELECT setval('{pagecache.SEQUENCE}', 5)")
    assert pagecache.current() == 5
    start = time.time() * 1000
    with django_capture_on_commit_callbacks(execute=True):
        world.branch.save_base(raw=True)  # what loaddata does
    assert pagecache.current() >= start
    before = pagecache.current()
    pagecache._migrated(apps.get_app_config("reports"))
    assert pagecache.current() > before


@pytest.mark.parametrize("name, params, queries", PAGES)
def test_new_code_is_a_new_page(client, world, monkeypatch, name, params, queries):
    """The key holds a digest of the code: a deploy never serves what the code
    before it built."""
    client.force_login(world.reviewer)
    client.get(reverse(name), params)
    monkeypatch.setattr(pagecache, "release", lambda: "the next release")
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse(name), params)
    assert len(captured) > queries  # built again, not the hit's few queries


def test_the_inbox_key_ignores_parameters_it_does_not_use(client, world, django_assert_num_queries):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    client.force_login(world.reviewer)
    first = client.get(reverse("reports:inbox"), {"x": "1"})
    with django_assert_num_queries(7):  # a hit: one user's junk makes no new entries
        second = client.get(reverse("reports:inbox"), {"x": "2", "page": "999999"})
    assert html(first) == html(second) and report.title in html(second)
    assert "x=" not in html(second)
