"""A page's number of queries does not grow with the rows it shows.

Each page is rendered with 1 and with 50 rows and must run the same, pinned
number of queries both times.
"""

import datetime

import pytest
from django.urls import reverse

from reports.models import GeneratedFile

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db


def fill(world, n):
    """n meetings this quarter, each with a finding and two measures (one overdue)."""
    person = PersonFactory(name="责任人甲")
    person.memberships.create(organisation=world.branch)
    last = None
    for i in range(n):
        meeting = MeetingFactory(organisation=world.branch, date=datetime.date.today())
        meeting.attendees.add(person)
        for deadline in (datetime.date(2020, 1, 1), datetime.date(2030, 1, 1)):
            last = MeasureFactory(
                finding__meeting=meeting,
                finding__title=f"问题{i}",
                responsible_person=person,
                deadline=deadline,
            )
    return last.finding.meeting


def one_meeting_with_many_findings(world, n):
    meeting = MeetingFactory(organisation=world.branch)
    person = PersonFactory(name="责任人乙")
    person.memberships.create(organisation=world.branch)
    for i in range(n):
        meeting.attendees.add(PersonFactory(name=f"参会{i}"))
        MeasureFactory(
            finding__meeting=meeting, finding__title=f"问题{i}", responsible_person=person
        )
    return meeting


# Pinned counts (session read and write, user, scope, the 通知 bell, the page's own queries;
# the write because a force_login session has no refresh stamp yet, see test_sessions),
# with 1 row and with 50. A list that fits on its page is counted from its rows, without
# a COUNT (ideology_review.lib.http.paginate): one query fewer with 1 row than with 50,
# and no more with 5,000. A change here means a page now runs more queries: make sure
# it does not scale with rows.
PAGES = {
    # + 报送提醒: the reports and the 审核单位's 报送截止日期 (the 审核单位 is the
    # organisation's stored review_unit; the offices held come with the scope);
    # + the unread 通知 (fewer than five: they are the bell's count, no COUNT of its own);
    # + the overdue measures (fewer than the 20 shown: their number, no COUNT either);
    # + the organisations seen and their versions, the key of the cached records
    # (reports.pagecache.branch_fragment; built here: a test's changes are not committed)
    "meetings:dashboard": {1: 15, 50: 16},
    # + 导出会议记录本: the organisations to choose from and the recent 会议记录本 files;
    # the lists below + the organisations seen and their versions, the key of their
    # cached rows (built here; served: tests/meetings/test_list_cache.py)
    "meetings:list": {1: 12, 50: 13},
    # the ledgers: + the filters' categories and people (a branch's organisations come
    # with the scope), the user's recent 导出台账 files (with their requester), one query
    "meetings:finding_ledger": {1: 13, 50: 14},
    "meetings:measure_ledger": {1: 13, 50: 14},
}


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("name", PAGES)
def test_list_pages_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, name, rows
):
    fill(world, rows)
    client.force_login(world.secretary)
    with django_assert_num_queries(PAGES[name][rows]):
        response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_filtered_ledger_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    fill(world, rows)
    client.force_login(world.secretary)
    with django_assert_num_queries(PAGES["meetings:measure_ledger"][rows]):
        response = client.get(
            reverse("meetings:measure_ledger"), {"status": "已逾期", "risk_level": "中"}
        )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("exports", [1, 5])
@pytest.mark.parametrize("name", ["meetings:finding_ledger", "meetings:measure_ledger"])
def test_ledger_exports_shown_do_not_add_queries(
    client, world, django_assert_num_queries, name, exports
):
    """The page lists the user's recent exports, done, failed or pending, in one query."""
    fill(world, 3)
    kind = "findings" if name == "meetings:finding_ledger" else "measures"
    statuses = list(GeneratedFile.Status)
    for i in range(exports):
        GeneratedFile.objects.create(
            kind=GeneratedFile.Kind.LEDGER,
            content={"ledger": kind, "filters": {}, "summary": "全部记录"},
            content_key=f"k{i}",
            filename="台账.xlsx",
            status=statuses[i % len(statuses)],
            requested_by=world.secretary,
        )
    client.force_login(world.secretary)
    with django_assert_num_queries(PAGES[name][1]):  # 3 rows: one page
        response = client.get(reverse(name))
    body = response.content.decode()
    assert body.count('class="file-status') == exports
    assert body.count(" · 王丽华") == exports  # each with its requester, from the same query


@pytest.mark.parametrize("rows", [1, 50])
def test_meeting_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    meeting = one_meeting_with_many_findings(world, rows)
    client.force_login(world.secretary)
    # + the meeting's 会议记录 files; + the organisations seen and their versions,
    # the key of the cached 问题与整改措施 block (built here: a test's changes are
    # not committed; served from the cache: tests/meetings/test_meeting_cache.py)
    with django_assert_num_queries(16):  # − the 历史记录 (loaded with its panel)
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["findings"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_meeting_page_names_who_marked_and_closed_in_one_query(
    client, world, django_assert_num_queries, rows
):
    """标记完成 and 销号 name their people: one query for all of them, whatever their number."""
    from django.utils import timezone

    from meetings.models import Measure

    meeting = one_meeting_with_many_findings(world, rows)
    now = timezone.now()
    measures = Measure.objects.filter(finding__meeting=meeting).order_by("pk")
    half = [m.pk for m in measures][::2]
    measures.filter(pk__in=half).update(
        status=Measure.Status.PENDING_CLOSURE, done_by=world.secretary, done_at=now
    )
    measures.exclude(pk__in=half).update(
        status=Measure.Status.CLOSED,
        done_by=world.secretary,
        closed_by=world.reviewer,
        closed_at=now,
    )
    client.force_login(world.secretary)
    with django_assert_num_queries(17):  # + the people who marked and closed them
        response = client.get(meeting.get_absolute_url())
    body = response.content.decode()
    assert body.count("王丽华 ") == len(half)  # “王丽华 2026年…标记完成”
    assert body.count("周晓峰 ") == rows - len(half)


@pytest.mark.parametrize("rows", [1, 50])
def test_confirmed_meeting_page_with_corrections_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    """A confirmed meeting adds two queries, whatever its size: whether the quarter's
    report is approved (may the secretary 更正) and the 更正 rows for the badges."""
    from ideology_review import audit
    from meetings.models import Meeting

    meeting = one_meeting_with_many_findings(world, rows)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CONFIRMED)
    for finding in meeting.findings.all():
        audit.record(finding, event="更正", changes={"title": ["旧", "新"]}, 更正说明="更正")
    client.force_login(world.secretary)
    with django_assert_num_queries(18):
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("已更正</span>") == rows


@pytest.mark.parametrize("overdue", [3, 25])
def test_dashboard_counts_every_overdue_measure_and_unread_notification(client, world, overdue):
    """The 工作台 shows 20 overdue measures and 5 unread 通知; the numbers beside
    them are all of them, whether taken from the rows shown or counted."""
    from reports import notifications
    from reports.models import Notification

    for i in range(overdue):
        MeasureFactory(
            finding__meeting__organisation=world.branch,
            content=f"逾期措施{i}",
            deadline=datetime.date(2020, 1, 1),
        )
    for i in range(overdue):
        notifications.notify(
            [world.secretary], Notification.Kind.URGE, f"k{i}", f"第{i}条", sender=world.reviewer
        )
    client.force_login(world.secretary)
    body = client.get(reverse("meetings:dashboard")).content.decode()
    assert f"整改逾期提醒（{overdue}项）" in body
    assert body.count("逾期措施") == min(overdue, 20)
    assert f"通知（未读{overdue}条）" in body
    assert f'title="未读通知">{overdue}</span>' in body


def test_dashboard_unfinished_findings_are_with_progress_ones(client, world):
    """工作台's 未完成整改的问题 (Finding.objects.unfinished(), EXISTS subqueries) are
    the findings with_progress() calls 无措施, 已逾期 or 整改中, with its 整改状态."""
    from meetings.models import Finding, Measure

    Status = Measure.Status
    FindingFactory(meeting__organisation=world.branch)  # 无措施
    cases = [
        [(Status.IN_PROGRESS, datetime.date(2020, 1, 1), False)],  # 已逾期
        [(Status.NOT_STARTED, datetime.date(2030, 1, 1), False)],  # 整改中
        [(Status.IN_PROGRESS, datetime.date(2020, 1, 1), True)],  # long-term, open: 整改中
        [(Status.DONE, datetime.date(2020, 1, 1), False)],  # 已完成
        [(Status.ONGOING, None, False)],  # 长期坚持
        [(Status.CLOSED, None, False), (Status.IN_PROGRESS, datetime.date(2020, 1, 1), False)],
        [(Status.PENDING_CLOSURE, None, False), (Status.NOT_STARTED, None, False)],
    ]
    for measures in cases:
        finding = FindingFactory(meeting__organisation=world.branch)
        for status, deadline, long_term in measures:
            MeasureFactory(finding=finding, status=status, deadline=deadline, long_term=long_term)
    Progress = Finding.Progress
    unfinished = [Progress.NO_MEASURE, Progress.OVERDUE, Progress.IN_PROGRESS]
    expected = {
        f.pk: f.progress for f in Finding.objects.with_progress() if f.progress in unfinished
    }
    assert len(expected) == 6
    assert {f.pk: f.progress for f in Finding.objects.unfinished()} == expected
    client.force_login(world.secretary)
    shown = client.get(reverse("meetings:dashboard")).context["open_findings"]
    assert {f.pk: f.progress for f in shown} == expected
