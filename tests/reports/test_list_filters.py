"""报告审核, 研判报告 and the ledgers filter by 党组织 (a word of its name), 报告类型,
period and status, and sort by waiting time (issue 13 item 1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeetingFactory, make_report

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status


def submitted(world, organisation, days_ago, quarter=3):
    report = make_report(world, organisation, quarter=quarter, via_services=False)
    QuarterlyReport.objects.filter(pk=report.pk).update(
        status=Status.SUBMITTED,
        round=1,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    return report


def listed(response):
    return [r.pk for r in response.context["reports"]]


def test_the_inbox_lists_the_longest_waiting_first_and_filters(client, world):
    school = submitted(world, world.branch, 2)
    hospital = submitted(world, world.other_branch, 9)
    earlier = submitted(world, world.other_branch, 1, quarter=2)
    client.force_login(world.reviewer)
    url = reverse("reports:inbox")
    response = client.get(url)
    assert listed(response) == [hospital.pk, school.pk, earlier.pk]
    page = response.content.decode()
    assert "待审核（3份）" in page and "9天" in page
    assert listed(client.get(url, {"sort": "newest"})) == [earlier.pk, school.pk, hospital.pk]
    assert listed(client.get(url, {"org": "医院"})) == [hospital.pk, earlier.pk]
    assert listed(client.get(url, {"org": "医院", "quarter": 2})) == [earlier.pk]
    assert listed(client.get(url, {"kind": "annual"})) == []
    # other states: a returned report is found by its status, a draft never
    services.report_return(report=school, by=world.reviewer, comment="请修改")
    assert listed(client.get(url)) == [hospital.pk, earlier.pk]
    assert listed(client.get(url, {"status": "returned"})) == [school.pk]
    make_report(world, world.branch, quarter=4)  # a draft
    assert set(listed(client.get(url, {"status": ""}))) == {school.pk, hospital.pk, earlier.pk}
    # nonsense values drop their own filter only
    assert listed(client.get(url, {"year": "x", "quarter": "9", "sort": "?", "org": "医院"})) == [
        hospital.pk,
        earlier.pk,
    ]


def test_the_report_list_filters_by_organisation_kind_and_status(client, world):
    school = make_report(world, world.branch, quarter=3)
    hospital = submitted(world, world.other_branch, 3)
    client.force_login(world.reviewer)
    url = reverse("reports:list")
    assert listed_page(client.get(url, {"org": "实验学校"})) == [school.pk]
    assert listed_page(client.get(url, {"status": "submitted"})) == [hospital.pk]
    quarterly = listed_page(client.get(url, {"kind": "quarterly", "year": 2026}))
    assert sorted(quarterly) == sorted([school.pk, hospital.pk])
    assert listed_page(client.get(url, {"kind": "duty"})) == []


def listed_page(response):
    return [r.pk for r in response.context["page"]]


def test_the_ledgers_find_an_organisation_by_a_word_of_its_name(client, world):
    FindingFactory(meeting=MeetingFactory(organisation=world.other_branch), title="医院的问题")
    FindingFactory(meeting=MeetingFactory(organisation=world.branch), title="学校的问题")
    client.force_login(world.reviewer)
    page = client.get(reverse("meetings:finding_ledger"), {"org_name": "医院"}).content.decode()
    assert "医院的问题" in page and "学校的问题" not in page
    assert 'name="org_name"' in page
    page = client.get(reverse("meetings:measure_ledger"), {"org_name": " 医院 "})
    assert page.status_code == 200
