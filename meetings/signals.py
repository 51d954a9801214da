"""Keep Organisation.review_unit right (meetings.review_units): whatever can
change where a report goes — an organisation (its parent, type or 审核单位), a
membership (a committee's 书记/副书记/宣传委员), a person (在职) or an account
(active) — re-resolves the tree in the same transaction. `review_units_changed`
tells the listeners (reports.figures) which organisations moved."""

import threading
from contextlib import contextmanager

import django.dispatch
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import review_units
from .models import Membership, Organisation, Person

# sent with changed={organisation id: (old unit id, new unit id)}
review_units_changed = django.dispatch.Signal()


_deferral = threading.local()


@contextmanager
def deferred():
    """Within the block, what the signals would recompute on each save is
    noted and recomputed once when the block ends (a loader saving hundreds of
    rows: the demo). Listeners defer their own work with `defer()`."""
    if is_deferring():
        yield  # already deferring: the outer block finishes
        return
    _deferral.pending = {}
    try:
        yield
        pending = _deferral.pending
    finally:
        _deferral.pending = None
    for flush in pending.values():
        flush()


def is_deferring():
    return getattr(_deferral, "pending", None) is not None


def defer(key, flush):
    """Run `flush` now, or once at the end of the `deferred()` block (by `key`)."""
    pending = getattr(_deferral, "pending", None)
    if pending is None:
        flush()
    else:
        pending.setdefault(key, flush)


def _refresh(sender, instance):
    if is_deferring():
        defer("review_units", lambda: _refresh(None, None))
        return
    changed = review_units.refresh()
    if isinstance(instance, Organisation) and instance.pk in changed:
        instance.review_unit_id = changed[instance.pk][1]
    if changed:
        review_units_changed.send(sender=sender, changed=changed)


@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=Membership)
@receiver(post_save, sender=Person)
@receiver(post_delete, sender=Organisation)
@receiver(post_delete, sender=Membership)
@receiver(post_delete, sender=Person)
def tree_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata (a restore): the stored review units come with the rows
        return
    _refresh(sender, instance)


@receiver(post_save, sender=get_user_model())
@receiver(post_delete, sender=get_user_model())
def account_changed(sender, instance, update_fields=None, raw=False, **kwargs):
    # A login writes last_login alone: nothing that decides a review unit.
    if raw or (update_fields is not None and set(update_fields) <= {"last_login", "password"}):
        return
    _refresh(sender, instance)
