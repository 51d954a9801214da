"""Backup, then restore into an empty database: every record and file comes back."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from meetings.backup import RestoreError, counts, restore
from meetings.demo import load_demo
from meetings.models import Finding, Meeting, MeetingAttachment
from reports import exports
from reports.models import GeneratedFile, QuarterlyReport

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """flush recreates content types with new ids; the next test must not see a stale cache."""
    yield
    ContentType.objects.clear_cache()


def test_backup_then_restore_into_an_empty_database(tmp_path, settings, monkeypatch, client):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    load_demo()
    meeting = Meeting.objects.get(
        title="2026年第三季度意识形态分析研判会议", organisation__unit_type="学校"
    )
    attachment = MeetingAttachment(
        meeting=meeting, kind="签到表", original_name="签到表.pdf", size=13
    )
    attachment.file.save("sign.pdf", ContentFile(b"%PDF-1.4 sign"), save=True)
    report = QuarterlyReport.objects.get(organisation=meeting.organisation, quarter=3)
    docx = exports.request_report_docx(report=report, by=report.created_by)
    docx.refresh_from_db()
    before = counts()
    with (
        attachment.file.open("rb") as a,
        GeneratedFile.objects.get(pk=docx.pk).file.open("rb") as d,
    ):
        payload = {"attachment": a.read(), "docx": d.read()}
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))

    # An empty database and no files: as on a new server.
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    for path in sorted(settings.MEDIA_ROOT.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not Meeting.objects.exists() and not any(settings.MEDIA_ROOT.rglob("*.pdf"))

    call_command("restore", str(archive))
    assert counts() == before
    restored = MeetingAttachment.objects.get(pk=attachment.pk)
    with restored.file.open("rb") as handle:
        assert handle.read() == payload["attachment"]
    with GeneratedFile.objects.get(pk=docx.pk).file.open("rb") as handle:
        assert handle.read() == payload["docx"]
    assert Finding.objects.filter(title="对本单位宗教信仰情况信息掌握不全面").exists()
    # accounts work again, and their history is intact
    assert client.login(username="wanglihua", password="qingshan2026")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "签到表.pdf" in page


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    load_demo()
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    with pytest.raises(RestoreError, match="目标数据库不是空的"):
        restore(archive)
