"""The audit trail's address is the one the request really came from
(REMOTE_ADDR, or PROXY_COUNT trusted hops of X-Forwarded-For), validated; a
forged or garbage header changes nothing and breaks nothing."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.test import Client, RequestFactory
from django.urls import reverse

from ideology_review.lib.client import client_address, login_username
from meetings.models import Finding, Measure, Meeting
from reports.models import QuarterlyReport

from .factories import MeasureFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("hops", "header", "remote", "expected"),
    [
        (0, "10.66.66.66", "127.0.0.1", "127.0.0.1"),
        (0, "", "127.0.0.1", "127.0.0.1"),
        (1, "10.66.66.66, 203.0.113.5", "127.0.0.1", "203.0.113.5"),
        (1, "203.0.113.5", "127.0.0.1", "203.0.113.5"),
        (2, "10.66.66.66, 203.0.113.5, 10.0.0.2", "127.0.0.1", "203.0.113.5"),
        (1, "not-an-ip<b>", "127.0.0.1", "127.0.0.1"),
        (1, "unknown", "127.0.0.1", "127.0.0.1"),
        (1, "203.0.113.5:51234", "127.0.0.1", "203.0.113.5"),
        (1, "[2001:db8::1]:443", "127.0.0.1", "2001:db8::1"),
        (2, "203.0.113.5", "127.0.0.1", "127.0.0.1"),  # fewer hops than configured
        (0, "", "garbage", ""),
    ],
)
def test_client_address(settings, hops, header, remote, expected):
    settings.PROXY_COUNT = hops
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR=remote)
    assert client_address(request) == expected


def test_usernames_are_cut_before_axes_sees_them():
    request = RequestFactory().post("/accounts/login/", {"username": "a" * 300})
    assert login_username(request, {"username": "a" * 300}) == "a" * 150


def audited_writes(client, world, header):
    """Every kind of audited write, each with the given X-Forwarded-For; their audit rows."""
    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    headers = {"HTTP_X_FORWARDED_FOR": header}
    client.post(
        reverse("login"),
        {"username": world.secretary.username, "password": "qingshan2026"},
        **headers,
    )
    response = client.post(
        reverse("meetings:create"),
        {
            "title": "2026年第三季度意识形态分析研判会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
            "judgement": "主流是好的",
        },
        **headers,
    )
    assert response.status_code == 302, response.content.decode()[:500]
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "存在问题",
            "category": world.category.pk,
            "title": "个别党员学习缺乏热情",
            "risk_level": "中",
            "source": "研判会议",
            "include_in_report": "on",
        },
        **headers,
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    response = client.post(
        reverse("meetings:measure_create", args=[finding.pk]),
        {
            "content": "每月集中学习1次",
            "responsible_person": world.secretary.person_record.pk,
            "deadline": "2026-12-31",
            "status": "整改中",
        },
        **headers,
    )
    assert response.status_code == 302
    assert Measure.objects.exists()
    response = client.post(reverse("meetings:confirm", args=[meeting.pk]), **headers)
    assert response.status_code == 302
    response = client.post(
        reverse("reports:create"), {"year": 2026, "quarter": 3}, follow=True, **headers
    )
    assert response.status_code == 200
    report = QuarterlyReport.objects.get()
    client.post(reverse("reports:assemble", args=[report.pk]), **headers)
    client.post(reverse("reports:submit", args=[report.pk]), {"accept_warnings": "on"}, **headers)
    assert QuarterlyReport.objects.get().status == "submitted"  # a transition, audited
    return LogEntry.objects.filter(pk__gt=before)


@pytest.fixture
def category(world):
    from meetings.models import FindingCategory

    world.category = FindingCategory.objects.order_by("order").first()
    return world


@pytest.mark.parametrize("header", ["10.66.66.66", "not-an-ip<b>", "unknown"])
def test_a_forged_header_is_not_believed_on_any_audited_write(settings, category, header):
    settings.PROXY_COUNT = 0
    rows = audited_writes(Client(), category, header)
    events = {row.additional_data.get("事件") if row.additional_data else None for row in rows}
    assert {"登录成功", "确认会议记录", "一键汇总", "提交审核"} <= events
    assert {row.content_type.model for row in rows} >= {"meeting", "finding", "measure", "user"}
    assert {row.remote_addr for row in rows} == {"127.0.0.1"}


def test_behind_one_proxy_the_hop_is_used(settings, category):
    settings.PROXY_COUNT = 1
    rows = audited_writes(Client(), category, "10.66.66.66, 203.0.113.5")
    assert {row.remote_addr for row in rows} == {"203.0.113.5"}


def test_garbage_behind_a_proxy_falls_back_to_the_proxy_address(settings, category):
    settings.PROXY_COUNT = 1
    rows = audited_writes(Client(), category, "not-an-ip<b>")
    assert {row.remote_addr for row in rows} == {"127.0.0.1"}


def test_through_a_proxy_only_the_attackers_real_address_is_locked(settings, world):
    """Ten failures, each with another forged address, through the one proxy:
    django-axes locks the attacker's address, not the account for everybody."""
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.PROXY_COUNT = 1
    AccessAttempt.objects.all().delete()
    username = world.secretary.username

    def login(password, forwarded):
        return Client().post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(10):
        login("wrong-password", f"10.0.{n}.1, 198.51.100.66")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    assert login("qingshan2026", "10.9.9.9, 198.51.100.66").status_code == 429
    assert login("qingshan2026", "198.51.100.66, 203.0.113.20").status_code == 302


def test_anonymous_failures_with_made_up_names_are_logged_only_so_often(world):
    for n in range(40):
        Client().post(reverse("login"), {"username": f"nobody-{n}", "password": "x"})
    failures = LogEntry.objects.filter(additional_data__事件="登录失败")
    assert failures.count() == 20
    # a real account's failure is always logged
    Client().post(reverse("login"), {"username": world.secretary.username, "password": "x"})
    assert failures.count() == 21


def test_a_username_of_300_characters_is_a_normal_failed_login(settings, world):
    settings.AXES_ENABLED = True
    response = Client().post(reverse("login"), {"username": "名" * 300, "password": "x"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_a_change_and_its_audit_row_commit_together(settings, category, monkeypatch):
    """If the audit row cannot be written, the change is not kept either."""
    client = Client()
    client.force_login(category.secretary)
    meeting = MeetingFactory(organisation=category.branch, date=datetime.date(2026, 9, 24))
    MeasureFactory(finding__meeting=meeting)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("meetings.views.audit.record", broken)
    client.raise_request_exception = False
    response = client.post(reverse("meetings:confirm", args=[meeting.pk]))
    assert response.status_code == 500
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT  # rolled back with the audit row
