"""The two floors of make bench-web: /healthz/ and the minimal signed-in page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_signed_in_floor_is_base_html_with_one_query_of_its_own(client, world):
    client.force_login(world.secretary)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("healthz_session"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["health/session.html", "base.html"]
    page = response.content.decode()
    assert "运行状态" in page and "数据库：正常" in page and "退出登录" in page  # the menu
    assert world.secretary.person.name in page
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert statements.count("SELECT 1") == 1
    # besides: the session read and written, its user, the menu's scope, 通知 count and name
    assert len(statements) == 7, statements
    assert "private" in response["Cache-Control"]


def test_the_signed_in_floor_sends_anyone_else_to_the_login_page(client):
    response = client.get(reverse("healthz_session"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
