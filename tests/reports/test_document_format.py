"""公文版式 in the admin: per-organisation page settings, checked, and used by 导出DOCX."""

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.shared import Mm

from reports import exports
from reports.models import DocumentFormat

from ..factories import make_report

pytestmark = pytest.mark.django_db


def format_data(world, **changes):
    data = {
        "organisation": world.branch.pk,
        "margin_top_mm": "37",
        "margin_bottom_mm": "35",
        "margin_left_mm": "28",
        "margin_right_mm": "26",
        "line_pitch_pt": "28.95",
    }
    data.update(changes)
    return data


def test_the_admin_lists_and_adds_document_formats(client, world):
    DocumentFormat.objects.create(organisation=world.other_branch, margin_top_mm=30)
    client.force_login(world.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "公文版式" in index
    listing = client.get(reverse("admin:reports_documentformat_changelist"))
    assert listing.status_code == 200
    assert world.other_branch.name in listing.content.decode()
    assert client.get(reverse("admin:reports_documentformat_add")).status_code == 200

    response = client.post(
        reverse("admin:reports_documentformat_add"), format_data(world, margin_top_mm="30")
    )
    assert response.status_code == 302
    assert DocumentFormat.objects.get(organisation=world.branch).margin_top_mm == 30


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("margin_top_mm", "5", "上边距应在10至60毫米之间。"),
        ("margin_right_mm", "75", "右边距应在10至60毫米之间。"),
        ("line_pitch_pt", "12", "固定行距应在20至40磅之间。"),
    ],
)
def test_the_admin_refuses_settings_that_break_the_page(client, world, field, value, message):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:reports_documentformat_add"), format_data(world, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentFormat.objects.exists()


def test_the_export_uses_the_organisations_document_format(world):
    report = make_report(world)

    def margins():
        file = exports.request_report_docx(report=report, by=world.secretary)
        file.refresh_from_db()
        with file.file.open("rb") as handle:
            section = Document(io.BytesIO(handle.read())).sections[0]
        return section.top_margin, section.left_margin

    def near(length, mm):  # Word stores twips: within a twentieth of a point
        return abs(length - Mm(mm)) < Mm(0.1)

    top, left = margins()
    assert near(top, 37) and near(left, 28)  # GB/T 9704 when nothing is set
    DocumentFormat.objects.create(organisation=world.branch, margin_top_mm=30, margin_left_mm=25)
    world.branch.refresh_from_db()
    top, left = margins()  # a new layout is a new file, not the one rendered before
    assert near(top, 30) and near(left, 25)
