from django import forms

from ideology_review.lib.forms import CleanFormMixin, DateInput, VersionedFormMixin
from ideology_review.lib.periods import HALF_NAMES, QUARTER_CHOICES
from ideology_review.lib.text import strip_leading_marker
from meetings.models import Person, today

from .assembly import BASIC_HEADINGS, CLOSING_TEMPLATES
from .kinds import OFFICE_HOLDERS
from .models import QuarterlyReport, ReportItem, ReviewPoint


class ReportCreateForm(forms.Form):
    """新建报告: the kind and its period (a quarter, a half-year or the year) and,
    for a 述职报告, whose it is. The service checks that the period fits the kind
    and that the person holds an office in the organisation."""

    kind = forms.TypedChoiceField(
        label="报告类型",
        choices=QuarterlyReport.Kind.choices,
        initial=QuarterlyReport.Kind.QUARTERLY,
        required=False,  # a form without the field (older page) makes a quarterly report
        empty_value=QuarterlyReport.Kind.QUARTERLY,
    )
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(
        label="季度（季度报告）", coerce=int, choices=QUARTER_CHOICES, required=False, empty_value=0
    )
    half = forms.TypedChoiceField(
        label="半年（半年报告）",
        coerce=int,
        choices=list(HALF_NAMES.items()),
        required=False,
        empty_value=0,
    )
    person = forms.ModelChoiceField(
        label="述职人（述职报告）", queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        now = today()
        self.fields["year"].choices = [(y, f"{y}年") for y in range(now.year + 1, now.year - 4, -1)]
        self.fields["year"].initial = now.year
        self.fields["quarter"].initial = (now.month - 1) // 3 + 1
        self.fields["half"].initial = 1 if now.month <= 6 else 2
        # The office-holders of the organisations the user may create reports for.
        self.fields["person"].queryset = (
            Person.objects.filter(
                memberships__organisation__in=list(organisations),
                memberships__party_role__in=OFFICE_HOLDERS,
            )
            .distinct()
            .order_by("pk")
        )


class ReportInfoForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    closing_template = forms.TypedChoiceField(
        label="结束语模板",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "不更换")]
        + [(i, t.format(self="我支部")[:40] + "……") for i, t in enumerate(CLOSING_TEMPLATES)],
        help_text="选择后将用该模板替换结束语（原结束语会被覆盖）",
    )

    class Meta:
        model = QuarterlyReport
        fields = ["title", "addressee", "signatory", "issue_date"]
        widgets = {"issue_date": DateInput()}
        help_texts = {"issue_date": "如：2026年9月28日（输出时不补零）"}


class ReportItemForm(VersionedFormMixin, CleanFormMixin, forms.ModelForm):
    heading_choice = forms.ChoiceField(
        label="常用小标题",
        required=False,
        choices=[("", "自行填写")] + [(h, h) for h in BASIC_HEADINGS],
    )

    class Meta:
        model = ReportItem
        fields = ["heading", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"heading": "不需要填写编号，编号按顺序自动生成"}

    def __init__(self, *args, section, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        if section != ReportItem.Section.BASIC:
            del self.fields["heading_choice"]
        if section in (
            ReportItem.Section.OPENING,
            ReportItem.Section.JUDGEMENT,
            ReportItem.Section.MEASURES,
            ReportItem.Section.RECTIFICATION,
            ReportItem.Section.CLOSING,
        ):
            del self.fields["heading"]

    def clean_heading(self):
        return strip_leading_marker(self.cleaned_data["heading"].strip())

    def clean_body(self):
        return strip_leading_marker(self.cleaned_data["body"].strip())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("heading_choice") and not cleaned.get("heading"):
            cleaned["heading"] = cleaned["heading_choice"]
            self.instance.heading = cleaned["heading"]
        if not (cleaned.get("heading") or cleaned.get("body")):
            raise forms.ValidationError("请填写小标题或正文。")
        return cleaned


class ReviewForm(CleanFormMixin, forms.Form):
    points = forms.ModelMultipleChoiceField(
        label="审核要点",
        queryset=ReviewPoint.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="勾选已达到的要点；退回修改时，未勾选的要点即为退回原因。",
    )
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea)


class SubmitForm(forms.Form):
    accept_warnings = forms.BooleanField(label="我已知晓上述提示，仍然提交", required=False)
