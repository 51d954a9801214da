"""导出台账 through Celery: the export is recorded with the valid filters, built in
the worker in the requester's scope, shown on the ledger page with its status,
and downloaded (or retried) by the requester alone."""

import io
import time

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from meetings import ledgers
from meetings import tasks as meetings_tasks
from meetings.models import Finding, Measure
from reports.models import GeneratedFile

from ..documents import export_ledger
from ..factories import MeasureFactory, MeetingFactory
from ..workers import celery_conf

pytestmark = pytest.mark.django_db
Status = GeneratedFile.Status
UNREACHABLE = "redis://127.0.0.1:1/0"


def findings(world):
    """A high and a low risk finding in each of the committee's two branches."""
    for branch, name in ((world.branch, "学校"), (world.other_branch, "医院")):
        meeting = MeetingFactory(organisation=branch)
        for level in ("高", "低"):
            MeasureFactory(
                finding__meeting=meeting, finding__title=f"{name}{level}", finding__risk_level=level
            )


def titles(payload, sheet="问题台账"):
    return sorted(row[2] for row in list(load_workbook(io.BytesIO(payload))[sheet].values)[1:])


def test_the_worker_renders_the_filtered_rows_in_the_requesters_scope(client, world):
    findings(world)
    client.force_login(world.reviewer)  # the department reads every branch of its committee
    file, payload = export_ledger(client, "findings", {"risk_level": "高"})
    assert titles(payload) == ["医院高", "学校高"]
    assert file.organisation is None and file.requested_by == world.reviewer
    client.force_login(world.secretary)  # a branch secretary: her branch only
    _, payload = export_ledger(client, "findings", {"risk_level": "高"})
    assert titles(payload) == ["学校高"]
    _, payload = export_ledger(client, "measures")
    assert titles(payload, "整改台账") == ["学校低", "学校高"]


def test_the_worker_applies_the_scope_whatever_the_recorded_filters(world):
    """Filters naming another branch (not offered to her, so never recorded by the
    page) still give the secretary nothing of it: the scope is applied in the worker."""
    findings(world)
    file, new = ledgers.record_export(
        kind="findings",
        filters={"organisation": world.other_branch.pk},
        summary="党组织：医院",
        by=world.secretary,
    )
    assert new
    ledgers.render_export(file.pk)
    file.refresh_from_db()
    assert file.status == Status.DONE
    with file.file.open("rb") as handle:
        assert titles(handle.read()) == []


def test_only_valid_filter_values_are_recorded(client, world):
    client.force_login(world.secretary)
    client.post(
        reverse("meetings:ledger_export", args=["measures"]),
        {
            "year": "2026",
            "quarter": "9",  # not a quarter: dropped, the others kept
            "status": "已逾期",
            "organisation": world.other_branch.pk,  # not hers: dropped
            "page": "3",
            "csrfmiddlewaretoken": "x",
        },
    )
    file = GeneratedFile.objects.get()
    assert file.content == {
        "ledger": "measures",
        "filters": {"year": 2026, "status": "已逾期"},
        "summary": "2026年；整改状态：已逾期",
    }
    assert file.version_label == "2026年；整改状态：已逾期"
    row = LogEntry.objects.get(additional_data__事件="导出台账")
    assert row.additional_data["筛选"] == "year=2026&status=%E5%B7%B2%E9%80%BE%E6%9C%9F"


def test_the_page_shows_the_finished_export_at_once_and_keeps_the_filters(client, world):
    findings(world)
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:ledger_export", args=["findings"]), {"risk_level": "高"}, follow=True
    )
    assert response.redirect_chain[-1][0] == (
        reverse("meetings:finding_ledger") + "?risk_level=%E9%AB%98#exports"
    )
    body = response.content.decode()
    file = GeneratedFile.objects.get()
    assert "台账已生成，可在下方下载。" in body
    assert 'data-status="done"' in body and "问题台账.xlsx（风险等级：高）" in body
    assert reverse("reports:file_download", args=[file.pk]) in body
    # the export form carries the filters on screen as hidden fields
    assert '<input type="hidden" name="risk_level" value="高">' in body


def test_a_queued_export_polls_and_a_repeated_click_queues_nothing_more(client, world):
    client.force_login(world.secretary)
    file, _ = ledgers.record_export(
        kind="measures", filters={"year": 2026}, summary="2026年", by=world.secretary
    )
    body = client.get(reverse("meetings:measure_ledger"), {"year": 2026}).content.decode()
    assert 'data-status="queued"' in body and 'hx-trigger="load delay:1s"' in body
    assert reverse("reports:file_status", args=[file.pk]) in body
    response = client.post(
        reverse("meetings:ledger_export", args=["measures"]), {"year": 2026}, follow=True
    )
    assert "相同筛选条件的台账正在导出" in response.content.decode()
    assert GeneratedFile.objects.count() == 1
    # the status block fills in once the worker is done
    ledgers.render_export(file.pk)
    body = client.get(reverse("reports:file_status", args=[file.pk])).content.decode()
    assert "已生成" in body and "hx-trigger" not in body and "下载" in body


@pytest.mark.parametrize("persona", ["publicity", "reader", "reviewer", "outsider", "admin"])
def test_only_the_requester_sees_downloads_or_retries_a_ledger(client, world, persona):
    client.force_login(world.secretary)
    file, _ = export_ledger(client, "findings")
    failed, _ = ledgers.record_export(kind="measures", filters={}, summary="", by=world.secretary)
    GeneratedFile.objects.filter(pk=failed.pk).update(status=Status.FAILED, error="x")
    client.force_login(getattr(world, persona))  # a colleague of the branch, too
    assert client.get(reverse("reports:file_download", args=[file.pk])).status_code == 404
    assert client.get(reverse("reports:file_status", args=[file.pk])).status_code == 404
    assert client.post(reverse("reports:file_retry", args=[failed.pk])).status_code == 404
    assert GeneratedFile.objects.get(pk=failed.pk).status == Status.FAILED
    # nor is it on their ledger page
    body = client.get(reverse("meetings:finding_ledger")).content.decode()
    assert f'id="file-{file.pk}"' not in body


def test_the_requester_retries_a_failed_export(client, world):
    client.force_login(world.secretary)
    file, _ = ledgers.record_export(kind="findings", filters={}, summary="", by=world.secretary)
    GeneratedFile.objects.filter(pk=file.pk).update(status=Status.FAILED, error="生成超时")
    body = client.get(reverse("meetings:finding_ledger")).content.decode()
    assert "生成失败" in body and "生成超时" in body and "重试" in body
    response = client.post(reverse("reports:file_retry", args=[file.pk]))
    assert response.url == reverse("meetings:finding_ledger") + "#exports"
    file.refresh_from_db()
    assert file.status == Status.DONE and file.size > 0


def test_broker_unreachable_answers_fast_with_a_failed_record_and_nothing_else(client, world):
    findings(world)
    before = (
        list(Finding.objects.values_list("pk", "title", "version")),
        list(Measure.objects.values_list("pk", "content", "version")),
    )
    client.force_login(world.secretary)
    with celery_conf(task_always_eager=False, broker_write_url=UNREACHABLE):
        started = time.monotonic()
        response = client.post(
            reverse("meetings:ledger_export", args=["findings"]), {"year": 2026}, follow=True
        )
        elapsed = time.monotonic() - started
    assert elapsed < 8
    body = response.content.decode()
    assert "导出服务暂时无法连接任务队列，台账未能导出" in body
    assert "已开始导出台账" not in body and "台账已生成" not in body
    file = GeneratedFile.objects.get()
    assert file.status == Status.FAILED and "无法连接任务队列" in file.error
    assert 'data-status="failed"' in body and "重试" in body
    assert not file.file
    after = (
        list(Finding.objects.values_list("pk", "title", "version")),
        list(Measure.objects.values_list("pk", "content", "version")),
    )
    assert after == before
    # the broker is back (in-process here): 重试 builds it
    client.post(reverse("reports:file_retry", args=[file.pk]))
    file.refresh_from_db()
    assert file.status == Status.DONE


def test_the_export_is_committed_before_its_task_is_queued(client, world, monkeypatch):
    """A worker reads the record by its id: when the task is sent, the POST holds no
    transaction open around it (the record and its audit row are committed)."""
    from django.db import connection

    sent = []
    monkeypatch.setattr(
        meetings_tasks.task_render_ledger_xlsx,
        "delay",
        lambda **kwargs: sent.append((len(connection.atomic_blocks), kwargs)),
    )
    client.force_login(world.secretary)
    test_blocks = len(connection.atomic_blocks)  # the test's own transaction
    client.post(reverse("meetings:ledger_export", args=["findings"]))
    file = GeneratedFile.objects.get()
    assert sent == [(test_blocks, {"file_id": file.pk})]
    assert LogEntry.objects.filter(additional_data__事件="导出台账").count() == 1


def test_a_name_search_is_recorded_in_words_and_applied_by_the_worker(client, world):
    """党组织名称 and 责任人姓名 are text: the summary shows them as typed (they
    have no choices to name them by; the export used to fail with a 500)."""
    findings(world)
    client.force_login(world.reviewer)
    file, payload = export_ledger(client, "findings", {"org_name": "医院"})
    assert file.content["summary"] == "党组织名称：医院"
    assert titles(payload) == ["医院低", "医院高"]
