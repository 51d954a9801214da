"""The quarter dashboard on the demo data (domain.md §6.6), and its drill-downs."""

import datetime
import re

import pytest
from django.urls import reverse

from ideology_review.demo import load_demo
from meetings.models import FindingCategory, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    monkeypatch.setattr("reports.dashboard.today", lambda: datetime.date(2026, 11, 22))
    load_demo()
    assert client.login(username="zhouxiaofeng", password="qingshan2026")
    return client


def stat(body, key):
    return int(re.search(rf'data-stat="{key}">(\d+)<', body).group(1))


def test_demo_quarter_counts(reviewer_client):
    response = reviewer_client.get(reverse("reports:dashboard"))  # defaults to Q3 2026
    body = response.content.decode()
    assert "2026年第三季度" in body
    assert [stat(body, k) for k in ("should", "submitted", "returned", "missing")] == [4, 2, 1, 1]
    assert stat(body, "approved") == 1 and stat(body, "pending") == 1
    assert stat(body, "overdue") == 1
    assert stat(body, "findings") == 18
    totals = {row["category"].name: row["total"] for row in response.context["categories"]}
    assert totals["网络意识形态"] == 4 and totals["思想动态"] == 3
    assert totals["责任制落实"] == 2 and totals["宗教与民族"] == 2
    assert sum(totals.values()) == 18
    assert all(
        totals[name] == 1
        for name in (
            "理论学习",
            "队伍建设",
            "制度机制",
            "党外人员",
            "舆论引导",
            "专题教育",
            "流动党员与新领域党建",
        )
    )


def test_each_number_leads_to_its_records(reviewer_client):
    body = reviewer_client.get(reverse("reports:dashboard")).content.decode()
    # the 4 of network ideology at 中 risk → the four findings
    network = FindingCategory.objects.get(code="network")
    ledger = reviewer_client.get(
        reverse("meetings:finding_ledger"),
        {"year": 2026, "quarter": 3, "category": network.pk, "risk_level": "中"},
    )
    assert f"category={network.pk}&amp;risk_level=中" in body
    assert ledger.context["page"].paginator.count == 4
    # 退回 1 → the hospital
    returned = reviewer_client.get(
        reverse("reports:dashboard"), {"year": 2026, "quarter": 3, "branch_status": "returned"}
    )
    assert [o.name for o in returned.context["page"]] == ["中共青山县人民医院支部委员会"]
    missing = reviewer_client.get(
        reverse("reports:dashboard"), {"year": 2026, "quarter": 3, "branch_status": "missing"}
    )
    assert [o.name for o in missing.context["page"]] == ["中共青山县石桥镇委员会"]
    # the overdue measure → the school's measure
    school = Organisation.objects.get(name="中共青山县城关第一实验学校支部委员会")
    assert f"status=已逾期&amp;organisation={school.pk}" in body
    overdue = reviewer_client.get(
        reverse("meetings:measure_ledger"), {"status": "已逾期", "organisation": school.pk}
    )
    assert [m.finding.title for m in overdue.context["page"]] == [
        "对本单位宗教信仰情况信息掌握不全面"
    ]


def test_branch_secretaries_cannot_open_the_dashboard_or_inbox(client):
    load_demo()
    client.login(username="wanglihua", password="qingshan2026")
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:inbox")).status_code == 403


def test_inbox_lists_the_pending_demo_report(reviewer_client):
    response = reviewer_client.get(reverse("reports:inbox"))
    assert [r.organisation.name for r in response.context["reports"]] == [
        "中共青山县城建物业服务有限公司支部委员会"
    ]
