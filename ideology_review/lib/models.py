"""Abstract model bases shared by the apps' records (no tables of its own)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A record edited through a form: `version` is the optimistic lock that
    VersionedFormMixin checks (a second editor's stale form is refused)."""

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Authored(Versioned):
    """A versioned record that remembers who created it (kept when that account goes)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True
