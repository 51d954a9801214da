"""Form mixins every form of the product uses: pasted text cleaned before any
validator sees it, Chinese messages, optimistic locking."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db.models import F
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .text import clean_text

REQUIRED = "此项为必填项"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _html_attrs(attrs):
    # As django/forms/widgets/attrs.html: `False` leaves the attribute out, `True` writes its name.
    if not attrs:  # most options: no format_html_join to set up
        return ""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class Select(forms.Select):
    """Django's `<select>`, written in Python instead of through the form
    renderer: the same markup without two template includes per option (a
    ledger's filters have dozens of options; through templates they cost more
    than the table under them)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], _html_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(format_html('<optgroup label="{}">', group_name))
            # format_html's escaping, written out: a select has up to a hundred options.
            html.extend(
                f'<option value="{conditional_escape(option["value"])}"'
                f"{_html_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("\n".join(html))


class TextInput(forms.TextInput):
    """Django's text `<input>`, written in Python like Select above (the same
    markup as django/forms/widgets/input.html, without its two templates)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _html_attrs(widget["attrs"]),
        )


class CleanFormMixin:
    """Pasted text is cleaned before any validator sees it, so that a stray
    control character from Word is removed (and reported) instead of
    rejecting the whole form; every error reads in Chinese."""

    removed_characters = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            removed = 0
            for key in data:
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                cleaned = []
                for value in values:
                    text, n = clean_text(value)
                    cleaned.append(text)
                    removed += n
                if hasattr(data, "setlist"):
                    data.setlist(key, cleaned)
                else:
                    data[key] = cleaned[0]
            self.data = data
            self.removed_characters = removed
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.ModelChoiceField):
                # Never touch .choices here: it would evaluate the queryset
                # before the form narrows it to the organisation's people.
                if field.empty_label is not None:
                    field.empty_label = "请选择"
            elif isinstance(field, forms.ChoiceField) and field.choices:
                field.choices = [(v, "请选择" if v == "" else label) for v, label in field.choices]
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                field.max_length = settings.TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(settings.TEXT_MAX_LENGTH))
                field.widget.attrs.setdefault("rows", 3)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


CONFLICT = (
    "该记录已被他人修改并保存。为避免覆盖对方的修改，本次内容尚未保存：您填写的内容仍保留在本页，"
    "请在新窗口中打开该记录查看最新内容，核对后再提交。"
)


STALE_FORM = "页面已过期或不完整，本次内容未保存。请刷新页面，核对后重新填写并保存。"


class VersionConflict(Exception):
    """The record changed since the form was opened."""


class VersionedFormMixin:
    """Optimistic locking: the form carries the version it was opened at; a
    save against a newer version is refused instead of overwriting it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing a record always says which version it started from: a post
        # without it (an old page, a hand-made request) would skip the check.
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=self.instance.version
        )

    def clean(self):
        cleaned = super().clean()
        posted = cleaned.get("version")
        if self.instance.pk and posted is None:
            raise forms.ValidationError(STALE_FORM, code="stale")
        if self.instance.pk and posted is not None:
            model = type(self.instance)
            current = model.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if current.first() != posted:
                raise forms.ValidationError(CONFLICT, code="conflict")
        return cleaned

    def claim_version(self):
        """Move the version on atomically (call just before saving); raise
        VersionConflict if somebody saved in between."""
        posted = self.cleaned_data.get("version")
        if not self.instance.pk or posted is None or getattr(self, "_claimed", False):
            return
        model = type(self.instance)
        claimed = model.objects.filter(pk=self.instance.pk, version=posted).update(
            version=F("version") + 1
        )
        if not claimed:
            raise VersionConflict
        self.instance.version = posted + 1
        self._claimed = True
