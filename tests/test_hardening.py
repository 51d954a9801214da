"""The smaller hardening items of issue #10, one test each."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from meetings.models import Finding, Meeting
from reports.models import GeneratedFile

from .documents import export_ledger
from .factories import FindingFactory, MeetingFactory
from .production import manage, production_env

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["-1", "32768", "99999999999999999999", "1999", "二〇二六", ""])
def test_export_quarter_refuses_impossible_years_with_a_message(client, world, year):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("reports:export_quarter"), {"year": year, "quarter": 3}, follow=True
    )
    assert response.status_code == 200
    assert "请选择正确的年度和季度。" in response.content.decode()


def test_a_ledger_that_does_not_exist_is_a_404_without_an_audit_row(client, world):
    client.force_login(world.secretary)
    before = LogEntry.objects.count()
    response = client.post(reverse("meetings:ledger_export", args=["anything"]), {"x": "y" * 5000})
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert LogEntry.objects.count() == before


def test_a_ledger_export_records_its_filters_bounded(client, world):
    client.force_login(world.secretary)
    # only the form's own, valid values are recorded: nothing of an unknown or bad one
    client.post(
        reverse("meetings:ledger_export", args=["findings"]),
        {"q": "y" * 5000, "risk_level": "y" * 5000, "year": "2026"},
    )
    row = LogEntry.objects.filter(additional_data__事件="导出台账").get()
    assert row.additional_data["筛选"] == "year=2026"
    assert GeneratedFile.objects.get().content["filters"] == {"year": 2026}


def test_healthz_answers_plain_http_under_the_production_defaults(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert client.get("/accounts/login/").status_code == 301  # everything else goes to https


def test_production_allowed_hosts_have_no_testserver():
    env = production_env()
    del env["ALLOWED_HOSTS"]
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.ALLOWED_HOSTS)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['127.0.0.1', 'localhost']"


def test_signed_in_pages_and_downloads_are_not_cached(client, world):
    assert "private" not in client.get("/healthz/").get("Cache-Control", "")  # anonymous
    client.force_login(world.secretary)
    export_ledger(client, "findings")  # then a generated file's download
    for url in (
        reverse("meetings:dashboard"),
        reverse("reports:file_download", args=[GeneratedFile.objects.get().pk]),
    ):
        response = client.get(url)
        cache = response["Cache-Control"]
        if response.streaming:  # a download streams from a temporary file: read it to the end
            b"".join(response.streaming_content)
        assert "private" in cache and "no-store" in cache, url


def test_an_edit_without_its_version_is_refused_and_keeps_the_input(client, world):
    finding = FindingFactory(meeting=MeetingFactory(organisation=world.branch))
    client.force_login(world.secretary)
    data = {
        "finding_type": "存在问题",
        "category": finding.category_id,
        "title": "没有版本号的修改",
        "risk_level": "中",
        "source": "研判会议",
    }
    response = client.post(reverse("meetings:finding_edit", args=[finding.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "页面已过期或不完整" in page and "没有版本号的修改" in page
    assert Finding.objects.get(pk=finding.pk).title != "没有版本号的修改"
    data["version"] = finding.version
    assert client.post(reverse("meetings:finding_edit", args=[finding.pk]), data).status_code == 302


def test_a_meeting_with_eight_fields_at_the_text_limit_is_saved(client, world, settings):
    client.force_login(world.secretary)
    full = "研" * settings.TEXT_MAX_LENGTH
    fields = ["absentees", "attending_scope", "study_content", "briefings", "statements"]
    fields += ["judgement_detail", "requirements", "concluding_speech"]
    response = client.post(
        reverse("meetings:create"),
        {
            "title": "2026年第三季度意识形态分析研判会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
            **dict.fromkeys(fields, full),
        },
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert len(Meeting.objects.get().concluding_speech) == settings.TEXT_MAX_LENGTH


def test_a_form_over_the_size_cap_gets_a_page_that_says_the_input_is_kept(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(world.secretary)
    client.raise_request_exception = False
    response = client.post(reverse("meetings:create"), {"study_content": "研" * 2000})
    page = response.content.decode()
    assert response.status_code == 400
    assert "提交的内容过大" in page and "后退" in page
    assert not Meeting.objects.exists()


def test_error_pages_are_in_chinese(client, world):
    client.force_login(world.outsider)
    meeting = MeetingFactory(organisation=world.branch)
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    client.force_login(world.reviewer)
    page = client.get(reverse("meetings:create"))
    assert page.status_code == 403 and "没有权限" in page.content.decode()
