"""新建报告 asks for the kind and its period; a 述职报告 for its person."""

import pytest
from django.urls import reverse

from reports.models import QuarterlyReport

pytestmark = pytest.mark.django_db
Kind = QuarterlyReport.Kind


def create(client, **data):
    return client.post(reverse("reports:create"), data, follow=True)


@pytest.mark.parametrize(
    ("data", "kind", "period", "title_part"),
    [
        (
            {"kind": "quarterly", "year": 2026, "quarter": 4},
            Kind.QUARTERLY,
            "2026年第四季度",
            "第四季度",
        ),
        ({"kind": "half", "year": 2026, "half": 1}, Kind.HALF_YEAR, "2026年上半年", "上半年"),
        ({"kind": "annual", "year": 2026}, Kind.ANNUAL, "2026年度", "2026年"),
        ({"kind": "network", "year": 2026}, Kind.NETWORK, "2026年度", "网络"),
    ],
)
def test_each_kind_is_created_for_its_period(client, world, data, kind, period, title_part):
    client.force_login(world.secretary)
    page = create(client, **{"quarter": 3, "half": 2, **data}).content.decode()
    report = QuarterlyReport.objects.get()
    assert (report.kind, report.period_label) == (kind, period)
    assert title_part in report.title
    assert "操作成功：报告已新建" in page and report.get_kind_display() in page


def test_a_duty_report_belongs_to_the_chosen_office_holder(client, world):
    client.force_login(world.secretary)
    secretary = world.secretary.person
    page = create(client, kind="duty", year=2026, person=secretary.pk).content.decode()
    report = QuarterlyReport.objects.get()
    assert (report.kind, report.person) == (Kind.DUTY, secretary)
    assert secretary.name in report.signatory
    assert "操作成功" in page


def test_a_duty_report_without_a_person_is_refused_with_a_message(client, world):
    client.force_login(world.secretary)
    page = create(client, kind="duty", year=2026).content.decode()
    assert "述职报告须选择本组织的述职人" in page
    assert not QuarterlyReport.objects.exists()


def test_a_second_report_of_the_same_period_leads_to_the_first(client, world):
    client.force_login(world.secretary)
    create(client, kind="half", year=2026, half=1)
    first = QuarterlyReport.objects.get()
    response = create(client, kind="half", year=2026, half=1)
    assert response.redirect_chain[-1][0] == first.get_absolute_url()
    assert "2026年上半年半年分析研判报告已存在" in response.content.decode()
    assert QuarterlyReport.objects.count() == 1


def test_the_list_offers_kinds_periods_and_the_office_holders(client, world):
    client.force_login(world.secretary)
    page = client.get(reverse("reports:list")).content.decode()
    for label in [
        "报告类型",
        "落实意识形态工作责任制述职报告",
        "半年（半年报告）",
        "述职人（述职报告）",
    ]:
        assert label in page
    assert world.secretary.person.name in page
    assert world.outsider.person.name not in page  # another branch's secretary
