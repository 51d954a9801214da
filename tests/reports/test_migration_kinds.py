"""Migration 0009 (issue 12, reports of every kind): the quarterly reports that
exist before it — their items, submission rounds, 审核记录 and generated files —
come out of it with the same content, and render to the same DOCX bytes.

The migration is run for real with Django's MigrationExecutor: back to 0008,
rows written there with the historical models, then forward to the latest state."""

import io
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reports import rendering, services
from reports.content import build_report_data
from reports.docx import Layout, Properties, render_docx
from reports.files import content_key, frozen_content, layout_dict, report_file
from reports.models import GeneratedFile, QuarterlyReport, ReportEvent, ReportItem, ReportSubmission

from ..factories import make_report

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("reports", "0008_created_by_label")
MODELS = (QuarterlyReport, ReportItem, ReportSubmission, ReportEvent, GeneratedFile)
# The columns added by 0009 and the later migrations (0012: the 审核要点 of an event).
NEW_FIELDS = {"kind", "half", "person", "person_id", "checklist"}


def _rows():
    """Every column that existed before the migration, of every row, by model."""
    out = {}
    for model in MODELS:
        names = [f.attname for f in model._meta.concrete_fields if f.name not in NEW_FIELDS]
        out[model.__name__] = list(model.objects.order_by("pk").values(*names))
    return out


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _stored(file):
    with open(file.file.path, "rb") as handle:
        return handle.read()


def _parts(docx_bytes):
    """A DOCX's parts and their bytes. The package is compared part by part: the
    ZIP stamps each member with the time it was written, nothing else differs."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _docx_of(file):
    data = file.content
    return render_docx(
        data["data"],
        Layout(**data["layout"]),
        Properties(author=file.organisation.name, created=file.created_at),
    )


def test_quarterly_reports_items_rounds_events_and_files_survive_the_migration(world):
    # A report submitted once (a frozen round, an event) and exported (a generated file) …
    submitted = make_report(world, quarter=2)
    services.report_submit(report=submitted, by=world.secretary, accept_warnings=True)
    submitted_file, _ = report_file(QuarterlyReport.objects.get(pk=submitted.pk), world.secretary)
    rendering.render_file(submitted_file.pk)
    # … and a draft exported as it stands.
    draft = make_report(world, quarter=3)
    draft_file, _ = report_file(draft, world.secretary)
    rendering.render_file(draft_file.pk)
    files_before = {f.pk: _stored(f) for f in GeneratedFile.objects.exclude(file="")}
    assert len(files_before) == 2
    draft_data_before = build_report_data(draft)

    latest = _latest()
    try:
        executor = _migrate([BEFORE])
        # A report written by the code of 0008, with the historical models.
        old = executor.loader.project_state([BEFORE]).apps
        OldReport = old.get_model("reports", "QuarterlyReport")
        OldItem = old.get_model("reports", "ReportItem")
        assert "kind" not in {f.name for f in OldReport._meta.get_fields()}
        legacy = OldReport.objects.create(
            organisation_id=world.other_branch.pk,
            year=2026,
            quarter=1,
            title="中共青山县人民医院支部委员会关于2026年第一季度意识形态领域分析研判情况的报告",
            addressee="中共青山县委员会",
            signatory="中共青山县人民医院支部委员会",
        )
        OldItem.objects.create(
            report=legacy, section="opening", order=10, body="2026年第一季度，我院……"
        )
        OldItem.objects.create(
            report=legacy, section="judgement", order=10, body="通过研判认为，主流是好的。"
        )
        rows_before = _rows()
    finally:
        _migrate(latest)
        # Migrating renders historical models: the content type cache may hold
        # the historical classes' types, which the next test's flush recreates.
        ContentType.objects.clear_cache()

    assert _rows() == rows_before  # every old column of every row, unchanged
    for report in QuarterlyReport.objects.all():
        assert (report.kind, report.half, report.person_id) == ("quarterly", 0, None)
        assert report.period_label.endswith("季度")

    # The same DOCX bytes from the same content, and no second render: the
    # content key of each version is what it was.
    for file in GeneratedFile.objects.exclude(file=""):
        assert _parts(_docx_of(file)) == _parts(files_before[file.pk])
    submitted = QuarterlyReport.objects.get(pk=submitted.pk)
    content, submission, label = frozen_content(submitted)
    assert (submission.round, label) == (1, "第1次提交")
    assert content == submitted_file.content["data"]
    again, new = report_file(submitted, world.secretary)
    assert (again.pk, new) == (submitted_file.pk, False)
    draft = QuarterlyReport.objects.get(pk=draft.pk)
    assert build_report_data(draft) == draft_data_before
    again, new = report_file(draft, world.secretary)
    assert (again.pk, new) == (draft_file.pk, False)
    assert draft_file.content_key == content_key(draft_data_before, layout_dict(Layout()))

    # The report written before the migration is a quarterly report like the others.
    legacy = QuarterlyReport.objects.get(organisation=world.other_branch)
    assert legacy.period_label == "2026年第一季度"
    data = build_report_data(legacy)
    assert [p["title"] for p in data["parts"]] == [
        "基本情况",
        "总体研判",
        "存在的问题和风险隐患",
        "下一步工作措施",
    ]
    assert data["opening"][0]["text"] == "2026年第一季度，我院……"
