import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Finding, Measure, Meeting, MeetingAttachment

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db


def meeting_data(**overrides):
    data = {
        "title": "2026年第三季度意识形态分析研判会议",
        "meeting_type": "分析研判会议",
        "date": "2026-09-24",
        "time_of_day": "下午",
        "place": "学校三楼会议室",
        "expected_count": "9",
        "absentees": "刘洋（外出培训）",
        "judgement": "主流是好的",
        "study_content": "传达学习了《党委（党组）意识形态工作责任制实施办法》。",
    }
    data.update(overrides)
    return data


def test_secretary_creates_meeting_with_attendees(secretary_client, world):
    a = world.secretary.person_record
    b = PersonFactory(name="陈建军")
    b.memberships.create(organisation=world.branch, party_role="副书记")
    response = secretary_client.post(
        reverse("meetings:create"), meeting_data(attendees=[a.pk, b.pk], chair=a.pk)
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert meeting.organisation == world.branch
    assert set(meeting.attendees.all()) == {a, b}
    assert meeting.present_count == 2  # derived from the attendees when left empty
    assert (meeting.year, meeting.quarter) == (2026, 3)
    assert meeting.created_by == world.secretary


def test_attendee_choices_are_the_organisations_people_only(secretary_client, world):
    stranger = PersonFactory(name="外单位人员")
    stranger.memberships.create(organisation=world.other_branch)
    response = secretary_client.post(
        reverse("meetings:create"), meeting_data(attendees=[stranger.pk])
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert "外单位人员" not in response.content.decode()


def test_invalid_form_explains_in_chinese_and_keeps_input(secretary_client):
    response = secretary_client.post(
        reverse("meetings:create"),
        meeting_data(title="", expected_count="5", present_count="8", briefings="通报事项原文"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "此项为必填项" in body
    assert "实到人数不能多于应到人数。" in body
    assert "通报事项原文" in body
    assert "学校三楼会议室" in body
    assert not Meeting.objects.exists()


def test_far_future_meeting_date_is_refused_clearly(secretary_client):
    response = secretary_client.post(reverse("meetings:create"), meeting_data(date="2999-01-01"))
    assert "会议日期应在2000年1月1日至" in response.content.decode()
    assert not Meeting.objects.exists()


def test_dates_are_shown_in_chinese_form(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 9, 24))
    body = secretary_client.get(meeting.get_absolute_url()).content.decode()
    assert "2026年9月24日" in body


def test_confirming_locks_the_record_except_measure_progress(secretary_client, world):
    measure = MeasureFactory(finding__meeting__organisation=world.branch)
    meeting, finding = measure.finding.meeting, measure.finding
    response = secretary_client.post(reverse("meetings:confirm", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_confirmed and meeting.confirmed_by == world.secretary

    # The meeting and its findings are read-only now …
    secretary_client.post(reverse("meetings:edit", args=[meeting.pk]), meeting_data(title="改"))
    secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "存在问题",
            "category": finding.category_id,
            "title": "新问题",
            "risk_level": "中",
            "source": "研判会议",
        },
    )
    secretary_client.post(reverse("meetings:finding_delete", args=[finding.pk]))
    meeting.refresh_from_db()
    assert meeting.title != "改"
    assert list(meeting.findings.all()) == [finding]

    # … but the progress of a measure may still be reported.
    response = secretary_client.post(
        reverse("meetings:measure_edit", args=[measure.pk]),
        {
            "status": "已完成",
            "progress_note": "已整改到位",
            "content": "不应改变",
            "version": measure.version,
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "待销号"  # 已完成 by its owner: awaiting 销号
    assert measure.progress_note == "已整改到位"
    assert measure.content != "不应改变"
    assert measure.completed_at is not None


def test_confirming_twice_is_harmless(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    secretary_client.post(reverse("meetings:confirm", args=[meeting.pk]))
    first = Meeting.objects.get(pk=meeting.pk).confirmed_at
    response = secretary_client.post(reverse("meetings:confirm", args=[meeting.pk]), follow=True)
    assert "会议记录此前已确认。" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).confirmed_at == first


def test_secretary_adds_finding_and_measure_inline(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    category = FindingFactory.build().category
    response = secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "风险隐患",
            "category": category.pk,
            "title": "工作群转发无关信息",
            "risk_level": "高",
            "source": "研判会议",
            "include_in_report": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="findings-section"' in body  # the refreshed block, not a whole page
    assert "工作群转发无关信息" in body
    assert "操作成功" in body
    finding = Finding.objects.get()
    assert finding.meeting == meeting and finding.organisation == world.branch
    assert finding.include_in_report and finding.risk_level == "高"

    person = world.secretary.person_record
    response = secretary_client.post(
        reverse("meetings:measure_create", args=[finding.pk]),
        {
            "content": "信息专干每周巡查",
            "responsible_person": person.pk,
            "long_term": "on",
            "status": "长期坚持",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "信息专干每周巡查" in response.content.decode()
    measure = Measure.objects.get()
    assert measure.long_term and measure.deadline is None
    assert measure.responsible_person == person


def test_inline_form_errors_are_returned_into_the_form_slot(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    response = secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {"finding_type": "存在问题", "title": "", "details": "我写的具体表现"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#finding-form-slot"
    body = response.content.decode()
    assert "此项为必填项" in body
    assert "我写的具体表现" in body
    assert not Finding.objects.exists()


def test_long_term_measure_cannot_have_a_deadline(secretary_client, world):
    finding = FindingFactory(meeting__organisation=world.branch)
    response = secretary_client.post(
        reverse("meetings:measure_create", args=[finding.pk]),
        {"content": "长期措施", "long_term": "on", "deadline": "2026-12-31", "status": "未开始"},
    )
    assert "已勾选“长期坚持”的措施不填写整改时限。" in response.content.decode()
    assert not Measure.objects.exists()


def test_standalone_finding_takes_its_quarter_from_its_date(secretary_client, world):
    category = FindingFactory.build().category
    response = secretary_client.post(
        reverse("meetings:finding_create_standalone"),
        {
            "finding_type": "存在问题",
            "category": category.pk,
            "title": "专项督查反馈问题",
            "risk_level": "中",
            "source": "专项督查",
            "raised_on": "2026-05-10",
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert finding.meeting is None and finding.organisation == world.branch
    assert (finding.year, finding.quarter) == (2026, 2)


def test_overdue_is_derived_not_stored(world, monkeypatch):
    measure = MeasureFactory(
        finding__meeting__organisation=world.branch, deadline=datetime.date(2026, 10, 31)
    )
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 10, 31))
    assert measure.display_status == "整改中"
    assert not Measure.objects.overdue().exists()
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 1))
    assert measure.display_status == "已逾期"
    assert list(Measure.objects.overdue()) == [measure]
    assert Measure.objects.get().status == "整改中"
    measure.status = Measure.Status.DONE
    measure.save()
    assert not Measure.objects.overdue().exists()


def test_overdue_measure_shows_on_ledger_and_dashboard(secretary_client, world, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    MeasureFactory(
        finding__meeting__organisation=world.branch,
        deadline=datetime.date(2026, 10, 31),
        content="开展一次教职工宗教信仰情况摸底",
    )
    MeasureFactory(
        finding__meeting__organisation=world.branch,
        deadline=datetime.date(2026, 12, 31),
        content="按期推进的措施",
    )
    ledger = secretary_client.get(reverse("meetings:measure_ledger"), {"status": "已逾期"})
    body = ledger.content.decode()
    assert "开展一次教职工宗教信仰情况摸底" in body and "按期推进的措施" not in body
    assert "已逾期" in body
    dashboard = secretary_client.get(reverse("meetings:dashboard")).content.decode()
    assert "整改逾期提醒（1项）" in dashboard
    assert "开展一次教职工宗教信仰情况摸底" in dashboard


def test_upload_is_stored_under_a_random_name_and_served_only_in_scope(client, world):
    meeting = MeetingFactory(organisation=world.branch)
    client.force_login(world.secretary)
    upload = SimpleUploadedFile("../../签到表.pdf", b"%PDF-1.4 test", "application/pdf")
    client.post(
        reverse("meetings:attachment_upload", args=[meeting.pk]), {"kind": "签到表", "file": upload}
    )
    attachment = MeetingAttachment.objects.get()
    assert attachment.original_name.endswith("签到表.pdf")
    assert "签到表" not in attachment.file.name and ".." not in attachment.file.name
    url = reverse("meetings:attachment_download", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_upload_of_a_forbidden_type_is_refused_with_a_message(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    upload = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    response = secretary_client.post(
        reverse("meetings:attachment_upload", args=[meeting.pk]),
        {"kind": "其他", "file": upload},
        follow=True,
    )
    assert "不支持该文件类型" in response.content.decode()
    assert not MeetingAttachment.objects.exists()


@pytest.mark.parametrize(
    ("confirmed_at", "said"),
    [
        (
            datetime.datetime(2026, 9, 24, 10, tzinfo=datetime.UTC),
            "会议记录已于2026年9月24日确认，",
        ),
        (None, "会议记录已确认，"),  # confirmed before the time was kept: no empty “已于确认”
    ],
)
def test_a_confirmed_meeting_says_since_when(secretary_client, world, confirmed_at, said):
    meeting = MeetingFactory(
        organisation=world.branch, status=Meeting.Status.CONFIRMED, confirmed_at=confirmed_at
    )
    page = secretary_client.get(meeting.get_absolute_url()).content.decode()
    assert said in page and "已于确认" not in page
