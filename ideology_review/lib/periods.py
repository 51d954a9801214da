"""Quarters (季度): the period every meeting, finding and report belongs to."""

import datetime
from dataclasses import dataclass

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
QUARTER_CHOICES = list(QUARTER_NAMES.items())


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


def quarter_of(date):
    return Period.of(date).quarter


def cn_date(date):
    """GB/T 9704 成文日期 and every date in a document: Arabic numerals, no zero
    padding (2026年9月28日)."""
    return f"{date.year}年{date.month}月{date.day}日" if date else ""
