"""统计分析 from precomputed rows (issue 14): what the page counts of findings
and measures is kept per organisation and quarter (QuarterFigures) and summed
per 审核单位 and quarter (UnitFigures), so a reviewer of 1,000 branches reads a
few rows instead of counting 60,000 findings and 120,000 measures per view.

Kept in the same transaction as the change (reports.signals): a finding or a
measure saved or deleted, a meeting moved to another quarter, an organisation
whose 审核单位 or 需报送 changed. What changes with the date alone — a measure
turning 已逾期 — is caught by `overdue_from` (the first day a row's count would
change): the page refreshes such rows before it reads (`refresh_due`), and the
beat does it every night. `rebuild()` recomputes everything (the migration,
the scale loader, `manage.py refresh_statistics`).

The live computation stays in reports.statistics; tests/reports/test_figures.py
checks that the two agree after random sequences of changes.
"""

import datetime
import threading

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from meetings import models as records
from meetings import signals
from meetings.models import Finding, FindingCategory, Measure, Organisation, overdue_q

from . import pagecache, statistics  # statistics: the live side (it never imports this module)
from .deadlines import period_columns
from .models import QuarterFigures, QuarterlyReport, UnitFigures

FIELDS = ("findings", "high", "high_open", "measures", "done", "closed", "overdue")
HIGH = Finding.RiskLevel.HIGH
DONE = Measure.DONE_STATUSES
CLOSED = Measure.Status.CLOSED
NO_UNIT = 0


def not_rectified(findings):
    """The findings not yet rectified — no measure, or a measure still open
    (整改状态 无措施, 整改中 or 已逾期), what the 审核工作台's 高风险问题 lists.
    A scalar subquery per finding (its first measure, open ones first), so that
    an ordered, sliced list probes a few findings' measures instead of hashing
    all 120,000 (as two ORed EXISTS make PostgreSQL do)."""
    first = (
        Measure.objects.filter(finding=OuterRef("pk"))
        .annotate(
            _rank=Case(When(status__in=Measure.OPEN_STATUSES, then=Value(0)), default=Value(1))
        )
        .order_by("_rank")
        .values("_rank")[:1]
    )
    return findings.annotate(_first=Subquery(first)).filter(Q(_first__isnull=True) | Q(_first=0))


def unit_key(review_unit_id):
    return review_unit_id or NO_UNIT


# ---------------------------------------------------------------------------
# Computing (the live counts, grouped by organisation and quarter)
# ---------------------------------------------------------------------------


def _computed(where_findings, where_measures, models=None):
    """{(organisation id, year, quarter): counts} for the findings and measures
    matched (Q objects with the Finding field names / prefixed "finding__")."""
    F, M = (models or {}).get("Finding", Finding), (models or {}).get("Measure", Measure)
    now = records.today()
    out = {}
    for row in (
        F.objects.filter(where_findings)
        .values("organisation_id", "year", "quarter", "category_id", "risk_level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (row["organisation_id"], row["year"], row["quarter"])
        counts = out.setdefault(key, _empty())
        counts["findings"] += row["n"]
        if row["risk_level"] == HIGH:
            counts["high"] += row["n"]
        cell = f"{row['category_id']}:{row['risk_level']}"
        counts["matrix"][cell] = counts["matrix"].get(cell, 0) + row["n"]
    measures_of = M.objects.filter(finding=OuterRef("pk"))
    not_rectified = ~Exists(measures_of) | Exists(
        measures_of.filter(status__in=Measure.OPEN_STATUSES)
    )
    for row in (
        F.objects.filter(where_findings, not_rectified, risk_level=HIGH)
        .values("organisation_id", "year", "quarter")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out[(row["organisation_id"], row["year"], row["quarter"])]["high_open"] = row["n"]
    open_dated = Q(status__in=Measure.OPEN_STATUSES, long_term=False, deadline__gte=now)
    for row in (
        M.objects.filter(where_measures)
        .values("finding__organisation_id", "finding__year", "finding__quarter")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE)),
            closed=Count("pk", filter=Q(status=CLOSED)),
            overdue=Count("pk", filter=overdue_q()),
            next_deadline=Min("deadline", filter=open_dated),
        )
        .order_by()
    ):
        key = (row["finding__organisation_id"], row["finding__year"], row["finding__quarter"])
        counts = out.setdefault(key, _empty())
        counts.update(
            measures=row["n"], done=row["done"], closed=row["closed"], overdue=row["overdue"]
        )
        if row["next_deadline"]:
            counts["overdue_from"] = row["next_deadline"] + datetime.timedelta(days=1)
    return out


def _empty():
    return {**dict.fromkeys(FIELDS, 0), "matrix": {}, "overdue_from": None}


def _stale_q(now):
    """Rows counted on another day whose 已逾期 count may differ today."""
    return Q(overdue_from__lte=now) | Q(computed_on__gt=now)


def _store(keys, computed, models=None):
    """Write the QuarterFigures of `keys` ((organisation, year, quarter)) from
    `computed` (absent: zero, the row deleted), then the UnitFigures they sum
    into. Returns nothing; two queries plus one per unit and quarter touched."""
    QF = (models or {}).get("QuarterFigures", QuarterFigures)
    O = (models or {}).get("Organisation", Organisation)  # noqa: E741
    organisations = {
        o["pk"]: o
        for o in O.objects.filter(pk__in={k[0] for k in keys}).values(
            "pk", "review_unit_id", "must_report"
        )
    }
    previous = {
        (r["organisation_id"], r["year"], r["quarter"]): unit_key(r["review_unit_id"])
        for r in QF.objects.filter(_keys_q(keys)).values(
            "organisation_id", "year", "quarter", "review_unit_id"
        )
    }
    rows, empty, now = [], [], records.today()
    for key in keys:
        org = organisations.get(key[0])
        counts = computed.get(key)
        if org is None or counts is None:
            empty.append(key)
            continue
        rows.append(
            QF(
                organisation_id=key[0],
                year=key[1],
                quarter=key[2],
                review_unit_id=org["review_unit_id"],
                must_report=org["must_report"],
                computed_on=now,
                **counts,
            )
        )
    if empty:
        QF.objects.filter(_keys_q(empty)).delete()
    if rows:
        QF.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["organisation", "year", "quarter"],
            update_fields=[
                *FIELDS,
                "matrix",
                "overdue_from",
                "computed_on",
                "review_unit",
                "must_report",
                "updated_at",
            ],
        )
    units = set()
    for key in keys:
        if key in previous:
            units.add((previous[key], key[1], key[2]))
        if key[0] in organisations:
            units.add((unit_key(organisations[key[0]]["review_unit_id"]), key[1], key[2]))
    sum_units(units, models)


def _add(total, numbers, matrix):
    """Add one row's counts and matrix cells to `total`."""
    for name in FIELDS:
        total[name] += numbers[name]
    for cell, n in matrix.items():
        total["matrix"][cell] = total["matrix"].get(cell, 0) + n


def _keys_q(keys, prefix=""):
    q = Q(pk__in=[])
    for organisation_id, year, quarter in keys:
        q |= Q(
            **{
                f"{prefix}organisation_id": organisation_id,
                f"{prefix}year": year,
                f"{prefix}quarter": quarter,
            }
        )
    return q


def sum_units(units, models=None):
    """Recompute the UnitFigures of (unit, year, quarter) from the QuarterFigures
    of the organisations that must report (one query each, one write for all)."""
    QF = (models or {}).get("QuarterFigures", QuarterFigures)
    UF = (models or {}).get("UnitFigures", UnitFigures)
    rows = []
    for unit, year, quarter in units:
        total = _empty()
        members = QF.objects.filter(
            year=year,
            quarter=quarter,
            must_report=True,
            **({"review_unit__isnull": True} if unit == NO_UNIT else {"review_unit_id": unit}),
        ).values_list(*FIELDS, "matrix")
        for *numbers, matrix in members:
            _add(total, dict(zip(FIELDS, numbers, strict=True)), matrix)
        del total["overdue_from"]
        rows.append(UF(unit=unit, year=year, quarter=quarter, **total))
    if rows:
        UF.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["unit", "year", "quarter"],
            update_fields=[*FIELDS, "matrix", "updated_at"],
        )


_pending = threading.local()


def refresh(keys):
    """Recompute the given (organisation id, year, quarter) rows and their units
    (inside meetings.signals.deferred(): once, when the block ends)."""
    keys = {k for k in keys if None not in k}
    if not keys:
        return
    if signals.is_deferring():
        _pending.keys = getattr(_pending, "keys", set()) | keys
        signals.defer("figures", _flush)
        return
    _store(keys, _computed(_keys_q(keys), _keys_q(keys, "finding__")))


def _flush():
    keys, _pending.keys = getattr(_pending, "keys", set()), set()
    refresh(keys)


def refresh_organisations(organisation_ids):
    """An organisation's 审核单位 or 需报送 changed: its rows move between units."""
    keys = set(
        QuarterFigures.objects.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", "year", "quarter"
        )
    )
    if keys:
        refresh(keys)


def open_high_risk(units):
    """The 高 risk findings not yet rectified of the organisations whose 审核单位
    is one of `units` (every quarter; one query over the precomputed rows)."""
    return QuarterFigures.objects.filter(review_unit_id__in=list(units)).aggregate(
        n=Coalesce(Sum("high_open"), 0)
    )["n"]


def refresh_due(units=None):
    """Recompute the rows whose 已逾期 count changed with the date (one query
    when there are none)."""
    stale = QuarterFigures.objects.filter(_stale_q(records.today()))
    if units is not None:
        stale = stale.filter(_units_q(units, "review_unit_id"))
    keys = set(stale.values_list("organisation_id", "year", "quarter"))
    if keys:
        with transaction.atomic():
            refresh(keys)
    return len(keys)


def rebuild(models=None):
    """Everything from scratch (models: a migration's historical ones)."""
    QF = (models or {}).get("QuarterFigures", QuarterFigures)
    UF = (models or {}).get("UnitFigures", UnitFigures)
    computed = _computed(Q(), Q(), models)
    with transaction.atomic():
        UF.objects.all().delete()
        QF.objects.all().delete()
        keys = set(computed)
        _store(keys, computed, models)
    if models is None:  # not in a migration (post_migrate moves the version on)
        pagecache.jump()
    return len(keys)


# ---------------------------------------------------------------------------
# Reading (the shapes of reports.statistics)
# ---------------------------------------------------------------------------


def _units_q(units, field="unit"):
    """None: every unit (an administrator); else the units' ids."""
    return Q() if units is None else Q(**{f"{field}__in": list(units)})


def unit_rows(units, quarters):
    """{(year, quarter): summed counts} of the units over the quarters (one query)."""
    out = {}
    for row in UnitFigures.objects.filter(_units_q(units), statistics.quarters_q(quarters)).values(
        "year", "quarter", *FIELDS, "matrix"
    ):
        total = out.setdefault(
            (row["year"], row["quarter"]), {**dict.fromkeys(FIELDS, 0), "matrix": {}}
        )
        _add(total, row, row["matrix"])
    return out


def organisation_figures(period):
    """Annotations of Organisation rows with their sums over the period's quarters."""
    quarters = [p.quarter for p in period.quarters()]
    rows = QuarterFigures.objects.filter(
        organisation=OuterRef("pk"), year=period.year, quarter__in=quarters
    ).order_by()
    names = {
        "finding_count": "findings",
        "measure_count": "measures",
        "done_count": "done",
        "closed_count": "closed",
        "overdue_count": "overdue",
    }
    return {alias: statistics.subtotal(rows, Sum(field)) for alias, field in names.items()}


def category_matrix(counts, levels):
    """The matrix of statistics.category_matrix from summed unit rows."""
    cells = {}
    for total in counts.values():
        for cell, n in total.get("matrix", {}).items():
            category_id, level = cell.split(":", 1)
            key = (int(category_id), level)
            cells[key] = cells.get(key, 0) + n
    return [
        {
            "category": category,
            "cells": [(level, cells.get((category.pk, level), 0)) for level in levels],
            "total": sum(cells.get((category.pk, level), 0) for level in levels),
        }
        for category in FindingCategory.objects.all()
        if any((category.pk, level) in cells for level in levels)
    ]


def _buckets(reporting, report_rows, period, kind):
    """应报 and the reports per status bucket. An organisation has one report of
    a kind and period, so its reports are counted directly (two queries); a
    述职报告 is one per person, so its rows are the secretaries' (report_rows)."""
    buckets = statistics.BUCKETS
    if kind == QuarterlyReport.Kind.DUTY:
        return report_rows.aggregate(
            should=Count("pk"),
            **{
                key: Count("pk", filter=Q(report_status__in=statuses))
                for key, (_, statuses) in buckets.items()
            },
        )
    year, quarter, half = period_columns(period)
    by_status = dict(
        QuarterlyReport.objects.filter(
            kind=kind, year=year, quarter=quarter, half=half, organisation__in=reporting
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    summary = {"should": reporting.count()}
    for key, (_, statuses) in buckets.items():
        summary[key] = sum(by_status.get(status, 0) for status in statuses if status)
    # no report at all is 未提交 too
    summary["missing"] += summary["should"] - sum(by_status.values())
    return summary


def statistics_page(units, visible, period, kind, reviewing=None):
    """summary, rows, categories and trends of 统计分析 as reports.statistics
    computes them live (branch_rows, branch_totals, category_matrix, trends),
    from the precomputed rows: `units` are the 审核单位 whose organisations
    `visible` selects (None: all, an administrator's). Rows whose 已逾期 count
    changed with the date are refreshed first."""
    refresh_due(units)
    report_rows = statistics.report_rows(visible, period, kind)
    reporting = Organisation.objects.filter(visible, must_report=True)
    summary = _buckets(reporting, report_rows, period, kind)
    quarters = statistics.trend_quarters(period)
    counts = unit_rows(units, quarters)
    zero = {**dict.fromkeys(FIELDS, 0), "matrix": {}}
    own = {(p.year, p.quarter): counts.get((p.year, p.quarter), zero) for p in period.quarters()}
    for name in ("findings", "measures", "done", "closed", "overdue"):
        summary[name] = sum(total[name] for total in own.values())
    summary["rate"] = statistics.rate(summary["done"], summary["measures"])
    summary["closed_rate"] = statistics.rate(summary["closed"], summary["measures"])

    by_quarter = [counts.get((p.year, p.quarter), zero) for p in quarters]
    per_category = {}
    for i, total in enumerate(by_quarter):
        for cell, n in total.get("matrix", {}).items():
            category_id = int(cell.split(":", 1)[0])
            per_category.setdefault(category_id, [0] * len(quarters))[i] += n
    categories = [
        {"category": c, "counts": per_category[c.pk], "total": sum(per_category[c.pk])}
        for c in FindingCategory.objects.filter(pk__in=per_category)
    ]
    rectification = [
        {
            "period": p,
            "measures": total["measures"],
            "done": total["done"],
            "rate": statistics.rate(total["done"], total["measures"]),
            "closed": total["closed"],
            "closed_rate": statistics.rate(total["closed"], total["measures"]),
        }
        for p, total in zip(quarters, by_quarter, strict=True)
    ]
    return {
        "summary": summary,
        "rows": report_rows.annotate(**organisation_figures(period)),
        "categories": category_matrix(own, statistics.RISK_LEVELS),
        "trends": {
            "quarters": quarters,
            "on_time": statistics.on_time_trend(
                reporting, quarters, reviewing, should=summary["should"]
            ),
            "categories": categories,
            "rectification": rectification,
        },
    }
