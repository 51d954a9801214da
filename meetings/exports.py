"""导出台账: the ledgers as XLSX, read from the database in chunks (in the
Celery worker: meetings.ledgers.render_export)."""

import io
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from ideology_review.lib.periods import QUARTER_NAMES, cn_date

HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
# Excel keeps at most 32,767 characters in a cell; a longer text is marked as cut.
CELL_LIMIT = 32_767
CUT = "…（全文见系统）"
# OWASP (CSV injection): a text a spreadsheet could read as a formula or a DDE
# call starts with one of these; it is written as a string, prefixed with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    """User text as a spreadsheet cell: never a formula, never silently cut."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    if len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - len(CUT)] + CUT
    return value


def _xlsx(title, columns, widths, rows):
    """Write rows in openpyxl's write-only mode to a temporary file; returns it, open,
    at its start (the caller closes it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=cell_text(value))
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store a leading = as a formula
            cell.alignment = WRAP
            cells.append(cell)
        sheet.append(cells)
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, the caller closes it
    try:
        book.save(tmp)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp


def sheets_xlsx(sheets):
    """(title, columns, rows) sheets as XLSX bytes, built in memory (统计分析's
    导出统计表: small aggregate tables); user text never becomes a formula."""
    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.column_dimensions["A"].width = 36
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = HEADER_FONT
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=cell_text(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # a leading = stays text
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _period(obj):
    return f"{obj.year}年{QUARTER_NAMES[obj.quarter]}"


def findings_xlsx(queryset):
    rows = (
        (
            _period(f),
            f.organisation.name,
            f.title,
            f.details,
            f.finding_type,
            f.category.name,
            f.risk_level,
            f.source,
            f.measure_count,
            "未制定措施" if f.progress == "无措施" else f.progress,
        )
        for f in queryset.iterator(chunk_size=2000)
    )
    return _xlsx(
        "问题台账",
        [
            "季度",
            "党组织",
            "问题概述",
            "具体表现",
            "问题性质",
            "问题类别",
            "风险等级",
            "问题来源",
            "整改措施数",
            "整改状态",
        ],
        [14, 30, 30, 50, 14, 16, 8, 12, 10, 12],
        rows,
    )


def measures_xlsx(queryset):
    rows = (
        (
            _period(m.finding),
            m.finding.organisation.name,
            m.finding.title,
            m.content,
            m.responsible_person.name if m.responsible_person else "",
            m.responsible_dept,
            "长期坚持" if m.long_term else cn_date(m.deadline),
            m.current_status,
            m.progress_note,
        )
        for m in queryset.iterator(chunk_size=2000)
    )
    return _xlsx(
        "整改台账",
        [
            "季度",
            "党组织",
            "问题概述",
            "整改措施",
            "责任人",
            "责任部门",
            "整改时限",
            "整改状态",
            "进展情况",
        ],
        [14, 30, 30, 50, 10, 14, 14, 10, 40],
        rows,
    )
