"""Helpers written in Python for speed: the same output as Django's, character for character."""

import pytest
from django import forms

from ideology_review.lib.forms import TextInput


@pytest.mark.parametrize("value", [None, "", "医<院\"&x'", 5])
def test_text_input_is_djangos(value):
    attrs = {"class": "form-control", "required": True, "hidden": False, "maxlength": 50}
    assert TextInput(attrs=attrs).render("q", value, attrs={"id": "id_q"}) == forms.TextInput(
        attrs=attrs
    ).render("q", value, attrs={"id": "id_q"})


@pytest.mark.parametrize(
    "value", ["", "短", "每月集中学习" * 3, "每月集中学习" * 30, "e\u0301" * 50, 12345, None]
)
@pytest.mark.parametrize("length", [1, 10, 60])
def test_shortened_is_truncatechars(value, length):
    from django.template.defaultfilters import truncatechars

    from meetings.templatetags.ideology import shortened

    assert shortened(value, length) == truncatechars(value, length)


@pytest.mark.parametrize("value", [None, "", "2", "<x>", ["1", "2"]])
def test_select_is_djangos_but_for_line_breaks(value):
    import re

    from ideology_review.lib.forms import Select

    choices = [("", "全部"), ("1", "甲"), (2, "乙&丙"), ("<x>", '"引号"'), ("组", [("3", "丁")])]
    attrs = {"class": "form-select", "disabled": False, "required": True}
    ours = Select(attrs=attrs, choices=choices).render("s", value)
    django = forms.Select(attrs=attrs, choices=choices).render("s", value)
    assert re.sub(r"\s*\n\s*", "", ours) == re.sub(r"\s*\n\s*", "", django)
