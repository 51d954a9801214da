"""Model fields for text that users paste."""

from django.db import models

from ideology_review.lib.text import safe_text


class SafeTextMixin:
    """Never store characters that would later break XML (DOCX) output,
    whichever way the value arrives (form, admin, shell, fixture)."""

    def pre_save(self, model_instance, add):
        # Clean the instance too: what is logged or rendered from it after the
        # save (the audit trail, a DOCX) must be what the database holds.
        value = safe_text(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(safe_text(value))


class SafeCharField(SafeTextMixin, models.CharField):
    pass


class SafeTextField(SafeTextMixin, models.TextField):
    pass
