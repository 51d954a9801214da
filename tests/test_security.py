"""Production settings, login protection and sessions."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from .production import manage, production_env


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY 未设置" in result.stderr


def test_demo_data_is_refused_in_production():
    result = manage("load_demo", env=production_env())
    assert result.returncode != 0
    assert "生产环境" in result.stderr


pytestmark = pytest.mark.django_db


def login(client, username, password, address="10.0.0.8"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def accounts(settings, world):
    settings.AXES_ENABLED = True
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()
    return world


def test_ten_wrong_passwords_lock_that_username_only(accounts):
    secretary, outsider = accounts.secretary.username, accounts.outsider.username
    office = Client()
    for _ in range(10):
        response = login(office, secretary, "wrong-password")
    assert response.status_code in (200, 429)
    locked = login(office, secretary, "qingshan2026")
    assert locked.status_code == 429
    assert "登录失败次数过多，该账号已暂时锁定" in locked.content.decode()
    # a colleague at the same address is not affected
    assert login(Client(), outsider, "qingshan2026").status_code == 302
    # nor is the same user at another address
    assert login(Client(), secretary, "qingshan2026", address="10.0.0.9").status_code == 302


@pytest.mark.parametrize("hours,text", [(0.5, "30分钟"), (1, "1小时"), (1.5, "1小时30分钟")])
def test_the_lockout_page_says_how_long_in_chinese(accounts, settings, hours, text):
    settings.AXES_COOLOFF_TIME = hours
    client = Client()
    for _ in range(10):
        login(client, accounts.secretary.username, "wrong-password")
    page = login(client, accounts.secretary.username, "qingshan2026").content.decode()
    assert f"请{text}后再试" in page
    assert not re.search(r"PT\d", page)  # not the ISO 8601 duration django-axes passes


def test_nine_wrong_passwords_do_not_lock(accounts):
    client = Client()
    for _ in range(9):
        login(client, accounts.secretary.username, "wrong")
    assert login(client, accounts.secretary.username, "qingshan2026").status_code == 302


def test_password_change_logs_out_every_other_session(world):
    here, elsewhere = Client(), Client()
    here.force_login(world.secretary)
    elsewhere.force_login(world.secretary)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": "qingshan2026",
            "new_password1": "Qingshan-2027-safe",
            "new_password2": "Qingshan-2027-safe",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("meetings:dashboard")).status_code == 200
    assert elsewhere.get(reverse("meetings:dashboard")).status_code == 302


def test_weak_passwords_are_refused(world, client):
    client.force_login(world.secretary)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "qingshan2026",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode()


def test_security_headers(client, world):
    client.force_login(world.secretary)
    response = client.get(reverse("meetings:dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
