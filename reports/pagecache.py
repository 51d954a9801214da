"""The reviewer pages' cached fragments (统计分析, 审核工作台, 待审核), keyed by
the version of the records.

The records' version is a number that moves on with every change that a
reviewer page can show: a meeting, finding, measure, organisation, person,
membership, report (not its assembly alone), review event, deadline or
notification saved or deleted, and the review units re-resolved. A fragment is
cached under (page, version, today, the reviewer's scope, the page's own
parameters): any change makes a new version and so a new key, the date is in
the key because the pages count days (逾期, 已等待), and nothing is ever
invalidated by hand. What must not be shared stays out of the fragments: the
CSRF token (the forms get it through `form=` inputs outside) and the export
list (its files change without a record changing).

The version, on PostgreSQL, is a sequence: `nextval` takes no lock, so two
transactions that both change records never wait for each other (a counter
row would be locked from the first change until the commit, and could
deadlock with the rows the transactions lock themselves). It moves on when a
change is made — so a page in the same transaction (and every test, which
runs in one) sees it — and once more after the commit, so that a page cached
between the change and the commit, from the data before it, is never served
again. Elsewhere (SQLite, `make run`), which serialises its writers anyway,
it is the row `DataVersion(name="records")`, never below the clock in ms. A
restore (loaddata) and every migrate jump it past the clock in ms (`jump`), so
that a value used before — by this database before a restore, or another one
sharing the cache — never comes back; and the key holds a digest of the code
(`release`), so that a deploy never serves what the code before it built.

Pages are built outside transactions (GET requests run in autocommit:
ideology_review.middleware), so a fragment never holds changes that are later
rolled back.

Cache: CACHE_URL's Redis when set (shared by every web node), else each
process's own memory (the key is read from the database, so every process
sees a change at once)."""

import functools
import hashlib
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ideology_review.routers import reading_replica
from meetings import models as records
from meetings.signals import defer, is_deferring, review_units_changed

from .models import DataVersion, Notification, OrganisationVersion, QuarterlyReport

SEQUENCE = "reports_data_version"
NAME = "records"
TIMEOUT = 24 * 3600  # a day at most: the key's date changes anyway

# The apps whose records the pages show, and their models that no cached
# fragment reads (derived rows, files, report text, attachments).
APPS = {"meetings", "reports"}
QUIET = {
    "reports.dataversion",
    "reports.quarterfigures",
    "reports.unitfigures",
    "reports.generatedfile",
    "reports.reportitem",
    "reports.reportcomment",
    "reports.documentformat",
    "meetings.meetingattachment",
    "meetings.measureevidence",
}
# A report saved with these fields alone (一键汇总) changed only its text.
QUIET_REPORT_FIELDS = {"assembled_at", "updated_at"}


def _postgresql():
    return connection.vendor == "postgresql"


def current():
    """The records' version now (one query)."""
    with connection.cursor() as cursor:
        if _postgresql():
            # last_value is 1 both before and after the first nextval
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE}")
            return cursor.fetchone()[0]
    return DataVersion.objects.filter(pk=NAME).values_list("value", flat=True).first() or 0


def _move_on():
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
    else:
        # never below the clock (ms): a restore that brings back an older
        # value still moves past every value used before it
        now = int(time.time() * 1000)
        moved = DataVersion.objects.filter(pk=NAME).update(value=Greatest(F("value") + 1, now))
        if not moved:
            DataVersion.objects.get_or_create(pk=NAME, defaults={"value": now})


def jump(organisations=True):
    """Move the version on past the clock (ms): after a restore or a migration
    (a new database, new code or a data migration), no value used before — by
    another database sharing the cache, or this one before the restore — can
    come back."""
    now = int(time.time() * 1000)
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval('{SEQUENCE}', GREATEST(last_value + 1, %s)) FROM {SEQUENCE}",
                [now],
            )
    else:
        _move_on()
    if organisations:
        # and every organisation's own version with it (a loader that
        # bulk-created rows, a restored table of versions)
        organisations_changed(None)


def _after_commit():
    _move_on()


def changed():
    """Records changed: the version moves on now and after the commit."""
    _move_on()
    # and once more when the transaction commits: registered once per
    # transaction (run_on_commit holds what the commit will run)
    pending = (func for _, func, _ in connection.run_on_commit)
    if connection.in_atomic_block and _after_commit not in pending:
        # robust: a callback before it that fails (a broker down) must not
        # leave a page built before the commit under the current version
        transaction.on_commit(_after_commit, robust=True)


@functools.cache
def release():
    """The code's own part of the key: a digest of the apps' code and templates,
    so that a deploy never serves fragments built by the code before it (nor
    old and new nodes each other's, while both run)."""
    digest = hashlib.sha1()
    root = Path(settings.BASE_DIR)
    for folder in ("ideology_review", "meetings", "reports", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _key(page, parts):
    # (and the CSRF placeholder, which follows SECRET_KEY: a fragment rendered
    # with another one would keep its placeholder in every form)
    raw = "|".join(str(part) for part in (release(), _csrf_placeholder(), *parts))
    return f"page:{page}:{hashlib.sha1(raw.encode()).hexdigest()}"


def scope_key(scope):
    """What of the scope decides a reviewer page: everything, or its 审核单位."""
    return ("all" if scope.everything else "", *sorted(scope.reviewing))


def fragment(page, parts, build):
    """The cached value of `page` for `parts` (the scope's key and the page's
    parameters), built by `build()` when this version has none."""
    if reading_replica():
        # The replica lags the version (read from the primary: a replica's
        # sequence moves in steps of 32), so what it gives is never cached.
        return build()
    return _cached(_key(page, (current(), records.today().isoformat(), *parts)), build, TIMEOUT)


def _cached(key, build, timeout):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def _raw_saved():
    # loaddata (a restore): past the clock, once, when its transaction commits
    if not connection.in_atomic_block:
        jump()
    elif jump not in (func for _, func, _ in connection.run_on_commit):
        transaction.on_commit(jump, robust=True)


def record_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        _raw_saved()
    elif sender is QuarterlyReport and update_fields and set(update_fields) <= QUIET_REPORT_FIELDS:
        return
    elif sender is Notification and instance.kind != Notification.Kind.URGE:
        return  # the pages show 催报 alone (the 审核工作台's 已催报)
    else:
        defer("data_version", changed)
        _branch_records_changed(sender, instance)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if sender.name != "reports" or using != DEFAULT_DB_ALIAS:
        return  # sent for every app: once per migrate
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if _postgresql():
            cursor.execute("SELECT to_regclass(%s)", [SEQUENCE])
            exists = cursor.fetchone()[0] is not None
        else:
            exists = DataVersion._meta.db_table in tables
    if exists:  # not when migrated back before it
        jump(organisations=OrganisationVersion._meta.db_table in tables)


def record_deleted(sender, instance, **kwargs):
    defer("data_version", changed)
    _branch_records_changed(sender, instance)


def relation_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        defer("data_version", changed)


@receiver(review_units_changed)
def units_changed(sender, **kwargs):
    defer("data_version", changed)


def connect():
    """Listen to the shown models one by one (AppConfig.ready): a receiver
    for every sender would keep Django from deleting any model's rows without
    loading them first. And to migrations (a deploy, a restore's first step)."""
    post_migrate.connect(_migrated, dispatch_uid="pagecache:migrate")
    for model in (records.Meeting, QuarterlyReport):  # a finding's: reports.signals
        pre_delete.connect(_note_organisation, sender=model, dispatch_uid="pagecache:organisation")
        post_init.connect(_note_loaded, sender=model, dispatch_uid="pagecache:loaded")
    pre_delete.connect(_note_person, sender=records.Person, dispatch_uid="pagecache:person")
    for signal in (post_save, post_delete):
        signal.connect(
            _evidence_changed, sender=records.MeasureEvidence, dispatch_uid="pagecache:evidence"
        )
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="pagecache:user")
    pre_delete.connect(
        _user_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="pagecache:user-deleted"
    )
    pre_save.connect(_note_account, sender=records.Person, dispatch_uid="pagecache:account")
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in QUIET:
                continue
            uid = f"pagecache:{model._meta.label_lower}"
            post_save.connect(record_saved, sender=model, dispatch_uid=uid)
            post_delete.connect(record_deleted, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    relation_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}.{field.name}",
                )


# ---------------------------------------------------------------------------
# The 工作台's fragment: keyed by the versions of the organisations it shows.
#
# A branch's 工作台 lists its meetings, overdue measures, reports and findings
# not yet rectified. Keyed by the records' version above, it would be rebuilt
# on every change anywhere in the province; it is keyed instead by the
# versions of the organisations the user sees (OrganisationVersion), each
# moved on, after the commit, by a change of a meeting, finding, measure or
# report of the organisation, of its name, or of a name those lists show (a
# person's, a category's). Until its transaction commits, a change keeps the
# fragments of its organisations from the cache within the same transaction
# (and every test, which runs in one): they are built fresh. A version that is
# not moved (the process stopped between the commit and the move) ages out
# with BRANCH_TIMEOUT.
# ---------------------------------------------------------------------------

BRANCH_TIMEOUT = 3600
BRANCHES_CACHED = 200  # a scope seeing more organisations builds its page each time


class _Bump:
    """The on_commit callback of one transaction: the organisations whose
    version moves when it commits (`everything`: all of them)."""

    def __init__(self):
        self.organisations, self.everything = set(), False

    def add(self, ids):
        if ids is None:
            self.everything = True
        else:
            self.organisations |= ids

    def __call__(self):
        _move_organisations(None if self.everything else self.organisations)


def organisations_changed(ids):
    """The records shown for these organisations changed (None: for all)."""
    if ids is not None:
        ids = {pk for pk in ids if pk is not None}
        if not ids:
            return
    if not connection.in_atomic_block:
        _move_organisations(ids)
        return
    active = set(connection.savepoint_ids)
    for sids, func, _ in connection.run_on_commit:
        # a callback of no savepoint that can roll back without this change
        if isinstance(func, _Bump) and sids <= active:
            func.add(ids)
            return
    callback = _Bump()
    callback.add(ids)
    transaction.on_commit(callback, robust=True)


def _pending():
    """The organisations changed in this connection's open transaction (True: all)."""
    found = set()
    for _, func, _ in connection.run_on_commit:
        if isinstance(func, _Bump):
            if func.everything:
                return True
            found |= func.organisations
    return found


def _move_organisations(ids):
    """These organisations (None: every one) to a new version, one value of the
    records' sequence for all of them: none of them has had it before."""
    value = _next_value()
    table = OrganisationVersion._meta.db_table
    where, params = (
        ("", []) if ids is None else (f"WHERE id IN ({', '.join(['%s'] * len(ids))})", list(ids))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, value) "
            f"SELECT id, %s FROM {records.Organisation._meta.db_table} {where or 'WHERE 1 = 1'} "
            # rows locked in one order by every bump: two at once never deadlock
            "ORDER BY id ON CONFLICT (organisation_id) DO UPDATE SET value = excluded.value",
            [value, *params],
        )


def _next_value():
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
            return cursor.fetchone()[0]
    _move_on()
    return current()


def _branch_records_changed(sender, instance):
    """Which organisations' 工作台 shows `instance` (a saved or deleted record)."""
    if sender not in _BRANCH_SHOWN:
        return
    if is_deferring():  # a loader: every organisation once, not a lookup a row
        organisations_changed(None)
        return
    organisations_changed(_BRANCH_SHOWN[sender](instance))


def _of_measure(measure):
    # the finding it is under and, moved, the one it was under (reports.signals)
    findings = {
        measure.__dict__.get("finding_id"),
        getattr(measure, "_figures_finding", None),
        getattr(measure, "_figures_previous", None),
    }
    findings = {pk for pk in findings if isinstance(pk, int)}
    return set(
        records.Finding.objects.filter(pk__in=findings).values_list("organisation_id", flat=True)
    )


def _of_finding(finding):
    # its organisation and, moved, the one it was counted under: reports.signals
    # notes them (and reads them, for a row loaded without them, before a save or delete)
    keys = (getattr(finding, "_figures_key", None), getattr(finding, "_figures_previous", None))
    return {finding.__dict__.get("organisation_id")} | {
        key[0] for key in keys if isinstance(key, tuple)
    }


def _organisation_of(instance):
    """A meeting's or report's organisation, loaded with it or not,
    and the one it was loaded with (moved to another: both show it no more / now)."""
    loaded = getattr(instance, "_branch_loaded", None)
    if "organisation_id" in instance.__dict__:
        now = instance.organisation_id
    elif hasattr(instance, "_branch_organisation"):  # deleted: noted before (pre_delete)
        now = instance._branch_organisation
    else:
        now = instance.organisation_id  # saved: the column is read (one query)
    instance._branch_loaded = now
    return {now, loaded}


def _note_loaded(sender, instance, **kwargs):
    # the organisation a row was read with (from the loaded columns alone)
    instance._branch_loaded = instance.__dict__.get("organisation_id")


def _note_organisation(sender, instance, **kwargs):
    """Before a row read without its organisation is deleted: which it was."""
    if "organisation_id" not in instance.__dict__:
        instance._branch_organisation = (
            sender.objects.filter(pk=instance.pk).values_list("organisation_id", flat=True).first()
        )


def _of_person(person):
    """Where a person's name is shown: as 责任人 of measures, as 述职人 of reports,
    as 主持人 of meetings, as who marked a measure 已完成 or closed it (its
    user's name; the 会议页)
    (deleted: where it was, noted before its measures let go of it)."""
    if hasattr(person, "_branch_shown"):
        return person._branch_shown
    shown = set(
        records.Finding.objects.filter(measures__responsible_person=person).values_list(
            "organisation_id", flat=True
        )
    ) | set(QuarterlyReport.objects.filter(person=person).values_list("organisation_id", flat=True))
    # as 主持人 of meetings (研判会议列表)
    shown |= set(
        records.Meeting.objects.filter(chair=person).values_list("organisation_id", flat=True)
    )
    # its account's, and the one it was linked to before this save (_note_account)
    for user_id in {person.user_id, getattr(person, "_branch_account", None)} - {None}:
        shown |= _of_user(user_id)
    return shown


def _note_account(sender, instance, raw=False, **kwargs):
    """Before a person is saved: the account it is linked to now (an admin may
    link it to another, or to none: the measures that account marked or closed
    are named by the account itself from then on)."""
    if not raw and instance.pk is not None:
        instance._branch_account = (
            records.Person.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        )


def _of_user(user_id):
    # the measures the user marked 已完成 or closed (销号), named by the user
    return set(
        records.Finding.objects.filter(
            Q(measures__done_by=user_id) | Q(measures__closed_by=user_id)
        ).values_list("organisation_id", flat=True)
    )


def _user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    # a user's own name (shown where they have no person); not a login's last_login
    if raw or (update_fields and set(update_fields) <= {"last_login", "password"}):
        return
    organisations_changed(_of_user(instance.pk))


def _user_deleted(sender, instance, **kwargs):
    # before the measures let go of it (an UPDATE that sends no signal)
    organisations_changed(_of_user(instance.pk))


def _evidence_changed(sender, instance, raw=False, **kwargs):
    # a measure's 佐证材料 (the 会议页 lists them and gates 销号 on them)
    if raw:
        return
    organisations_changed(
        set(
            records.Finding.objects.filter(measures=instance.measure_id).values_list(
                "organisation_id", flat=True
            )
        )
    )


def _note_person(sender, instance, **kwargs):
    instance._branch_shown = _of_person(instance)


def _of_organisation(organisation):
    # its name, and the paths of its subtree (moved: the reports list's order)
    return set(
        records.Organisation.objects.filter(path__startswith=organisation.path).values_list(
            "pk", flat=True
        )
    ) | {organisation.pk}


_BRANCH_SHOWN = {
    records.Meeting: _organisation_of,
    records.Finding: _of_finding,
    records.Measure: _of_measure,
    QuarterlyReport: _organisation_of,
    records.Organisation: _of_organisation,
    records.Person: _of_person,
    records.FindingCategory: lambda category: None,  # every organisation
}


def _csrf_placeholder():
    # the same on every node (a fragment built by one is served by another),
    # and not a string a user could type into a record
    return _placeholder_of(settings.SECRET_KEY)


@functools.cache
def _placeholder_of(secret):
    return "csrf" + hashlib.sha256(f"pagecache-csrf:{secret}".encode()).hexdigest()[:32]


def render_shared(template, context, request):
    """A fragment to cache: rendered with a placeholder for the CSRF token,
    which belongs to the request (and changes with every login), not to the
    fragment. `with_csrf` puts the request's own token in."""
    return render_to_string(template, {**context, "csrf_token": _csrf_placeholder()}, request)


def with_csrf(fragment, request):
    """A fragment from `render_shared` with this request's CSRF token."""
    return mark_safe(fragment.replace(_csrf_placeholder(), get_token(request)))


def held(*rows):
    """What these loaded rows hold, every column, for a key: a fragment built
    from them alone changes when they do, with no version to move."""
    return [
        (type(row).__name__, sorted((k, v) for k, v in row.__dict__.items() if k[0] != "_"))
        for row in rows
    ]


def held_fragment(page, parts, build):
    """The cached value of `page` for `parts`, which hold everything it shows
    (`held`): built by `build()` when no such value is cached."""
    return _cached(_key(page, parts), build, BRANCH_TIMEOUT)


def branch_fragment(page, scope, parts, build):
    """The cached value of `page` for the user of `scope` and `parts`, built by
    `build()` when the versions of the organisations the scope sees have none.
    One query (those organisations and their versions)."""
    if reading_replica() or scope.everything:
        return build()
    seen = sorted(
        records.Organisation.objects.filter(scope.visible_q("")).values_list(
            "pk", "records_version__value"
        )
    )
    pending = _pending()
    if len(seen) > BRANCHES_CACHED or pending is True or pending.intersection(pk for pk, _ in seen):
        return build()
    key = _key(page, (records.today().isoformat(), scope.user_id, seen, *parts))
    return _cached(key, build, BRANCH_TIMEOUT)
