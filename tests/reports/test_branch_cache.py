"""The 工作台's cached records (reports.pagecache.branch_fragment): served from
the cache while the organisations it shows have not changed, and equal to a
page built afresh after every kind of change it shows. The changes are
committed (a transactional test): a version moves on after the commit."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Finding, FindingCategory, Measure, Meeting, today
from reports import services
from reports.models import OrganisationVersion, QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
LONG_AGO = datetime.date(2020, 1, 1)


def dashboard(client):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("meetings:dashboard")).content.decode()
    return TOKEN.sub(r"\1…", body), len(queries)


def test_the_records_come_from_the_cache_until_their_organisation_changes(client, world):
    meeting = MeetingFactory(organisation=world.branch, date=today(), title="本季度第一次研判会")
    MeasureFactory(finding__meeting=meeting, deadline=LONG_AGO, content="逾期未完成的措施")
    client.force_login(world.secretary)
    built, built_queries = dashboard(client)
    served, served_queries = dashboard(client)
    assert served == built and "本季度第一次研判会" in served and "逾期未完成的措施" in served
    # the meetings, the overdue measures, the reports, the findings (and the
    # first request writes the session)
    assert served_queries <= built_queries - 4

    # another branch's change moves only its own version: still served
    MeetingFactory(organisation=world.other_branch, date=today(), title="医院支部的会")
    assert dashboard(client)[1] == served_queries

    before = OrganisationVersion.objects.get(organisation=world.branch).value
    Meeting.objects.filter(pk=meeting.pk).get().delete()
    assert OrganisationVersion.objects.get(organisation=world.branch).value > before
    page, queries = dashboard(client)
    assert queries == served_queries + 4 and "本季度第一次研判会" not in page
    assert "逾期未完成的措施" not in page  # deleted with its meeting


def steps(world):
    """Every kind of change the 工作台's records show, one at a time."""
    holder = {}

    def new_meeting():
        holder["meeting"] = MeetingFactory(organisation=world.branch, date=today(), title="会一")

    def rename_meeting():
        meeting = Meeting.objects.only("pk", "title").get(pk=holder["meeting"].pk)
        meeting.title = "会一（改）"
        meeting.save()

    def new_finding():
        holder["finding"] = FindingFactory(meeting=holder["meeting"], title="问题一")

    def new_overdue_measure():
        holder["person"] = PersonFactory(name="孙责任")
        holder["measure"] = MeasureFactory(
            finding=holder["finding"],
            deadline=LONG_AGO,
            responsible_person=holder["person"],
            content="措施一",
        )

    def rename_person():
        holder["person"].name = "孙改名"
        holder["person"].save()

    def rename_category():
        category = FindingCategory.objects.get(pk=holder["finding"].category_id)
        category.name = f"{category.name}（新）"
        category.save()

    def rename_branch():
        world.branch.short_name = "一小支部"
        world.branch.save()

    def measure_done():
        measure = Measure.objects.get(pk=holder["measure"].pk)
        measure.status = Measure.Status.DONE
        measure.save()

    def new_report():
        holder["report"] = QuarterlyReport.objects.create(
            organisation=world.branch,
            year=today().year,
            quarter=(today().month - 1) // 3 + 1,
            title="本季度报告",
            created_by=world.secretary,
        )

    def returned():
        report = QuarterlyReport.objects.get(pk=holder["report"].pk)
        report.status, report.review_comment = QuarterlyReport.Status.RETURNED, "请补充整改进展"
        report.save()

    def assembled():  # 一键汇总: the report's text alone (nothing the 工作台 shows)
        services.report_assemble(report=holder["report"], by=world.secretary)

    def confirm_meeting():
        meeting_services.meeting_confirm(meeting=holder["meeting"], by=world.secretary)

    def delete_finding():
        Finding.objects.only("pk").get(pk=holder["finding"].pk).delete()

    def other_branch():
        MeetingFactory(organisation=world.other_branch, date=today(), title="别的支部")

    return [
        new_meeting,
        rename_meeting,
        new_finding,
        new_overdue_measure,
        rename_person,
        rename_category,
        rename_branch,
        measure_done,
        new_report,
        assembled,
        returned,
        confirm_meeting,
        delete_finding,
        other_branch,
    ]


def test_the_served_records_equal_fresh_ones_after_every_kind_of_change(client, world):
    client.force_login(world.secretary)
    dashboard(client)
    for step in steps(world):
        dashboard(client)  # cached from before the change
        step()
        served, _ = dashboard(client)
        cache.clear()
        fresh, _ = dashboard(client)
        assert served == fresh, f"after {step.__name__}, the 工作台 served is not the fresh one"
