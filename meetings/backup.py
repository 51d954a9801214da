"""Backup and restore of the database and the stored files, as one archive.

The archive (tar.gz) holds `data.json` (dumpdata, natural keys for content types, so it
loads into any empty database of the same schema: SQLite or PostgreSQL),
every file under MEDIA_ROOT, and `manifest.json` with the row count of each
model and the sha256 of each file, which a restore checks.
"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
MODELS = [
    "meetings.Organisation",
    "meetings.Person",
    "meetings.Membership",
    "meetings.Meeting",
    "meetings.Finding",
    "meetings.Measure",
    "meetings.MeetingAttachment",
    "meetings.MeasureEvidence",
    "meetings.FindingCategory",
    "reports.QuarterlyReport",
    "reports.ReportItem",
    "reports.ReportSubmission",
    "reports.ReportEvent",
    "reports.GeneratedFile",
    "reports.DocumentFormat",
    "auth.User",
    "auditlog.LogEntry",
]


class RestoreError(Exception):
    pass


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def counts():
    return {label: apps.get_model(label).objects.count() for label in MODELS}


def backup(target):
    """Write the archive to `target`; return the manifest."""
    data = io.StringIO()
    # Primary keys are kept (audit rows name objects by pk); content types and
    # permissions are referenced by natural key, as their ids differ between databases.
    call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, stdout=data, indent=None)
    media = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    manifest = {
        "counts": counts(),
        "files": {str(p.relative_to(media)): _sha256(p) for p in files},
    }
    with tarfile.open(target, "w:gz") as archive:
        for name, text in (
            ("data.json", data.getvalue()),
            ("manifest.json", json.dumps(manifest, ensure_ascii=False)),
        ):
            raw = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
        for path in files:
            archive.add(path, arcname=f"media/{path.relative_to(media)}")
    return manifest


def restore(source, *, allow_nonempty=False):
    """Load an archive into an empty, migrated database and MEDIA_ROOT."""
    if not allow_nonempty and any(
        apps.get_model(label).objects.exists()
        for label in ("meetings.Organisation", "meetings.Meeting", "reports.QuarterlyReport")
    ):
        raise RestoreError("目标数据库不是空的：恢复只能写入空数据库，以免覆盖现有数据。")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(source, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        fixture = media.parent / f".restore-{Path(source).stem}.json"
        fixture.parent.mkdir(parents=True, exist_ok=True)
        fixture.write_bytes(archive.extractfile("data.json").read())
        members = [m for m in archive.getmembers() if m.name.startswith("media/") and m.isfile()]
        for member in members:
            target = (media / member.name[len("media/") :]).resolve()
            if not str(target).startswith(str(media.resolve())):
                raise RestoreError(f"归档中的文件路径不安全：{member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as src, open(target, "wb") as dst:
                dst.write(src.read())
    # Content types were (re)created by migrate with ids of this database: never
    # resolve them through a cache filled before (natural keys are looked up anew).
    ContentType.objects.clear_cache()
    try:
        # The restored log is the original history: loading must not add to it.
        with disable_auditlog():
            call_command("loaddata", str(fixture), verbosity=0)
    finally:
        fixture.unlink(missing_ok=True)
    problems = [
        f"{label}：应为{n}条，实为{apps.get_model(label).objects.count()}条"
        for label, n in manifest["counts"].items()
        if apps.get_model(label).objects.count() != n
    ]
    problems += [
        f"文件{name}校验不一致"
        for name, digest in manifest["files"].items()
        if not (media / name).exists() or _sha256(media / name) != digest
    ]
    if problems:
        raise RestoreError("恢复后校验失败：" + "；".join(problems))
    return manifest
