"""What an uploaded file really is: its first bytes must match its extension.

An HTML page named `.png` or a macro-enabled workbook named `.xlsx` is refused;
the extension alone says nothing (issue #10)."""

import zipfile

MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
}
# OOXML: a zip package with its content types and the main part of its kind.
OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
NAMES = {"docx": "Word 文档", "xlsx": "Excel 表格", "pptx": "PowerPoint 演示文稿"}


def _head(upload, size=65536):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def content_problem(upload, ext):
    """None when the file is what its extension says, else the reason (Chinese)."""
    head = _head(upload)
    if ext in MAGIC:
        if not head.startswith(MAGIC[ext]):
            return f"文件内容与扩展名“.{ext}”不符，请上传真实的 .{ext} 文件。"
        return None
    if ext in OOXML or ext == "zip":
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return f"文件内容与扩展名“.{ext}”不符。"
        try:
            with zipfile.ZipFile(upload) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "文件已损坏，无法打开。"
        finally:
            upload.seek(0)
        if ext == "zip":
            return None
        if "[Content_Types].xml" not in names or not any(n.startswith(OOXML[ext]) for n in names):
            return f"文件不是有效的{NAMES[ext]}。"
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            return "不接受含宏的文件，请另存为不含宏的文档后上传。"
        return None
    if ext == "txt":
        if b"\x00" in head:
            return "文本文件中含有二进制内容，请上传纯文本文件。"
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return None
            except UnicodeDecodeError as error:
                if error.start > len(head) - 4:  # a character cut by the 64 KiB window
                    return None
        return "无法识别文本文件的编码，请另存为 UTF-8 后上传。"
    return None
