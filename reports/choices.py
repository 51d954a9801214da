"""The kinds of report and the sections of a report: the enumerations that
`reports.models` and `reports.kinds` both name (the model holds a kind, the
kind's rules name sections), kept here so neither imports the other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", _("季度分析研判报告")
    HALF_YEAR = "half", _("半年分析研判报告")
    ANNUAL = "annual", _("年度意识形态工作总结")
    DUTY = "duty", _("落实意识形态工作责任制述职报告")
    NETWORK = "network", _("网络意识形态工作情况报告")


class Section(models.TextChoices):
    OPENING = "opening", _("导语")
    BASIC = "basic", _("基本情况")
    JUDGEMENT = "judgement", _("总体研判")
    PROBLEMS = "problems", _("存在的问题和风险隐患")
    MEASURES = "measures", _("下一步工作措施")
    RECTIFICATION = "rectification", _("上季度整改落实情况")
    CARRIED = "carried", _("以前季度未完成的整改事项")
    # 网络意识形态工作情况报告 (seed 004): its own three parts of work done.
    POSITIONS = "positions", _("网络阵地管理情况")
    OPINION = "opinion", _("网络舆情处置情况")
    TEAM = "team", _("网评员、通讯员队伍建设情况")
    CLOSING = "closing", _("结束语")


def period_kind_name(kind, period):
    """2026年第三季度分析研判报告, 2026年上半年分析研判报告, 2025年度意识形态工作总结:
    the period, then the kind without the word the period already says."""
    label = str(ReportKind(kind).label)
    for word in ("季度", "半年", "年度"):
        if label.startswith(word) and period.label.endswith(word[-2:]):
            label = label[len(word) :]
    return period.label + label
