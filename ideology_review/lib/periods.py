"""Report periods: a quarter (季度), a half-year (上半年/下半年) or a year (年度).

Meetings and findings belong to a quarter; a report covers one period. The
three period types share one interface: `.of(date)`, `.bounds()`,
`.previous()`, `.quarters()` (the quarters the period is made of), `.name`
and `.label` (2026年第三季度, 2026年上半年, 2026年度).
"""

import datetime
from dataclasses import dataclass

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
QUARTER_CHOICES = list(QUARTER_NAMES.items())
HALF_NAMES = {1: "上半年", 2: "下半年"}


@dataclass(frozen=True, order=True)
class Period:
    """One quarter of one year: Period(2026, 3) is 2026年第三季度."""

    year: int
    quarter: int

    @classmethod
    def of(cls, date):
        return cls(date.year, (date.month - 1) // 3 + 1)

    def bounds(self):
        """The first and the last day of the quarter."""
        start = datetime.date(self.year, 3 * (self.quarter - 1) + 1, 1)
        if self.quarter == 4:
            following = datetime.date(self.year + 1, 1, 1)
        else:
            following = datetime.date(self.year, 3 * self.quarter + 1, 1)
        return start, following - datetime.timedelta(days=1)

    def previous(self):
        return (
            Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        )

    @property
    def name(self):
        """第三季度"""
        return QUARTER_NAMES[self.quarter]

    @property
    def label(self):
        """2026年第三季度"""
        return f"{self.year}年{self.name}"

    def quarters(self):
        return [self]

    def due_date(self):
        """A quarterly report is due 10 days after the quarter ends."""
        return self.bounds()[1] + datetime.timedelta(days=10)


@dataclass(frozen=True, order=True)
class HalfYear:
    """One half of one year: HalfYear(2026, 1) is 2026年上半年."""

    year: int
    half: int

    @classmethod
    def of(cls, date):
        return cls(date.year, 1 if date.month <= 6 else 2)

    def bounds(self):
        if self.half == 1:
            return datetime.date(self.year, 1, 1), datetime.date(self.year, 6, 30)
        return datetime.date(self.year, 7, 1), datetime.date(self.year, 12, 31)

    def previous(self):
        return HalfYear(self.year - 1, 2) if self.half == 1 else HalfYear(self.year, 1)

    def quarters(self):
        first = 2 * self.half - 1
        return [Period(self.year, first), Period(self.year, first + 1)]

    @property
    def name(self):
        """上半年"""
        return HALF_NAMES[self.half]

    @property
    def label(self):
        """2026年上半年"""
        return f"{self.year}年{self.name}"

    def due_date(self):
        """The first half's report by 7月15日, the second half's by 1月15日 of the next year."""
        if self.half == 1:
            return datetime.date(self.year, 7, 15)
        return datetime.date(self.year + 1, 1, 15)


@dataclass(frozen=True, order=True)
class Year:
    """One year: Year(2026) is 2026年度."""

    year: int

    @classmethod
    def of(cls, date):
        return cls(date.year)

    def bounds(self):
        return datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)

    def previous(self):
        return Year(self.year - 1)

    def quarters(self):
        return [Period(self.year, q) for q in QUARTER_NAMES]

    @property
    def name(self):
        """年度"""
        return "年度"

    @property
    def label(self):
        """2026年度"""
        return f"{self.year}年度"

    def due_date(self):
        """A year's summary and 述职报告 by 1月20日 of the next year."""
        return datetime.date(self.year + 1, 1, 20)


def period_of(year, quarter=0, half=0):
    """The period a report's (year, quarter, half) columns name: 0 where a part does not apply."""
    if quarter:
        return Period(year, quarter)
    if half:
        return HalfYear(year, half)
    return Year(year)


def quarter_of(date):
    return Period.of(date).quarter


def cn_date(date):
    """GB/T 9704 成文日期 and every date in a document: Arabic numerals, no zero
    padding (2026年9月28日)."""
    return f"{date.year}年{date.month}月{date.day}日" if date else ""
