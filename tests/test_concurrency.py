"""Two people editing the same record: the second save never silently overwrites the first."""

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import Finding, Meeting
from reports.models import ReportEvent, ReportItem

from .factories import FindingFactory, MeetingFactory, make_report

pytestmark = pytest.mark.django_db
CONFLICT = "该记录已被他人修改并保存"


def two_editors(world):
    first, second = Client(), Client()
    first.force_login(world.secretary)
    second.force_login(world.publicity)
    return first, second


def meeting_form(meeting, **changes):
    data = {
        "title": meeting.title,
        "meeting_type": meeting.meeting_type,
        "date": "2026-09-24",
        "time_of_day": meeting.time_of_day,
        "version": meeting.version,
    }
    data.update(changes)
    return data


def test_second_meeting_save_is_refused_and_keeps_its_input(world):
    meeting = MeetingFactory(organisation=world.branch)
    first, second = two_editors(world)
    opened = meeting_form(meeting)  # both opened the form at version 1
    first.post(reverse("meetings:edit", args=[meeting.pk]), {**opened, "briefings": "甲的通报"})
    response = second.post(
        reverse("meetings:edit", args=[meeting.pk]), {**opened, "briefings": "乙的通报"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and CONFLICT in body
    assert "乙的通报" in body  # the second editor's text is still on screen
    meeting.refresh_from_db()
    assert meeting.briefings == "甲的通报" and meeting.version == 2
    # after looking at the latest version, the second editor can save
    response = second.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {**meeting_form(meeting), "briefings": "甲的通报；乙的补充"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get().briefings == "甲的通报；乙的补充"


def test_second_inline_finding_save_is_refused(world):
    finding = FindingFactory(meeting__organisation=world.branch, title="原标题")
    first, second = two_editors(world)
    data = {
        "finding_type": "存在问题",
        "category": finding.category_id,
        "risk_level": "中",
        "source": "研判会议",
        "version": 1,
    }
    url = reverse("meetings:finding_edit", args=[finding.pk])
    first.post(url, {**data, "title": "甲改的标题"}, HTTP_HX_REQUEST="true")
    response = second.post(url, {**data, "title": "乙改的标题"}, HTTP_HX_REQUEST="true")
    assert CONFLICT in response.content.decode()
    assert "乙改的标题" in response.content.decode()
    assert Finding.objects.get().title == "甲改的标题"


def test_second_report_paragraph_save_is_refused(world):
    report = make_report(world)
    item = report.items.get(section="problems")
    first, second = two_editors(world)
    url = reverse("reports:item_edit", args=[item.pk])
    first.post(url, {"heading": item.heading, "body": "甲的正文", "version": 1})
    response = second.post(url, {"heading": item.heading, "body": "乙的正文", "version": 1})
    assert CONFLICT in response.content.decode() and "乙的正文" in response.content.decode()
    assert ReportItem.objects.get(pk=item.pk).body == "甲的正文"


def test_double_clicked_submit_creates_one_transition(world, client):
    report = make_report(world)
    client.force_login(world.secretary)
    url = reverse("reports:submit", args=[report.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "报告状态未变化（可能是重复提交）" in response.content.decode()
    assert ReportEvent.objects.filter(action="submit").count() == 1
