"""Who may see and change meetings, findings and measures.

Each object view is tried as: anonymous (login redirect), the branch's own
secretary (allowed), another branch's secretary (404, the object does not
exist for them), a reviewer of the committee (reads, never writes: 403) and
a reviewer of another committee (404).
"""

import pytest
from django.urls import reverse

from meetings.models import Finding, Measure, Meeting

from ..factories import MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    measure = MeasureFactory(
        finding__meeting__organisation=world.branch,
        finding__meeting__title="学校第三季度研判会议",
    )
    return measure.finding.meeting, measure.finding, measure


READ_VIEWS = [
    ("meetings:detail", "meeting"),
    ("meetings:finding_detail", "finding"),
]
WRITE_FORM_VIEWS = [  # GET shows a form, POST changes
    ("meetings:edit", "meeting"),
    ("meetings:finding_create", "meeting"),
    ("meetings:finding_edit", "finding"),
    ("meetings:measure_create", "finding"),
    ("meetings:measure_edit", "measure"),
]
POST_ONLY_VIEWS = [
    ("meetings:delete", "meeting"),
    ("meetings:confirm", "meeting"),
    ("meetings:attachment_upload", "meeting"),
    ("meetings:finding_delete", "finding"),
    ("meetings:measure_delete", "measure"),
    ("meetings:evidence_upload", "measure"),
]


def url_for(name, kind, records):
    meeting, finding, measure = records
    obj = {"meeting": meeting, "finding": finding, "measure": measure}[kind]
    return reverse(name, args=[obj.pk])


@pytest.mark.parametrize(
    "name,kind", READ_VIEWS + WRITE_FORM_VIEWS + POST_ONLY_VIEWS, ids=lambda v: str(v)
)
def test_anonymous_is_sent_to_login(client, records, name, kind):
    url = url_for(name, kind, records)
    response = client.post(url) if (name, kind) in POST_ONLY_VIEWS else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    [
        "meetings:dashboard",
        "meetings:list",
        "meetings:create",
        "meetings:finding_ledger",
        "meetings:measure_ledger",
        "meetings:finding_create_standalone",
    ],
)
def test_anonymous_is_sent_to_login_from_every_page(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_speaks_chinese(client, db):
    body = client.get(reverse("login")).content.decode()
    assert '<label for="id_username"' in body and "用户名" in body and "密码" in body


@pytest.mark.parametrize("name,kind", READ_VIEWS + WRITE_FORM_VIEWS)
def test_own_secretary_can_open(client, world, records, name, kind):
    client.force_login(world.secretary)
    assert client.get(url_for(name, kind, records)).status_code == 200


@pytest.mark.parametrize("name,kind", READ_VIEWS + WRITE_FORM_VIEWS + POST_ONLY_VIEWS)
@pytest.mark.parametrize("persona", ["outsider", "other_reviewer"])
def test_other_organisations_get_404(client, world, records, name, kind, persona):
    client.force_login(getattr(world, persona))
    url = url_for(name, kind, records)
    assert client.get(url).status_code in (404, 405)
    # read-only views take no POST at all; the others find no such object
    assert client.post(url).status_code == (405 if (name, kind) in READ_VIEWS else 404)


@pytest.mark.parametrize("name,kind", READ_VIEWS)
def test_reviewer_reads_branch_records(client, world, records, name, kind):
    client.force_login(world.reviewer)
    assert client.get(url_for(name, kind, records)).status_code == 200


@pytest.mark.parametrize("name,kind", WRITE_FORM_VIEWS + POST_ONLY_VIEWS)
@pytest.mark.parametrize("persona", ["reviewer", "reader"])
def test_read_only_users_cannot_change(client, world, records, name, kind, persona):
    client.force_login(getattr(world, persona))
    response = client.post(url_for(name, kind, records), {"title": "改掉", "content": "改掉"})
    assert response.status_code == 403
    meeting, finding, measure = records
    assert Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.DRAFT).exists()
    assert Finding.objects.get(pk=finding.pk).title == finding.title
    assert Measure.objects.get(pk=measure.pk).content == measure.content


@pytest.mark.parametrize("name,kind", POST_ONLY_VIEWS)
def test_state_changes_refuse_get(client, world, records, name, kind):
    client.force_login(world.secretary)
    assert client.get(url_for(name, kind, records)).status_code == 405


def test_publicity_member_edits_but_cannot_confirm(client, world, records):
    meeting, finding, _ = records
    client.force_login(world.publicity)
    response = client.post(
        reverse("meetings:finding_edit", args=[finding.pk]),
        {
            "finding_type": "存在问题",
            "category": finding.category_id,
            "title": "宣传委员改过的标题",
            "risk_level": "中",
            "source": "研判会议",
            "version": finding.version,
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).title == "宣传委员改过的标题"
    assert client.post(reverse("meetings:confirm", args=[meeting.pk])).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT


def test_guessing_ids_reveals_nothing_in_lists(client, world, records):
    """Lists and ledgers of another branch's secretary never show our records."""
    meeting, finding, measure = records
    client.force_login(world.outsider)
    for name in (
        "meetings:list",
        "meetings:finding_ledger",
        "meetings:measure_ledger",
        "meetings:dashboard",
    ):
        body = client.get(reverse(name)).content.decode()
        assert meeting.title not in body
        assert finding.title not in body
        assert measure.content not in body


def test_reviewer_sees_subordinate_records_in_ledger(client, world, records):
    _, finding, _ = records
    client.force_login(world.reviewer)
    assert finding.title in client.get(reverse("meetings:finding_ledger")).content.decode()
    client.force_login(world.other_reviewer)
    assert finding.title not in client.get(reverse("meetings:finding_ledger")).content.decode()


def test_cannot_create_meeting_for_another_organisation(client, world):
    client.force_login(world.secretary)
    response = client.post(
        reverse("meetings:create") + f"?org={world.other_branch.pk}",
        {
            "title": "冒名会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
        },
    )
    assert response.status_code == 404
    assert not Meeting.objects.filter(title="冒名会议").exists()


def test_reviewer_cannot_open_new_meeting_form(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("meetings:create")).status_code == 403
