"""导出会议记录 and 导出会议记录本 through Celery: a confirmed meeting's record as a
DOCX in the official layout (every field, its findings and measures, its
attachments), a year's records in one document with a 目录, the usual status,
idempotent by content, scoped like the meeting page, and robust to pasted text."""

import datetime
import io
import pathlib
import re
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from docx import Document

from meetings import records
from meetings.models import Meeting, MeetingAttachment
from reports.docx import render_record_book_docx, render_record_docx
from reports.models import GeneratedFile

from ..documents import pdf_pages
from ..factories import MeasureFactory, MeetingFactory, PersonFactory
from ..workers import celery_conf, require_broker, start_worker, stop_worker

pytestmark = pytest.mark.django_db
Status = GeneratedFile.Status
CORPUS = pathlib.Path(__file__).parent.parent / "data" / "paste"
UNREACHABLE = "redis://127.0.0.1:1/0"


def confirm(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CONFIRMED, confirmed_at=datetime.datetime.now(datetime.UTC)
    )
    meeting.refresh_from_db()
    return meeting


def full_meeting(world, *, confirmed=True, **fields):
    """A meeting with every field of the record filled, two findings (one with
    two measures), attendees and an attachment."""
    chair, recorder = world.secretary.person_record, world.publicity.person_record
    values = {
        "organisation": world.branch,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": datetime.date(2026, 9, 24),
        "time_of_day": "下午",
        "place": "学校三楼会议室",
        "chair": chair,
        "recorder": recorder,
        "expected_count": 9,
        "present_count": 8,
        "absentees": "黄文静：外出培训",
        "attending_scope": "支部委员、各教研组长",
        "study_content": "传达学习了县委教育工委关于加强网络意识形态工作的通知精神。",
        "briefings": "通报了上季度学校意识形态工作开展情况。",
        "statements": "陈建军：教师队伍思想总体稳定。\n刘洋：个别工作群转发无关信息。",
        "judgement": Meeting.Judgement.MAINSTREAM_GOOD,
        "judgement_detail": "学校意识形态领域总体平稳。",
        "requirements": "一是加强网络舆情监测；二是规范工作微信群管理。",
        "concluding_speech": "王丽华在总结讲话中指出，要守土有责、守土尽责。",
        **fields,
    }
    meeting = MeetingFactory(**values)
    meeting.attendees.set([chair, recorder, PersonFactory(name="陈建军")])
    first = MeasureFactory(
        finding__meeting=meeting,
        finding__title="对网络舆情的监测预警还不够及时",
        finding__details="个别涉校网络信息未能第一时间发现和处置。",
        finding__cause="信息专干力量不足。",
        finding__order=1,
        content="建立网络舆情日报制度",
        responsible_person=recorder,
        responsible_dept="办公室",
        deadline=datetime.date(2026, 12, 31),
        order=1,
    )
    MeasureFactory(
        finding=first.finding,
        content="信息专干每周巡查工作群",
        responsible_person=chair,
        responsible_dept="",
        deadline=None,
        long_term=True,
        order=2,
    )
    MeasureFactory(
        finding__meeting=meeting,
        finding__title="校园宣传栏内容更新不够及时",
        finding__order=2,
        content="每月更新一次宣传内容",
        responsible_person=recorder,
        deadline=datetime.date(2026, 10, 31),
    )
    attachment = MeetingAttachment(meeting=meeting, kind="签到表", original_name="签到表.pdf")
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return confirm(meeting) if confirmed else meeting


def export(client, meeting):
    """导出会议记录 as the page does (the task runs in-process in tests): (file, DOCX)."""
    response = client.post(reverse("meetings:record_export", args=[meeting.pk]))
    assert response.status_code == 302
    file = GeneratedFile.objects.filter(kind=GeneratedFile.Kind.RECORD).latest("pk")
    assert file.status == Status.DONE, file.error
    return file, download(client, file)


def export_book(client, year=None, organisation=None):
    data = {"year": year} if year else {}
    if organisation:
        data["organisation"] = organisation.pk
    response = client.post(reverse("meetings:record_book_export"), data)
    assert response.status_code == 302
    file = GeneratedFile.objects.filter(kind=GeneratedFile.Kind.RECORD_BOOK).latest("pk")
    assert file.status == Status.DONE, file.error
    return file, download(client, file)


def download(client, file):
    response = client.get(reverse("reports:file_download", args=[file.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def texts(payload):
    return [p.text for p in Document(io.BytesIO(payload)).paragraphs if p.text.strip()]


def test_the_record_has_every_field_its_findings_measures_and_attachments(client, world):
    meeting = full_meeting(world)
    client.force_login(world.secretary)
    file, payload = export(client, meeting)
    assert file.organisation == world.branch and file.content["meeting"] == meeting.pk
    assert file.filename.endswith("2026年第三季度意识形态分析研判会议记录.docx")
    lines = texts(payload)
    expected = [
        "2026年第三季度意识形态分析研判会议记录",
        "中共青山县城关第一实验学校支部委员会",
        "会议名称：2026年第三季度意识形态分析研判会议",
        "会议类型：意识形态分析研判会议",
        "会议时间：2026年9月24日下午",
        "会议地点：学校三楼会议室",
        "主持人：王丽华　　记录人：张敏",
        "应到人数：9人　　实到人数：8人",
        "参会人员：" + "、".join(p.name for p in meeting.attendees.all()),
        "缺席人员及原因：黄文静：外出培训",
        "参会范围：支部委员、各教研组长",
        "一、学习传达内容",
        "传达学习了县委教育工委关于加强网络意识形态工作的通知精神。",
        "二、通报事项",
        "通报了上季度学校意识形态工作开展情况。",
        "三、研判发言",
        "陈建军：教师队伍思想总体稳定。",
        "刘洋：个别工作群转发无关信息。",
        "四、总体研判结论",
        "意识形态工作的主流是好的，学校意识形态领域总体平稳。",
        "五、会议要求",
        "一是加强网络舆情监测；二是规范工作微信群管理。",
        "六、总结讲话",
        "王丽华在总结讲话中指出，要守土有责、守土尽责。",
        "七、研判发现的问题及整改措施",
        "（一）对网络舆情的监测预警还不够及时。个别涉校网络信息未能第一时间发现和处置。",
        "问题性质：存在问题；问题类别："
        + meeting.findings.first().category.name
        + "；风险等级：中。",
        "原因分析：信息专干力量不足。",
        "整改措施：",
        "1．建立网络舆情日报制度（责任人：张敏；责任部门：办公室；整改时限：2026年12月31日）。",
        "2．信息专干每周巡查工作群（责任人：王丽华；责任部门：未填写；整改时限：长期坚持）。",
        "（二）校园宣传栏内容更新不够及时。部分青年教师对理论学习重视不够。",
    ]
    assert lines[: len(expected)] == expected
    assert "1．每月更新一次宣传内容（责任人：张敏；责任部门：；" not in lines
    assert lines[-1] == "附件：签到表（签到表.pdf）"
    doc = Document(io.BytesIO(payload))
    # the reports' page and fonts: A4, GB/T margins, 3号仿宋 at a fixed pitch, 小标宋 title
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == 28.95
    fonts = normal.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        "仿宋_GB2312"
    )
    title = doc.paragraphs[0]
    assert title.style.name == "记录标题" and title.style.base_style.name == "Title"
    assert title.style.font.size is None and title.style.base_style.font.size.pt == 22
    label = doc.paragraphs[3].runs[0]
    assert label.text == "会议名称：" and label.style.name == "要素标签"
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["一、学习传达内容"] == styles["七、研判发现的问题及整改措施"] == "记录栏目"
    assert styles["附件：签到表（签到表.pdf）"] == "附件说明"
    assert "PAGE" in section.footer.paragraphs[0]._p.xml  # — 1 — page numbers
    assert doc.core_properties.title == "2026年第三季度意识形态分析研判会议记录"
    assert b"<w:br/>" not in payload


def test_a_bare_record_says_what_was_not_filled_in(client, world):
    meeting = confirm(MeetingFactory(organisation=world.branch, title="临时会议"))
    client.force_login(world.secretary)
    lines = texts(export(client, meeting)[1])
    for line in (
        "会议地点：未填写",
        "主持人：未填写　　记录人：未填写",
        "应到人数：未填写　　实到人数：未填写",
        "参会人员：未填写",
        "缺席人员及原因：无",
        "本次会议未研判出需要整改的问题。",
    ):
        assert line in lines
    assert lines.count("无。") == 6  # the six parts of what was said
    assert not any(line.startswith(("参会范围", "附件")) for line in lines)


def test_a_draft_offers_no_export_and_says_why(client, world, django_capture_on_commit_callbacks):
    meeting = full_meeting(world, confirmed=False)
    client.force_login(world.secretary)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "导出会议记录</button>" not in body
    assert "该会议记录尚未确认，不能导出会议记录。" in body
    # a stale page that still posts is told the same, and nothing is queued
    response = client.post(reverse("meetings:record_export", args=[meeting.pk]), follow=True)
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url() + "#exports"
    assert "该会议记录尚未确认，不能导出会议记录。" in response.content.decode()
    assert not GeneratedFile.objects.exists()


def test_the_confirmed_page_shows_the_button_and_the_finished_file(client, world):
    meeting = full_meeting(world)
    client.force_login(world.reader)  # who sees the meeting may export it
    assert "导出会议记录</button>" in client.get(meeting.get_absolute_url()).content.decode()
    response = client.post(reverse("meetings:record_export", args=[meeting.pk]), follow=True)
    body = response.content.decode()
    file = GeneratedFile.objects.get()
    assert "会议记录已生成，可在下方下载。" in body
    assert f'id="file-{file.pk}"' in body and 'data-status="done"' in body
    assert reverse("reports:file_download", args=[file.pk]) in body
    assert file.requested_by == world.reader


def test_the_same_record_is_rendered_once_and_again_after_a_correction(client, world):
    meeting = full_meeting(world)
    client.force_login(world.secretary)
    first, _ = export(client, meeting)
    response = client.post(reverse("meetings:record_export", args=[meeting.pk]), follow=True)
    assert "会议记录已生成，可在下方下载。" in response.content.decode()
    assert GeneratedFile.objects.count() == 1
    # 更正 changes what the record says: a new file
    meeting.findings.filter(order=1).update(title="对网络舆情的监测预警不够及时")
    second, payload = export(client, meeting)
    assert second.pk != first.pk
    assert "（一）对网络舆情的监测预警不够及时。" in "\n".join(texts(payload))


@pytest.mark.parametrize("persona", ["outsider", "other_reviewer"])
def test_another_branchs_meeting_is_not_found(client, world, persona):
    meeting = full_meeting(world)
    client.force_login(getattr(world, persona))
    assert client.post(reverse("meetings:record_export", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:record_export", args=[meeting.pk])).status_code == 405
    assert not GeneratedFile.objects.exists()


def test_the_reviewer_exports_a_branch_record_and_sees_it(client, world):
    meeting = full_meeting(world)
    client.force_login(world.reviewer)
    file, payload = export(client, meeting)
    assert texts(payload)[0] == "2026年第三季度意识形态分析研判会议记录"
    client.force_login(world.outsider)
    assert client.get(reverse("reports:file_download", args=[file.pk])).status_code == 404


def test_the_export_and_the_download_are_audited(client, world):
    from auditlog.models import LogEntry

    meeting = full_meeting(world)
    client.force_login(world.secretary)
    export(client, meeting)
    events = list(
        LogEntry.objects.filter(additional_data__事件__in=["导出会议记录", "下载"]).values_list(
            "additional_data__事件", "actor"
        )
    )
    assert ("导出会议记录", world.secretary.pk) in events
    assert ("下载", world.secretary.pk) in events


def test_a_failed_record_shows_why_and_is_retried(client, world, monkeypatch):
    meeting = full_meeting(world)

    def broken(*args, **kwargs):
        raise ValueError("模板损坏")

    monkeypatch.setattr(records, "render_record_docx", broken)
    client.force_login(world.secretary)
    client.post(reverse("meetings:record_export", args=[meeting.pk]))
    file = GeneratedFile.objects.get()
    assert file.status == Status.FAILED and "模板损坏" in file.error
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "生成失败" in body and "重试" in body
    monkeypatch.setattr(records, "render_record_docx", render_record_docx)
    response = client.post(reverse("reports:file_retry", args=[file.pk]))
    assert response.url == meeting.get_absolute_url() + "#exports"
    file.refresh_from_db()
    assert file.status == Status.DONE


def test_broker_unreachable_answers_fast_and_changes_nothing(client, world):
    meeting = full_meeting(world)
    before = Meeting.objects.values().get(pk=meeting.pk)
    client.force_login(world.secretary)
    with celery_conf(task_always_eager=False, broker_write_url=UNREACHABLE):
        started = time.monotonic()
        response = client.post(reverse("meetings:record_export", args=[meeting.pk]), follow=True)
        elapsed = time.monotonic() - started
    assert elapsed < 8
    assert "会议记录未能导出" in response.content.decode()
    assert GeneratedFile.objects.get().status == Status.FAILED
    assert Meeting.objects.values().get(pk=meeting.pk) == before


# --------------------------------------------------------------------------
# 导出会议记录本
# --------------------------------------------------------------------------


def year_of_meetings(world):
    """Confirmed meetings of 2026 created out of date order, and what must stay out."""
    titles = {}
    for date, time_of_day, title in (
        (datetime.date(2026, 9, 24), "下午", "2026年第三季度意识形态分析研判会议"),
        (datetime.date(2026, 3, 20), "上午", "2026年第一季度意识形态分析研判会议"),
        (datetime.date(2026, 6, 19), "下午", "2026年第二季度意识形态分析研判会议"),
        (datetime.date(2026, 6, 19), "上午", "2026年意识形态工作专题会议"),
    ):
        titles[date, time_of_day] = title
        full_meeting(world, date=date, time_of_day=time_of_day, title=title)
    full_meeting(world, confirmed=False, date=datetime.date(2026, 11, 5), title="草稿会议")
    full_meeting(world, date=datetime.date(2025, 12, 5), title="2025年第四季度会议")
    full_meeting(world, organisation=world.other_branch, title="医院的会议")
    return [titles[key] for key in sorted(titles, key=lambda k: (k[0], k[1] != "上午"))]


def test_the_record_book_has_the_years_meetings_in_date_order_and_a_toc(client, world):
    expected = year_of_meetings(world)
    client.force_login(world.secretary)
    file, payload = export_book(client, 2026)
    assert file.year == 2026 and file.version_label == "2026年，4次会议"
    assert file.filename.endswith("2026年会议记录本.docx")
    lines = texts(payload)
    assert lines[:3] == [
        "中共青山县城关第一实验学校支部委员会",
        "2026年意识形态分析研判会议记录本",
        "目　录",
    ]
    entries = lines[3:7]
    assert [re.sub(r"^\d+．\S+\s|\t\d+$", "", e) for e in entries] == expected
    assert entries[0].startswith("1．2026年3月20日上午") and entries[2].startswith(
        "3．2026年6月19日下午"
    )
    titles = [t for t in lines if t.endswith("记录") and t != "记录"]
    assert titles == [f"{t}记录" for t in expected]
    assert "草稿会议记录" not in lines and "医院的会议记录" not in lines
    doc = Document(io.BytesIO(payload))
    starts = [p for p in doc.paragraphs if p.style.name == "记录标题"]
    # each meeting on a new page, bookmarked for the 目录's PAGEREF field
    assert all(p.paragraph_format.page_break_before for p in starts)
    assert [p._p.xpath("./w:bookmarkStart/@w:name")[0] for p in starts] == [
        f"_TocRecord{i}" for i in range(1, 5)
    ]
    toc = [p for p in doc.paragraphs if p.style.name == "目录条目"]
    assert all(f"PAGEREF _TocRecord{i}" in p._p.xml for i, p in enumerate(toc, start=1))


def test_the_record_book_defaults_to_this_year_and_the_users_organisation(client, world):
    from meetings.models import today

    full_meeting(world, date=today(), title="本年度的会议")
    client.force_login(world.secretary)
    body = client.get(reverse("meetings:list")).content.decode()
    assert f'<option value="{today().year}" selected>' in body
    assert "导出会议记录本</button>" in body
    _, payload = export_book(client)
    assert "本年度的会议记录" in texts(payload)


def test_a_year_without_confirmed_meetings_is_refused(client, world):
    full_meeting(world, confirmed=False)
    client.force_login(world.secretary)
    response = client.post(reverse("meetings:record_book_export"), {"year": 2026}, follow=True)
    assert "2026年没有已确认的会议记录，未导出会议记录本。" in response.content.decode()
    assert not GeneratedFile.objects.exists()


def test_another_organisations_record_book_is_not_found(client, world):
    full_meeting(world)
    client.force_login(world.outsider)
    response = client.post(
        reverse("meetings:record_book_export"), {"year": 2026, "organisation": world.branch.pk}
    )
    assert response.status_code == 404
    assert not GeneratedFile.objects.exists()


def test_a_reviewer_chooses_the_branch(client, world):
    year_of_meetings(world)
    client.force_login(world.reviewer)
    body = client.get(reverse("meetings:list")).content.decode()
    assert 'name="organisation"' in body and world.other_branch.name in body
    _, payload = export_book(client, 2026, world.other_branch)
    assert "医院的会议记录" in texts(payload)


# --------------------------------------------------------------------------
# Messy text: pasted junk, traditional script, a 20,000-character paste, line
# breaks and XML-illegal characters never break the document
# --------------------------------------------------------------------------


def corpus(name):
    return (CORPUS / name).read_text()


def test_pasted_text_gives_a_clean_document(client, world):
    meeting = full_meeting(
        world,
        study_content=corpus("meeting_study.txt"),
        briefings=corpus("meeting_briefings.txt"),
        statements=corpus("long_paste.txt"),
        requirements=corpus("meeting_requirements.txt"),
        judgement_detail=corpus("meeting_judgement_detail.txt"),
        place="學校\x0b三樓會議室",
    )
    # what older rows or a direct import may hold: characters XML forbids
    Meeting.objects.filter(pk=meeting.pk).update(
        concluding_speech="总结讲话\x00\x07\ud800第一段\r\n第二段\x1f。",
        title="第三季度\x01研判會議",
    )
    meeting.findings.filter(order=1).update(title=corpus("finding_title.txt"))
    client.force_login(world.secretary)
    _, payload = export(client, meeting)
    text = "\n".join(texts(payload))
    assert "黨" not in text and "會議" not in text  # simplified
    assert "赏杯茶钱" not in text and "下载阅读" not in text  # site debris gone
    assert "??" not in text and "\ufffd" not in text
    assert "会议地点：学校三楼会议室" in text
    assert "六、总结讲话\n总结讲话第一段\n第二段。" in text
    assert texts(payload)[0] == "第三季度研判会议记录"
    assert len(text) > 15_000  # the long paste is all there, in paragraphs
    assert b"<w:br/>" not in payload


def test_the_renderer_takes_any_text(world):
    """Hand-made data with what the pipeline would never pass on: still a document."""
    junk = "\x00\x0b\ud83d正文\x0c<w:t>&amp;</w:t>\n\n\n" + "长" * 30_000
    record = {
        "title": junk,
        "organisation": junk,
        "fields": [[["标签" + junk, junk]], [["主持人", junk], ["记录人", None]]],
        "parts": [{"number": "一、", "title": junk, "paragraphs": [{"text": junk}]}],
        "attachments": [junk, "", None],
    }
    for payload in (
        render_record_docx(record),
        render_record_book_docx({"title": junk, "records": [record, record]}),
    ):
        assert texts(payload)


# --------------------------------------------------------------------------
# LibreOffice: the documents convert, the 目录 shows the real page numbers
# --------------------------------------------------------------------------


def test_libreoffice_converts_the_record_and_the_book_with_the_right_toc(
    client, world, soffice, tmp_path
):
    year_of_meetings(world)
    meeting = Meeting.objects.get(title="2026年第三季度意识形态分析研判会议")
    Meeting.objects.filter(pk=meeting.pk).update(statements=corpus("long_paste.txt"))
    client.force_login(world.secretary)
    _, payload = export(client, Meeting.objects.get(pk=meeting.pk))
    (tmp_path / "record").mkdir()
    pages = pdf_pages(soffice, tmp_path / "record", payload)
    flat = [line.replace(" ", "") for page in pages for line in page]
    assert flat[0] == "2026年第三季度意识形态分析研判会议记录"
    for label in (
        "会议名称：",
        "会议时间：",
        "主持人：",
        "参会人员：",
        "七、研判发现的问题及整改措施",
    ):
        assert any(label in line for line in flat), label
    assert len(pages) >= 10  # the 20,000-character 研判发言 runs over pages
    for number, page in enumerate(pages, start=1):
        assert page[-1].replace(" ", "") == f"—{number}—"
        assert len(page) <= 23  # 22 lines of the type area, the page number
    # the 研判发言 fills whole pages: 22 lines each at the fixed pitch
    assert all(len(page) == 23 for page in pages[1:9])

    (tmp_path / "book").mkdir()
    _, payload = export_book(client, 2026)
    pages = pdf_pages(soffice, tmp_path / "book", payload)
    flat_pages = [[line.replace(" ", "") for line in page] for page in pages]
    assert flat_pages[0][2] == "目录"
    # every 目录 entry's page number is the page where that meeting's record starts
    numbers = [int(m[1]) for line in flat_pages[0] if (m := re.search(r"\.{3,}(\d+)$", line))]
    starts = [
        index
        for index, page in enumerate(flat_pages, start=1)
        if any(line.endswith("会议记录") for line in page[:3]) and index > 1
    ]
    assert len(numbers) == 4 and numbers == starts


# --------------------------------------------------------------------------
# A real worker process (whenever a broker is configured: always in CI)
# --------------------------------------------------------------------------


@pytest.fixture
def worker(tmp_path):
    require_broker()
    queue = f"ideology-test-{uuid.uuid4().hex[:8]}"
    process = start_worker(queue, log=tmp_path / "worker.log")
    yield queue, process, tmp_path / "worker.log"
    stop_worker(process)


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_renders_the_record_and_the_book(worker, world, client):
    queue, process, log = worker
    meeting = full_meeting(world)
    client.force_login(world.secretary)
    with celery_conf(task_default_queue=queue, task_always_eager=False):
        response = client.post(reverse("meetings:record_export", args=[meeting.pk]), follow=True)
        assert "已开始导出会议记录，完成后可在下方下载。" in response.content.decode()
        client.post(reverse("meetings:record_book_export"), {"year": 2026})
    for file in GeneratedFile.objects.all():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            file.refresh_from_db()
            if file.status in (Status.DONE, Status.FAILED):
                break
            assert process.poll() is None, log.read_text()
            time.sleep(0.3)
        assert file.status == Status.DONE, (file.error, log.read_text())
        assert texts(download(client, file))[-1] == "附件：签到表（签到表.pdf）"
    assert "meetings.render_record_docx" in log.read_text()  # it ran in the worker
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-status="done"' in body
