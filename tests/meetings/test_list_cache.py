"""The cached rows of 研判会议列表, 问题台账 and 整改台账 (meetings.views._rows,
reports.pagecache.branch_fragment): served from the cache while the records of
the organisations the user sees have not changed, equal to rows built afresh
after every kind of change they show, per filter and page. The changes are
committed (a transactional test): a version moves on after the commit."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import Finding, FindingCategory, Measure, Meeting, Person, today

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LONG_AGO = datetime.date(2020, 1, 1)
PAGES = [
    reverse("meetings:list"),
    reverse("meetings:list") + f"?year={today().year}",
    reverse("meetings:finding_ledger"),
    reverse("meetings:finding_ledger") + "?risk_level=高",
    reverse("meetings:measure_ledger"),
    reverse("meetings:measure_ledger") + "?status=已逾期",
]


def rows(client, url):
    """The page's table and pages, and the page's queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<div class="table-responsive">')
    end = page.index("</nav>", start) if "</nav>" in page[start:] else page.index("条</p>", start)
    return re.sub(r"\s+", " ", page[start:end]), len(queries)


def test_the_rows_come_from_the_cache_until_the_branch_changes(client, world):
    MeasureFactory(
        finding__meeting__organisation=world.branch,
        finding__title="问题甲",
        finding__risk_level="高",
        deadline=LONG_AGO,
        content="逾期的措施甲",
    )
    client.force_login(world.secretary)
    client.get(PAGES[0])  # the session written
    cache.clear()
    for url in PAGES:
        built, built_queries = rows(client, url)
        served, served_queries = rows(client, url)
        assert served == built
        assert served_queries < built_queries, url  # the rows (and their count)
    # another branch's change: still served
    MeetingFactory(organisation=world.other_branch, date=today(), title="医院支部的会")
    assert rows(client, PAGES[0])[1] == served_queries_of(client, PAGES[0])


def served_queries_of(client, url):
    rows(client, url)
    return rows(client, url)[1]


def steps(world):
    held = {}

    def new_meeting():
        held["chair"] = PersonFactory(name="钱主持")
        held["meeting"] = MeetingFactory(
            organisation=world.branch, date=today(), title="会一", chair=held["chair"]
        )

    def rename_chair():
        person = Person.objects.get(pk=held["chair"].pk)
        person.name = "钱改名"
        person.save()

    def new_finding():  # the meeting's 问题数, the 问题台账
        held["finding"] = FindingFactory(meeting=held["meeting"], title="问题乙", risk_level="高")

    def new_overdue_measure():
        held["person"] = PersonFactory(name="孙责任")
        held["measure"] = MeasureFactory(
            finding=held["finding"],
            deadline=LONG_AGO,
            responsible_person=held["person"],
            content="措施乙",
        )

    def rename_person():
        person = Person.objects.get(pk=held["person"].pk)
        person.name = "孙改名"
        person.save()

    def rename_category():
        category = FindingCategory.objects.get(pk=held["finding"].category_id)
        category.name = f"{category.name}（新）"
        category.save()

    def rename_branch():
        world.branch.short_name = "一小支部"
        world.branch.save()

    def risk_lowered():  # leaves the 高 filter
        finding = Finding.objects.get(pk=held["finding"].pk)
        finding.risk_level = "低"
        finding.save()

    def measure_done():  # 整改状态, 已逾期 no more
        measure = Measure.objects.get(pk=held["measure"].pk)
        measure.status = Measure.Status.DONE
        measure.save()

    def confirm_meeting():
        services.meeting_confirm(
            meeting=Meeting.objects.get(pk=held["meeting"].pk), by=world.secretary
        )

    def delete_finding():
        Finding.objects.only("pk").get(pk=held["finding"].pk).delete()

    def other_branch():
        MeetingFactory(organisation=world.other_branch, date=today(), title="别的支部")

    return [
        new_meeting,
        rename_chair,
        new_finding,
        new_overdue_measure,
        rename_person,
        rename_category,
        rename_branch,
        risk_lowered,
        measure_done,
        confirm_meeting,
        delete_finding,
        other_branch,
    ]


def test_the_served_rows_equal_fresh_ones_after_every_kind_of_change(client, world):
    client.force_login(world.secretary)
    for step in steps(world):
        for url in PAGES:
            rows(client, url)  # cached from before the change
        step()
        served = {url: rows(client, url)[0] for url in PAGES}
        cache.clear()
        for url in PAGES:
            assert served[url] == rows(client, url)[0], f"after {step.__name__}: {url}"


def test_each_page_of_a_long_list_is_its_own(client, world):
    meeting = MeetingFactory(organisation=world.branch, date=today())
    for i in range(30):
        FindingFactory(meeting=meeting, title=f"第{i:02d}个问题")
    client.force_login(world.secretary)
    url = reverse("meetings:finding_ledger")
    first, second = rows(client, url)[0], rows(client, url + "?page=2")[0]
    assert first != second and "第1页" in first and "第2页" in second
    assert rows(client, url + "?page=2")[0] == second
