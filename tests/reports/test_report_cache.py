"""The draft report page's cached parts: its paragraphs (cached by what they
hold, reports.pagecache.held_fragment) and its 提交前检查 (by the report's text
and the versions of the organisations it reads, branch_fragment). Served from
the cache while nothing they show has changed, equal to a page built afresh
after every kind of change, each request with its own CSRF token. The changes
are committed (a transactional test): a version moves on after the commit."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Finding, Measure, Meeting
from reports import services
from reports.models import ReportItem
from reports.pagecache import _csrf_placeholder

from ..factories import FindingFactory, make_report

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, report):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    # the checks and the paragraphs (the 历史记录 below them is never cached)
    body = body[body.index("提交前检查") : body.index('id="exports"')]
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', body), len(queries)


@pytest.fixture
def report(world):
    return make_report(world)


def test_the_checks_and_paragraphs_come_from_the_cache_until_they_change(client, world, report):
    client.force_login(world.secretary)
    built, built_queries = page(client, report)
    served, served_queries = page(client, report)
    assert served == built and "个别党员学习缺乏热情" in served
    assert served_queries <= built_queries - 3  # the checks' meetings, findings, measures

    item = report.items.filter(excluded=False).first()
    ReportItem.objects.filter(pk=item.pk).update(body="用 update() 改的正文，没有信号")
    changed, queries = page(client, report)
    assert "用 update() 改的正文，没有信号" in changed  # the key is what the rows hold
    assert queries == served_queries + 3  # and the checks read the new text


def steps(world, report):
    finding = Finding.objects.get(organisation=report.organisation)
    held = {}

    def edit_paragraph():
        item = report.items.filter(excluded=False).first()
        item.body = "本季度共召开研判会议1次，xx同志主持。"  # a placeholder: a check
        item.save()

    def add_paragraph():
        held["item"] = ReportItem.objects.create(
            report=report, section="basic", order=99, heading="新段落", body="新增的正文"
        )

    def move_paragraph():
        services.item_move(item=held["item"], direction="up", by=world.secretary)

    def delete_paragraph():
        ReportItem.objects.get(pk=held["item"].pk).delete()

    def finding_without_measure():  # an error of the checks, from a meeting's record
        held["finding"] = FindingFactory(meeting=finding.meeting, title="没有措施的新问题")

    def measure_without_owner():
        Measure.objects.filter(finding=finding).update(responsible_person=None)
        measure = Measure.objects.get(finding=finding)
        measure.deadline = None
        measure.save()

    def meeting_unconfirmed():
        meeting = Meeting.objects.get(pk=finding.meeting_id)
        meeting.status = Meeting.Status.DRAFT
        meeting.save()

    def report_retitled():
        current = type(report).objects.get(pk=report.pk)
        current.title = "關於本季度意識形態工作的報告"  # traditional script: a check
        current.save()

    def assembled():
        services.report_assemble(report=type(report).objects.get(pk=report.pk), by=world.secretary)

    def other_branch():
        make_report(world, world.other_branch, via_services=False)

    return [
        edit_paragraph,
        add_paragraph,
        move_paragraph,
        delete_paragraph,
        finding_without_measure,
        measure_without_owner,
        meeting_unconfirmed,
        report_retitled,
        assembled,
        other_branch,
    ]


def test_the_served_page_equals_a_fresh_one_after_every_kind_of_change(client, world, report):
    client.force_login(world.secretary)
    for step in steps(world, report):
        page(client, report)  # cached from before the change
        step()
        served, _ = page(client, report)
        cache.clear()
        fresh, _ = page(client, report)
        assert served == fresh, f"after {step.__name__}, the page served is not the fresh one"


def test_the_served_paragraphs_carry_the_requests_own_csrf_token(world, report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary)
    client.get(reverse("reports:detail", args=[report.pk]))  # cached with this login's token
    client.logout()
    client.force_login(world.secretary)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert _csrf_placeholder() not in body
    item = report.items.filter(excluded=False).first()
    form = body.index(reverse("reports:item_delete", args=[item.pk]))
    token = TOKEN.search(body, form).group(1)
    response = client.post(
        reverse("reports:item_delete", args=[item.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert not ReportItem.objects.filter(pk=item.pk, excluded=False).exists()
