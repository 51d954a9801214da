"""问题台账 / 整改台账: the filtered rows, for a user and a set of filters.

The pages build their queryset here from the request's filters, and so does
导出台账's worker from the filters recorded with the export: the same rows,
in the requester's scope (`for_user`), whoever runs the code.
"""

from .access import get_scope
from .exports import findings_xlsx, measures_xlsx
from .forms import LedgerFilterForm, filter_findings, filter_measures
from .models import Finding, Measure, Organisation, Person

KINDS = {"findings": "问题台账", "measures": "整改台账"}


def visible_people(user):
    return (
        Person.objects.filter(memberships__organisation__in=visible_organisations(user))
        .distinct()
        .order_by("name", "pk")
    )


def visible_organisations(user):
    return Organisation.objects.filter(get_scope(user).visible_q("")).order_by("path")


def filter_form(kind, user, data):
    """The ledger's filter form, bound to `data` (a QueryDict or a dict)."""
    status_choices = (
        Finding.Progress.choices if kind == "findings" else Measure.DISPLAY_STATUS_CHOICES
    )
    return LedgerFilterForm(
        data or None,
        people=visible_people(user),
        organisations=visible_organisations(user),
        status_choices=status_choices,
    )


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
        else:
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
    return filter_findings(qs, filters)


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
    return filter_measures(qs, filters)


def rows(kind, user, filters):
    return findings(user, filters) if kind == "findings" else measures(user, filters)


def write_xlsx(kind, user, filters):
    """The ledger as an XLSX in an open temporary file (at its start)."""
    writer = findings_xlsx if kind == "findings" else measures_xlsx
    return writer(rows(kind, user, filters))
