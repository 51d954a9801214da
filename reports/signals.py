"""Keep reports.figures in step with the records, in the same transaction:
each finding, measure or meeting saved or deleted recomputes the quarter rows
it was and is counted in; an organisation whose 需报送 or 审核单位 changed moves
its rows. (QuerySet.update and bulk_create send no signals: the code that uses
them on these models — Meeting.save, the scale loader — is covered here or
rebuilds.)"""

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from meetings.models import Finding, Measure, Meeting, Organisation
from meetings.signals import review_units_changed

from . import figures
from .models import QuarterFigures


@receiver(post_init, sender=Finding)
def finding_loaded(sender, instance, **kwargs):
    instance._figures_key = (instance.organisation_id, instance.year, instance.quarter)


@receiver(post_save, sender=Finding)
@receiver(post_delete, sender=Finding)
def finding_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata (a restore): the precomputed rows come with the data
        return
    now = (instance.organisation_id, instance.year, instance.quarter)
    figures.refresh({instance._figures_key, now} - {(None, None, None)})
    instance._figures_key = now


@receiver(post_init, sender=Measure)
def measure_loaded(sender, instance, **kwargs):
    instance._figures_finding = instance.finding_id


@receiver(post_save, sender=Measure)
@receiver(post_delete, sender=Measure)
def measure_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    findings = {instance._figures_finding, instance.finding_id} - {None}
    figures.refresh(
        set(
            Finding.objects.filter(pk__in=findings).values_list(
                "organisation_id", "year", "quarter"
            )
        )
    )
    instance._figures_finding = instance.finding_id


@receiver(post_init, sender=Meeting)
def meeting_loaded(sender, instance, **kwargs):
    instance._figures_quarter = (instance.year, instance.quarter)


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
