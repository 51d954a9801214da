"""更正: a confirmed record corrected by its secretary, with a reason, audited."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from ideology_review.lib.forms import CONFLICT
from meetings.models import Finding, Measure, Meeting
from reports import services
from reports.models import QuarterlyReport

from ..conftest import history_panel
from ..factories import MeasureFactory, make_report

pytestmark = pytest.mark.django_db


def confirm(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    meeting.refresh_from_db()


@pytest.fixture
def measure(world):
    measure = MeasureFactory(
        finding__meeting__organisation=world.branch,
        finding__title="教职工工作群转发无关信息四是",
        responsible_person=world.secretary.person_record,
        deadline=None,
    )
    confirm(measure.finding.meeting)
    return measure


@pytest.fixture
def finding(measure):
    return measure.finding


def finding_data(finding, **changes):
    data = {
        "finding_type": finding.finding_type,
        "category": finding.category_id,
        "title": finding.title,
        "details": finding.details,
        "cause": finding.cause,
        "risk_level": finding.risk_level,
        "source": finding.source,
        "include_in_report": "on",
        "version": finding.version,
    }
    data.update(changes)
    return data


def measure_data(measure, **changes):
    data = {
        "content": measure.content,
        "responsible_person": measure.responsible_person_id or "",
        "responsible_dept": measure.responsible_dept,
        "deadline": measure.deadline.isoformat() if measure.deadline else "",
        "status": measure.status,
        "progress_note": measure.progress_note,
        "version": measure.version,
    }
    data.update(changes)
    return data


def corrections(obj):
    return list(
        LogEntry.objects.filter(
            object_pk=str(obj.pk),
            content_type__model=obj._meta.model_name,
            additional_data__事件="更正",
        )
    )


def test_secretary_corrects_a_finding_with_one_audit_row(secretary_client, world, finding):
    response = secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(finding, title="教职工工作群转发无关信息", reason="删去多余的“四是”"),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    assert response.url == finding.meeting.get_absolute_url()
    finding.refresh_from_db()
    assert finding.title == "教职工工作群转发无关信息"
    assert finding.version == 2

    [row] = corrections(finding)
    assert row.action == LogEntry.Action.UPDATE
    assert row.actor == world.secretary and row.remote_addr == "10.1.2.3"
    assert row.changes_dict == {
        "title": ["教职工工作群转发无关信息四是", "教职工工作群转发无关信息"]
    }
    assert row.additional_data["更正说明"] == "删去多余的“四是”"
    # The one row holds the changes and the reason: no second, reason-less row from the signal.
    updates = LogEntry.objects.filter(
        object_pk=str(finding.pk), content_type__model="finding", action=LogEntry.Action.UPDATE
    )
    assert updates.count() == 1


def test_the_meeting_and_the_finding_show_the_correction_in_their_history(
    secretary_client, world, finding
):
    secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(
            finding, title="教职工工作群转发无关信息", risk_level="高", reason="删去“四是”"
        ),
    )
    for url in (finding.meeting.get_absolute_url(), finding.get_absolute_url()):
        page = history_panel(secretary_client, url)[0] + secretary_client.get(url).content.decode()
        assert (
            "<strong>问题概述</strong>：教职工工作群转发无关信息四是 → 教职工工作群转发无关信息"
            in page
        )
        assert "<strong>风险等级</strong>：中 → 高" in page
        assert "更正说明：删去“四是”" in page
        assert "王丽华" in page
        assert "已更正" in page  # the badge on the finding card


def test_htmx_correction_returns_the_refreshed_section(secretary_client, finding):
    url = reverse("meetings:finding_correct", args=[finding.pk])
    form = secretary_client.get(url, HTTP_HX_REQUEST="true")
    assert form["HX-Retarget"] == f"#finding-{finding.pk}"
    assert "更正说明" in form.content.decode()
    response = secretary_client.post(
        url,
        finding_data(finding, title="已更正的问题概述", reason="按审核意见修改"),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="findings-section"' in body
    assert "已更正的问题概述" in body and "已更正" in body
    assert "更正说明：按审核意见修改" in body


def test_secretary_corrects_a_measure_deadline(secretary_client, world, measure):
    response = secretary_client.post(
        reverse("meetings:measure_correct", args=[measure.pk]),
        measure_data(
            measure, deadline="2026-12-31", responsible_dept="办公室", reason="补充整改时限"
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.deadline == datetime.date(2026, 12, 31)
    assert measure.responsible_dept == "办公室"
    [row] = corrections(measure)
    assert row.changes_dict["deadline"] == ["None", "2026-12-31"]
    assert row.additional_data["更正说明"] == "补充整改时限"
    page = history_panel(secretary_client, measure.finding.meeting.get_absolute_url())[0]
    assert "<strong>整改时限</strong>：（空） → 2026-12-31" in page
    assert "更正说明：补充整改时限" in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_without_a_reason_is_refused_and_keeps_the_input(
    secretary_client, finding, reason
):
    response = secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(finding, title="我改过的问题概述", reason=reason),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写更正说明。" in body
    assert "我改过的问题概述" in body
    finding.refresh_from_db()
    assert finding.title == "教职工工作群转发无关信息四是"
    assert not corrections(finding)


def test_a_correction_that_changes_nothing_is_refused(secretary_client, finding):
    response = secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(finding, reason="没有改什么"),
    )
    assert "未修改任何内容，无需更正。" in response.content.decode()
    assert not corrections(finding)


def test_a_stale_correction_does_not_overwrite(secretary_client, finding):
    Finding.objects.filter(pk=finding.pk).update(version=5, title="别人刚更正的")
    response = secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(finding, title="我的更正", reason="更正"),
    )
    assert CONFLICT in response.content.decode()
    finding.refresh_from_db()
    assert finding.title == "别人刚更正的"
    assert not corrections(finding)


@pytest.mark.parametrize(
    "persona,status",
    [("publicity", 403), ("reader", 403), ("reviewer", 403), ("outsider", 404), ("admin", 403)],
)
@pytest.mark.parametrize("route", ["finding_correct", "measure_correct"])
def test_only_the_branch_managers_may_correct(client, world, measure, persona, status, route):
    client.force_login(getattr(world, persona))
    target = measure.finding if route == "finding_correct" else measure
    url = reverse(f"meetings:{route}", args=[target.pk])
    assert client.get(url).status_code == status
    data = (
        finding_data(measure.finding, title="改", reason="改")
        if route == "finding_correct"
        else measure_data(measure, content="改", reason="改")
    )
    assert client.post(url, data).status_code == status
    measure.refresh_from_db()
    assert measure.finding.title != "改" and measure.content != "改"
    assert not LogEntry.objects.filter(additional_data__事件="更正").exists()


def approve_the_quarter(world, finding):
    report = QuarterlyReport.objects.create(
        organisation=world.branch,
        year=finding.year,
        quarter=finding.quarter,
        title="报告",
        status=QuarterlyReport.Status.APPROVED,
    )
    return report


def test_no_correction_once_the_quarters_report_is_approved(secretary_client, world, measure):
    finding = measure.finding
    approve_the_quarter(world, finding)
    page = secretary_client.get(finding.meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:finding_correct", args=[finding.pk]) not in page
    assert reverse("meetings:measure_correct", args=[measure.pk]) not in page
    assert "更正</a>" not in page

    url = reverse("meetings:finding_correct", args=[finding.pk])
    response = secretary_client.get(url, follow=True)
    assert "该问题已纳入已通过的季度报告，不能更正。" in response.content.decode()
    secretary_client.post(url, finding_data(finding, title="改", reason="改"))
    response = secretary_client.post(
        reverse("meetings:measure_correct", args=[measure.pk]),
        measure_data(measure, content="改", reason="改"),
        follow=True,
    )
    assert "该问题已纳入已通过的季度报告，不能更正。" in response.content.decode()
    finding.refresh_from_db()
    measure.refresh_from_db()
    assert finding.title != "改" and measure.content != "改"


def test_another_quarters_approved_report_does_not_block(secretary_client, world, finding):
    QuarterlyReport.objects.create(
        organisation=world.branch,
        year=finding.year,
        quarter=finding.quarter % 4 + 1,
        title="报告",
        status=QuarterlyReport.Status.APPROVED,
    )
    page = secretary_client.get(finding.meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:finding_correct", args=[finding.pk]) in page


def test_a_draft_finding_is_edited_not_corrected(secretary_client, world):
    finding = MeasureFactory(finding__meeting__organisation=world.branch).finding
    response = secretary_client.get(reverse("meetings:finding_correct", args=[finding.pk]))
    assert response.status_code == 302
    page = secretary_client.get(finding.meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:finding_edit", args=[finding.pk]) in page
    assert reverse("meetings:finding_correct", args=[finding.pk]) not in page


def test_a_confirmed_record_offers_correct_never_a_refused_edit(client, world, measure):
    finding = measure.finding
    refused = [
        reverse("meetings:edit", args=[finding.meeting.pk]),
        reverse("meetings:delete", args=[finding.meeting.pk]),
        reverse("meetings:finding_create", args=[finding.meeting.pk]),
        reverse("meetings:finding_edit", args=[finding.pk]),
        reverse("meetings:finding_delete", args=[finding.pk]),
        reverse("meetings:measure_create", args=[finding.pk]),
        reverse("meetings:measure_delete", args=[measure.pk]),
        reverse("meetings:attachment_upload", args=[finding.meeting.pk]),
    ]
    progress = reverse("meetings:measure_edit", args=[measure.pk])
    correct = [
        reverse("meetings:finding_correct", args=[finding.pk]),
        reverse("meetings:measure_correct", args=[measure.pk]),
    ]
    for persona, may_correct in (("secretary", True), ("publicity", False)):
        client.force_login(getattr(world, persona))
        # the meeting page and the finding's own page (which used to offer 编辑)
        for url in (finding.meeting.get_absolute_url(), finding.get_absolute_url()):
            page = client.get(url).content.decode()
            assert not [link for link in refused if f'"{link}"' in page], (persona, url)
            assert f'"{progress}"' in page and "更新进展" in page  # still allowed
            assert all((f'"{link}"' in page) == may_correct for link in correct), (persona, url)


def test_a_correction_leaves_the_submitted_report_frozen(secretary_client, world):
    report = make_report(world)
    finding = report.organisation.findings.get()
    confirm(finding.meeting)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    frozen = report.submissions.get().content
    assert "个别党员学习缺乏热情" in str(frozen)

    response = secretary_client.post(
        reverse("meetings:finding_correct", args=[finding.pk]),
        finding_data(finding, title="个别党员理论学习不深入", reason="按审核意见修改"),
    )
    assert response.status_code == 302
    assert report.submissions.get().content == frozen
    services.report_approve(report=report, by=world.reviewer)
    assert report.submissions.get().content == frozen
    # … and once approved, no further correction
    measure = finding.measures.get()
    response = secretary_client.post(
        reverse("meetings:measure_correct", args=[measure.pk]),
        measure_data(measure, content="改", reason="改"),
    )
    assert Measure.objects.get(pk=measure.pk).content != "改"
