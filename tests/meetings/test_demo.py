import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ideology_review.demo import load_demo
from meetings.models import Finding, Measure, Meeting, Organisation, Person
from reports.models import QuarterlyReport, ReportEvent, ReportItem

pytestmark = pytest.mark.django_db


def counts():
    models = (
        Organisation,
        Person,
        Meeting,
        Finding,
        Measure,
        QuarterlyReport,
        ReportItem,
        ReportEvent,
    )
    return [m.objects.count() for m in models]


def test_demo_data_is_idempotent():
    first = load_demo()
    before = counts()
    second = load_demo()
    assert first["meetings"] == 6 and first["users"] == 7 and first["reports"] == 6
    assert second == {"organisations": 0, "people": 0, "users": 0, "meetings": 0, "reports": 0}
    assert counts() == before


def test_demo_data_matches_the_domain_brief(monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    load_demo()
    assert Finding.objects.filter(year=2026, quarter=3).count() == 18
    overdue = list(Measure.objects.overdue())
    assert [m.finding.title for m in overdue] == ["对本单位宗教信仰情况信息掌握不全面"]


def test_demo_command_refuses_in_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo")
    assert not Organisation.objects.exists()


def test_demo_secretary_sees_own_branch_only(client, monkeypatch):
    load_demo()
    assert client.login(username="liweidong", password="qingshan2026")
    body = client.get(reverse("meetings:finding_ledger")).content.decode()
    assert "年轻职工思想活跃" in body
    assert "个别党员学习缺乏热情" not in body
    school_meeting = Meeting.objects.filter(organisation__unit_type="学校").first()
    assert client.get(school_meeting.get_absolute_url()).status_code == 404
