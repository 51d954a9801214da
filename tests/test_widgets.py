"""lib.forms.TextInput, written in Python: Django's markup, character for character."""

import pytest
from django import forms

from ideology_review.lib.forms import TextInput


@pytest.mark.parametrize("value", [None, "", "医<院\"&x'", 5])
def test_text_input_is_djangos(value):
    attrs = {"class": "form-control", "required": True, "hidden": False, "maxlength": 50}
    assert TextInput(attrs=attrs).render("q", value, attrs={"id": "id_q"}) == forms.TextInput(
        attrs=attrs
    ).render("q", value, attrs={"id": "id_q"})
