"""Faults: the broker goes away and comes back, a worker dies mid-render, the
database connection drops between requests."""

import os
import signal
import time
import uuid
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.urls import reverse
from docx import Document

from reports.models import GeneratedFile

from .documents import sample_report_data
from .factories import GeneratedFileFactory, make_report
from .workers import celery_conf, require_broker, start_worker, stop_worker

Status = GeneratedFile.Status


@pytest.mark.django_db
def test_broker_down_then_back(client, world):
    report = make_report(world)
    client.force_login(world.secretary)
    with celery_conf(task_always_eager=False, broker_write_url="redis://127.0.0.1:1/0"):
        down = client.post(reverse("reports:export_docx", args=[report.pk]), follow=True)
    assert "导出服务暂时无法连接任务队列" in down.content.decode()
    failed = GeneratedFile.objects.get()
    assert failed.status == Status.FAILED
    # the broker is back (tasks run in-process here): 重试 renders it
    client.post(reverse("reports:file_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == Status.DONE and failed.size > 0
    with failed.file.open("rb") as handle:
        assert Document(handle).paragraphs[0].text == report.title


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_render_is_replaced_and_the_file_completes_once(world):
    require_broker()
    report = make_report(world)
    big = sample_report_data(
        ledger=[
            {
                "index": i,
                "finding": f"问题{i}",
                "measures": [
                    {
                        "content": "措施" * 30,
                        "person": "张敏",
                        "deadline": "2026年12月31日",
                        "status": "整改中",
                    }
                ]
                * 3,
            }
            for i in range(1, 1500)
        ]
    )
    file = GeneratedFileFactory(
        report=report,
        content={"data": big, "layout": {}},
        content_key="big",
        filename="大报告.docx",
    )
    queue = f"ideology-fault-{uuid.uuid4().hex[:8]}"
    visibility = {"CELERY_VISIBILITY_TIMEOUT": "4"}
    first = start_worker(queue, name="first", env=visibility)
    second = None
    try:
        time.sleep(3)
        with celery_conf(
            task_default_queue=queue,
            task_always_eager=False,
            broker_transport_options={"visibility_timeout": 4},
        ):
            from reports.tasks import task_render_report_docx

            task_render_report_docx.delay(file_id=file.pk)
        _wait_for(
            lambda: GeneratedFile.objects.get(pk=file.pk).status == Status.RUNNING,
            60,
            "the first worker to start rendering",
        )
        os.kill(first.pid, signal.SIGKILL)  # dies mid-render, the task unacknowledged
        first.wait(timeout=10)
        assert GeneratedFile.objects.get(pk=file.pk).status == Status.RUNNING
        # Redis hands an unacknowledged task to a consumer that starts polling
        # after its visibility timeout: replace the dead worker after that.
        time.sleep(5)
        second = start_worker(queue, name="second", env=visibility)
        _wait_for(
            lambda: GeneratedFile.objects.get(pk=file.pk).status == Status.DONE,
            120,
            "the task to be delivered again and finish",
        )
    finally:
        for process in (first, second):
            if process:
                stop_worker(process)
    done = GeneratedFile.objects.get(pk=file.pk)
    assert done.status == Status.DONE and len(done.sha256) == 64
    assert GeneratedFile.objects.filter(report=report).count() == 1
    with done.file.open("rb") as handle:
        assert len(Document(handle).tables[0].rows) > 1500


def _wsgi_get(path):
    """One request through Django's real WSGI handler (request_started and
    request_finished included, unlike the test client), in this thread."""
    environ = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, REQUEST_METHOD="GET", SERVER_NAME="testserver")
    status = []
    body = WSGIHandler()(environ, lambda s, headers: status.append(s))
    try:
        return status[0], b"".join(body)
    finally:
        body.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dropped_database_connection_does_not_fail_the_next_request():
    """The kept connection is killed between two requests; the next request
    gets a new one. (With psycopg2 Django's request-start checks already see a
    killed backend; CONN_HEALTH_CHECKS also covers connections that die
    silently, which this test cannot produce.)"""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI 应在 PostgreSQL 上运行该测试。")
        pytest.skip("断开数据库连接的测试需要 PostgreSQL（DATABASE_URL）。")
    assert django_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert django_settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # connections are kept
    ok = ("200 OK", b'{"status": "ok", "database": "ok"}')
    assert _wsgi_get("/healthz/") == ok
    pid = connection.connection.info.backend_pid  # the connection kept after the request
    # Another session kills it, as a database restart or an idle timeout would.
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    assert _wsgi_get("/healthz/") == ok
    assert connection.connection.info.backend_pid != pid  # reconnected for that request
