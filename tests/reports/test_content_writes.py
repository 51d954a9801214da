"""reports.services content writes: 报告信息 and its 结束语 in one locked write."""

import pytest
from django.urls import reverse

from reports import services
from reports.forms import ReportInfoForm
from reports.models import ReportItem

from ..factories import make_report

pytestmark = pytest.mark.django_db


def closing(report):
    return list(
        report.items.filter(section=ReportItem.Section.CLOSING, excluded=False).values_list(
            "body", flat=True
        )
    )


def info(report, **changes):
    return {
        "title": report.title,
        "addressee": "x",
        "signatory": "y",
        "issue_date": "2026-09-28",
        "version": report.version,
        **changes,
    }


def test_a_closing_template_is_not_applied_to_a_report_submitted_meanwhile(
    client, world, monkeypatch
):
    report = make_report(world)
    before = closing(report)
    original_clean = ReportInfoForm.clean

    def submit_meanwhile(form):
        services.report_submit(report=report, by=world.secretary)
        return original_clean(form)

    monkeypatch.setattr(ReportInfoForm, "clean", submit_meanwhile)
    client.force_login(world.secretary)
    response = client.post(
        reverse("reports:edit", args=[report.pk]), info(report, closing_template="1"), follow=True
    )
    assert "不能修改；您填写的内容未保存" in response.content.decode()
    assert closing(report) == before


def test_a_closing_template_replaces_the_closing_paragraph(client, world):
    report = make_report(world)
    client.force_login(world.secretary)
    response = client.post(
        reverse("reports:edit", args=[report.pk]), info(report, closing_template="1")
    )
    assert response.status_code == 302
    text = services.assembly.CLOSING_TEMPLATES[1].format(self=report.organisation.self_name)
    assert closing(report) == [text]
