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
from meetings.models import (
    Finding,
    FindingCategory,
    Measure,
    Meeting,
    Membership,
    Organisation,
    Person,
    today,
)
from reports import services
from reports.models import OrganisationVersion, QuarterlyReport

from ..conftest import make_user
from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

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


# What a review of the cache found served stale before it was fixed: each is one
# change between a page served from the cache and one built afresh.


def served_equals_fresh(client):
    served, _ = dashboard(client)
    cache.clear()
    fresh, _ = dashboard(client)
    return served, fresh


def this_quarters_report(organisation, by):
    return QuarterlyReport.objects.create(
        organisation=organisation,
        year=today().year,
        quarter=(today().month - 1) // 3 + 1,
        title="本季度报告",
        created_by=by,
    )


def test_a_deleted_responsible_person_leaves_the_overdue_list(client, world):
    person = PersonFactory(name="孙责任")
    meeting = MeetingFactory(organisation=world.branch, date=today())
    MeasureFactory(finding__meeting=meeting, deadline=LONG_AGO, responsible_person=person)
    client.force_login(world.secretary)
    dashboard(client)
    Person.objects.get(pk=person.pk).delete()  # the measure's 责任人 is set to NULL first
    served, fresh = served_equals_fresh(client)
    assert "孙责任" not in fresh and served == fresh


def test_joining_a_branch_one_already_sees_lists_its_reports(client, world):
    # the county committee's 书记 sees its branches' records; a membership of one
    # of them makes its reports the user's own (the 分析研判报告 card)
    boss = make_user(
        world.committee,
        Membership.Role.MANAGER,
        name="县委书记",
        party_role=Membership.PartyRole.SECRETARY,
    )
    this_quarters_report(world.branch, world.secretary)
    client.force_login(boss)
    dashboard(client)
    MembershipFactory(
        person=Person.objects.get(user=boss),
        organisation=world.branch,
        role=Membership.Role.READER,
    )
    served, fresh = served_equals_fresh(client)
    assert "分析研判报告" in fresh and served == fresh


@pytest.mark.parametrize("record", ["meeting", "report"])
def test_a_record_moved_to_another_organisation_leaves_the_first(client, world, record):
    if record == "meeting":
        moved = MeetingFactory(organisation=world.branch, date=today(), title="搬走的会")
        moved = Meeting.objects.get(pk=moved.pk)
    else:
        moved = QuarterlyReport.objects.get(
            pk=this_quarters_report(world.branch, world.secretary).pk
        )
    client.force_login(world.secretary)
    dashboard(client)
    moved.organisation = world.other_branch
    moved.save()
    served, fresh = served_equals_fresh(client)
    assert served == fresh


def test_moving_a_committee_moves_its_branches_reports_in_the_list(client, world):
    # a reader of branches under two committees: the list is in the order of the
    # organisations' paths, which a move of the committee rewrites (an update())
    second = OrganisationFactory(parent=world.other_committee, short_name="白水支部")
    user = make_user(world.branch, Membership.Role.READER, name="两头读")
    MembershipFactory(
        person=Person.objects.get(user=user), organisation=second, role=Membership.Role.READER
    )
    this_quarters_report(world.branch, world.secretary)
    this_quarters_report(second, world.secretary)
    client.force_login(user)
    dashboard(client)
    top = OrganisationFactory(org_type=Organisation.OrgType.COMMITTEE, name="新上级委员会")
    committee = Organisation.objects.get(pk=world.committee.pk)
    committee.parent = top
    committee.save()
    served, fresh = served_equals_fresh(client)
    assert served == fresh
