"""Analysis reports (分析研判报告) of every kind and their review.

A report has a kind (季度分析研判报告, 半年分析研判报告, 年度意识形态工作总结,
述职报告, 网络意识形态工作情况报告) and a period (a quarter, a half-year or a
year: `year`, `quarter` and `half`, 0 where a part does not apply); a 述职报告
belongs to a person. The kinds' titles, skeletons and assembly are in
`reports.kinds`; they share the workflow, checks and renderer.

A report's status changes only through `reports.services` (report_submit,
report_approve, report_return, report_withdraw …), which checks the
transition table below, the actor's right and locks the row.
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideology_review.lib.fields import SafeCharField, SafeTextField
from ideology_review.lib.models import Authored
from ideology_review.lib.periods import HALF_NAMES, QUARTER_CHOICES, period_of
from meetings.models import Organisation, Person, ScopedQuerySet

from .choices import ReportKind, Section, period_kind_name
from .docx import Layout
from .kinds import spec_of


class ReportQuerySet(ScopedQuerySet):
    def quarterly(self):
        return self.filter(kind=QuarterlyReport.Kind.QUARTERLY)

    def pending_review(self):
        return self.filter(status=QuarterlyReport.Status.SUBMITTED)


class QuarterlyReport(Authored):
    """Status changes go through reports.services, never by assigning `status`.

    (The class keeps its first name: it is every kind of report now.)"""

    Kind = ReportKind

    # The period each kind covers: a quarter, a half-year or a year.
    PERIOD_OF_KIND = {
        Kind.QUARTERLY: "quarter",
        Kind.HALF_YEAR: "half",
        Kind.ANNUAL: "year",
        Kind.DUTY: "year",
        Kind.NETWORK: "year",
    }

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("已通过")

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交审核")
        RESUBMIT = "resubmit", _("重新提交")
        WITHDRAW = "withdraw", _("撤回")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")

    # (from, action) → to. Everything else is refused.
    TRANSITIONS = {
        (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
        (Status.RETURNED, Action.RESUBMIT): Status.SUBMITTED,
        (Status.SUBMITTED, Action.WITHDRAW): Status.DRAFT,
        (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
        (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # With the reviewer or through: what a deadline counts as reported.
    HANDED_IN = (Status.SUBMITTED, Status.APPROVED)
    # The finding categories a 网络意识形态工作情况报告 reports on (meetings 0002).
    NETWORK_CATEGORIES = ("network", "position", "opinion")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=Kind, default=Kind.QUARTERLY)
    year = models.PositiveSmallIntegerField(_("年度"))
    # 0 where the part does not apply: a half-year or a year has no quarter.
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=[(0, "—"), *QUARTER_CHOICES], default=0
    )
    half = models.PositiveSmallIntegerField(
        _("半年"), choices=[(0, "—"), *HALF_NAMES.items()], default=0
    )
    # 述职报告 only: the office-holder whose report it is (written in the first person).
    person = models.ForeignKey(
        Person,
        verbose_name=_("述职人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_reports",
    )
    title = SafeCharField(_("报告标题"), max_length=300)
    addressee = SafeCharField(_("主送单位"), max_length=200, blank=True)
    signatory = SafeCharField(_("落款单位"), max_length=200, blank=True)
    issue_date = models.DateField(_("成文日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=0, editable=False)
    assembled_at = models.DateTimeField(_("最近汇总时间"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    review_comment = SafeTextField(_("审核意见"), blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("分析研判报告")
        verbose_name_plural = _("分析研判报告")
        ordering = ["-year", "-quarter", "organisation__path"]
        constraints = [
            # One report per organisation, kind and period; a 述职报告 one per person.
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "half", "quarter"],
                condition=Q(person__isnull=True),
                name="reports_quarterlyreport_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "person"],
                condition=Q(person__isnull=False),
                name="reports_quarterlyreport_one_per_person",
            ),
            # The period matches the kind: a quarterly report names a quarter
            # (1–4), a half-year report a half (1–2), the others the year only;
            # a 述职报告 has its person and no other kind has one.
            models.CheckConstraint(
                condition=(
                    Q(kind="quarterly", quarter__gte=1, quarter__lte=4, half=0)
                    | Q(kind="half", quarter=0, half__gte=1, half__lte=2)
                    | Q(kind__in=["annual", "duty", "network"], quarter=0, half=0)
                )
                & (
                    Q(kind="duty", person__isnull=False)
                    | (~Q(kind="duty") & Q(person__isnull=True))
                ),
                name="reports_quarterlyreport_period_of_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"]),
            # the 报告审核 badge and inbox: the submitted ones, oldest first
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def period(self):
        """Period, HalfYear or Year (ideology_review.lib.periods)."""
        return period_of(self.year, self.quarter, self.half)

    @property
    def quarter_name(self):
        return self.period.name

    @property
    def period_label(self):
        return self.period.label

    @property
    def name(self):
        """2026年第三季度分析研判报告, 2025年度意识形态工作总结 (the period and the kind)."""
        return period_kind_name(self.kind, self.period)

    @property
    def is_quarterly(self):
        return self.kind == self.Kind.QUARTERLY

    @property
    def spec(self):
        """The kind's rules: title, addressee, skeleton, assembly (reports.kinds)."""
        return spec_of(self.kind)

    def records_q(self, prefix=""):
        """The meetings/findings of the report's period, as a Q on their year and quarter."""
        quarters = [p.quarter for p in self.period.quarters()]
        if len(quarters) == 1:
            return Q(**{f"{prefix}year": self.year, f"{prefix}quarter": quarters[0]})
        if len(quarters) == 4:
            return Q(**{f"{prefix}year": self.year})
        return Q(**{f"{prefix}year": self.year, f"{prefix}quarter__in": quarters})

    def findings_q(self):
        """The findings the report covers (Finding.objects.for_report)."""
        q = self.records_q() & Q(organisation_id=self.organisation_id, include_in_report=True)
        if self.kind == self.Kind.NETWORK:
            q &= Q(category__code__in=self.NETWORK_CATEGORIES)
        return q

    def default_due_date(self):
        """报送截止日期 by default: quarterly 10 days after the quarter, half-year
        7月15日 (1月15日 for the second half), the year's reports 1月20日 next year."""
        return self.period.due_date()

    @property
    def is_editable(self):
        return self.status in self.EDITABLE


class ReportItem(models.Model):
    """One paragraph of a report section.

    Items that 一键汇总 generates are AUTO and carry a `source_key` naming the
    record they came from. Re-assembling replaces AUTO items; a MANUAL item —
    written by the secretary, or an AUTO item the secretary edited — is never
    touched, and an excluded AUTO item (removed by the secretary) is not
    generated again."""

    Section = Section

    class Origin(models.TextChoices):
        AUTO = "auto", _("自动汇总")
        MANUAL = "manual", _("手写")

    report = models.ForeignKey(
        QuarterlyReport, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField(_("部分"), max_length=20, choices=Section)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    heading = SafeCharField(_("小标题"), max_length=300, blank=True)
    body = SafeTextField(_("正文"), blank=True)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin, default=Origin.MANUAL)
    source_key = models.CharField(_("来源记录"), max_length=50, blank=True, editable=False)
    excluded = models.BooleanField(_("已移除"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("报告段落")
        verbose_name_plural = _("报告段落")
        ordering = ["report", "section", "order", "pk"]
        indexes = [models.Index(fields=["report", "section", "order"])]

    def __str__(self):
        return self.heading or self.body[:40]


class ReportSubmission(models.Model):
    """The exact content of one submission round, frozen."""

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="submissions"
    )
    round = models.PositiveSmallIntegerField(_("提交轮次"))
    content = models.JSONField(_("报告内容"))
    # What changed since the previous round, computed once when it was submitted
    # (reports.changes.round_changes); None for a first submission.
    changes = models.JSONField(_("与上一轮相比的修改"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")
        ordering = ["report", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "round"], name="reports_reportsubmission_unique_round"
            )
        ]

    def __str__(self):
        return f"{self.report} 第{self.round}次提交"


class ReviewPoint(models.Model):
    """审核要点: what a reviewer ticks when deciding (issue 13 item 5); an
    unticked point of a 退回修改 is its reason (研判重点不突出 …), counted in
    统计分析. Editable in the admin; a decision keeps a copy of the list as it
    was (ReportEvent.checklist)."""

    name = SafeCharField(_("审核要点"), max_length=50, unique=True)
    return_reason = SafeCharField(
        _("未达到时的退回原因"), max_length=50, help_text=_("如：研判重点不突出")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审核要点")
        verbose_name_plural = _("审核要点")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class ReportEvent(models.Model):
    """审核记录: every status transition, append-only."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=QuarterlyReport.Action)
    from_status = models.CharField(_("原状态"), max_length=10, choices=QuarterlyReport.Status)
    to_status = models.CharField(_("新状态"), max_length=10, choices=QuarterlyReport.Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = SafeTextField(_("意见"), blank=True)
    submission = models.ForeignKey(
        ReportSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 审核要点 as decided: [{"name", "reason", "met"}], a copy (the admin may edit the list).
    checklist = models.JSONField(_("审核要点"), default=list, blank=True)
    # The points a 退回修改 found unmet: its reasons, counted in 统计分析.
    unmet_points = models.ManyToManyField(
        ReviewPoint, verbose_name=_("未达到的审核要点"), blank=True, related_name="events"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["report", "created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def met(self):
        return [point["name"] for point in self.checklist if point["met"]]

    @property
    def unmet(self):
        return [point["reason"] for point in self.checklist if not point["met"]]


class ReportComment(models.Model):
    """批注: a reviewer's comment on one paragraph or 台账 row of a submitted
    round (issue 13 item 3). `anchor` names what it is on in the round's frozen
    content (reports.comments.anchors): "item-<ReportItem pk>" for a paragraph,
    "measure-<pk>" / "finding-<pk>" for a 台账 row, a position for the few
    generated lines that have neither; the same records keep the same anchor in
    the next round. The branch marks it 已修改 while the report is returned.
    Written through reports.services (comment_add, comment_delete,
    comment_mark_addressed)."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("段落")
        LEDGER = "ledger", _("台账")

    report = models.ForeignKey(
        QuarterlyReport, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="comments"
    )
    submission = models.ForeignKey(
        ReportSubmission,
        verbose_name=_("提交版本"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    kind = models.CharField(_("位置类型"), max_length=10, choices=Kind)
    anchor = models.CharField(_("位置"), max_length=50)
    # The words commented on, as the round had them (the paragraph may change or go).
    quote = models.TextField(_("原文"), blank=True)
    body = SafeTextField(_("批注"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批注人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("批注时间"), auto_now_add=True)
    addressed_at = models.DateTimeField(_("标记已修改时间"), null=True, blank=True)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记已修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("批注")
        verbose_name_plural = _("批注")
        ordering = ["submission", "created_at", "pk"]
        constraints = [
            # Whoever marked it 已修改 is only ever recorded with the time.
            models.CheckConstraint(
                condition=Q(addressed_at__isnull=False) | Q(addressed_by__isnull=True),
                name="reports_reportcomment_addressed_by_with_time",
            ),
        ]

    def __str__(self):
        return self.body[:40]

    @property
    def is_addressed(self):
        return self.addressed_at is not None


class DocumentFormat(models.Model):
    """公文版式: an organisation's page settings, GB/T 9704-2012 by default."""

    # Beyond these a page no longer looks like a 公文 (GB/T 9704: 37/35/28/26 mm, 22 lines).
    RANGES = {
        "margin_top_mm": (10, 60, "毫米"),
        "margin_bottom_mm": (10, 60, "毫米"),
        "margin_left_mm": (10, 60, "毫米"),
        "margin_right_mm": (10, 60, "毫米"),
        "line_pitch_pt": (20, 40, "磅"),
    }

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="document_format",
    )
    margin_top_mm = models.DecimalField(
        _("上边距（毫米）"), max_digits=4, decimal_places=1, default=37
    )
    margin_bottom_mm = models.DecimalField(
        _("下边距（毫米）"), max_digits=4, decimal_places=1, default=35
    )
    margin_left_mm = models.DecimalField(
        _("左边距（毫米）"), max_digits=4, decimal_places=1, default=28
    )
    margin_right_mm = models.DecimalField(
        _("右边距（毫米）"), max_digits=4, decimal_places=1, default=26
    )
    line_pitch_pt = models.DecimalField(
        _("固定行距（磅）"), max_digits=5, decimal_places=2, default=28.95
    )
    bold_headings = models.BooleanField(_("二、三级标题加粗"), default=False)
    centred_page_numbers = models.BooleanField(_("页码居中"), default=False)

    class Meta:
        verbose_name = _("公文版式")
        verbose_name_plural = _("公文版式")

    def __str__(self):
        return f"{self.organisation} 公文版式"

    def clean(self):
        errors = {}
        for name, (low, high, unit) in self.RANGES.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                label = str(self._meta.get_field(name).verbose_name).split("（")[0]
                errors[name] = f"{label}应在{low}至{high}{unit}之间。"
        if errors:
            raise ValidationError(errors)

    def layout(self):
        return Layout(
            margin_top_mm=float(self.margin_top_mm),
            margin_bottom_mm=float(self.margin_bottom_mm),
            margin_left_mm=float(self.margin_left_mm),
            margin_right_mm=float(self.margin_right_mm),
            line_pitch_pt=float(self.line_pitch_pt),
            bold_headings=self.bold_headings,
            centred_page_numbers=self.centred_page_numbers,
        )


def generated_path(instance, filename):
    # A server-chosen name; users only ever see `filename` in the download.
    ext = os.path.splitext(filename)[1].lower()
    return f"generated/{timezone.now():%Y/%m}/{instance.pk}-{uuid.uuid4().hex[:12]}{ext}"


class Deadline(models.Model):
    """报送截止日期 that a reviewing organisation (a 宣传部 or a committee) sets
    for one kind and period. Without one, the kind's default from the seeds'
    cadence holds (`reports.deadlines`): a quarter by the 10th day after it
    ends, the first half-year by 7月15日, a year's reports by 1月20日."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("审核单位"),
        on_delete=models.CASCADE,
        related_name="deadlines",
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=[(0, "—"), *QUARTER_CHOICES], default=0
    )
    half = models.PositiveSmallIntegerField(
        _("半年"), choices=[(0, "—"), *HALF_NAMES.items()], default=0
    )
    due_date = models.DateField(_("报送截止日期"))

    class Meta:
        verbose_name = _("报送截止日期")
        verbose_name_plural = _("报送截止日期")
        ordering = ["-year", "-quarter", "-half", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "half", "quarter"],
                name="reports_deadline_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="quarterly", quarter__gte=1, quarter__lte=4, half=0)
                | Q(kind="half", quarter=0, half__gte=1, half__lte=2)
                | Q(kind__in=["annual", "duty", "network"], quarter=0, half=0),
                name="reports_deadline_period_of_kind",
            ),
        ]

    def __str__(self):
        return f"{self.period.label}{self.get_kind_display()}：{self.due_date}"

    @property
    def period(self):
        return period_of(self.year, self.quarter, self.half)

    def clean(self):
        super().clean()
        if self.kind == ReportKind.QUARTERLY and not self.quarter:
            raise ValidationError({"quarter": "季度分析研判报告须选择季度。"})
        if self.kind == ReportKind.HALF_YEAR and not self.half:
            raise ValidationError({"half": "半年分析研判报告须选择上半年或下半年。"})
        if self.kind not in (ReportKind.QUARTERLY,) and self.quarter:
            raise ValidationError({"quarter": "只有季度分析研判报告按季度报送。"})
        if self.kind != ReportKind.HALF_YEAR and self.half:
            raise ValidationError({"half": "只有半年分析研判报告按半年报送。"})


class Notification(models.Model):
    """通知: one message to one user (issue 13 item 2) — a report or a measure
    falling due or overdue, a report returned or resubmitted, no analysis
    meeting yet this quarter, a reviewer's 催报. `key` names the event: one
    notification per user and event, however often the reminders run."""

    class Kind(models.TextChoices):
        DUE = "due", _("报告即将到期")
        OVERDUE = "overdue", _("报告已逾期")
        RETURNED = "returned", _("报告退回修改")
        RESUBMITTED = "resubmitted", _("报告重新提交")
        MEASURE_DUE = "measure_due", _("整改即将到期")
        MEASURE_OVERDUE = "measure_overdue", _("整改已逾期")
        NO_MEETING = "no_meeting", _("本季度尚未召开研判会议")
        URGE = "urge", _("催报")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind)
    key = models.CharField(_("事件"), max_length=200)
    # What the 催报 and reminders are about: the organisation and, for reports,
    # "<kind>:<year>-<quarter>-<half>" (the 审核工作台 shows who was reminded when).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    topic = models.CharField(_("事项"), max_length=60, blank=True, db_index=True)
    text = SafeTextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="reports_notification_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text


class GeneratedFileQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """A report's or bundle's file: whoever sees its organisation. A ledger's:
        only the user who asked for it (it holds that user's scope and filters)."""
        ledger = Q(kind=GeneratedFile.Kind.LEDGER)
        own = Q(requested_by_id=user.pk) if user.pk is not None else Q(pk__in=[])
        return self.filter((~ledger & self.visible_q(user)) | (ledger & own))


class GeneratedFile(models.Model):
    """A document rendered by a Celery task (pretalx's CachedFile shape): the
    page shows its status, and the same content is never rendered twice."""

    class Kind(models.TextChoices):
        REPORT = "report", _("报告DOCX")
        BUNDLE = "bundle", _("本季度报告汇总包")
        LEDGER = "ledger", _("台账XLSX")
        RECORD = "record", _("会议记录DOCX")
        RECORD_BOOK = "recordbook", _("会议记录本DOCX")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("党组织"),
        null=True,  # a ledger belongs to its requester, not to one organisation
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    report = models.ForeignKey(
        QuarterlyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    submission = models.ForeignKey(
        ReportSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_label = models.CharField(_("版本"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    content = models.JSONField(_("渲染内容"), null=True, blank=True, editable=False)
    content_key = models.CharField(_("内容指纹"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(_("失败原因"), blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to=generated_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    bundle = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    remaining = models.PositiveIntegerField(_("待完成"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = GeneratedFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("生成文件")
        verbose_name_plural = _("生成文件")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class FiguresBase(models.Model):
    """What 统计分析 counts of one quarter's findings and measures."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTER_CHOICES)
    findings = models.PositiveIntegerField(_("问题"), default=0)
    high = models.PositiveIntegerField(_("高风险问题"), default=0)
    high_open = models.PositiveIntegerField(_("未完成整改的高风险问题"), default=0)
    measures = models.PositiveIntegerField(_("整改措施"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    closed = models.PositiveIntegerField(_("已销号"), default=0)
    overdue = models.PositiveIntegerField(_("逾期"), default=0)
    # {"<category id>:<risk level>": n}: the 问题类别 × 风险等级 cells.
    matrix = models.JSONField(_("类别与风险"), default=dict)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度"


class QuarterFigures(FiguresBase):
    """One organisation's quarter, precomputed (reports.figures keeps it): the
    branch rows of 统计分析 read it instead of counting findings and measures.
    `overdue_from` is the first day on which a measure now open turns 已逾期
    (the row is recomputed when a page reads it on or after that day)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quarter_figures"
    )
    # copies of the organisation's, so that a reviewer's rows are one filter
    review_unit = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    must_report = models.BooleanField(default=False)
    # the day the counts were made (a row is recomputed when read on a day
    # outside [computed_on, overdue_from): the 已逾期 count may differ)
    computed_on = models.DateField(null=True, db_index=True)
    overdue_from = models.DateField(null=True, db_index=True)

    class Meta:
        verbose_name = _("季度统计")
        verbose_name_plural = _("季度统计")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], name="reports_quarterfigures_once"
            )
        ]
        indexes = [models.Index(fields=["review_unit", "year", "quarter"])]


class UnitFigures(FiguresBase):
    """The sum of the QuarterFigures of the organisations that must report to
    one 审核单位 (`unit` 0: those without one), for one quarter: the totals,
    the matrix and the trends of 统计分析 are a few of these rows."""

    unit = models.PositiveIntegerField(_("审核单位"))

    class Meta:
        verbose_name = _("审核单位季度统计")
        verbose_name_plural = _("审核单位季度统计")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], name="reports_unitfigures_once"
            )
        ]


class DataVersion(models.Model):
    """The records' version where there is no sequence for it (SQLite): see
    reports.pagecache. On PostgreSQL the sequence reports_data_version is."""

    name = models.CharField(primary_key=True, max_length=20)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.name}: {self.value}"


class OrganisationVersion(models.Model):
    """The version of one organisation's records, for the 工作台's cached
    fragment (reports.pagecache): moved on after every commit that changed a
    meeting, finding, measure or report of it, or its name."""

    organisation = models.OneToOneField(
        "meetings.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="records_version",
    )
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("党组织数据版本")
        verbose_name_plural = _("党组织数据版本")

    def __str__(self):
        return f"{self.organisation_id}: {self.value}"


from auditlog.registry import auditlog  # noqa: E402

# assembled_at: 一键汇总 writes its own row (audit.record), with what it generated
auditlog.register(QuarterlyReport, exclude_fields=["updated_at", "version", "assembled_at"])
auditlog.register(ReportItem, exclude_fields=["version"])
auditlog.register(DocumentFormat)
auditlog.register(ReportComment)
