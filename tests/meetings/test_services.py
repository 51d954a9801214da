"""meetings.services: every write to a meeting's content checks, under the
meeting's row lock, that it is still a draft; a status read earlier does not count."""

import pytest
from django.forms.models import model_to_dict

from meetings import services
from meetings.forms import FindingForm, MeasureForm, MeasureProgressForm
from meetings.models import Finding, Measure, Meeting

from ..factories import MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(world):
    return MeasureFactory(
        finding__meeting__organisation=world.branch,
        responsible_person=world.secretary.person_record,
    )


def finding_form(finding, **changes):
    data = {**model_to_dict(finding), "version": finding.version, **changes}
    return FindingForm(
        data, instance=finding, organisation=finding.organisation, meeting=finding.meeting
    )


def test_a_finding_opened_before_confirmation_is_not_saved_after_it(world, measure):
    finding = measure.finding
    form = finding_form(finding, title="确认后才保存的标题")
    assert form.is_valid(), form.errors
    services.meeting_confirm(meeting=finding.meeting, by=world.secretary)
    with pytest.raises(services.RecordLocked):
        services.finding_update(finding=finding, form=form)
    assert Finding.objects.get(pk=finding.pk).title != "确认后才保存的标题"


def test_nothing_is_added_to_or_removed_from_a_confirmed_meeting(world, measure):
    finding = measure.finding
    services.meeting_confirm(meeting=finding.meeting, by=world.secretary)
    for write in (
        lambda: services.finding_delete(finding=finding),
        lambda: services.measure_delete(measure=measure),
        lambda: services.meeting_delete(meeting=finding.meeting),
    ):
        with pytest.raises(services.RecordLocked):
            write()
    assert Measure.objects.filter(pk=measure.pk).exists()
    assert Meeting.objects.filter(pk=finding.meeting_id).exists()


def test_a_full_measure_edit_waits_for_a_draft_but_progress_goes_on(world, measure):
    data = {**model_to_dict(measure), "version": measure.version, "content": "改过的措施"}
    full = MeasureForm(data, instance=measure, organisation=measure.finding.organisation)
    assert full.is_valid(), full.errors
    services.meeting_confirm(meeting=measure.finding.meeting, by=world.secretary)
    with pytest.raises(services.RecordLocked):
        services.measure_update(measure=measure, form=full)

    measure = Measure.objects.get(pk=measure.pk)
    progress = MeasureProgressForm(
        {"status": "已完成", "progress_note": "已整改到位", "version": measure.version},
        instance=measure,
    )
    assert progress.is_valid(), progress.errors
    services.measure_update(measure=measure, form=progress, progress_only=True)
    measure.refresh_from_db()
    assert measure.status == "待销号" and measure.content != "改过的措施"


def test_confirming_twice_confirms_once(world, measure):
    meeting = measure.finding.meeting
    assert services.meeting_confirm(meeting=meeting, by=world.secretary) is True
    assert services.meeting_confirm(meeting=meeting, by=world.secretary) is False
