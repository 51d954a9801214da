"""The 青山县 demo (make run): the records first, then the reports built on them.

It spans both apps, so it sits here rather than in either of them."""

from meetings.demo import load_records
from reports.demo import load_demo_reports


def load_demo():
    """Load the demo (idempotent); return how many of each kind were created."""
    created, organisations = load_records()
    created["reports"] = load_demo_reports(organisations)
    return created
