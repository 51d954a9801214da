from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


def _database_answers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


@require_safe
def healthz(request):
    """For load balancers and monitoring: the application answers and its database too."""
    _database_answers()
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
@require_safe
def healthz_session(request):
    """The floor of a signed-in page (make bench-web): the session and its user,
    the menu of base.html with its context processors, and one query of its own."""
    return render(request, "health/session.html", {"database_ok": _database_answers()})
