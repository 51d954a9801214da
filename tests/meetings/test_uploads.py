"""Uploads: the real type must match the extension; no macro-capable formats."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import MeetingAttachment

from ..factories import MeetingFactory

pytestmark = pytest.mark.django_db


def ooxml(main, *, macro=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main, "<xml/>")
        if macro:
            package.writestr("xl/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


ACCEPTED = [
    ("签到表.pdf", b"%PDF-1.7\n..."),
    ("照片.jpg", b"\xff\xd8\xff\xe0JFIF"),
    ("照片.png", b"\x89PNG\r\n\x1a\n...."),
    ("课件.pptx", ooxml("ppt/presentation.xml")),
    ("台账.xlsx", ooxml("xl/workbook.xml")),
    ("会议记录.docx", ooxml("word/document.xml")),
    ("说明.txt", "会议记录：全体党员参加。".encode("gb18030")),
]
REFUSED = [
    ("照片.png", b"<html><script>alert(1)</script></html>", "与扩展名“.png”不符"),
    ("签到表.pdf", b"MZ\x90\x00", "与扩展名“.pdf”不符"),
    ("台账.xlsx", ooxml("xl/workbook.xml", macro=True), "不接受含宏的文件"),
    ("会议记录.docx", ooxml("xl/workbook.xml"), "不是有效的Word 文档"),
    ("会议记录.docx", b"PK\x03\x04broken", "文件已损坏"),
    ("说明.txt", b"\x00\x01\x02binary", "含有二进制内容"),
    ("旧表格.xls", b"\xd0\xcf\x11\xe0", "不支持该文件类型"),
    ("旧文档.doc", b"\xd0\xcf\x11\xe0", "不支持该文件类型"),
]


def upload(client, meeting, name, data):
    return client.post(
        reverse("meetings:attachment_upload", args=[meeting.pk]),
        {"kind": "签到表", "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


@pytest.mark.parametrize(("name", "data"), ACCEPTED)
def test_a_file_that_is_what_it_says_is_accepted(secretary_client, world, name, data):
    meeting = MeetingFactory(organisation=world.branch)
    response = upload(secretary_client, meeting, name, data)
    assert "操作成功：附件已上传。" in response.content.decode()
    assert MeetingAttachment.objects.get().original_name == name


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_a_file_that_is_not_what_it_says_is_refused(secretary_client, world, name, data, message):
    meeting = MeetingFactory(organisation=world.branch)
    response = upload(secretary_client, meeting, name, data)
    assert message in response.content.decode()
    assert not MeetingAttachment.objects.exists()
