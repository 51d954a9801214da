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
    # issue 12 added two village branches under 石桥镇 (two meetings and two reports
    # each, two accounts) and the 镇党委's fourth-quarter meeting:
    # 6 + 5 meetings, 7 + 2 users, 6 + 4 reports
    assert first["meetings"] == 11 and first["users"] == 9 and first["reports"] == 10
    assert second == {"organisations": 0, "people": 0, "users": 0, "meetings": 0, "reports": 0}
    assert counts() == before


def test_demo_data_matches_the_domain_brief(monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    load_demo()
    # §6.6: 18 findings across the four branches that report to the 宣传部; the two
    # village branches (issue 12, reviewed by 石桥镇党委) add four of their own
    four = ["学校", "医院", "企业", "乡镇"]
    q3 = Finding.objects.filter(year=2026, quarter=3)
    assert q3.filter(organisation__unit_type__in=four).count() == 18
    assert q3.filter(organisation__unit_type="村（社区）").count() == 4
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


def test_demo_committee_chain():
    """The villages report to 石桥镇党委 (luojianhua reviews them); its own report
    goes to the 宣传部; one village report waits for him, two of Q3 are approved."""
    from meetings.access import reviewing_organisation

    load_demo()
    township = Organisation.objects.get(name="中共青山县石桥镇委员会")
    villages = Organisation.objects.filter(
        parent=township, unit_type="村（社区）", must_report=True
    )
    assert villages.count() == 2
    assert {reviewing_organisation(v) for v in villages} == {township}
    assert reviewing_organisation(township).name == "中共青山县委宣传部"
    states = {
        (r.organisation.short_name, r.quarter): r.status
        for r in QuarterlyReport.objects.filter(organisation__in=villages)
    }
    assert states == {
        ("柳溪村党支部", 3): "approved",
        ("枫岭村党支部", 3): "approved",
        ("柳溪村党支部", 4): "draft",
        ("枫岭村党支部", 4): "submitted",
    }
    approvals = ReportEvent.objects.filter(report__organisation__in=villages, action="approve")
    assert {e.actor.username for e in approvals} == {"luojianhua"}
    # the 镇党委's Q3 draft already reads them: 2 of 2 reported
    q3 = QuarterlyReport.objects.get(organisation=township, year=2026, quarter=3)
    reporting = q3.items.get(source_key="branches:reporting").body
    assert "应报送季度分析研判报告的所属党组织2个，已报送并经石桥镇党委审核通过2个" in reporting
