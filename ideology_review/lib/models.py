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


def load_users(rows, *fields):
    """Set the user foreign keys `fields` ("actor", "author"…) of `rows` (of one
    model or several: a row without a field is passed over) from one query of
    those users with their person (a page names people by `user.person.name`),
    none if no row has any. Joining the user and person tables onto the rows'
    own query, once for each field, cost more to build and compile than the
    rows took to read."""
    from django.contrib.auth import get_user_model

    ids = {getattr(row, f"{name}_id", None) for row in rows for name in fields} - {None}
    if not ids:
        return
    users = get_user_model().objects.filter(pk__in=ids).select_related("person").in_bulk()
    for row in rows:
        for name in fields:
            user = users.get(getattr(row, f"{name}_id", None))
            if user is not None:
                setattr(row, name, user)


def columns(model, path=""):
    """Every column of `model` (reached through `path`, e.g. "finding"), for an
    only() that trims the tables a query joins but not this model's own."""
    return [f"{path}__{f.name}" if path else f.name for f in model._meta.concrete_fields]
