"""Keep reports.figures in step with the records, in the same transaction:
each finding, measure or meeting saved or deleted recomputes the quarter rows
it was and is counted in; an organisation whose 需报送 or 审核单位 changed moves
its rows. (QuerySet.update and bulk_create send no signals: the code that uses
them on these models — Meeting.save, the scale loader — is covered here or
rebuilds.)"""

from django.db.models.signals import post_delete, post_init, post_save, pre_delete, pre_save
from django.dispatch import receiver

from meetings.models import Finding, Measure, Meeting, Organisation
from meetings.signals import review_units_changed

from . import figures
from .models import QuarterFigures

# What a record was counted under is noted as it is loaded (post_init), from
# the columns loaded with it: a row read with only() some of them is noted
# UNKNOWN and, if it is then saved or deleted, its stored values are read first
# (pre_save, pre_delete: one query). Touching a deferred column here would load
# it, and the loading would run this again (RecursionError).
UNKNOWN = object()


def _loaded(instance, *names):
    values = instance.__dict__
    if all(name in values for name in names):
        return tuple(values[name] for name in names)
    return UNKNOWN


def _stored(sender, instance, attname, *names):
    """Before a save or delete of a row loaded without some of `names`: the
    stored values (None for a row not in the table)."""
    if getattr(instance, attname, None) is UNKNOWN:
        stored = sender.objects.filter(pk=instance.pk).values_list(*names).first()
        setattr(instance, attname, stored if stored is not None else (None,) * len(names))


FINDING_KEY = ("organisation_id", "year", "quarter")


@receiver(post_init, sender=Finding)
def finding_loaded(sender, instance, **kwargs):
    instance._figures_key = _loaded(instance, *FINDING_KEY)


@receiver(pre_save, sender=Finding)
@receiver(pre_delete, sender=Finding)
def finding_stored(sender, instance, raw=False, **kwargs):
    if not raw:
        _stored(sender, instance, "_figures_key", *FINDING_KEY)


@receiver(post_save, sender=Finding)
@receiver(post_delete, sender=Finding)
def finding_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata (a restore): the precomputed rows come with the data
        return
    before = instance._figures_key
    if kwargs.get("signal") is post_delete:  # a deleted row's own columns may be deferred
        figures.refresh({before} - {(None, None, None)})
        return
    now = (instance.organisation_id, instance.year, instance.quarter)
    figures.refresh({before, now} - {(None, None, None)})
    instance._figures_key, instance._figures_previous = now, before  # (the 工作台's cache)


@receiver(post_init, sender=Measure)
def measure_loaded(sender, instance, **kwargs):
    loaded = _loaded(instance, "finding_id")
    instance._figures_finding = loaded if loaded is UNKNOWN else loaded[0]


@receiver(pre_save, sender=Measure)
@receiver(pre_delete, sender=Measure)
def measure_stored(sender, instance, raw=False, **kwargs):
    if not raw and instance._figures_finding is UNKNOWN:
        stored = sender.objects.filter(pk=instance.pk).values_list("finding_id", flat=True)
        instance._figures_finding = stored.first()


@receiver(post_save, sender=Measure)
@receiver(post_delete, sender=Measure)
def measure_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    findings = {instance._figures_finding} - {None}
    if kwargs.get("signal") is not post_delete:
        findings |= {instance.finding_id} - {None}
    figures.refresh(
        set(
            Finding.objects.filter(pk__in=findings).values_list(
                "organisation_id", "year", "quarter"
            )
        )
    )
    instance._figures_previous = instance._figures_finding  # (the 工作台's cache)
    instance._figures_finding = instance.__dict__.get("finding_id")


@receiver(post_init, sender=Meeting)
def meeting_loaded(sender, instance, **kwargs):
    instance._figures_quarter = _loaded(instance, "year", "quarter")


@receiver(pre_save, sender=Meeting)
def meeting_stored(sender, instance, raw=False, **kwargs):
    if not raw:
        _stored(sender, instance, "_figures_quarter", "year", "quarter")


@receiver(post_save, sender=Meeting)
def meeting_moved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    # Meeting.save moves its findings to its date's quarter with an update().
    before, now = instance._figures_quarter, (instance.year, instance.quarter)
    if not created and before != now and None not in before:
        organisation = instance.organisation_id
        figures.refresh({(organisation, *before), (organisation, *now)})
    instance._figures_quarter = now


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    moved = (
        QuarterFigures.objects.filter(organisation=instance)
        .exclude(must_report=instance.must_report, review_unit_id=instance.review_unit_id)
        .exists()
    )
    if moved:
        figures.refresh_organisations([instance.pk])


@receiver(review_units_changed)
def units_changed(sender, changed, **kwargs):
    figures.refresh_organisations(list(changed))
