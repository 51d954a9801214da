import datetime

from django import forms
from django.conf import settings
from django.db.models import Model, Q

from ideology_review.lib.forms import (
    CleanFormMixin,
    DateInput,
    Select,
    TextInput,
    VersionedFormMixin,
)
from ideology_review.lib.text import clean_text
from ideology_review.lib.uploads import content_problem

from .models import (
    Finding,
    FindingCategory,
    Measure,
    MeasureEvidence,
    Meeting,
    MeetingAttachment,
    Organisation,
    Person,
    today,
)


def people_of(organisation):
    return Person.objects.filter(memberships__organisation=organisation).order_by("name", "pk")


def validate_plausible_date(value, label):
    earliest = datetime.date(2000, 1, 1)
    latest = today() + datetime.timedelta(days=366)
    if value < earliest or value > latest:
        raise forms.ValidationError(
            f"{label}应在2000年1月1日至{latest.year}年{latest.month}月{latest.day}日之间。"
        )


class MeetingForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "title",
            "meeting_type",
            "date",
            "time_of_day",
            "place",
            "chair",
            "recorder",
            "expected_count",
            "present_count",
            "attendees",
            "absentees",
            "attending_scope",
            "study_content",
            "briefings",
            "statements",
            "judgement",
            "judgement_detail",
            "requirements",
            "concluding_speech",
        ]
        widgets = {
            "date": DateInput(),
            "attendees": forms.CheckboxSelectMultiple,
            "absentees": forms.Textarea(attrs={"rows": 2}),
            "attending_scope": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "absentees": "如：刘洋（外出培训）",
            "attending_scope": "如：支委会成员及各年级组负责人",
            "study_content": "如：传达学习了《党委（党组）意识形态工作责任制实施办法》",
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # Former members already on the record stay choosable, or saving would drop them.
        current = []
        if self.instance.pk:
            current = [self.instance.chair_id, self.instance.recorder_id]
            current += list(self.instance.attendees.values_list("pk", flat=True))
        people = (
            Person.objects.filter(
                Q(memberships__organisation=organisation) | Q(pk__in=[pk for pk in current if pk])
            )
            .distinct()
            .order_by("name", "pk")
        )
        for name in ("chair", "recorder", "attendees"):
            self.fields[name].queryset = people
        self.fields["title"].widget.attrs["placeholder"] = "如：2026年第三季度意识形态分析研判会议"
        self.fields["place"].initial = self.fields["place"].initial or organisation.address

    def clean_date(self):
        value = self.cleaned_data["date"]
        validate_plausible_date(value, "会议日期")
        return value

    def clean(self):
        cleaned = super().clean()
        expected, present = cleaned.get("expected_count"), cleaned.get("present_count")
        if expected is not None and present is not None and present > expected:
            self.add_error("present_count", "实到人数不能多于应到人数。")
        attendees = cleaned.get("attendees")
        if present is None and attendees:
            cleaned["present_count"] = len(attendees)
        return cleaned

    def save(self, commit=True):
        self.claim_version()
        meeting = super().save(commit=False)
        meeting.organisation = self.organisation
        if commit:
            meeting.save()
            self.save_m2m()
        return meeting


class FindingForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = [
            "finding_type",
            "category",
            "title",
            "details",
            "cause",
            "risk_level",
            "source",
            "raised_on",
            "include_in_report",
        ]
        widgets = {"raised_on": DateInput(), "details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisation, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.meeting = meeting
        self.fields["category"].queryset = FindingCategory.objects.filter(is_active=True)
        self.fields["title"].widget.attrs["placeholder"] = "如：个别党员学习缺乏热情"
        if meeting is not None:
            # A finding of a meeting takes its date; only other sources have their own.
            del self.fields["raised_on"]
            if not self.instance.pk:
                self.fields["source"].initial = Finding.Source.MEETING
        else:
            self.fields["source"].initial = Finding.Source.INSPECTION

    def clean_raised_on(self):
        value = self.cleaned_data["raised_on"]
        validate_plausible_date(value, "发现日期")
        return value

    def save(self, commit=True):
        self.claim_version()
        finding = super().save(commit=False)
        finding.organisation = self.organisation
        if self.meeting is not None:
            finding.meeting = self.meeting
        if commit:
            finding.save()
        return finding


def limit_status_choices(form):
    """整改状态 offers what a user may set: 已完成, which the service records as
    待销号, but never 待销号 or 已销号 themselves (销号 is someone else's
    verification). A 待销号 measure keeps its status as a choice; a 已销号 one
    keeps it as the only one."""
    current = form.instance.status if form.instance.pk else None
    field = form.fields["status"]
    if current == Measure.Status.CLOSED:
        field.choices = [(current, Measure.Status(current).label)]
        field.disabled = True
        field.help_text = "已销号的整改措施不能再修改整改状态。"
        return
    allowed = [*Measure.CHOOSABLE_STATUSES]
    if current == Measure.Status.PENDING_CLOSURE:
        allowed.append(current)
    field.choices = [(value, label) for value, label in Measure.Status.choices if value in allowed]
    field.help_text = "选“已完成”后为“待销号”，由支部书记或审核人核实佐证材料后销号。"


class MeasureForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "content",
            "responsible_person",
            "responsible_dept",
            "deadline",
            "long_term",
            "status",
            "progress_note",
        ]
        widgets = {
            "deadline": DateInput(),
            "content": forms.Textarea(attrs={"rows": 2}),
            "progress_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"long_term": "无固定时限、需持续落实的措施勾选此项，不填整改时限"}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = people_of(organisation)
        limit_status_choices(self)

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value is not None and not (
            datetime.date(2000, 1, 1) <= value <= today() + datetime.timedelta(days=3660)
        ):
            raise forms.ValidationError("整改时限应在2000年至今后十年之间。")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("long_term") and cleaned.get("deadline"):
            self.add_error("deadline", "已勾选“长期坚持”的措施不填写整改时限。")
        elif cleaned.get("status") == Measure.Status.ONGOING and cleaned.get("deadline"):
            self.add_error("deadline", "整改状态为“长期坚持”的措施不填写整改时限。")
        if cleaned.get("status") == Measure.Status.ONGOING:
            cleaned["long_term"] = True
        return cleaned


NOTHING_CORRECTED = "未修改任何内容，无需更正。"


class CorrectionMixin(forms.Form):
    """更正 of a confirmed record: the record's own fields plus a mandatory reason,
    which the audit row keeps beside the old and new values."""

    reason = forms.CharField(
        label="更正说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="说明更正的原因和依据，如：根据审核意见补充整改时限",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "请填写更正说明。"

    def clean(self):
        cleaned = super().clean()
        if not set(self.changed_data) - {"reason", "version"}:
            raise forms.ValidationError(NOTHING_CORRECTED, code="unchanged")
        return cleaned


class FindingCorrectionForm(CorrectionMixin, FindingForm):
    pass


class MeasureCorrectionForm(CorrectionMixin, MeasureForm):
    pass


class MeasureProgressForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    """What may still change once the meeting record is confirmed."""

    class Meta:
        model = Measure
        fields = ["status", "progress_note"]
        widgets = {"progress_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_status_choices(self)

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Measure.Status.ONGOING and self.instance.deadline:
            # Changing to 长期坚持 would erase the deadline of a confirmed record.
            raise forms.ValidationError("该措施有整改时限，不能改为“长期坚持”。")
        return status


def validate_upload(upload):
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    allowed = settings.UPLOAD_ALLOWED_EXTENSIONS
    if ext not in allowed:
        raise forms.ValidationError(f"不支持该文件类型，仅允许：{'、'.join(allowed)}。")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise forms.ValidationError(f"文件过大，单个文件不能超过{limit}MB。")
    if upload.size == 0:
        raise forms.ValidationError("文件为空，请重新选择。")
    problem = content_problem(upload, ext)
    if problem:
        raise forms.ValidationError(problem)


class UploadFormMixin(CleanFormMixin):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload

    def save(self, commit=True):
        obj = super().save(commit=False)
        upload = self.cleaned_data["file"]
        obj.original_name = clean_text(upload.name)[0][-255:]
        obj.size = upload.size
        if commit:
            obj.save()
        return obj


class MeasureReturnForm(CleanFormMixin, forms.Form):
    """退回 a 待销号 measure: the reason is shown on the measure."""

    reason = forms.CharField(label="退回原因", max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "请填写退回原因。"

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写退回原因。")
        return reason


class AttachmentForm(UploadFormMixin, forms.ModelForm):
    class Meta:
        model = MeetingAttachment
        fields = ["kind", "file"]


class EvidenceForm(UploadFormMixin, forms.ModelForm):
    class Meta:
        model = MeasureEvidence
        fields = ["file"]


# ---------------------------------------------------------------------------
# Ledger filters
# ---------------------------------------------------------------------------


def year_choices():
    this_year = today().year
    return [("", "全部年度")] + [(y, f"{y}年") for y in range(this_year + 1, this_year - 6, -1)]


class LedgerFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        widget=Select, label="年度", required=False, coerce=int, empty_value=None
    )
    quarter = forms.TypedChoiceField(
        widget=Select,
        label="季度",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "全部季度"),
            (1, "第一季度"),
            (2, "第二季度"),
            (3, "第三季度"),
            (4, "第四季度"),
        ],
    )
    # 统计分析's half-year numbers lead here: a half is its two quarters.
    half = forms.TypedChoiceField(
        widget=Select,
        label="半年",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全年"), (1, "上半年"), (2, "下半年")],
    )
    category = forms.ModelChoiceField(
        widget=Select,
        label="问题类别",
        required=False,
        queryset=FindingCategory.objects.all(),
        empty_label="全部类别",
    )
    risk_level = forms.ChoiceField(
        widget=Select,
        label="风险等级",
        required=False,
        choices=[("", "全部等级"), *Finding.RiskLevel.choices],
    )
    status = forms.ChoiceField(widget=Select, label="整改状态", required=False)
    person = forms.ModelChoiceField(
        widget=Select,
        label="责任人",
        required=False,
        queryset=Person.objects.none(),
        empty_label="全部责任人",
    )
    organisation = forms.ModelChoiceField(
        widget=Select,
        label="党组织",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部组织",
    )
    # A reviewer's tree may hold a thousand organisations and five thousand people:
    # find them by a word of the name (meetings.ledgers.filter_form).
    org_name = forms.CharField(widget=TextInput, label="党组织名称", required=False, max_length=50)
    person_name = forms.CharField(
        widget=TextInput, label="责任人姓名", required=False, max_length=50
    )
    # Reviewers only (meetings.ledgers.filter_form): the rows behind 统计分析's numbers.
    reviewed = forms.ChoiceField(
        widget=Select,
        label="审核范围",
        required=False,
        choices=[("", "全部党组织"), ("1", "报送本单位审核的党组织")],
    )

    def __init__(self, *args, people, organisations, status_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["person"].queryset = people
        self.fields["organisation"].queryset = organisations
        self.fields["status"].choices = [("", "全部状态"), *status_choices]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["org_name"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": "如：医院", "type": "search"}
        )
        self.fields["person_name"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": "姓名中的字", "type": "search"}
        )

    def filters(self):
        """The valid, non-empty filter values, JSON-safe (a record by its primary key):
        what the page filters by, and what 导出台账 records and hands to the worker.
        A bad value drops only its own filter, not the others."""
        self.is_valid()
        values = {}
        for name in self.fields:
            value = getattr(self, "cleaned_data", {}).get(name)
            if value not in (None, ""):
                values[name] = value.pk if isinstance(value, Model) else value
        return values


# What each filter of LedgerFilterForm.filters() means for a ledger's rows.
FINDING_FILTERS = {
    "organisation": "organisation",
    "org_name": "organisation__name__icontains",
    "year": "year",
    "quarter": "quarter",
    "half": "quarter__in",
    "category": "category",
    "risk_level": "risk_level",
    "status": "progress",
    "person": "measures__responsible_person",
    "person_name": "measures__responsible_person__name__icontains",
}
MEASURE_FILTERS = {
    "organisation": "finding__organisation",
    "org_name": "finding__organisation__name__icontains",
    "year": "finding__year",
    "quarter": "finding__quarter",
    "half": "finding__quarter__in",
    "category": "finding__category",
    "risk_level": "finding__risk_level",
    "status": "current_status",
    "person": "responsible_person",
    "person_name": "responsible_person__name__icontains",
}


# A filter's value as its lookup takes it: a half-year is its two quarters.
FILTER_VALUES = {"half": lambda half: (2 * half - 1, 2 * half)}


def _apply(qs, filters, lookups):
    for name, lookup in lookups.items():
        if filters.get(name):
            value = FILTER_VALUES.get(name, lambda value: value)(filters[name])
            qs = qs.filter(**{lookup: value})
    return qs


def filter_findings(qs, filters):
    """Apply LedgerFilterForm.filters() to a findings queryset."""
    qs = _apply(qs, filters, FINDING_FILTERS)
    # a finding with two measures of the person would be listed twice
    return qs.distinct() if filters.get("person") or filters.get("person_name") else qs


def filter_measures(qs, filters):
    """Apply LedgerFilterForm.filters() to a measures queryset."""
    return _apply(qs, filters, MEASURE_FILTERS)
