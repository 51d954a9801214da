"""A worker reads a generated file's record by its id: every view that queues
one commits the record first (no request transaction is open when the task is
sent), or a fast worker would find nothing and the file stay 排队中 forever."""

import pytest
from django.db import connection
from django.urls import reverse

from reports import services, tasks
from reports.models import GeneratedFile

from ..factories import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    for task in (tasks.task_render_report_docx, tasks.task_build_quarter_bundle):
        monkeypatch.setattr(
            task,
            "delay",
            lambda _name=task.name, **kwargs: calls.append(
                (_name, len(connection.atomic_blocks), kwargs)
            ),
        )
    return calls


def test_export_docx_commits_before_it_queues(client, world, sent):
    report = make_report(world)
    client.force_login(world.secretary)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    client.post(reverse("reports:export_docx", args=[report.pk]))
    file = GeneratedFile.objects.get()
    assert sent == [(tasks.task_render_report_docx.name, outside, {"file_id": file.pk})]


def test_retry_commits_before_it_queues(client, world, sent):
    report = make_report(world)
    client.force_login(world.secretary)
    client.post(reverse("reports:export_docx", args=[report.pk]))
    file = GeneratedFile.objects.get()
    GeneratedFile.objects.filter(pk=file.pk).update(status=GeneratedFile.Status.FAILED)
    sent.clear()
    outside = len(connection.atomic_blocks)
    client.post(reverse("reports:file_retry", args=[file.pk]))
    assert sent == [(tasks.task_render_report_docx.name, outside, {"file_id": file.pk})]


def test_export_quarter_commits_before_it_queues(client, world, sent):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    services.report_approve(report=report, by=world.reviewer)
    client.force_login(world.reviewer)
    outside = len(connection.atomic_blocks)
    client.post(reverse("reports:export_quarter"), {"year": 2026, "quarter": 3})
    assert sent, "nothing was queued"
    assert {depth for _, depth, _ in sent} == {outside}
