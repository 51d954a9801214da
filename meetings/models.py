"""Organisations, people, meetings, findings and rectification measures.

Access is always scoped: views fetch objects through the `for_user` QuerySet
methods (see `meetings.access`), never by a bare primary key.
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideology_review.lib.fields import SafeCharField, SafeTextField
from ideology_review.lib.models import Authored, Versioned
from ideology_review.lib.periods import QUARTER_CHOICES, Period, quarter_of
from ideology_review.lib.urls import pk_url

COUNT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(9999)]


def today():
    return timezone.localdate()


# --------------------------------------------------------------------------
# Organisations and people
# --------------------------------------------------------------------------


class Organisation(models.Model):
    class OrgType(models.TextChoices):
        COMMITTEE = "党委", _("党委")
        GROUP = "党组", _("党组")
        WORK_COMMITTEE = "党工委", _("党工委")
        GENERAL_BRANCH = "党总支", _("党总支")
        BRANCH = "党支部", _("党支部")
        PROPAGANDA = "宣传部", _("宣传部（审核单位）")

    class UnitType(models.TextChoices):
        SCHOOL = "学校", _("学校")
        HOSPITAL = "医院", _("医院")
        ENTERPRISE = "企业", _("企业")
        TOWNSHIP = "乡镇", _("乡镇")
        VILLAGE = "村（社区）", _("村（社区）")
        AGENCY = "机关", _("机关")
        INSTITUTION = "事业单位", _("事业单位")
        MASS = "群团", _("群团")
        OTHER = "其他", _("其他")

    # How a report refers to its own unit (domain §4.7).
    SELF_REFERENCE = {
        UnitType.SCHOOL: "我校",
        UnitType.HOSPITAL: "我院",
        UnitType.ENTERPRISE: "我公司",
        UnitType.TOWNSHIP: "我镇",
        UnitType.VILLAGE: "我村",
        UnitType.AGENCY: "我局",
        UnitType.INSTITUTION: "我单位",
        UnitType.MASS: "我会",
    }

    name = SafeCharField(_("组织全称"), max_length=200, unique=True)
    short_name = SafeCharField(_("简称"), max_length=100, blank=True)
    org_type = models.CharField(_("组织类型"), max_length=10, choices=OrgType)
    unit_type = models.CharField(
        _("单位类型"), max_length=10, choices=UnitType, default=UnitType.OTHER
    )
    unit_name = SafeCharField(_("所在单位"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Where this organisation's reports go for 审核. Empty: the default rule of
    # meetings.access.reviewing_organisations (the nearest superior committee
    # with a reviewer, otherwise the committee's 宣传部).
    reviewing_organisation = models.ForeignKey(
        "self",
        verbose_name=_("审核单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_organisations",
        help_text=_(
            "本组织的报告由哪个组织审核；留空则为最近的有审核人的上级党委（党工委、党总支），"
            "没有时为上级党委宣传部"
        ),
    )
    # The reviewing organisation the rule below resolves to (the explicit 审核单位,
    # else the nearest superior committee with a reviewer or 宣传部), kept by
    # meetings.review_units.refresh (meetings.signals) whenever the tree, a membership or an
    # account changes: "the organisations this reviewer reviews" is then one
    # indexed filter instead of a walk over the tree on every request.
    review_unit = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_reference = SafeCharField(
        _("自称"),
        max_length=20,
        blank=True,
        help_text=_("报告中的自称，如我校、我院；留空按单位类型"),
    )
    address = SafeCharField(_("默认会议地点"), max_length=200, blank=True)
    must_report = models.BooleanField(
        _("需报送季度报告"), default=False, help_text=_("计入宣传部“应报”统计的党组织")
    )
    # Materialised path ("/1/4/9/") so that "everything under this committee"
    # is one indexed prefix filter, whatever the depth of the tree.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._update_path()

    def clean(self):
        # Reviewers see their committee's subtree: a 审核单位 elsewhere could not
        # even open the reports it is meant to review.
        target = self.reviewing_organisation
        if target is None:
            return
        above = target.parent if target.org_type == self.OrgType.PROPAGANDA else target
        parent_path = self.parent.path if self.parent_id else ""
        if above is None or not parent_path.startswith(above.path):
            raise ValidationError(
                {"reviewing_organisation": _("审核单位应为本组织的上级党组织或上级党委的宣传部。")}
            )

    def _update_path(self):
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path == self.path:
            return
        old_path, self.path = self.path, new_path
        Organisation.objects.filter(pk=self.pk).update(path=new_path)
        if old_path:
            # Moving a subtree: rewrite the prefix of every descendant at once.
            Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
            )

    @property
    def display_short_name(self):
        return self.short_name or self.name

    @property
    def self_name(self):
        return self.self_reference or self.SELF_REFERENCE.get(self.unit_type, "我支部")


class Person(models.Model):
    name = SafeCharField(_("姓名"), max_length=50)
    is_party_member = models.BooleanField(_("是否党员"), default=True)
    phone = SafeCharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="people", verbose_name=_("所属组织")
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's place in one organisation, and what their account may do there."""

    class PartyRole(models.TextChoices):
        SECRETARY = "书记", _("书记")
        DEPUTY = "副书记", _("副书记")
        ORGANISATION = "组织委员", _("组织委员")
        PUBLICITY = "宣传委员", _("宣传委员")
        DISCIPLINE = "纪检委员", _("纪检委员")
        COMMITTEE = "委员", _("委员")
        MEMBER = "党员", _("党员")
        STAFF = "群众", _("群众")

    class Role(models.TextChoices):
        # Edits everything of the organisation; confirms records, submits reports.
        MANAGER = "manager", _("书记/副书记")
        # Edits meetings, findings and measures.
        EDITOR = "editor", _("宣传委员（编辑）")
        READER = "reader", _("成员（只读）")
        # Propaganda department: reads everything under its committee.
        REVIEWER = "reviewer", _("审核人")

    DEFAULT_ROLE = {
        PartyRole.SECRETARY: Role.MANAGER,
        PartyRole.DEPUTY: Role.MANAGER,
        PartyRole.PUBLICITY: Role.EDITOR,
        PartyRole.ORGANISATION: Role.EDITOR,
    }

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    post = SafeCharField(_("职务"), max_length=100, blank=True)
    party_role = models.CharField(
        _("党内职务"), max_length=10, choices=PartyRole, default=PartyRole.MEMBER
    )
    role = models.CharField(_("系统权限"), max_length=10, choices=Role, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="meetings_membership_unique_person_org"
            )
        ]

    def __str__(self):
        return f"{self.organisation.display_short_name} {self.person.name}"

    def save(self, *args, **kwargs):
        if not self.role:
            self.role = self.DEFAULT_ROLE.get(self.party_role, self.Role.READER)
        super().save(*args, **kwargs)

    @property
    def title(self):
        """职务 + 姓名, the form the seeds use in attendee lists."""
        return f"{self.post}{self.person.name}" if self.post else self.person.name


# --------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """Rows of the organisations a user may see (meetings.access decides).

    Every app's scoped querysets derive from this one, so the import below —
    the access layer needs the models it scopes — is the only import cycle
    in the project, and it is resolved once, here."""

    org_field = "organisation"

    def visible_q(self, user):
        from .access import get_scope

        return get_scope(user).visible_q(self.org_field)

    def for_user(self, user):
        return self.filter(self.visible_q(user))

    def of_quarter(self, year, quarter):
        return self.filter(year=year, quarter=quarter)


class MeetingQuerySet(ScopedQuerySet):
    pass


def attachment_path(instance, filename):
    # The stored name never comes from the user: a random name, the extension kept.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Meeting(Authored):
    class MeetingType(models.TextChoices):
        ANALYSIS = "分析研判会议", _("意识形态分析研判会议")
        SPECIAL = "专题会议", _("意识形态工作专题会议")
        JOINT = "联席会议", _("分析研判联席会议")
        CONSULTATION = "会商研判", _("会商研判")
        BRANCH_COMMITTEE = "支委会", _("支委会")
        CENTRAL_GROUP = "中心组学习", _("理论学习中心组学习")
        BRANCH_MEETING = "党支部会议", _("党支部会议")
        INTERVIEW = "约谈会", _("约谈会")

    class TimeOfDay(models.TextChoices):
        MORNING = "上午", _("上午")
        AFTERNOON = "下午", _("下午")
        EVENING = "晚上", _("晚上")
        ALL_DAY = "全天", _("全天")

    class Judgement(models.TextChoices):
        MAINSTREAM_GOOD = "主流是好的", _("意识形态工作的主流是好的")
        STABLE = "总体平稳可控", _("意识形态领域总体平稳可控")
        POSITIVE = "向上向好", _("意识形态领域继续保持向上向好")
        HEALTHY = "稳定健康上行", _("整体呈现稳定、健康、上行的主流态势")
        NO_MAJOR = "未发生严重问题", _("总体保持稳定，未发生严重的意识形态领域问题")
        OTHER = "其他", _("其他（见补充说明）")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        CONFIRMED = "confirmed", _("已确认")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = SafeCharField(_("会议名称"), max_length=200)
    meeting_type = models.CharField(
        _("会议类型"), max_length=20, choices=MeetingType, default=MeetingType.ANALYSIS
    )
    date = models.DateField(_("会议日期"))
    time_of_day = models.CharField(
        _("会议时间"), max_length=4, choices=TimeOfDay, default=TimeOfDay.AFTERNOON
    )
    place = SafeCharField(_("会议地点"), max_length=200, blank=True)
    chair = models.ForeignKey(
        Person,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        Person,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expected_count = models.PositiveSmallIntegerField(
        _("应到人数"), null=True, blank=True, validators=COUNT_VALIDATORS
    )
    present_count = models.PositiveSmallIntegerField(
        _("实到人数"), null=True, blank=True, validators=COUNT_VALIDATORS
    )
    attendees = models.ManyToManyField(
        Person, verbose_name=_("参会人员"), blank=True, related_name="meetings_attended"
    )
    absentees = SafeTextField(_("缺席人员及原因"), blank=True)
    attending_scope = SafeTextField(_("参会范围"), blank=True)
    study_content = SafeTextField(_("学习传达内容"), blank=True)
    briefings = SafeTextField(_("通报事项"), blank=True)
    statements = SafeTextField(_("研判发言"), blank=True)
    judgement = models.CharField(_("总体研判结论"), max_length=20, choices=Judgement, blank=True)
    judgement_detail = SafeTextField(_("研判结论补充说明"), blank=True)
    requirements = SafeTextField(_("会议要求"), blank=True)
    concluding_speech = SafeTextField(_("总结讲话"), blank=True)
    # Derived from `date`; stored so that quarter filters use an index.
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    quarter = models.PositiveSmallIntegerField(_("季度"), editable=False, choices=QUARTER_CHOICES)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("研判会议")
        verbose_name_plural = _("研判会议")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organisation", "year", "quarter"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="meetings_meeting_quarter_range"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.year = self.date.year
        self.quarter = quarter_of(self.date)
        if self.pk:
            # A finding of a meeting belongs to the meeting's date and quarter
            # (moved first: what listens to the meeting's post_save counts them).
            self.findings.exclude(raised_on=self.date).update(
                raised_on=self.date, year=self.year, quarter=self.quarter
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("meetings:detail", self.pk)

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def quarter_label(self):
        return Period(self.year, self.quarter).label

    @property
    def judgement_text(self):
        """The judgement as a sentence for the report (choice label + free text)."""
        parts = []
        if self.judgement and self.judgement != self.Judgement.OTHER:
            parts.append(str(self.get_judgement_display()))
        if self.judgement_detail:
            parts.append(self.judgement_detail)
        return "，".join(parts)


class MeetingAttachment(models.Model):
    class Kind(models.TextChoices):
        SIGN_IN = "签到表", _("签到表")
        PHOTO = "照片", _("照片")
        SLIDES = "课件", _("汇报课件")
        MINUTES = "会议记录", _("会议记录")
        OTHER = "其他", _("其他")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("附件类型"), max_length=10, choices=Kind, default=Kind.SIGN_IN)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = SafeCharField(_("原文件名"), max_length=255, editable=False)
    size = models.PositiveIntegerField(_("大小"), editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


# --------------------------------------------------------------------------
# Findings and measures
# --------------------------------------------------------------------------


class FindingCategory(models.Model):
    """问题类别: an editable lookup table, seeded with the 18 categories of domain §2.4."""

    name = SafeCharField(_("类别名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class FindingQuerySet(ScopedQuerySet):
    def for_report(self, report):
        """What a report covers: its organisation's findings of its period
        marked 纳入报告 (a network report: those of the network categories)."""
        return self.filter(report.findings_q())

    def with_progress(self):
        """Annotate measure counts and a derived 整改状态 in one query."""
        open_q = Q(measures__status__in=Measure.OPEN_STATUSES)
        return self.annotate(
            measure_count=Count("measures", distinct=True),
            open_count=Count("measures", filter=open_q, distinct=True),
            overdue_count=Count("measures", filter=overdue_q("measures__"), distinct=True),
            ongoing_count=Count(
                "measures",
                filter=Q(measures__status=Measure.Status.ONGOING) | Q(measures__long_term=True),
                distinct=True,
            ),
        ).annotate(
            progress=Case(
                When(measure_count=0, then=Value(Finding.Progress.NO_MEASURE)),
                When(overdue_count__gt=0, then=Value(Finding.Progress.OVERDUE)),
                When(open_count__gt=0, then=Value(Finding.Progress.IN_PROGRESS)),
                When(ongoing_count__gt=0, then=Value(Finding.Progress.ONGOING)),
                default=Value(Finding.Progress.DONE),
                output_field=models.CharField(),
            )
        )

    def unfinished(self):
        """未完成整改 (无措施, 已逾期 or 整改中, as with_progress() says) with that
        `progress`: no measure yet, or one still open (an overdue one is open too).
        EXISTS subqueries, not with_progress()'s four COUNTs grouped and repeated
        in a HAVING: building and compiling that took the 工作台 ~5 ms."""
        measures = Measure.objects.filter(finding=OuterRef("pk"))
        return self.filter(
            ~Exists(measures) | Exists(measures.filter(status__in=Measure.OPEN_STATUSES))
        ).annotate(
            progress=Case(
                When(~Exists(measures), then=Value(Finding.Progress.NO_MEASURE)),
                When(Exists(measures.filter(overdue_q())), then=Value(Finding.Progress.OVERDUE)),
                default=Value(Finding.Progress.IN_PROGRESS),
                output_field=models.CharField(),
            )
        )


class Finding(Authored):
    class FindingType(models.TextChoices):
        PROBLEM = "存在问题", _("存在问题")
        RISK = "风险隐患", _("风险隐患")
        TENDENCY = "苗头性倾向性问题", _("苗头性倾向性问题")
        WATCH = "需关注问题", _("需关注问题")

    class RiskLevel(models.TextChoices):
        HIGH = "高", _("高")
        MEDIUM = "中", _("中")
        LOW = "低", _("低")

    class Source(models.TextChoices):
        MEETING = "研判会议", _("研判会议")
        INSPECTION = "专项督查", _("专项督查")
        PATROL = "巡视巡察反馈", _("巡视巡察反馈")
        SELF_CHECK = "自查", _("自查")
        SUPERIOR = "上级通报", _("上级通报")
        DAILY = "日常发现", _("日常发现")

    class Progress(models.TextChoices):
        NO_MEASURE = "无措施", _("未制定措施")
        IN_PROGRESS = "整改中", _("整改中")
        OVERDUE = "已逾期", _("已逾期")
        ONGOING = "长期坚持", _("长期坚持")
        DONE = "已完成", _("已完成")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="findings"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("研判会议"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    source = models.CharField(_("问题来源"), max_length=10, choices=Source, default=Source.MEETING)
    finding_type = models.CharField(
        _("问题性质"), max_length=10, choices=FindingType, default=FindingType.PROBLEM
    )
    category = models.ForeignKey(
        FindingCategory, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="+"
    )
    title = SafeCharField(_("问题概述"), max_length=200)
    details = SafeTextField(_("具体表现"), blank=True)
    cause = SafeTextField(_("原因分析"), blank=True)
    risk_level = models.CharField(
        _("风险等级"), max_length=2, choices=RiskLevel, default=RiskLevel.MEDIUM
    )
    include_in_report = models.BooleanField(_("纳入报告"), default=True)
    raised_on = models.DateField(_("发现日期"), default=today)
    order = models.PositiveIntegerField(_("排序"), default=0)
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    quarter = models.PositiveSmallIntegerField(_("季度"), editable=False, choices=QUARTER_CHOICES)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-year", "-quarter", "order", "pk"]
        indexes = [
            models.Index(fields=["organisation", "year", "quarter"]),
            models.Index(fields=["category", "risk_level"]),
            # the reviewers' 高风险问题, newest first
            models.Index(fields=["risk_level", "-year", "-quarter", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="meetings_finding_quarter_range"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.meeting_id and self.meeting:
            self.organisation_id = self.meeting.organisation_id
            self.raised_on = self.meeting.date
        self.year = self.raised_on.year
        self.quarter = quarter_of(self.raised_on)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("meetings:finding_detail", self.pk)

    @property
    def is_locked(self):
        """Findings of a confirmed meeting are part of a closed record."""
        return bool(self.meeting_id) and self.meeting.is_confirmed


def overdue_q(prefix=""):
    """已逾期, the one rule: an open measure (未开始/整改中), not 长期坚持, past its
    deadline today. `prefix` reaches measures from another model ("measures__")."""
    return Q(
        **{
            f"{prefix}status__in": Measure.OPEN_STATUSES,
            f"{prefix}long_term": False,
            f"{prefix}deadline__lt": today(),
        }
    )


class MeasureQuerySet(ScopedQuerySet):
    org_field = "finding__organisation"

    def overdue(self):
        return self.filter(overdue_q())

    def with_current_status(self):
        return self.annotate(
            current_status=Case(
                When(overdue_q(), then=Value(Measure.OVERDUE)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def of_quarter(self, year, quarter):
        return self.filter(finding__year=year, finding__quarter=quarter)


def evidence_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Measure(Versioned):
    """A 整改措施. Users set its status through the forms, except 待销号 and
    已销号: marking it 已完成 makes it 待销号, and only 销号 by someone else
    makes it 已销号 (meetings.services: mark_done, measure_close, measure_return)."""

    class Status(models.TextChoices):
        NOT_STARTED = "未开始", _("未开始")
        IN_PROGRESS = "整改中", _("整改中")
        DONE = "已完成", _("已完成")
        ONGOING = "长期坚持", _("长期坚持")
        PENDING_CLOSURE = "待销号", _("待销号")
        CLOSED = "已销号", _("已销号")

    # 已逾期 is never stored: it is what an open measure past its deadline *is*.
    OVERDUE = "已逾期"
    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)
    # 待销号 is done by its owner (not open, never overdue), 已销号 also verified;
    # 已完成 remains for measures recorded before 销号 existed.
    DONE_STATUSES = (Status.DONE, Status.PENDING_CLOSURE, Status.CLOSED)
    # What a user may choose in a form: 待销号 and 已销号 are reached only
    # through the services (marking 已完成, then 销号 by someone else).
    CHOOSABLE_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.ONGOING)
    DISPLAY_STATUS_CHOICES = [*Status.choices[:2], (OVERDUE, _("已逾期")), *Status.choices[2:]]

    finding = models.ForeignKey(
        Finding, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="measures"
    )
    content = SafeTextField(_("整改措施"))
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    responsible_dept = SafeCharField(_("责任部门"), max_length=100, blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    long_term = models.BooleanField(_("长期坚持"), default=False)
    status = models.CharField(
        _("整改状态"), max_length=10, choices=Status, default=Status.NOT_STARTED
    )
    progress_note = SafeTextField(_("进展情况"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    completed_at = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    # 销号 (meetings.services.measure_close): who marked it 已完成, who verified it.
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("标记完成人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("标记完成时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    return_reason = SafeTextField(_("退回原因"), blank=True, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(long_term=False) | Q(deadline__isnull=True),
                name="meetings_measure_long_term_has_no_deadline",
            ),
        ]

    def __str__(self):
        return self.content[:50]

    def save(self, *args, **kwargs):
        if self.status == self.Status.ONGOING:
            self.long_term = True
        if self.long_term:
            self.deadline = None
        if self.status in self.DONE_STATUSES:
            self.completed_at = self.completed_at or today()
        else:
            self.completed_at = None
        super().save(*args, **kwargs)

    @property
    def is_overdue(self):
        return (
            self.status in self.OPEN_STATUSES
            and not self.long_term
            and self.deadline is not None
            and self.deadline < today()
        )

    @property
    def display_status(self):
        return self.OVERDUE if self.is_overdue else self.status

    @property
    def awaits_closure(self):
        """待销号, or 已完成 recorded before 销号 existed: someone may verify it."""
        return self.status in (self.Status.DONE, self.Status.PENDING_CLOSURE)

    def is_owned_by(self, user):
        """The measure's 责任人, or whoever marked it 已完成: never its verifier."""
        return user.pk is not None and user.pk in (
            self.done_by_id,
            self.responsible_person.user_id if self.responsible_person else None,
        )


class MeasureEvidence(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("佐证材料"), upload_to=evidence_path)
    original_name = SafeCharField(_("原文件名"), max_length=255, editable=False)
    size = models.PositiveIntegerField(_("大小"), editable=False, default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


# Audit trail: every create, change and delete of these models is logged with
# the actor, the address and the fields' old and new values (meetings.audit).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(Organisation)
auditlog.register(Person)
auditlog.register(Membership)
auditlog.register(Meeting, m2m_fields={"attendees"}, exclude_fields=["updated_at", "version"])
auditlog.register(MeetingAttachment)
auditlog.register(Finding, exclude_fields=["updated_at", "version"])
auditlog.register(Measure, exclude_fields=["updated_at", "version"])
auditlog.register(MeasureEvidence)
