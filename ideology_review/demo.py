"""The 青山县 demo (make run): the records first, then the reports built on them.

It spans both apps, so it sits here rather than in either of them."""

from django.db import transaction

from meetings.demo import load_records
from meetings.signals import deferred
from reports.demo import load_demo_reports


def load_demo():
    """Load the demo (idempotent); return how many of each kind were created.
    The records' review units and precomputed statistics are recomputed once,
    when they are all in, not on each of their hundreds of saves (the reports
    are then written on them, by the services, which check who reviews what)."""
    with transaction.atomic():
        with deferred():
            created, organisations = load_records()
        created["reports"] = load_demo_reports(organisations)
    return created
