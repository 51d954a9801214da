"""Backup, then restore into an empty database: every record and file comes back; a
restore refuses any archive it cannot trust and writes nothing then; MEDIA_ROOT is a
directory of its own."""

import copy
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ideology_review import backup as backup_module
from ideology_review.backup import (
    DATA,
    MANIFEST,
    SIGNATURE,
    BackupError,
    RestoreError,
    backup,
    counts,
    restore,
    sign,
)
from ideology_review.demo import load_demo
from meetings.models import Finding, Meeting, MeetingAttachment
from reports import exports
from reports.models import GeneratedFile, QuarterlyReport

from .factories import OrganisationFactory, UserFactory

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


# ------------------------------------------------------------ restore trusts nothing

KEY = "backup-key-for-tests"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _state(root):
    """The database counts and everything under `root` (MEDIA_ROOT, its siblings, the
    staging place): what a refused or failed restore must leave exactly as it was."""
    listing = {}
    for top, dirs, names in os.walk(root, followlinks=False):
        for name in dirs + names:
            path = Path(top) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                listing[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                listing[rel] = ("dir",)
            else:
                listing[rel] = ("file", _sha256(path))
    return counts(), listing


@pytest.fixture
def signed_archive(tmp_path, settings):
    """A real backup (one organisation, one user, two files) signed with KEY; then, as
    on a server about to be restored: an empty database, a MEDIA_ROOT holding one
    unrelated file, and an old media directory next to it."""
    OrganisationFactory(name="中共青山县第一支部委员会")
    UserFactory(username="clerk")
    default_storage.save("attachments/2026/sign.pdf", ContentFile(b"%PDF-1.4 sign"))
    default_storage.save("generated/report.docx", ContentFile(b"PK docx"))
    path = tmp_path / "archives" / "backup.tar.gz"
    path.parent.mkdir()
    backup(path, key=KEY)
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    shutil.rmtree(settings.MEDIA_ROOT)
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "keep.txt").write_bytes(b"already here")
    (tmp_path / "media_old").mkdir()
    return path


def _member(name, data=b"", **attributes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for attribute, value in attributes.items():
        setattr(info, attribute, value)
    return info, data


def _rewrite(
    source, *, add=(), replace=None, drop=(), edit=None, key=KEY, list_added=True, sign_it=True
):
    """A copy of a signed archive with members added, replaced or dropped and the
    manifest edited, signed again with `key` (an attacker who has the key, unless
    told otherwise): so each refusal below comes from its own check, not the signature."""
    replace = replace or {}
    members = []
    with tarfile.open(source, "r:gz") as archive:
        for info in archive:
            data = archive.extractfile(info).read()
            members.append((info, data))
    manifest_raw = next(data for info, data in members if info.name == MANIFEST)
    old_signature = next(data for info, data in members if info.name == SIGNATURE)
    manifest = json.loads(manifest_raw)
    if list_added:
        for info, data in add:
            if info.name.startswith("media/"):
                entry = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                manifest["files"][info.name[len("media/") :]] = entry
    if edit:
        edit(manifest)
    raw = json.dumps(manifest, ensure_ascii=False).encode()
    kept = [
        _member(info.name, replace.get(info.name, data))
        for info, data in members
        if info.name not in (MANIFEST, SIGNATURE, *drop)
    ]
    signature = sign(raw, key).encode() if sign_it else old_signature
    target = source.with_name(f"crafted-{uuid.uuid4().hex[:8]}.tar.gz")
    with tarfile.open(target, "w:gz") as archive:
        for info, data in [*kept, *add, _member(MANIFEST, raw), _member(SIGNATURE, signature)]:
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return target


def _fixture(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return tar.extractfile(DATA).read()


def _refused(archive, tmp_path, match, *, key=KEY):
    before = _state(tmp_path)
    with pytest.raises(RestoreError, match=match) as refusal:
        restore(archive, key=key)
    assert "未改动" in str(refusal.value)
    assert _state(tmp_path) == before
    return before


def test_a_crafted_archive_with_a_valid_signature_and_plain_files_restores(
    signed_archive, tmp_path, settings
):
    """The control for the refusals below: `_rewrite` itself makes restorable archives."""
    crafted = _rewrite(signed_archive, add=[_member("media/extra/ok.txt", b"fine")])
    manifest = restore(crafted, key=KEY)
    media = settings.MEDIA_ROOT
    assert (media / "extra/ok.txt").read_bytes() == b"fine"
    assert (media / "attachments/2026/sign.pdf").read_bytes() == b"%PDF-1.4 sign"
    assert (media / "keep.txt").read_bytes() == b"already here"
    assert counts() == manifest["counts"]
    assert User.objects.filter(username="clerk", is_superuser=False).exists()
    # the staging directory is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archives", "media", "media_old"]


@pytest.mark.parametrize(
    ("name", "escapes_to"),
    [
        ("media/../media-evil/x", "media-evil/x"),
        ("media/../media_old/x.py", "media_old/x.py"),
        ("media/../escape.txt", "escape.txt"),
        ("media/attachments/../../escape.txt", "escape.txt"),
        ("media/./attachments/x.txt", None),
        ("media//ABSOLUTE/abs-evil.txt", "abs-evil.txt"),
    ],
)
def test_restore_refuses_paths_that_leave_media_root(signed_archive, tmp_path, name, escapes_to):
    name = name.replace("/ABSOLUTE", str(tmp_path))
    crafted = _rewrite(signed_archive, add=[_member(name, b"import os  # planted")])
    _refused(crafted, tmp_path, "路径不安全")
    if escapes_to:
        assert not (tmp_path / escapes_to).exists()


def test_restore_refuses_an_absolute_member_name(signed_archive, tmp_path):
    absolute = str(tmp_path / "abs-evil.txt")
    crafted = _rewrite(signed_archive, add=[_member(absolute, b"planted")])
    _refused(crafted, tmp_path, "不属于备份格式")
    assert not Path(absolute).exists()


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        (_member("media/link", type=tarfile.SYMTYPE, linkname="/ABSOLUTE/outside"), "符号链接"),
        (_member("media/hard", type=tarfile.LNKTYPE, linkname="/etc/passwd"), "硬链接"),
        (_member("media/tty", type=tarfile.CHRTYPE, devmajor=5, devminor=0), "设备"),
        (_member("media/fifo", type=tarfile.FIFOTYPE), "设备"),
        (_member("media/dir", type=tarfile.DIRTYPE, mode=0o755), "目录"),
    ],
    ids=["symlink", "hardlink", "device", "fifo", "directory"],
)
def test_restore_refuses_members_that_are_not_plain_files(signed_archive, tmp_path, member, kind):
    info, _ = member
    info = copy.copy(info)
    info.linkname = info.linkname.replace("/ABSOLUTE", str(tmp_path))
    (tmp_path / "outside").mkdir()
    # a symlink followed by a file "through" it: the classic way out
    through = _member("media/link/x.py", b"planted")
    crafted = _rewrite(signed_archive, add=[(info, b""), through])
    _refused(crafted, tmp_path, f"不允许的成员（{kind}")
    assert not (tmp_path / "outside/x.py").exists()


def test_restore_refuses_a_path_through_a_symlink_already_in_media_root(
    signed_archive, tmp_path, settings
):
    (tmp_path / "outside").mkdir()
    (settings.MEDIA_ROOT / "sub").symlink_to(tmp_path / "outside")
    crafted = _rewrite(signed_archive, add=[_member("media/sub/x.py", b"planted")])
    _refused(crafted, tmp_path, "解析到 MEDIA_ROOT 之外")
    assert not (tmp_path / "outside/x.py").exists()


def test_restore_refuses_a_member_the_manifest_does_not_list(signed_archive, tmp_path, settings):
    crafted = _rewrite(signed_archive, add=[_member("media/extra.txt", b"x")], list_added=False)
    _refused(crafted, tmp_path, "清单未列出的文件：media/extra.txt")
    assert not (settings.MEDIA_ROOT / "extra.txt").exists()


def test_restore_refuses_a_listed_file_missing_from_the_archive(signed_archive, tmp_path):
    crafted = _rewrite(signed_archive, drop=["media/generated/report.docx"])
    _refused(crafted, tmp_path, "在归档中不存在：media/generated/report.docx")


def test_restore_refuses_a_member_twice(signed_archive, tmp_path):
    crafted = _rewrite(signed_archive, add=[_member(DATA, b"[]")], list_added=False)
    _refused(crafted, tmp_path, "出现了不止一次")


def test_restore_refuses_other_members_and_archives_without_a_signature(signed_archive, tmp_path):
    _refused(_rewrite(signed_archive, add=[_member("evil.py", b"x")]), tmp_path, "不属于备份格式")
    unsigned = tmp_path / "archives" / "unsigned.tar.gz"
    with tarfile.open(signed_archive, "r:gz") as src, tarfile.open(unsigned, "w:gz") as dst:
        for info in src:
            if info.name != SIGNATURE:
                dst.addfile(info, src.extractfile(info))
    _refused(unsigned, tmp_path, "缺少清单 manifest.json 或签名")
    garbage = tmp_path / "archives" / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    _refused(garbage, tmp_path, "无法打开归档")


def _superuser(fixture):
    objects = json.loads(fixture)
    clerk = next(o for o in objects if o["model"] == "auth.user")
    intruder = copy.deepcopy(clerk)
    intruder["pk"] = 999
    intruder["fields"].update(username="intruder", is_superuser=True, is_staff=True)
    return json.dumps([*objects, intruder]).encode()


def test_restore_refuses_a_tampered_data_json(signed_archive, tmp_path):
    fixture = _fixture(signed_archive)
    # the same size: only the sha256 can tell
    same_size = fixture.replace(b'"is_superuser": false', b'"is_superuser": true ')
    assert same_size != fixture and len(same_size) == len(fixture)
    for tampered in (same_size, _superuser(fixture)):
        crafted = _rewrite(signed_archive, replace={DATA: tampered}, sign_it=False)
        _refused(crafted, tmp_path, "data.json.*与清单")
    assert not User.objects.exists()


def test_restore_refuses_a_manifest_whose_signature_does_not_match(signed_archive, tmp_path):
    tampered = _superuser(_fixture(signed_archive))

    def matching(manifest):
        manifest["data"] = {"sha256": hashlib.sha256(tampered).hexdigest(), "size": len(tampered)}
        manifest["counts"]["auth.User"] += 1

    # the manifest edited to match, the signature left as it was, or made with another key
    for crafted in (
        _rewrite(signed_archive, replace={DATA: tampered}, edit=matching, sign_it=False),
        _rewrite(signed_archive, replace={DATA: tampered}, edit=matching, key="guessed"),
    ):
        _refused(crafted, tmp_path, "归档签名不符")
    # a genuine archive, restored with another key
    _refused(signed_archive, tmp_path, "归档签名不符", key="another-key")
    assert not User.objects.filter(username="intruder").exists()


def test_the_restore_command_checks_the_key_before_migrating(signed_archive, tmp_path):
    before = _state(tmp_path)
    with pytest.raises(CommandError, match="归档签名不符"):
        call_command("restore", str(signed_archive), key="another-key")
    assert _state(tmp_path) == before
    call_command("restore", str(signed_archive), key=KEY)
    assert User.objects.filter(username="clerk").exists()


def test_the_key_defaults_to_backup_key_then_secret_key(signed_archive, tmp_path, monkeypatch):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    _refused(signed_archive, tmp_path, "归档签名不符", key=None)  # SECRET_KEY
    monkeypatch.setenv("BACKUP_KEY", KEY)
    restore(signed_archive)
    assert User.objects.filter(username="clerk").exists()


def test_a_failed_verification_leaves_database_and_media_root_as_they_were(
    signed_archive, tmp_path
):
    def one_more_user(manifest):
        manifest["counts"]["auth.User"] += 1

    crafted = _rewrite(signed_archive, edit=one_more_user)
    before = _refused(crafted, tmp_path, "恢复后校验失败，已回滚.*auth.User：应为2条，实为1条")
    assert before[0]["auth.User"] == 0 and not User.objects.exists()


def test_a_fixture_that_does_not_load_leaves_everything_as_it_was(signed_archive, tmp_path):
    broken = b'[{"model": "meetings.organisation", "pk": 1, "fields": {"nonsense": 1}}]'

    def listed(manifest):
        manifest["data"] = {"sha256": hashlib.sha256(broken).hexdigest(), "size": len(broken)}

    crafted = _rewrite(signed_archive, replace={DATA: broken}, edit=listed)
    _refused(crafted, tmp_path, "恢复失败，已回滚")


def test_a_failure_while_placing_files_undoes_the_files_placed(
    signed_archive, tmp_path, monkeypatch
):
    place = backup_module._place
    calls = []

    def fail_on_second(staged, target, media, created):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("磁盘已满")
        place(staged, target, media, created)

    monkeypatch.setattr(backup_module, "_place", fail_on_second)
    _refused(signed_archive, tmp_path, "恢复失败，已回滚.*磁盘已满")
    assert len(calls) == 2 and not calls[0].exists()


def test_restore_refuses_to_overwrite_a_file_in_media_root(signed_archive, tmp_path, settings):
    (settings.MEDIA_ROOT / "generated").mkdir()
    (settings.MEDIA_ROOT / "generated/report.docx").write_bytes(b"newer")
    _refused(signed_archive, tmp_path, "已有 generated/report.docx")


# ------------------------------------------------------------ backup archives MEDIA_ROOT only


def test_backup_leaves_out_links_and_never_reads_outside_media_root(tmp_path, settings):
    media = settings.MEDIA_ROOT
    (media / "attachments").mkdir(parents=True)
    (media / "attachments/real.pdf").write_bytes(b"%PDF real")
    (tmp_path / "secret.env").write_text("SECRET_KEY=do-not-archive")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/source.py").write_text("SECRET = 1")
    (media / "link.env").symlink_to(tmp_path / "secret.env")
    (media / "linkdir").symlink_to(tmp_path / "outside")
    archive = tmp_path / "b.tar.gz"
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", output=str(archive), key=KEY, stdout=out, stderr=err)
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        assert all(info.isreg() for info in tar.getmembers())
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        content = b"".join(tar.extractfile(info).read() for info in tar.getmembers())
    assert names == [DATA, "media/attachments/real.pdf", MANIFEST, SIGNATURE]
    assert list(manifest["files"]) == ["attachments/real.pdf"]
    assert b"do-not-archive" not in content and b"SECRET = 1" not in content
    assert "link.env" in err.getvalue() and "linkdir" in err.getvalue()
    assert "已用 --key 签名" in out.getvalue()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "b.tar.gz",
        "media",
        "outside",
        "secret.env",
    ]


def test_backup_refuses_to_write_into_media_root_or_archive_the_project(tmp_path, settings):
    settings.MEDIA_ROOT.mkdir()
    with pytest.raises(BackupError, match="不能写在 MEDIA_ROOT"):
        backup(settings.MEDIA_ROOT / "b.tar.gz")
    assert not any(settings.MEDIA_ROOT.iterdir())
    settings.MEDIA_ROOT = settings.BASE_DIR
    with pytest.raises(BackupError, match="项目目录"):
        backup(tmp_path / "b.tar.gz")
    with pytest.raises(RestoreError, match="项目目录"):
        restore(tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


# ------------------------------------------------------------ MEDIA_ROOT at start-up

BASE_DIR = Path(__file__).resolve().parent.parent


def _settings_with_media_root(value, cwd):
    env = {**os.environ, "MEDIA_ROOT": value, "PYTHONPATH": str(BASE_DIR)}
    return subprocess.run(
        [sys.executable, "-c", "import ideology_review.settings as s; print(s.MEDIA_ROOT)"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "MEDIA_ROOT 为空"),
        ("  ", "MEDIA_ROOT 为空"),
        (".", "指向项目目录"),
        ("./", "指向项目目录"),
        ("..", "指向项目目录"),
        ("/", "指向项目目录"),
        (str(BASE_DIR), "指向项目目录"),
        ("ideology_review", "位于代码或静态文件目录"),
        ("static/uploads", "位于代码或静态文件目录"),
    ],
)
def test_settings_refuse_a_media_root_that_is_not_a_directory_of_its_own(value, message, tmp_path):
    result = _settings_with_media_root(value, cwd=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_a_relative_media_root_is_taken_from_the_project_directory(tmp_path):
    result = _settings_with_media_root("./media", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(BASE_DIR / "media")
    absolute = _settings_with_media_root(str(tmp_path / "srv/media"), cwd=tmp_path)
    assert absolute.stdout.strip() == str(tmp_path / "srv/media")


def test_env_example_gives_a_media_root_that_starts():
    example = (BASE_DIR / ".env.example").read_text()
    value = next(
        line.split("=", 1)[1] for line in example.splitlines() if line.startswith("MEDIA_ROOT=")
    )
    result = _settings_with_media_root(value, cwd=BASE_DIR)
    assert result.returncode == 0 and result.stdout.strip() == str(BASE_DIR / "media")


# ------------------------------------------------------------ memory

# A restore streams each member: its peak memory does not grow with the size of a file.
# The suite uses 256 MiB (reading it whole would already exceed the bound); measured with
# BACKUP_MEMORY_TEST_MIB=1024 for the 1 GiB figure in the README.
MEMORY_TEST_MIB = int(os.environ.get("BACKUP_MEMORY_TEST_MIB", "256"))
RSS_LIMIT_MB = 200


TIME = "/usr/bin/time"
# Without GNU time: a small Python parent runs the command and reports its children's
# ru_maxrss. (Not the test process itself: on Linux a child's ru_maxrss starts from the
# memory of the process it was forked from, here the whole test session.)
PEAK_RSS = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def _manage(args, env, log):
    """Run manage.py in a child process; its exit code, output and peak RSS in MB, as
    `/usr/bin/time -v` reports it."""
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    measure = log.with_suffix(".rss")
    if os.access(TIME, os.X_OK):
        command = [TIME, "-v", "-o", str(measure), *command]
    else:
        command = [sys.executable, "-c", PEAK_RSS, str(measure), *command]
    with open(log, "wb") as output:
        code = subprocess.call(command, cwd=BASE_DIR, env=env, stdout=output, stderr=output)
    report = measure.read_text()
    kilobytes = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    return code, log.read_text(), int(kilobytes[1] if kilobytes else report) / 1024


def test_backup_and_restore_of_a_large_file_stream_it(tmp_path):
    size = MEMORY_TEST_MIB * 1024 * 1024

    def env(name):
        return {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3",
            "MEDIA_ROOT": str(tmp_path / name / "media"),
            "BACKUP_KEY": KEY,
        }

    code, output, _ = _manage(["migrate", "-v0"], env("source"), tmp_path / "migrate.log")
    assert code == 0, output
    big = tmp_path / "source/media/attachments/evidence.bin"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as handle:  # sparse: no disk used, read back as zeros
        handle.truncate(size)
    archive = tmp_path / "big.tar.gz"
    code, output, backup_rss = _manage(
        ["backup", "--output", str(archive)], env("source"), tmp_path / "backup.log"
    )
    assert code == 0, output
    code, output, restore_rss = _manage(
        ["restore", str(archive)], env("target"), tmp_path / "restore.log"
    )
    assert code == 0 and "恢复完成并已校验" in output, output
    restored = tmp_path / "target/media/attachments/evidence.bin"
    assert restored.stat().st_size == size and _sha256(restored) == _sha256(big)
    print(
        f"{MEMORY_TEST_MIB} MiB: backup peak RSS {backup_rss:.0f} MB, restore {restore_rss:.0f} MB"
    )
    assert backup_rss < RSS_LIMIT_MB and restore_rss < RSS_LIMIT_MB
