"""Quarters, half-years and years share one interface (ideology_review.lib.periods)."""

import datetime

import pytest

from ideology_review.lib.periods import HalfYear, Period, Year, period_of


@pytest.mark.parametrize(
    ("period", "label", "start", "end", "previous"),
    [
        (Period(2026, 1), "2026年第一季度", (2026, 1, 1), (2026, 3, 31), "2025年第四季度"),
        (Period(2026, 3), "2026年第三季度", (2026, 7, 1), (2026, 9, 30), "2026年第二季度"),
        (HalfYear(2026, 1), "2026年上半年", (2026, 1, 1), (2026, 6, 30), "2025年下半年"),
        (HalfYear(2026, 2), "2026年下半年", (2026, 7, 1), (2026, 12, 31), "2026年上半年"),
        (Year(2026), "2026年度", (2026, 1, 1), (2026, 12, 31), "2025年度"),
    ],
)
def test_every_period_has_bounds_a_label_and_a_previous_one(period, label, start, end, previous):
    assert period.label == label
    assert period.bounds() == (datetime.date(*start), datetime.date(*end))
    assert period.previous().label == previous
    # the quarters it is made of cover exactly its bounds
    quarters = period.quarters()
    assert quarters[0].bounds()[0] == period.bounds()[0]
    assert quarters[-1].bounds()[1] == period.bounds()[1]


def test_of_finds_the_period_of_a_date():
    day = datetime.date(2026, 8, 15)
    assert Period.of(day) == Period(2026, 3)
    assert HalfYear.of(day) == HalfYear(2026, 2)
    assert Year.of(day) == Year(2026)


def test_default_due_dates():
    assert Period(2026, 3).due_date() == datetime.date(2026, 10, 10)
    assert Period(2026, 4).due_date() == datetime.date(2027, 1, 10)
    assert HalfYear(2026, 1).due_date() == datetime.date(2026, 7, 15)
    assert Year(2026).due_date() == datetime.date(2027, 1, 20)


def test_period_of_reads_a_reports_columns():
    assert period_of(2026, 3, 0) == Period(2026, 3)
    assert period_of(2026, 0, 2) == HalfYear(2026, 2)
    assert period_of(2026, 0, 0) == Year(2026)
