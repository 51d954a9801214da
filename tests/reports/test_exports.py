import io
import time
import uuid
import zipfile
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports import exports, files, rendering, services
from reports.docx import render_docx
from reports.models import GeneratedFile, QuarterlyReport, ReportSubmission

from ..documents import export_ledger, pdf_pages, sample_report_data
from ..factories import (
    GeneratedFileFactory,
    OrganisationFactory,
    QuarterlyReportFactory,
    make_report,
)
from ..workers import celery_conf, require_broker, start_worker, stop_worker

pytestmark = pytest.mark.django_db
Status = GeneratedFile.Status


def approved(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    services.report_approve(report=report, by=world.reviewer)
    return report


def test_export_docx_renders_and_offers_download(client, world):
    report = approved(world)
    client.force_login(world.reviewer)
    response = client.post(reverse("reports:export_docx", args=[report.pk]), follow=True)
    body = response.content.decode()
    assert "已生成" in body and "下载" in body
    file = GeneratedFile.objects.get()
    assert file.status == Status.DONE and file.version_label == "第1次提交"
    assert file.submission == report.submissions.get()
    assert len(file.sha256) == 64 and file.size > 10_000
    download = client.get(reverse("reports:file_download", args=[file.pk]))
    payload = b"".join(download.streaming_content)
    download.close()
    # an attachment under the report's own name (RFC 6266: non-ASCII in filename*)
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == (
        f"{report.organisation.short_name}2026年第三季度分析研判报告.docx"
    )
    doc = Document(io.BytesIO(payload))
    assert doc.paragraphs[0].text == report.title


def test_the_same_version_is_never_rendered_twice(client, world):
    report = approved(world)
    first = exports.request_report_docx(report=report, by=world.reviewer)
    second = exports.request_report_docx(report=report, by=world.secretary)
    assert first.pk == second.pk
    assert GeneratedFile.objects.count() == 1


def test_a_submitted_report_renders_its_frozen_content(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    # the live items change after submission (e.g. directly in the database)
    report.items.filter(section="problems").update(body="提交后才出现的内容")
    file = exports.request_report_docx(report=report, by=world.secretary)
    file.refresh_from_db()
    with file.file.open("rb") as handle:
        text = "\n".join(p.text for p in Document(handle).paragraphs)
    assert "提交后才出现的内容" not in text
    assert "部分青年教师对理论学习重视不够。" in text


def test_status_partial_polls_until_done(client, world):
    report = make_report(world)
    file = GeneratedFileFactory(
        report=report,
        content={"data": sample_report_data(), "layout": {}},
        content_key="k",
        filename="a.docx",
    )
    client.force_login(world.secretary)
    body = client.get(reverse("reports:file_status", args=[file.pk])).content.decode()
    assert "排队中" in body and 'hx-trigger="load delay:1s"' in body
    rendering.render_file(file.pk)
    body = client.get(reverse("reports:file_status", args=[file.pk])).content.decode()
    assert "已生成" in body and "hx-trigger" not in body and "下载" in body


def test_a_failed_render_shows_the_reason_and_can_be_retried(client, world, monkeypatch):
    report = make_report(world)

    def broken(*args, **kwargs):
        raise ValueError("模板损坏")

    monkeypatch.setattr(rendering, "render_docx", broken)
    file = exports.request_report_docx(report=report, by=world.secretary)
    file.refresh_from_db()
    assert file.status == Status.FAILED and "模板损坏" in file.error
    client.force_login(world.secretary)
    body = client.get(reverse("reports:file_status", args=[file.pk])).content.decode()
    assert "生成失败" in body and "重试" in body
    monkeypatch.setattr(rendering, "render_docx", render_docx)
    client.post(reverse("reports:file_retry", args=[file.pk]))
    file.refresh_from_db()
    assert file.status == Status.DONE


def test_downloads_are_scoped(client, world):
    report = approved(world)
    file = exports.request_report_docx(report=report, by=world.secretary)
    url = reverse("reports:file_download", args=[file.pk])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.other_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(world.secretary)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_broker_unreachable_answers_fast_and_loses_nothing(client, world):
    report = make_report(world)
    before = list(report.items.values_list("pk", "body"))
    client.force_login(world.secretary)
    # (CELERY_BROKER_URL in the environment outranks conf.broker_url; publishing
    # goes through broker_write_url.)
    with celery_conf(task_always_eager=False, broker_write_url="redis://127.0.0.1:1/0"):
        started = time.monotonic()
        response = client.post(reverse("reports:export_docx", args=[report.pk]), follow=True)
        elapsed = time.monotonic() - started
    assert elapsed < 8
    assert "导出服务暂时无法连接任务队列" in response.content.decode()
    assert list(report.items.values_list("pk", "body")) == before
    assert QuarterlyReport.objects.get().status == "draft"
    assert GeneratedFile.objects.get().status == Status.FAILED


def test_quarter_bundle_has_every_approved_report_and_the_summary(
    client, world, django_capture_on_commit_callbacks
):
    report = approved(world)
    client.force_login(world.reviewer)
    # the last member's render queues the ZIP step once its transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export_quarter"), {"year": 2026, "quarter": 3}, follow=True
        )
    assert "导出本季度报告" in response.content.decode()
    bundle = GeneratedFile.objects.get(kind=GeneratedFile.Kind.BUNDLE)
    assert bundle.status == Status.DONE, bundle.error
    with bundle.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        summary = Document(io.BytesIO(archive.read("2026年第三季度汇总.docx")))
        member = Document(io.BytesIO(archive.read(f"{report.organisation.name}.docx")))
        # each report's DOCX stored as it is (a ZIP already), the 汇总 deflated
        stored = archive.getinfo(f"{report.organisation.name}.docx").compress_type
        assert stored == zipfile.ZIP_STORED
    assert sorted(names) == sorted([f"{report.organisation.name}.docx", "2026年第三季度汇总.docx"])
    assert member.paragraphs[0].text == report.title
    text = "\n".join(p.text for p in summary.paragraphs)
    assert "关于2026年第三季度意识形态分析研判报告报送情况的汇总" in text
    assert "已提交1个" in text
    assert summary.tables[0].cell(1, 1).text == "已通过"
    # the same quarter again: the existing bundle, not a new one
    client.post(reverse("reports:export_quarter"), {"year": 2026, "quarter": 3})
    assert GeneratedFile.objects.filter(kind=GeneratedFile.Kind.BUNDLE).count() == 1


def test_bundle_members_are_made_a_batch_at_a_time(world, monkeypatch):
    """The bundle's fan-out makes its members' records a batch at a time, in the
    same few queries whatever the batch's size, with report_file's outcome: the
    latest round's frozen content, a done file of the same content reused, a
    queued one adopted by the bundle."""
    monkeypatch.setattr(files, "BATCH", 2)
    reports = []
    for i in range(5):
        org = OrganisationFactory(parent=world.committee, must_report=True)
        report = QuarterlyReportFactory(organisation=org, status=QuarterlyReport.Status.APPROVED)
        for round_ in (1, 2):
            ReportSubmission.objects.create(
                report=report, round=round_, content={"title": f"{i}第{round_}轮"}
            )
        reports.append(report)
    done, _ = files.report_file(reports[0], world.reviewer)
    GeneratedFile.objects.filter(pk=done.pk).update(status=Status.DONE)
    queued, _ = files.report_file(reports[1], world.reviewer)
    bundle = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.BUNDLE, organisation=world.department, filename="包.zip"
    )
    with CaptureQueriesContext(connection) as queries:
        pending = files.bundle_files([r.pk for r in reports], world.reviewer, bundle=bundle)
    # 3 batches of at most 5 queries: reports, submissions, existing files, adopt, insert
    assert len(queries) <= 3 * 5
    new = GeneratedFile.objects.filter(kind=GeneratedFile.Kind.REPORT).exclude(
        pk__in=[done.pk, queued.pk]
    )
    assert sorted(pending) == sorted([queued.pk, *new.values_list("pk", flat=True)])
    assert {f.report_id for f in new} == {r.pk for r in reports[2:]}
    for f in new:
        index = reports.index(f.report)
        assert f.content["data"]["title"] == f"{index}第2轮"
        assert f.submission.round == 2 and f.version_label == "第2次提交"
        assert f.bundle == bundle and f.status == Status.QUEUED
        assert files.report_file(f.report, world.reviewer) == (f, False)  # the same key
    assert GeneratedFile.objects.get(pk=queued.pk).bundle == bundle
    assert GeneratedFile.objects.get(pk=done.pk).bundle is None


@pytest.mark.parametrize("persona", ["secretary", "outsider"])
def test_only_reviewers_export_a_quarter(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("reports:export_quarter"), {"year": 2026, "quarter": 3})
    assert response.status_code == 403
    assert not GeneratedFile.objects.exists()


def test_ledger_xlsx_has_the_filtered_rows(client, world):
    make_report(world)
    from ..factories import MeasureFactory

    MeasureFactory(
        finding__meeting__organisation=world.branch,
        finding__title="高风险问题",
        finding__risk_level="高",
    )
    client.force_login(world.secretary)
    file, payload = export_ledger(client, "findings", {"risk_level": "高"})
    assert file.content["filters"] == {"risk_level": "高"} and file.version_label == "风险等级：高"
    rows = list(load_workbook(io.BytesIO(payload))["问题台账"].values)
    assert rows[0][:3] == ("季度", "党组织", "问题概述")
    assert [r[2] for r in rows[1:]] == ["高风险问题"]
    file, payload = export_ledger(client, "measures")
    assert file.filename == "整改台账.xlsx" and file.version_label == "全部记录"
    rows = list(load_workbook(io.BytesIO(payload))["整改台账"].values)
    assert len(rows) == 3 and rows[0][3] == "整改措施"


def test_libreoffice_converts_with_22_lines_a_page(soffice, tmp_path):
    """28.95 pt exact spacing in a 225 mm type area: a full page holds 22 lines."""
    lines = [{"marker": "", "heading": "", "text": f"第{i}行短句。"} for i in range(1, 51)]
    data = sample_report_data(
        opening=lines, parts=[], closing=[], ledger=sample_report_data()["ledger"]
    )
    text = pdf_pages(soffice, tmp_path, render_docx(data))
    page2 = text[1]
    body_lines = [line for line in page2 if "行短句" in line]
    assert len(body_lines) == 22
    assert page2[-1].replace(" ", "") == "—2—"
    # title, 50 lines and the signature on 3 pages, the 附件 ledger on the 4th
    assert len(text) == 4
    assert text[3][0].strip().startswith("附件")


# --------------------------------------------------------------------------
# A real worker process (runs whenever a broker is configured: always in CI)
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
def test_a_real_worker_renders_the_report(worker, world):
    queue, process, log = worker
    report = approved(world)
    with celery_conf(task_default_queue=queue, task_always_eager=False):
        file = exports.request_report_docx(report=report, by=world.reviewer)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        file.refresh_from_db()
        if file.status in (Status.DONE, Status.FAILED):
            break
        assert process.poll() is None, log.read_text()
        time.sleep(0.3)
    assert file.status == Status.DONE, (file.error, log.read_text())
    with file.file.open("rb") as handle:
        assert Document(handle).paragraphs[0].text == report.title
    assert "reports.render_report_docx" in log.read_text()  # it ran in the worker


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_a_ledger_export(worker, world, client):
    """导出台账 through the page: the record is committed, the worker builds the XLSX
    in the requester's scope, the page shows it done and the requester downloads it."""
    from ..factories import MeasureFactory

    queue, process, log = worker
    MeasureFactory(finding__meeting__organisation=world.branch, finding__title="本支部的问题")
    MeasureFactory(finding__meeting__organisation=world.other_branch, finding__title="医院的问题")
    client.force_login(world.secretary)
    with celery_conf(task_default_queue=queue, task_always_eager=False):
        response = client.post(reverse("meetings:ledger_export", args=["findings"]), follow=True)
    assert "已开始导出台账，完成后可在下方下载。" in response.content.decode()
    file = GeneratedFile.objects.get(kind=GeneratedFile.Kind.LEDGER)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        file.refresh_from_db()
        if file.status in (Status.DONE, Status.FAILED):
            break
        assert process.poll() is None, log.read_text()
        time.sleep(0.3)
    assert file.status == Status.DONE, (file.error, log.read_text())
    assert "meetings.render_ledger_xlsx" in log.read_text()  # it ran in the worker
    body = client.get(reverse("meetings:finding_ledger")).content.decode()
    assert f'id="file-{file.pk}"' in body and 'data-status="done"' in body
    download = client.get(reverse("reports:file_download", args=[file.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content)))["问题台账"].values)
    assert [r[2] for r in rows[1:]] == ["本支部的问题"]
