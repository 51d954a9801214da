"""The house rules a reader can rely on, checked on the source of every view.

- Views fetch objects through meetings.access (get_<thing>_for_user): never a
  bare `.objects….get(` or `get_object_or_404(`, which would skip the scope.
- Views write nothing themselves: every `.save()`, `.delete()`, `.update()`,
  `.create()`, `bulk_create()` … sits in a service (meetings.services,
  reports.services), where the locks and the still-a-draft checks are.

The view modules are read from the URLconf, so a new one is checked too.
"""

import ast
import importlib
import inspect
import os

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PROJECT_APPS = ("meetings", "reports", "ideology_review")
WRITES = {
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
FETCH_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_modules():
    """The modules of the project that hold a view named in the URLconf."""
    modules = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                module = getattr(pattern.callback, "__module__", "")
                if module.split(".")[0] in PROJECT_APPS:
                    modules.add(module)

    walk(get_resolver().url_patterns)
    return sorted(modules)


def _reaches_a_manager(node):
    """Does this receiver chain go through `.objects` (Model.objects.…)?"""
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def violations(source):
    """(line, call) for every write and every bare fetch in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FETCH_SHORTCUTS:
            found.append((node.lineno, f"{func.id}("))
        elif isinstance(func, ast.Attribute):
            if func.attr in WRITES:
                found.append((node.lineno, f".{func.attr}("))
            elif func.attr == "get" and _reaches_a_manager(func.value):
                found.append((node.lineno, ".objects….get("))
    return found


def test_the_view_modules_are_found():
    modules = view_modules()
    assert {"meetings.views", "meetings.text_views", "reports.views"} <= set(modules)


@pytest.mark.parametrize("module", view_modules())
def test_views_fetch_through_access_and_write_through_services(module):
    source = inspect.getsource(importlib.import_module(module))
    found = violations(source)
    assert not found, f"{module}: " + ", ".join(f"line {n}: {call}" for n, call in found)


@pytest.mark.parametrize(
    "line",
    [
        "Meeting.objects.get(pk=pk)",
        "QuarterlyReport.objects.for_user(user).select_related('organisation').get(pk=pk)",
        "get_object_or_404(Meeting, pk=pk)",
        "meeting.save()",
        "form.save(commit=False)",
        "report.items.filter(section=s).delete()",
        "Meeting.objects.filter(pk=pk).update(status='x')",
        "ReportItem.objects.create(report=report)",
        "ReportItem.objects.bulk_create(items)",
    ],
)
def test_the_check_sees_each_kind_of_call(line):
    assert violations(line)


@pytest.mark.parametrize(
    "line",
    [
        "get_meeting_for_user(request.user, pk, write=True)",
        "request.GET.get('page')",
        "by_pk.get(pk)",
        "services.meeting_update(meeting=meeting, form=form)",
        "context |= {'a': 1}",
    ],
)
def test_the_check_lets_reads_and_service_calls_through(line):
    assert not violations(line)


def test_a_web_process_knows_every_task_it_queues_by_name():
    """The web side queues some tasks by name (reports never imports meetings):
    a process that only set Django up — gunicorn, runserver — must know them,
    or 导出台账 fails there although every test process (which imports the
    task modules) passes."""
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup();"
        "from celery import current_app;"
        "print(' '.join(sorted(t for t in current_app.tasks if not t.startswith('celery.'))))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ideology_review.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
    )
    registered = set(result.stdout.split())
    assert {
        "meetings.render_ledger_xlsx",
        "reports.render_report_docx",
        "reports.build_quarter_bundle",
    } <= registered
