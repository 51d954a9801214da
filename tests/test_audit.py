"""The audit trail: every change, transition, export, download and login leaves a row."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ideology_review import audit
from meetings.models import Finding, Meeting, MeetingAttachment
from reports import services

from .conftest import history_panel
from .documents import export_ledger
from .factories import FindingFactory, MeetingFactory, make_report

pytestmark = pytest.mark.django_db
ADDRESS = "10.1.2.3"


def rows(obj):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
        ).order_by("pk")
    )


def event(entry):
    return (entry.additional_data or {}).get("事件")


def finding_form(finding, **changes):
    data = {
        "finding_type": finding.finding_type,
        "category": finding.category_id,
        "title": finding.title,
        "details": finding.details,
        "risk_level": finding.risk_level,
        "source": finding.source,
        "include_in_report": "on",
        "version": finding.version,
    }
    data.update(changes)
    return data


def test_editing_a_finding_shows_who_changed_what_from_what(client, world):
    finding = FindingFactory(meeting__organisation=world.branch, title="旧的问题概述")
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:finding_edit", args=[finding.pk]),
        finding_form(finding, title="新的问题概述", risk_level="高"),
        REMOTE_ADDR=ADDRESS,
    )
    update = rows(finding)[-1]
    assert update.action == LogEntry.Action.UPDATE
    assert update.actor == world.secretary and update.remote_addr == ADDRESS
    assert update.changes_dict["title"] == ["旧的问题概述", "新的问题概述"]
    page = history_panel(client, reverse("meetings:finding_detail", args=[finding.pk]))[0]
    assert "历史记录" in page
    assert "<strong>问题概述</strong>：旧的问题概述 → 新的问题概述" in page
    assert "<strong>风险等级</strong>：中 → 高" in page
    assert "王丽华" in page and ADDRESS in page


def test_create_and_delete_are_logged(client, world):
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:create"),
        {
            "title": "新会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
        },
        REMOTE_ADDR=ADDRESS,
    )
    meeting = Meeting.objects.get()
    created = rows(meeting)
    assert [e.action for e in created] == [LogEntry.Action.CREATE]
    assert created[0].actor == world.secretary
    finding = FindingFactory(meeting=meeting)
    client.post(reverse("meetings:finding_delete", args=[finding.pk]))
    assert rows(finding)[-1].action == LogEntry.Action.DELETE


def test_confirming_a_meeting_is_logged_once(client, world):
    meeting = MeetingFactory(organisation=world.branch)
    client.force_login(world.secretary)
    before = len(rows(meeting))
    client.post(reverse("meetings:confirm", args=[meeting.pk]), REMOTE_ADDR=ADDRESS)
    client.post(reverse("meetings:confirm", args=[meeting.pk]))
    new = rows(meeting)[before:]
    assert [event(e) for e in new] == ["确认会议记录"]
    assert new[0].changes_dict["status"] == ["草稿", "已确认"]
    assert new[0].remote_addr == ADDRESS


def test_review_transitions_leave_one_row_each(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="请补充")
    services.report_resubmit(report=report, by=world.secretary)
    services.report_approve(report=report, by=world.reviewer, comment="同意。")
    events = [(event(e), e.actor) for e in rows(report) if event(e)]
    assert events == [
        ("一键汇总", world.secretary),
        ("提交审核", world.secretary),
        ("退回修改", world.reviewer),
        ("重新提交", world.secretary),
        ("审核通过", world.reviewer),
    ]
    returned = next(e for e in rows(report) if event(e) == "退回修改")
    assert returned.additional_data["意见"] == "请补充"


def test_one_click_assembly_leaves_one_row(world):
    report = make_report(world)
    before = len(rows(report))
    services.report_assemble(report=report, by=world.secretary)
    new = rows(report)[before:]
    assert [(event(e), e.actor) for e in new] == [("一键汇总", world.secretary)]
    assert "生成段落" in new[0].additional_data


def test_exports_and_downloads_are_logged(client, world):
    report = make_report(world)
    meeting = MeetingFactory(organisation=world.branch)  # a draft: the report's is confirmed
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:attachment_upload", args=[meeting.pk]),
        {"kind": "签到表", "file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")},
    )
    attachment = MeetingAttachment.objects.get()
    response = client.get(
        reverse("meetings:attachment_download", args=[attachment.pk]), REMOTE_ADDR=ADDRESS
    )
    b"".join(response.streaming_content)  # consumed through the test client's wrapper
    download = rows(attachment)[-1]
    assert (event(download), download.actor, download.remote_addr) == (
        "下载",
        world.secretary,
        ADDRESS,  # stamped by the audit middleware: the service is not handed the request
    )
    client.post(reverse("reports:export_docx", args=[report.pk]), REMOTE_ADDR=ADDRESS)
    file = report.files.get()
    response = client.get(reverse("reports:file_download", args=[file.pk]), REMOTE_ADDR=ADDRESS)
    b"".join(response.streaming_content)
    report_rows = [e for e in rows(report) if event(e) in ("导出DOCX", "下载")]
    assert [(event(e), e.actor, e.remote_addr) for e in report_rows] == [
        ("导出DOCX", world.secretary, ADDRESS),
        ("下载", world.secretary, ADDRESS),
    ]
    file, _ = export_ledger(client, "measures", {"year": 2026})
    ledger = [e for e in rows(world.secretary) if event(e) in ("导出台账", "下载")]
    assert [event(e) for e in ledger] == ["导出台账", "下载"]  # requested, then downloaded
    assert ledger[0].additional_data["筛选"] == "year=2026"
    assert ledger[0].additional_data["条件"] == "2026年"
    assert ledger[1].additional_data["文件"] == "整改台账.xlsx"


def test_logins_succeeded_and_failed_are_logged(world):
    client = Client()
    client.post(
        reverse("login"),
        {"username": world.secretary.username, "password": "bad"},
        REMOTE_ADDR=ADDRESS,
    )
    client.post(reverse("login"), {"username": "nobody", "password": "bad"}, REMOTE_ADDR=ADDRESS)
    client.post(
        reverse("login"),
        {"username": world.secretary.username, "password": "qingshan2026"},
        REMOTE_ADDR=ADDRESS,
    )
    entries = [
        (event(e), e.object_repr, e.remote_addr)
        for e in LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
    ]
    assert entries == [
        ("登录失败", world.secretary.username, ADDRESS),
        ("登录失败", "nobody", ADDRESS),
        ("登录成功", world.secretary.username, ADDRESS),
    ]


def test_passwords_never_enter_the_log(world):
    world.secretary.set_password("another-Secret-2027")
    world.secretary.save()
    entry = rows(world.secretary)[-1]
    assert "another-Secret-2027" not in str(entry.changes)
    assert entry.changes_dict["password"][1] != world.secretary.password


def test_ordinary_users_cannot_reach_the_log(client, world):
    client.force_login(world.secretary)
    response = client.get("/admin/auditlog/logentry/")
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize("edits", [1, 30])
def test_history_panel_query_count_does_not_grow(client, world, django_assert_num_queries, edits):
    finding = FindingFactory(meeting__organisation=world.branch)
    for i in range(edits):
        finding.title = f"第{i}次修改"
        finding.save()
    client.force_login(world.secretary)
    # The finding's organisation, meeting and category are loaded: the history names them free.
    url = reverse("meetings:finding_detail", args=[finding.pk])
    panel = reverse("meetings:finding_history", args=[finding.pk]) + "?panel=1"
    client.get(url)  # the session written
    # session, user, scope, the history (its rows and the measures it covers), the bell
    with django_assert_num_queries(6):
        response = client.get(panel)
    history = response.context["history"]
    assert len(history) == min(edits + 1, audit.HISTORY_SHOWN)
    assert history.more == (edits + 1 > audit.HISTORY_SHOWN)
    assert Finding.objects.count() == 1


def rename(report, times):
    for i in range(times):
        report.title = f"第{i}次改名"
        report.save()


def test_a_long_history_shows_the_newest_rows_and_links_to_all_of_them(client, world):
    report = make_report(world)
    rename(report, 25)
    client.force_login(world.secretary)
    page, history = history_panel(client, report.get_absolute_url())
    assert len(history) == audit.HISTORY_SHOWN and history.more
    assert page.startswith('<div class="card my-3" id="history"')  # the panel alone
    everything = reverse("reports:history", args=[report.pk])
    assert f'以上是最近20条，<a href="{everything}">查看全部历史记录</a>' in page
    assert "第23次改名 → 第24次改名" in page
    assert "第3次改名" not in page  # older than the newest 20

    response = client.get(everything)
    page = response.content.decode()
    assert response.status_code == 200 and "全部历史记录" in page
    assert "（空） → 第0次改名" in page or "→ 第0次改名" in page
    assert "第23次改名 → 第24次改名" in page
    assert "查看全部历史记录" not in page and "较早的记录" not in page
    assert client.get(everything + "?page=2").status_code == 404
    assert client.get(everything + "?page=x").status_code == 200  # the first page


def test_the_whole_history_is_read_a_page_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr(audit, "HISTORY_PAGE", 10)
    report = make_report(world)
    rename(report, 25)
    client.force_login(world.secretary)
    everything = reverse("reports:history", args=[report.pk])
    first = client.get(everything).content.decode()
    second = client.get(everything + "?page=2").content.decode()
    assert "第23次改名 → 第24次改名" in first and "第13次改名 → 第14次改名" not in first
    assert "第13次改名 → 第14次改名" in second and "第23次改名 → 第24次改名" not in second
    assert '<a class="page-link" href="?page=3">较早的记录</a>' in second
    assert '<a class="page-link" href="?page=1">较新的记录</a>' in second


def test_a_meetings_and_a_findings_long_history_link_to_all_of_it(client, world):
    finding = FindingFactory(meeting__organisation=world.branch)
    meeting = finding.meeting
    for i in range(25):
        finding.title, meeting.title = f"问题第{i}稿", f"会议第{i}稿"
        finding.save()
        meeting.save()
    client.force_login(world.secretary)
    for page, everything in [
        (meeting.get_absolute_url(), reverse("meetings:history", args=[meeting.pk])),
        (finding.get_absolute_url(), reverse("meetings:finding_history", args=[finding.pk])),
    ]:
        assert f'<a href="{everything}">查看全部历史记录</a>' in history_panel(client, page)[0]
        whole = client.get(everything).content.decode()
        assert "第0稿" in whole and "第24稿" in whole


def test_history_shows_local_time_to_the_minute(client, world):
    meeting = MeetingFactory(organisation=world.branch)
    # django-auditlog's own format for a DateTimeField: naive UTC with microseconds
    entry = audit.record(
        meeting,
        event="确认会议记录",
        action=audit.UPDATE,
        changes={"confirmed_at": ["None", "2026-12-02 07:04:05.123456"]},
    )
    LogEntry.objects.filter(pk=entry.pk).update(
        timestamp=datetime.datetime(2026, 12, 2, 7, 4, 5, 123456, tzinfo=datetime.UTC)
    )
    client.force_login(world.secretary)
    page = history_panel(client, meeting.get_absolute_url())[0]
    assert '<td class="text-nowrap">2026-12-02 15:04</td>' in page  # Asia/Shanghai
    assert "<strong>确认时间</strong>：（空） → 2026-12-02 15:04</div>" in page
    assert ".123456" not in page and "07:04" not in page


def test_a_submitted_reports_times_are_shown_local(client, world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    report.refresh_from_db()
    client.force_login(world.secretary)
    page = history_panel(client, report.get_absolute_url())[0]
    shown = timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert f"<strong>提交时间</strong>：（空） → {shown}</div>" in page


def test_an_edited_paragraph_is_in_the_reports_history(client, world):
    report = make_report(world)
    item = report.items.get(section="judgement")
    old = item.body
    client.force_login(world.secretary)
    client.post(
        reverse("reports:item_edit", args=[item.pk]),
        {"heading": item.heading, "body": "主流积极健康向上。", "version": item.version},
    )
    item.refresh_from_db()
    assert item.body == "主流积极健康向上。"
    page = history_panel(client, report.get_absolute_url())[0]
    assert f"<strong>正文</strong>：{old[:77]}" in page
    assert "→ 主流积极健康向上。</div>" in page
    assert "报告段落" in page  # the 对象 column
