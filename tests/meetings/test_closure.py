"""销号 (issue 13 item 6): a measure its owner marks 已完成 is 待销号 until someone
else — a secretary of its organisation or a reviewer of it — verifies it with
佐证材料 attached (已销号) or sends it back with a reason (整改中); the ledger,
its XLSX and the report say 待销号 and 已销号 apart."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from meetings.models import Finding, Measure, MeasureEvidence, Meeting
from reports import services as report_services
from reports import statistics
from reports.content import build_report_data
from reports.docx import render_docx
from reports.models import ReportItem

from ..documents import export_ledger
from ..factories import MeasureFactory, MeetingFactory, make_report

pytestmark = pytest.mark.django_db
S = Measure.Status


def add_evidence(measure):
    evidence = MeasureEvidence(measure=measure, original_name="整改照片.jpg", size=4)
    evidence.file.save("e.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    return evidence


@pytest.fixture
def measure(world):
    """A measure of a confirmed meeting of the school, the publicity member's (张敏)."""
    meeting = MeetingFactory(organisation=world.branch, status=Meeting.Status.CONFIRMED)
    return MeasureFactory(
        finding__meeting=meeting,
        responsible_person=world.publicity.person_record,
        progress_note="正在整改",
    )


def mark_done(client, measure, user):
    client.force_login(user)
    measure.refresh_from_db()
    response = client.post(
        reverse("meetings:measure_edit", args=[measure.pk]),
        {"status": "已完成", "progress_note": "已整改到位", "version": measure.version},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    return measure


def close(client, measure, user):
    client.force_login(user)
    return client.post(reverse("meetings:measure_close", args=[measure.pk]), follow=True)


def page_text(client, measure):
    return client.get(measure.finding.get_absolute_url()).content.decode()


def test_the_owner_marking_it_done_makes_it_pending(client, world, measure):
    mark_done(client, measure, world.publicity)
    assert measure.status == S.PENDING_CLOSURE
    assert measure.done_by == world.publicity and measure.done_at is not None
    assert measure.completed_at is not None  # done by its owner: counts as completed
    body = page_text(client, measure)
    assert ">待销号</span>" in body and "张敏" in body and "标记完成" in body
    # the owner sees neither 销号 nor 退回 on their own measure
    assert ">销号</button>" not in body and ">退回</button>" not in body


def test_the_forms_never_set_pending_or_closed_directly(client, world, measure):
    client.force_login(world.publicity)
    for status in ("已销号", "待销号"):
        response = client.post(
            reverse("meetings:measure_edit", args=[measure.pk]),
            {"status": status, "version": measure.version},
        )
        assert response.status_code == 200  # the form again, with its error
        measure.refresh_from_db()
        assert measure.status == S.IN_PROGRESS


def test_a_new_measure_marked_done_is_pending_too(client, world):
    meeting = MeetingFactory(organisation=world.branch)
    finding = MeasureFactory(finding__meeting=meeting).finding
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:measure_create", args=[finding.pk]),
        {"content": "整改到位", "deadline": "2026-12-31", "status": "已完成", "version": ""},
    )
    assert response.status_code == 302
    created = finding.measures.get(content="整改到位")
    assert created.status == S.PENDING_CLOSURE and created.done_by == world.secretary


@pytest.mark.parametrize("owner", ["responsible", "marked_done"])
def test_the_owner_cannot_verify_their_own_measure(client, world, measure, owner):
    if owner == "responsible":  # the secretary is its 责任人, the publicity member marks it done
        Measure.objects.filter(pk=measure.pk).update(
            responsible_person=world.secretary.person_record
        )
        mark_done(client, measure, world.publicity)
    else:  # the secretary marked the publicity member's measure done herself
        mark_done(client, measure, world.secretary)
    add_evidence(measure)
    client.force_login(world.secretary)
    response = client.post(reverse("meetings:measure_close", args=[measure.pk]))
    assert response.status_code == 403
    assert "不能自己销号或退回" in response.content.decode()
    response = client.post(reverse("meetings:measure_return", args=[measure.pk]), {"reason": "x"})
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.status == S.PENDING_CLOSURE and measure.closed_by is None
    assert ">销号</button>" not in page_text(client, measure)


def test_another_manager_verifies_only_with_evidence(client, world, measure):
    mark_done(client, measure, world.publicity)
    client.force_login(world.secretary)
    assert ">销号</button>" in page_text(client, measure)
    assert "须先上传佐证材料才能销号" in page_text(client, measure)

    response = close(client, measure, world.secretary)
    assert (
        "未销号：该整改措施还没有佐证材料，须上传佐证材料后才能销号。" in response.content.decode()
    )
    measure.refresh_from_db()
    assert measure.status == S.PENDING_CLOSURE

    add_evidence(measure)
    response = close(client, measure, world.secretary)
    assert "操作成功：整改措施已销号。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == S.CLOSED
    assert measure.closed_by == world.secretary and measure.closed_at is not None
    entry = LogEntry.objects.filter(object_pk=str(measure.pk), additional_data__事件="销号").get()
    assert entry.actor == world.secretary and entry.changes == {"status": ["待销号", "已销号"]}
    body = page_text(client, measure)
    assert ">已销号</span>" in body and "王丽华" in body and ">销号</button>" not in body

    # a repeated click changes nothing; the forms cannot reopen a verified measure
    response = close(client, measure, world.secretary)
    assert "该整改措施此前已销号。" in response.content.decode()
    client.force_login(world.publicity)
    client.post(
        reverse("meetings:measure_edit", args=[measure.pk]),
        {"status": "整改中", "progress_note": "再改", "version": measure.version},
    )
    measure.refresh_from_db()
    assert measure.status == S.CLOSED


def test_an_editor_who_does_not_manage_cannot_verify(client, world, measure):
    Measure.objects.filter(pk=measure.pk).update(responsible_person=None)
    mark_done(client, measure, world.secretary)
    add_evidence(measure)
    client.force_login(world.publicity)
    assert client.post(reverse("meetings:measure_close", args=[measure.pk])).status_code == 403
    client.force_login(world.reader)
    assert client.post(reverse("meetings:measure_close", args=[measure.pk])).status_code == 403


def test_a_reviewer_of_the_branch_can_verify(client, world, measure):
    mark_done(client, measure, world.publicity)
    add_evidence(measure)
    client.force_login(world.reviewer)
    body = page_text(client, measure)
    assert ">销号</button>" in body and ">退回</button>" in body
    response = close(client, measure, world.reviewer)
    assert "操作成功：整改措施已销号。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == S.CLOSED and measure.closed_by == world.reviewer


def test_the_township_reviews_its_villages_measures_the_department_only_reads_them(
    client, world, chain
):
    """A village branch reports to 石桥镇党委: its 书记 verifies the village's
    measures; the county 宣传部 sees them but does not review the village."""
    meeting = MeetingFactory(organisation=chain.village, status=Meeting.Status.CONFIRMED)
    measure = MeasureFactory(finding__meeting=meeting, status=S.PENDING_CLOSURE)
    add_evidence(measure)
    client.force_login(world.reviewer)
    assert ">销号</button>" not in page_text(client, measure)
    assert client.post(reverse("meetings:measure_close", args=[measure.pk])).status_code == 403
    client.force_login(chain.committee_reviewer)
    assert ">销号</button>" in page_text(client, measure)
    close(client, measure, chain.committee_reviewer)
    measure.refresh_from_db()
    assert measure.status == S.CLOSED and measure.closed_by == chain.committee_reviewer


def test_a_reviewer_of_another_committee_gets_404(client, world, measure):
    mark_done(client, measure, world.publicity)
    add_evidence(measure)
    client.force_login(world.other_reviewer)
    for name in ("meetings:measure_close", "meetings:measure_return"):
        response = client.post(reverse(name, args=[measure.pk]), {"reason": "不符合要求"})
        assert response.status_code == 404
    measure.refresh_from_db()
    assert measure.status == S.PENDING_CLOSURE


@pytest.mark.parametrize("name", ["meetings:measure_close", "meetings:measure_return"])
def test_get_on_the_closure_views_is_405(client, world, measure, name):
    client.force_login(world.secretary)
    assert client.get(reverse(name, args=[measure.pk])).status_code == 405


def test_only_a_measure_marked_done_can_be_verified(client, world, measure):
    add_evidence(measure)
    response = close(client, measure, world.secretary)
    assert "未销号：该整改措施尚未标记为已完成，不能销号。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == S.IN_PROGRESS


def test_send_back_needs_a_reason_and_returns_to_in_progress(client, world, measure):
    mark_done(client, measure, world.publicity)
    url = reverse("meetings:measure_return", args=[measure.pk])
    client.force_login(world.secretary)
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "未退回：请填写退回原因。" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == S.PENDING_CLOSURE

    response = client.post(url, {"reason": "佐证材料不能反映整改效果"}, follow=True)
    assert "操作成功：整改措施已退回整改中" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == S.IN_PROGRESS and measure.return_reason == "佐证材料不能反映整改效果"
    assert measure.done_by is None and measure.completed_at is None
    entry = LogEntry.objects.filter(object_pk=str(measure.pk), additional_data__事件="退回").get()
    assert entry.additional_data["退回原因"] == "佐证材料不能反映整改效果"
    assert "退回原因：佐证材料不能反映整改效果" in page_text(client, measure)

    # marked 已完成 again: 待销号 once more, the reason is no longer shown
    mark_done(client, measure, world.publicity)
    assert measure.status == S.PENDING_CLOSURE and measure.return_reason == ""


def test_pending_is_done_by_its_owner_and_never_overdue(world):
    meeting = MeetingFactory(organisation=world.branch)
    pending = MeasureFactory(
        finding__meeting=meeting, deadline=datetime.date(2020, 1, 1), status=S.PENDING_CLOSURE
    )
    assert not pending.is_overdue and pending.display_status == "待销号"
    assert not Measure.objects.overdue().exists()
    current = Measure.objects.with_current_status().get(pk=pending.pk).current_status
    assert current == "待销号"
    progress = Finding.objects.with_progress().get(pk=pending.finding_id).progress
    assert progress == Finding.Progress.DONE
    assert S.PENDING_CLOSURE in statistics.DONE and S.CLOSED in statistics.DONE


def ledger_measures(world):
    meeting = MeetingFactory(organisation=world.branch)
    MeasureFactory(finding__meeting=meeting, content="措施待销号", status=S.PENDING_CLOSURE)
    MeasureFactory(finding__meeting=meeting, content="措施已销号", status=S.CLOSED)
    MeasureFactory(finding__meeting=meeting, content="措施整改中", status=S.IN_PROGRESS)


def test_the_ledger_page_and_its_filter_know_pending_and_closed(client, world):
    ledger_measures(world)
    client.force_login(world.secretary)
    body = client.get(reverse("meetings:measure_ledger")).content.decode()
    assert ">待销号</span>" in body and ">已销号</span>" in body
    assert '<option value="待销号">待销号</option>' in body
    response = client.get(reverse("meetings:measure_ledger"), {"status": "待销号"})
    assert [m.content for m in response.context["page"]] == ["措施待销号"]
    response = client.get(reverse("meetings:measure_ledger"), {"status": "已销号"})
    assert [m.content for m in response.context["page"]] == ["措施已销号"]


def test_the_ledger_xlsx_says_pending_and_closed(client, world):
    ledger_measures(world)
    client.force_login(world.secretary)
    _, payload = export_ledger(client, "measures")
    rows = list(load_workbook(io.BytesIO(payload))["整改台账"].values)[1:]
    assert {row[3]: row[7] for row in rows} == {
        "措施待销号": "待销号",
        "措施已销号": "已销号",
        "措施整改中": "整改中",
    }


def test_the_report_preview_and_docx_ledger_say_pending_and_closed(client, world):
    report = make_report(world)
    finding = report.organisation.findings.get()
    finding.measures.update(status=S.CLOSED)
    MeasureFactory(finding=finding, content="每周检查学习笔记", status=S.PENDING_CLOSURE)
    data = build_report_data(report)
    statuses = [m["status"] for entry in data["ledger"] for m in entry["measures"]]
    assert statuses == ["已销号", "待销号"]
    doc = Document(io.BytesIO(render_docx(data)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "已销号" in cells and "待销号" in cells
    client.force_login(world.secretary)
    body = client.get(reverse("reports:preview", args=[report.pk])).content.decode()
    assert "已销号" in body and "待销号" in body


def test_the_rectification_section_says_how_many_were_verified(world):
    meeting = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 5, 20))
    for content, status in (
        ("更新宣传栏", S.CLOSED),
        ("整理学习记录", S.PENDING_CLOSURE),
        ("明确管理责任人", S.IN_PROGRESS),
    ):
        MeasureFactory(
            finding__meeting=meeting,
            finding__title="宣传栏更新不及时",
            content=content,
            status=status,
            deadline=datetime.date(2030, 1, 1),
        )
    report = make_report(world)
    report_services.report_assemble(report=report, by=world.secretary)
    rect = list(
        report.items.filter(section=ReportItem.Section.RECTIFICATION).values_list("body", flat=True)
    )
    assert rect[0] == (
        "上季度（2026年第二季度）共制定整改措施3项，已完成2项（其中已销号1项、待销号1项）、整改中1项。"
    )
    assert "更新宣传栏（已销号）" in rect[1] and "整理学习记录（待销号）" in rect[1]
