"""导出DOCX in the browser: the status updates without a reload, then 下载 gives the file."""

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from reports import rendering, services
from reports.models import GeneratedFile

from ..factories import GeneratedFileFactory, make_report
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reviewer_exports_an_approved_report(page, live_server, world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    services.report_approve(report=report, by=world.reviewer)
    # A file waiting for a worker: the page must pick up its progress by itself.
    waiting = GeneratedFileFactory(
        report=report,
        content={"data": report.submissions.get().content, "layout": {}},
        content_key="x",
        filename="等待中的报告.docx",
        requested_by=world.reviewer,
    )
    login(page, live_server, world.reviewer)
    page.goto(live_server.url + report.get_absolute_url())
    status = page.locator(f"#file-{waiting.pk}")
    expect(status.get_by_text("排队中")).to_be_visible()
    rendering.render_file(waiting.pk)  # what the worker does
    expect(status.get_by_text("已生成")).to_be_visible(timeout=10_000)
    expect(status.get_by_role("link", name="下载")).to_be_visible()

    # 导出DOCX of the approved version (tasks run in-process in tests)
    page.get_by_role("button", name="导出DOCX").click()
    expect(page.get_by_text(re.compile("已开始生成DOCX|该版本的DOCX已生成"))).to_be_visible()
    newest = page.locator(".file-status").first
    expect(newest.get_by_text("已生成")).to_be_visible()
    with page.expect_download() as download_info:
        newest.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename.endswith("分析研判报告.docx")
    with open(download.path(), "rb") as handle:
        assert Document(io.BytesIO(handle.read())).paragraphs[0].text == report.title
    assert GeneratedFile.objects.filter(status="done").count() >= 1
