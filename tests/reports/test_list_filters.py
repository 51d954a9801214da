"""报告审核, 研判报告 and the ledgers filter by 党组织 (a word of its name), 报告类型,
period and status, and sort by waiting time (issue 13 item 1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, make_report

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


def test_a_long_list_of_organisations_or_people_is_searched_not_listed(client, world, monkeypatch):
    """Past ledgers.SELECT_LIMIT (a reviewer's thousand organisations and five
    thousand people) the selects offer only the one chosen, and 责任人姓名 finds
    a person by a word of the name; a branch's few are all listed as before."""
    from meetings.models import Person

    monkeypatch.setattr("meetings.ledgers.SELECT_LIMIT", 1)
    for branch, name in ((world.branch, "张红"), (world.other_branch, "李明")):
        person = Person.objects.create(name=name)
        person.memberships.create(organisation=branch)
        MeasureFactory(
            finding__meeting=MeetingFactory(organisation=branch),
            finding__title=f"{name}的问题",
            responsible_person=person,
        )
    client.force_login(world.reviewer)
    page = client.get(reverse("meetings:finding_ledger")).content.decode()
    assert options(page, "organisation") == ["全部组织"]
    assert options(page, "person") == ["全部责任人"]
    assert 'name="person_name"' in page
    # 统计分析 links to one organisation's rows: it is offered, and selected
    page = client.get(
        reverse("meetings:finding_ledger"), {"organisation": world.other_branch.pk}
    ).content.decode()
    assert options(page, "organisation") == ["全部组织", str(world.other_branch)]
    assert f'<option value="{world.other_branch.pk}" selected>' in page
    assert "李明的问题" in page and "张红的问题" not in page
    for name in ("meetings:finding_ledger", "meetings:measure_ledger"):
        page = client.get(reverse(name), {"person_name": "红"}).content.decode()
        assert "张红的问题" in page and "李明的问题" not in page
    monkeypatch.setattr("meetings.ledgers.SELECT_LIMIT", 100)
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:measure_ledger")).content.decode()
    listed = options(page, "person")
    assert listed[0] == "全部责任人" and "张红" in listed and "李明" not in listed
    assert 'name="person_name"' not in page


def options(page, name):
    select = page.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    return [part.split(">", 1)[1].split("<", 1)[0] for part in select.split("<option")[1:]]
