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
