"""问题台账 / 整改台账: the filtered rows, for a user and a set of filters.

The pages build their queryset here from the request's filters, and so does
导出台账's worker from the filters recorded with the export: the same rows,
in the requester's scope (`for_user`), whoever runs the code.
"""

from urllib.parse import urlencode

from celery import current_app
from django.db import transaction

from ideology_review import audit
from ideology_review.lib.http import parse_int
from ideology_review.lib.models import columns
from reports import exports, files, rendering
from reports.models import GeneratedFile

from .access import get_scope
from .exports import findings_xlsx, measures_xlsx
from .forms import LedgerFilterForm, filter_findings, filter_measures
from .models import Finding, Measure, Organisation, Person

KINDS = {"findings": "问题台账", "measures": "整改台账"}
ROW_NAMES = {"findings": "finding", "measures": "measure"}  # their rows' templates
Status = GeneratedFile.Status


def visible_people(user):
    return (
        Person.objects.filter(memberships__organisation__in=visible_organisations(user))
        .distinct()
        .order_by("name", "pk")
    )


def visible_organisations(user):
    return Organisation.objects.filter(get_scope(user).visible_q("")).order_by("path")


# A select offers at most this many organisations or people: a reviewer sees a
# thousand organisations and five thousand people, which no one scrolls through
# (and which made the page 300 KB); they are found by a word of the name instead.
SELECT_LIMIT = 100


def filter_form(kind, user, data):
    """The ledger's filter form, bound to `data` (a QueryDict or a dict)."""
    status_choices = (
        Finding.Progress.choices if kind == "findings" else Measure.DISPLAY_STATUS_CHOICES
    )
    form = LedgerFilterForm(
        data or None,
        people=visible_people(user),
        organisations=visible_organisations(user),
        status_choices=status_choices,
    )
    scope = get_scope(user)
    if not scope.is_reviewer:
        del form.fields["reviewed"]
    if scope.everything or scope.committee_paths:
        _limit_choices(form, "organisation")
    else:
        # A branch member sees their own organisations: loaded with the scope, no query.
        own = sorted(scope.organisations.values(), key=lambda org: org.path)
        _limit_choices(form, "organisation", own)
    if not _limit_choices(form, "person"):
        del form.fields["person_name"]  # every person is in the select
    return form


def _limit_choices(form, name, rows=None):
    """The select's options, read once (one query unless `rows` are given): all
    of them, or past SELECT_LIMIT only the one chosen (a link from 统计分析 names
    an organisation). The field still validates against its whole queryset.
    True if cut short."""
    field = form.fields[name]
    rows = list(field.queryset[: SELECT_LIMIT + 1]) if rows is None else rows
    cut = len(rows) > SELECT_LIMIT
    if cut:
        chosen = parse_int(form.data.get(name)) if form.is_bound else None
        rows = list(field.queryset.filter(pk=chosen)) if chosen is not None else []
    field.choices = [("", field.empty_label), *((r.pk, field.label_from_instance(r)) for r in rows)]
    return cut


def _reviewed(qs, user, filters, prefix):
    """审核范围: only the organisations that report to the user (as on 统计分析,
    whose numbers link here: a 镇党委's own records are not its branches')."""
    if filters.get("reviewed"):
        return qs.filter(get_scope(user).reviewed_rows_q(prefix))
    return qs


def describe(form, filters):
    """The filters in words, e.g. “2026年；风险等级：高”; “全部记录” without any."""
    parts = []
    for name, value in filters.items():
        field = form.fields[name]
        if name == "year":
            parts.append(f"{value}年")
            continue
        shown = form.cleaned_data.get(name)
        if hasattr(field, "queryset"):
            shown = str(shown)
        elif hasattr(field, "choices"):
            shown = {str(k): v for k, v in field.choices}.get(str(value), value)
        parts.append(shown if name == "quarter" else f"{field.label}：{shown}")
    return "；".join(parts) or "全部记录"


def findings(user, filters):
    qs = (
        Finding.objects.for_user(user)
        .with_progress()
        .select_related("organisation", "category", "meeting")
        .order_by("-year", "-quarter", "organisation__path", "order", "pk")
    )
    return filter_findings(_reviewed(qs, user, filters, "organisation__"), filters)


def measures(user, filters):
    qs = (
        Measure.objects.for_user(user)
        .with_current_status()
        .select_related(
            "finding__organisation", "finding__category", "finding__meeting", "responsible_person"
        )
        .order_by(
            "-finding__year",
            "-finding__quarter",
            "finding__organisation__path",
            "finding__order",
            "finding_id",
            "order",
            "pk",
        )
    )
    return filter_measures(_reviewed(qs, user, filters, "finding__organisation__"), filters)


def rows(kind, user, filters):
    return findings(user, filters) if kind == "findings" else measures(user, filters)


# What a ledger page joins to a row, and reads of those tables: not the meeting's
# whole record, nor an organisation's or person's dozen columns (the XLSX writes
# more). Of the findings and measures it reads every column: see meetings.views.
_ORG = ("name", "short_name")
PAGE_COLUMNS = {
    "findings": (
        ("organisation", "category"),
        (
            *columns(Finding),
            *(f"organisation__{name}" for name in _ORG),
            "category__name",
        ),
    ),
    "measures": (
        ("finding__organisation", "responsible_person"),
        (
            *columns(Measure),
            *columns(Finding, "finding"),
            *(f"finding__organisation__{name}" for name in _ORG),
            "responsible_person__name",
        ),
    ),
}


def page_rows(kind, user, filters):
    """The rows as the ledger page shows them: only the columns it shows."""
    related, columns = PAGE_COLUMNS[kind]
    return rows(kind, user, filters).select_related(None).select_related(*related).only(*columns)


def write_xlsx(kind, user, filters):
    """The ledger as an XLSX in an open temporary file (at its start)."""
    writer = findings_xlsx if kind == "findings" else measures_xlsx
    return writer(rows(kind, user, filters))


# ---------------------------------------------------------------------------
# 导出台账: a Celery task builds the XLSX in the requester's scope; the web side
# records and queues it (through reports' generated files, the same status
# block as a DOCX), the worker side renders it.
# ---------------------------------------------------------------------------


@transaction.atomic  # the export and its audit row, together
def record_export(*, kind, filters, summary, by):
    """The file record of a ledger export and its 导出台账 audit row (the caller
    commits them, then calls queue_export). Returns (file, new): a click
    repeated while the same export is still queued or running gets that one,
    not a second one."""
    query = urlencode(filters)
    audit.record(by, event="导出台账", actor=by, 台账=kind, 筛选=query, 条件=summary)
    key = files.content_key("ledger", by.pk, kind, filters)
    existing = (
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.LEDGER,
            requested_by=by,
            content_key=key,
            status__in=(Status.QUEUED, Status.RUNNING),
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    label = summary if len(summary) <= 50 else summary[:49] + "…"
    file = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.LEDGER,
        organisation=None,
        version_label=label,
        content={"ledger": kind, "filters": filters, "summary": summary},
        content_key=key,
        filename=f"{KINDS[kind]}.xlsx",
        requested_by=by,
    )
    return file, True


def queue_export(file):
    """Queue the ledger's task; the record must be committed (a worker reads it)."""
    exports.enqueue(current_app.tasks[exports.LEDGER_TASK], file)
    file.refresh_from_db()
    return file


def render_export(file_id):
    """Build one ledger's XLSX (idempotent: a done file is left as it is)."""
    file = rendering.claim(file_id)
    if file is None:
        return None
    user = file.requested_by
    with rendering.producing(file, timeout="生成超时，请缩小筛选范围后重试。"):
        if user is None or not user.is_active:
            rendering.fail(file, "申请人的账号已停用，台账未生成。")
        else:
            with write_xlsx(file.content["ledger"], user, file.content["filters"]) as payload:
                rendering.store(file, payload)
    file.save()
    return file
