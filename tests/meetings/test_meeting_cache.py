"""The 会议页's cached 问题与整改措施 block (reports.pagecache.branch_fragment):
served from the cache while the branch's records have not changed, equal to a
block built afresh after every kind of change it shows, with each user's own
buttons and each request's own CSRF token. The changes are committed (a
transactional test): a version moves on after the commit."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import FindingCategory, Measure, MeasureEvidence, Meeting, Person, today
from reports.models import QuarterlyReport
from reports.pagecache import _csrf_placeholder

from ..conftest import make_user
from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory
from .test_correction import finding_data

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def block(client, meeting):
    """The page's 问题与整改措施 block (its CSRF tokens blanked) and the page's queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<section id="findings-section"')
    section = page[start : page.index("</section>", start)]
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', section), len(queries)


def served_and_fresh(client, meeting):
    served, _ = block(client, meeting)
    cache.clear()
    fresh, _ = block(client, meeting)
    return served, fresh


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(organisation=world.branch, date=today(), title="第三季度研判会")
    MeasureFactory(finding__meeting=meeting, finding__title="问题甲", content="措施甲")
    return meeting


def test_the_block_comes_from_the_cache_until_the_branch_changes(client, world, meeting):
    client.force_login(world.secretary)
    built, built_queries = block(client, meeting)
    served, served_queries = block(client, meeting)
    assert served == built and "问题甲" in served and "措施甲" in served
    # the findings, their measures, their evidence, who closed them
    assert served_queries <= built_queries - 4

    # another branch's change leaves it in the cache
    MeetingFactory(organisation=world.other_branch, date=today(), title="医院支部的会")
    assert block(client, meeting)[1] == served_queries

    FindingFactory(meeting=meeting, title="问题乙")
    page, queries = block(client, meeting)
    assert "问题乙" in page and queries > served_queries


def steps(world, meeting):
    """Every kind of change the block shows, one at a time."""
    finding = meeting.findings.get()
    measure = finding.measures.get()
    closer = make_user(world.branch, "manager", name="钱销号")
    held = {}

    def new_finding():
        held["finding"] = FindingFactory(meeting=meeting, title="问题乙")

    def edit_finding():
        finding.refresh_from_db()
        finding.title = "问题甲（改）"
        finding.save()

    def new_measure():
        held["person"] = PersonFactory(name="孙责任")
        held["measure"] = MeasureFactory(
            finding=held["finding"], responsible_person=held["person"], content="措施乙"
        )

    def rename_person():
        person = Person.objects.get(pk=held["person"].pk)
        person.name = "孙改名"
        person.save()

    def rename_category():
        category = FindingCategory.objects.get(pk=finding.category_id)
        category.name = f"{category.name}（新）"
        category.save()

    def measure_done():
        current = Measure.objects.get(pk=measure.pk)
        previous, current.status = current.status, Measure.Status.DONE
        services.mark_done(current, previous=previous, by=world.publicity)
        current.save()

    def evidence_added():
        held["evidence"] = MeasureEvidence.objects.create(
            measure=measure,
            file=SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0 evidence"),
            original_name="整改照片.jpg",
            uploaded_by=world.publicity,
        )

    def closed():
        services.measure_close(measure=Measure.objects.get(pk=measure.pk), by=closer)

    def closer_renamed():  # who closed it is shown by name
        person = Person.objects.get(user=closer)
        person.name = "钱改名"
        person.save()

    def closer_unlinked():  # an admin takes the account from the person: named by the account
        person = Person.objects.get(user=closer)
        person.user = None
        person.save()

    def closer_account_renamed():
        closer.username = "qian-closer"
        closer.save()

    def evidence_removed():
        MeasureEvidence.objects.get(pk=held["evidence"].pk).delete()

    def confirmed():
        services.meeting_confirm(meeting=Meeting.objects.get(pk=meeting.pk), by=world.secretary)

    def corrected():
        current = type(finding).objects.get(pk=finding.pk)
        response = Client()
        response.force_login(world.secretary)
        answer = response.post(
            reverse("meetings:finding_correct", args=[finding.pk]),
            finding_data(current, title="问题甲（更正）", reason="根据会议录音更正"),
        )
        assert answer.status_code in (200, 302)
        assert type(finding).objects.get(pk=finding.pk).title == "问题甲（更正）"

    def quarter_approved():  # no more 更正
        QuarterlyReport.objects.create(
            organisation=world.branch,
            year=meeting.year,
            quarter=meeting.quarter,
            title="本季度报告",
            created_by=world.secretary,
            status=QuarterlyReport.Status.APPROVED,
        )

    def measure_deleted():
        Measure.objects.get(pk=held["measure"].pk).delete()

    def closer_deleted():  # the measure lets go of the account (an UPDATE: no signal)
        type(closer).objects.get(pk=closer.pk).delete()

    return [
        new_finding,
        edit_finding,
        new_measure,
        rename_person,
        rename_category,
        measure_done,
        evidence_added,
        closed,
        closer_renamed,
        closer_unlinked,
        closer_account_renamed,
        evidence_removed,
        confirmed,
        corrected,
        quarter_approved,
        measure_deleted,
        closer_deleted,
    ]


@pytest.mark.parametrize("user", ["secretary", "reviewer"])
def test_the_served_block_equals_a_fresh_one_after_every_kind_of_change(
    client, world, meeting, user
):
    client.force_login(getattr(world, user))
    for step in steps(world, meeting):
        block(client, meeting)  # cached from before the change
        step()
        served, fresh = served_and_fresh(client, meeting)
        assert served == fresh, f"after {step.__name__}, the block served is not the fresh one"


def test_each_user_sees_their_own_buttons(world, meeting):
    secretary, reader = Client(), Client()
    secretary.force_login(world.secretary)
    reader.force_login(world.reader)
    editable, _ = block(secretary, meeting)
    readonly, _ = block(reader, meeting)
    assert "删除" in editable and "新增整改措施" in editable
    assert "删除" not in readonly and "新增整改措施" not in readonly
    assert block(secretary, meeting)[0] == editable


def test_a_served_block_carries_the_requests_own_csrf_token(world, meeting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary)
    client.get(meeting.get_absolute_url())  # cached, with the token of this login
    client.logout()
    client.force_login(world.secretary)  # a new login: a new CSRF secret
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert _csrf_placeholder() not in page
    start = page.index('<section id="findings-section"')
    token = TOKEN.search(page, start).group(1)  # the 删除 form's, in the block
    finding = meeting.findings.get()
    response = client.post(
        reverse("meetings:finding_delete", args=[finding.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # not 403: the token is this session's
    assert not meeting.findings.exists()


def test_the_long_ago_deadline_turns_overdue_the_next_day(client, world, meeting, monkeypatch):
    measure = Measure.objects.get(finding__meeting=meeting)
    Measure.objects.filter(pk=measure.pk).update(deadline=today())
    client.force_login(world.secretary)
    before, _ = block(client, meeting)
    assert "已逾期" not in before
    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr("meetings.models.today", lambda: tomorrow)
    after, _ = block(client, meeting)
    assert "已逾期" in after


def test_a_measure_closed_by_a_deleted_account_still_shows(client, world, meeting):
    """The account that marked or closed a measure deleted: the page says so
    (it was an error page: `default:` cannot look up a field of None)."""
    measure = Measure.objects.get(finding__meeting=meeting)
    closer = make_user(world.branch, "manager", name="钱销号")
    Measure.objects.filter(pk=measure.pk).update(
        status=Measure.Status.CLOSED,
        done_by=closer,
        done_at=timezone.now(),
        closed_by=closer,
        closed_at=timezone.now(),
    )
    closer.delete()
    client.force_login(world.secretary)
    section, _ = block(client, meeting)
    assert "（账号已删除）" in section and "销号</div>" in section
