"""Edits that race with a status change, and re-assembly after the secretary's own changes."""

import datetime

import pytest
from django.urls import reverse

from meetings.forms import MeetingForm
from meetings.models import Finding, Meeting
from reports import services
from reports.forms import ReportInfoForm
from reports.models import QuarterlyReport, ReportItem

from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    PersonFactory,
    make_report,
)

pytestmark = pytest.mark.django_db
S = ReportItem.Section


def test_report_edit_cannot_undo_a_submit_that_happened_meanwhile(client, world, monkeypatch):
    report = make_report(world)
    original_clean = ReportInfoForm.clean

    def submit_meanwhile(form):
        services.report_submit(report=report, by=world.secretary)
        return original_clean(form)

    monkeypatch.setattr(ReportInfoForm, "clean", submit_meanwhile)
    client.force_login(world.secretary)
    response = client.post(
        reverse("reports:edit", args=[report.pk]),
        {
            "title": "改过的标题",
            "addressee": "x",
            "signatory": "y",
            "issue_date": "2026-09-28",
            "version": report.version,
        },
        follow=True,
    )
    assert "不能修改；您填写的内容未保存" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.round) == ("submitted", 1)
    assert report.title != "改过的标题"
    services.report_return(report=report, by=world.reviewer, comment="请修改")
    services.report_resubmit(report=report, by=world.secretary)  # no duplicate round
    assert QuarterlyReport.objects.get().round == 2


def test_meeting_edit_cannot_undo_a_confirm_that_happened_meanwhile(client, world, monkeypatch):
    meeting = MeetingFactory(organisation=world.branch)
    original_clean = MeetingForm.clean

    def confirm_meanwhile(form):
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CONFIRMED)
        return original_clean(form)

    monkeypatch.setattr(MeetingForm, "clean", confirm_meanwhile)
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "title": "改过",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
        },
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED and meeting.title != "改过"


def test_moving_a_meeting_moves_its_findings_to_the_new_quarter(world):
    finding = FindingFactory(
        meeting__organisation=world.branch, meeting__date=datetime.date(2026, 9, 24)
    )
    meeting = finding.meeting
    meeting.date = datetime.date(2026, 10, 8)
    meeting.save()
    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.raised_on, finding.year, finding.quarter) == (meeting.date, 2026, 4)


def test_a_deleted_paragraph_stays_deleted_even_after_it_was_edited(world):
    report = make_report(world)
    item = report.items.get(section=S.PROBLEMS)
    item.body = "改写过"
    item.origin = ReportItem.Origin.MANUAL
    item.save()
    services.item_exclude(item=item)
    services.report_assemble(report=report, by=world.secretary)
    assert not report.items.filter(section=S.PROBLEMS, excluded=False).exists()


def test_a_moved_paragraph_keeps_its_place_after_reassembly(client, world):
    report = make_report(world)
    MeasureFactory(finding__meeting=report.organisation.meetings.get(), finding__title="第二个问题")
    services.report_assemble(report=report, by=world.secretary)
    second = report.items.get(section=S.PROBLEMS, heading="第二个问题")
    client.force_login(world.secretary)
    client.post(reverse("reports:item_move", args=[second.pk, "up"]))
    services.report_assemble(report=report, by=world.secretary)
    order = [i.heading for i in report.items.filter(section=S.PROBLEMS).order_by("order", "pk")]
    assert order == ["第二个问题", "个别党员学习缺乏热情"]


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/?year=%C2%B2",
        "/meetings/?quarter=%C2%B2",
        "/reports/?year=%C2%B2",
        "/findings/?year=abc&page=abc",
        "/measures/?organisation=abc",
    ],
)
def test_odd_query_parameters_never_error(client, world, url):
    client.force_login(world.secretary)
    assert client.get(url).status_code == 200


def test_odd_parameters_on_reviewer_pages(client, world):
    report = make_report(world)
    client.force_login(world.reviewer)
    assert client.get("/reports/statistics/?year=%C2%B2&quarter=9").status_code == 200
    assert client.get(f"/reports/{report.pk}/preview/?round=%C2%B2").status_code == 200


def test_one_bad_filter_does_not_drop_the_others(client, world):
    MeetingFactory(organisation=world.branch, date=datetime.date(2025, 5, 1))
    FindingFactory(
        meeting__organisation=world.branch,
        meeting__date=datetime.date(2025, 5, 1),
        title="去年的问题",
    )
    FindingFactory(meeting__organisation=world.branch, title="今年的问题")
    client.force_login(world.secretary)
    body = client.get("/findings/?year=2026&person=999").content.decode()
    assert "今年的问题" in body and "去年的问题" not in body


def test_progress_update_cannot_erase_a_deadline(client, world):
    measure = MeasureFactory(
        finding__meeting__organisation=world.branch,
        finding__meeting__status=Meeting.Status.CONFIRMED,
    )
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:measure_edit", args=[measure.pk]),
        {"status": "长期坚持", "progress_note": "x"},
    )
    assert "该措施有整改时限，不能改为“长期坚持”。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.deadline is not None and not measure.long_term


def test_former_chair_is_kept_when_a_meeting_is_edited(client, world):
    former = PersonFactory(name="已调离的主持人")
    meeting = MeetingFactory(organisation=world.branch, chair=former)
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "title": "会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
            "chair": former.pk,
            "version": meeting.version,
        },
    )
    meeting.refresh_from_db()
    assert meeting.chair == former and meeting.title == "会议"


def test_placeholder_in_the_ledger_appendix_is_reported(world):
    report = make_report(world)
    finding = Finding.objects.get()
    finding.title = "XX年级工作群管理不到位"
    finding.save()
    item = report.items.get(section=S.PROBLEMS)
    item.heading = "工作群管理不到位"
    item.save()
    from reports.checks import check_report

    assert any("附件台账问题“XX年级" in p.where for p in check_report(report))
