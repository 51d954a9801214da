"""Backup and restore of the database and the stored files, as one signed archive.

The archive (tar.gz) holds, in this order:

- `data.json`: dumpdata, natural keys for content types, so it loads into any empty
  database of the same schema (SQLite or PostgreSQL);
- `media/<path>`: every regular file under MEDIA_ROOT (symbolic links and anything
  else that is not a regular file inside MEDIA_ROOT are left out);
- `manifest.json`: the row count of each model, and the sha256 and size of
  `data.json` and of every file;
- `manifest.hmac`: HMAC-SHA256 of the manifest with the backup key (`--key`, else
  the BACKUP_KEY environment variable, else SECRET_KEY).

A restore trusts nothing in the archive until the signature matches; then it
accepts exactly the members the manifest lists, as regular files whose real
path lies inside MEDIA_ROOT, streams each into a staging directory next to
MEDIA_ROOT while hashing it, loads and checks the data in one transaction, and
only then puts the files in place. Any failure leaves the database and MEDIA_ROOT
as they were.
"""

import contextlib
import datetime
import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import tarfile
import tempfile
import zlib
from pathlib import Path

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

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

FORMAT = "ideology-review-backup"
VERSION = 2
DATA = "data.json"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.hmac"
MEDIA_PREFIX = "media/"
# The signature covers this context as well, so no other HMAC made with the same
# key (SECRET_KEY signs other things too) can pass as a backup signature.
SIGNING_CONTEXT = b"ideology-review backup manifest v2\n"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
CANCELLED = "恢复已取消，数据库和 MEDIA_ROOT 均未改动。"


class BackupError(Exception):
    pass


class RestoreError(Exception):
    pass


def counts():
    return {label: apps.get_model(label).objects.count() for label in MODELS}


def backup_key(key=None):
    """The key given, else BACKUP_KEY from the environment (or .env), else SECRET_KEY;
    with the name of where it came from."""
    if key:
        return key, "--key"
    if os.environ.get("BACKUP_KEY"):
        return os.environ["BACKUP_KEY"], "BACKUP_KEY"
    return settings.SECRET_KEY, "SECRET_KEY"


def sign(raw_manifest, key):
    return hmac.new(key.encode(), SIGNING_CONTEXT + raw_manifest, hashlib.sha256).hexdigest()


def media_root():
    """The real path of MEDIA_ROOT, never the project directory or one of its parents
    (settings refuse those at start-up; this holds for overridden settings too)."""
    media = Path(os.path.realpath(settings.MEDIA_ROOT))
    if Path(os.path.realpath(settings.BASE_DIR)).is_relative_to(media):
        raise BackupError(f"MEDIA_ROOT（{media}）是项目目录或其上级目录，拒绝备份或恢复。")
    return media


class _HashingReader:
    """A file that hashes what is read from it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _media_files(media):
    """(relative posix path, path) of each regular file under `media`, without
    following symbolic links; and the relative paths of what was left out."""
    files, skipped = [], []
    if not media.is_dir():
        return files, skipped
    for top, dirs, names in os.walk(media, followlinks=False):
        dirs.sort()
        for name in [*sorted(names), *(d for d in dirs if os.path.islink(os.path.join(top, d)))]:
            path = Path(top) / name
            rel = path.relative_to(media).as_posix()
            if stat.S_ISREG(os.lstat(path).st_mode) and path.resolve().is_relative_to(media):
                files.append((rel, path))
            else:
                skipped.append(rel)
    return files, skipped


def _add_file(archive, name, path):
    """Stream one regular file into the archive, hashing it on the way."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise BackupError(f"{name} 不是普通文件，拒绝备份。")
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o640
        reader = _HashingReader(handle)
        try:
            archive.addfile(info, reader)
        except OSError as error:
            raise BackupError(f"读取 {name} 时出错（文件在备份过程中被改动？）：{error}") from error
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_bytes(archive, name, raw):
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o640
    with tempfile.SpooledTemporaryFile(max_size=CHUNK) as buffer:
        buffer.write(raw)
        buffer.seek(0)
        archive.addfile(info, buffer)


def backup(target, *, key=None):
    """Write the signed archive to `target` (mode 0600, complete or not at all);
    return the manifest, with the relative paths left out under "skipped" and where
    the key came from under "key_source"."""
    media = media_root()
    target = Path(os.path.realpath(target))
    if target.is_relative_to(media):
        raise BackupError(f"归档不能写在 MEDIA_ROOT（{media}）之内。")
    if not target.parent.is_dir():
        raise BackupError(f"归档所在目录 {target.parent} 不存在。")
    key, key_source = backup_key(key)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    with tempfile.TemporaryDirectory(prefix="ideology-backup-") as work:
        fixture = Path(work) / DATA
        # PostgreSQL: one snapshot for every table and the counts, on a live database.
        # (Not SQLite: its transactions here are IMMEDIATE and would block every write.)
        postgresql = connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic() if postgresql else contextlib.nullcontext():
            if postgresql:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Primary keys are kept (audit rows name objects by pk); content types and
            # permissions are referenced by natural key, as their ids differ between databases.
            call_command(
                "dumpdata",
                natural_foreign=True,
                exclude=EXCLUDE,
                output=str(fixture),
                indent=None,
                verbosity=0,
            )
            record_counts = counts()
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise BackupError(f"无法写入归档 {target}：{error}") from error
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                data = _add_file(archive, DATA, fixture)
                files, skipped = _media_files(media)
                entries = {rel: _add_file(archive, MEDIA_PREFIX + rel, path) for rel, path in files}
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": datetime.datetime.now(datetime.UTC).isoformat(),
                    "counts": record_counts,
                    "data": data,
                    "files": entries,
                }
                raw_manifest = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
                _add_bytes(archive, MANIFEST, raw_manifest)
                _add_bytes(archive, SIGNATURE, sign(raw_manifest, key).encode())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return {**manifest, "skipped": skipped, "key_source": key_source}


# ---------------------------------------------------------------- restore


def _refuse(message):
    raise RestoreError(f"{message}{CANCELLED}")


def _relative_member_path(name):
    """The path below MEDIA_ROOT that the member `media/<path>` names: relative, with
    no empty, `.` or `..` part (so no absolute path and no way out)."""
    rel = name[len(MEDIA_PREFIX) :]
    parts = rel.split("/")
    if not rel or "\x00" in rel or any(part in ("", ".", "..") for part in parts):
        _refuse(f"归档中的文件路径不安全（绝对路径、空路径或含“..”）：{name}。")
    return rel


def _read_small(archive, member, limit):
    if member.size > limit:
        _refuse(f"归档中的 {member.name} 过大（{member.size} 字节）。")
    with archive.extractfile(member) as handle:
        return handle.read(limit + 1)[:limit]


def _scan(archive):
    """Read the member list (refusing anything but plain files with expected names)
    and the manifest and signature, in one pass over the archive."""
    seen, media_members = set(), {}
    data_member = raw_manifest = signature = None
    for member in archive:
        name = member.name
        if name in seen:
            _refuse(f"归档中 {name} 出现了不止一次。")
        seen.add(name)
        if not member.isreg():
            kind = (
                "符号链接"
                if member.issym()
                else "硬链接"
                if member.islnk()
                else "目录"
                if member.isdir()
                else "设备或特殊文件"
            )
            _refuse(f"归档中有不允许的成员（{kind}）：{name}；只接受普通文件。")
        if name == MANIFEST:
            raw_manifest = _read_small(archive, member, MANIFEST_MAX_BYTES)
        elif name == SIGNATURE:
            signature = _read_small(archive, member, 256)
        elif name == DATA:
            data_member = member
        elif name.startswith(MEDIA_PREFIX):
            media_members[_relative_member_path(name)] = member
        else:
            _refuse(f"归档中有不属于备份格式的成员：{name}。")
    if raw_manifest is None or signature is None:
        _refuse("归档缺少清单 manifest.json 或签名 manifest.hmac：不是本系统 backup 生成的归档。")
    return raw_manifest, signature, data_member, media_members


def _entry(value, what):
    if not (
        isinstance(value, dict)
        and isinstance(value.get("sha256"), str)
        and len(value["sha256"]) == 64
        and isinstance(value.get("size"), int)
        and value["size"] >= 0
    ):
        _refuse(f"清单中 {what} 的记录格式不对。")
    return value


def _check_manifest(raw_manifest, signature, key):
    expected = sign(raw_manifest, key)
    if not hmac.compare_digest(signature.strip(), expected.encode()):
        _refuse(
            "归档签名不符：恢复用的密钥与备份时不同（--key / BACKUP_KEY / SECRET_KEY），"
            "或清单被改动过。"
        )
    try:
        manifest = json.loads(raw_manifest)
    except ValueError:
        _refuse("清单 manifest.json 不是有效的 JSON。")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        _refuse("清单格式不对：不是本系统 backup 生成的归档。")
    if manifest.get("version") != VERSION:
        _refuse(f"归档版本 {manifest.get('version')} 不受支持（应为 {VERSION}）。")
    record_counts = manifest.get("counts")
    if not isinstance(record_counts, dict) or not all(
        label in MODELS and isinstance(n, int) and n >= 0 for label, n in record_counts.items()
    ):
        _refuse("清单中的记录数格式不对或含未知的模型。")
    _entry(manifest.get("data"), DATA)
    if not isinstance(manifest.get("files"), dict):
        _refuse("清单中的文件列表格式不对。")
    for name, entry in manifest["files"].items():
        _entry(entry, name)
    return manifest


def _targets(media, manifest, media_members):
    """Each listed file's real target path, inside MEDIA_ROOT and not there yet."""
    listed, present = set(manifest["files"]), set(media_members)
    if present - listed:
        _refuse(f"归档中有清单未列出的文件：{MEDIA_PREFIX}{sorted(present - listed)[0]}。")
    if listed - present:
        _refuse(f"清单列出的文件在归档中不存在：{MEDIA_PREFIX}{sorted(listed - present)[0]}。")
    targets = {}
    for rel in sorted(listed):
        _relative_member_path(MEDIA_PREFIX + rel)
        target = Path(os.path.realpath(media / rel))
        if not target.is_relative_to(media) or target == media:
            _refuse(f"归档中的文件 {MEDIA_PREFIX}{rel} 解析到 MEDIA_ROOT 之外：{target}。")
        if os.path.lexists(target):
            _refuse(f"MEDIA_ROOT 中已有 {rel}：恢复不覆盖现有文件，请先移走。")
        if media_members[rel].size != manifest["files"][rel]["size"]:
            _refuse(f"归档中 {MEDIA_PREFIX}{rel} 的大小与清单不符。")
        targets[rel] = target
    resolved = set(targets.values())
    if len(resolved) != len(targets):
        _refuse("归档中有两个文件解析到同一路径。")
    for target in resolved:
        for parent in target.parents:
            if parent == media:
                break
            if parent in resolved:
                _refuse(f"归档中的 {parent} 既是文件又是目录。")
    return targets


def _stage(archive, member, path, entry):
    """Stream one member into `path`, hashing it; refuse it if it is not what the
    manifest says."""
    digest, size = hashlib.sha256(), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with archive.extractfile(member) as source, os.fdopen(fd, "wb") as staged:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            staged.write(chunk)
    if size != entry["size"] or not hmac.compare_digest(digest.hexdigest(), entry["sha256"]):
        _refuse(f"归档中的 {member.name} 与清单记录的校验值不符：归档被改动过或已损坏。")


def _database_is_empty():
    return not any(
        apps.get_model(label).objects.exists()
        for label in ("meetings.Organisation", "meetings.Meeting", "reports.QuarterlyReport")
    )


def _place(staged, target, media, created):
    """Put a staged file at `target` without replacing anything; record what was
    created (directories and the file) so that it can be undone."""
    missing = [p for p in target.parents if p.is_relative_to(media) and not p.exists()]
    for directory in reversed(missing):
        directory.mkdir()
        created.append(directory)
    try:
        os.link(staged, target)  # same filesystem: no copy; fails if target exists
    except FileExistsError:
        raise
    except OSError:  # another filesystem, or no hard links there: copy
        with open(staged, "rb") as source, open(target, "xb") as copy:
            created.append(target)
            shutil.copyfileobj(source, copy, CHUNK)
    else:
        created.append(target)


def _undo(created):
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()


def restore(source, *, key=None, allow_nonempty=False, before_load=None):
    """Load a signed archive into an empty, migrated database and MEDIA_ROOT.

    `before_load` (e.g. migrate) runs once the archive has been verified and
    before the database is looked at."""
    key = backup_key(key)[0]
    try:
        media = media_root()
    except BackupError as error:
        _refuse(str(error))
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed by `with archive` below)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as error:
        _refuse(f"无法打开归档 {source}：{error}。")
    with archive:
        try:
            raw_manifest, signature, data_member, media_members = _scan(archive)
        except (OSError, tarfile.TarError, EOFError, zlib.error) as error:
            _refuse(f"归档已损坏：{error}。")
        manifest = _check_manifest(raw_manifest, signature, key)
        if data_member is None or data_member.size != manifest["data"]["size"]:
            _refuse("归档中的 data.json 缺失或大小与清单不符。")
        targets = _targets(media, manifest, media_members)
        if before_load:
            before_load()
        if not allow_nonempty and not _database_is_empty():
            _refuse("目标数据库不是空的：恢复只能写入空数据库，以免覆盖现有数据。")
        media.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{media.name}-restore-", dir=media.parent))
        try:
            _restore_staged(archive, manifest, data_member, media_members, targets, staging, media)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _restore_staged(archive, manifest, data_member, media_members, targets, staging, media):
    # Stage in archive order (a gzip stream only reads forward cheaply).
    fixture = staging / DATA
    staged = {}
    order = sorted(media_members.items(), key=lambda item: item[1].offset)
    try:
        _stage(archive, data_member, fixture, manifest["data"])
        for index, (rel, member) in enumerate(order):
            staged[rel] = staging / f"{index:08d}"
            _stage(archive, member, staged[rel], manifest["files"][rel])
    except (OSError, tarfile.TarError, EOFError, zlib.error) as error:
        _refuse(f"读取归档时出错：{error}。")

    created = []
    try:
        with transaction.atomic():
            # Content types were (re)created by migrate with ids of this database:
            # never resolve them through a cache filled before.
            ContentType.objects.clear_cache()
            # The restored log is the original history: loading must not add to it.
            with disable_auditlog():
                call_command("loaddata", str(fixture), verbosity=0)
            problems = [
                f"{label}：应为{n}条，实为{apps.get_model(label).objects.count()}条"
                for label, n in manifest["counts"].items()
                if apps.get_model(label).objects.count() != n
            ]
            if problems:
                raise RestoreError(
                    "恢复后校验失败，已回滚，数据库和 MEDIA_ROOT 均未改动：" + "；".join(problems)
                )
            if not media.exists():
                media.mkdir()
                created.append(media)
            for rel, target in targets.items():
                _place(staged[rel], target, media, created)
    except BaseException as error:  # the transaction is rolled back: so are the files
        _undo(created)
        ContentType.objects.clear_cache()
        if isinstance(error, RestoreError) or not isinstance(error, Exception):
            raise
        raise RestoreError(
            f"恢复失败，已回滚，数据库和 MEDIA_ROOT 均未改动：{type(error).__name__}: {error}"
        ) from error
