"""The audit trail (审计日志).

django-auditlog records every create, change and delete of the registered
models, with the actor, the address and the old and new value of each field.
What signals do not see is recorded here explicitly, in the same log:
logins (successful or not), queryset updates, review transitions, exports and
downloads. The log is append-only for everybody but the database itself.
"""

import datetime

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from .lib.client import USERNAME_MAX, client_address

UPDATE, ACCESS = LogEntry.Action.UPDATE, LogEntry.Action.ACCESS


# Failed logins with a name that is no account's: at most this many rows per
# address in ANONYMOUS_WINDOW (django-axes still counts every attempt).
ANONYMOUS_FAILURES_LOGGED = 20
ANONYMOUS_WINDOW = datetime.timedelta(minutes=10)


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the address it stamps on every row
    taken from `client_address` (PROXY_COUNT, validated), never from a raw header."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request) or None

    @staticmethod
    def _get_remote_port(request):
        return None


def record(obj, *, event, request=None, actor=None, changes=None, action=ACCESS, **data):
    """One explicit audit row about `obj` (e.g. 下载, 导出, 确认会议记录)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
        actor=actor,
        remote_addr=client_address(request) or None,
        additional_data={"事件": event, **data},
    )


@receiver(user_logged_in)
def _login(sender, request, user, **kwargs):
    record(user, event="登录成功", request=request, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:USERNAME_MAX]
    user = get_user_model().objects.filter(username=username).first()
    address = client_address(request) or None
    if user is None:
        recent = LogEntry.objects.filter(
            object_id__isnull=True,
            remote_addr=address,
            timestamp__gte=timezone.now() - ANONYMOUS_WINDOW,
            additional_data__事件="登录失败",
        )
        if recent.count() >= ANONYMOUS_FAILURES_LOGGED:
            return  # a flood of made-up names from one address: enough rows of it
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(user.pk) if user else username,
        object_id=user.pk if user else None,
        object_repr=username,
        action=ACCESS,
        changes={},
        actor=None,
        remote_addr=address,
        additional_data={"事件": "登录失败", "用户名": username},
    )


ACTIONS = {0: "新增", 1: "修改", 2: "删除", 3: "访问"}
HIDDEN = {
    "id",
    "created_at",
    "updated_at",
    "version",
    "order",
    "year",
    "quarter",
    "path",
    "created_by",
    "last_login",
}


def _of_model(model):
    # By natural key: a join, not a content-type lookup (whose cache would
    # make the page's query count depend on what ran before).
    return Q(
        content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
    )


def rows_of(records):
    """The audit rows of every record in `records`, as a filter (no query): of a
    QuerySet, a subquery; of records already loaded (a list), their primary keys
    written out, which a page compiles in a fraction of a subquery's time."""
    if isinstance(records, QuerySet):
        return _of_model(records.model) & Q(object_id__in=records.values("pk"))
    records = list(records)
    if not records:
        return Q(pk__in=[])  # nothing: the branch drops out of an OR
    return _of_model(type(records[0])) & Q(object_id__in=[r.pk for r in records])


def _model_of(records):
    if isinstance(records, QuerySet):
        return records.model
    return type(records[0]) if records else None


def latest_with_event(event, *querysets):
    """[((model, pk), additional data)] of the rows with this 事件 about the
    records of `querysets` (or lists of records, see rows_of), oldest first (so
    that a dict keeps the newest); one query."""
    query = Q()
    for queryset in querysets:
        query |= rows_of(queryset)
    models = [m for m in map(_model_of, querysets) if m is not None]
    by_name = {(m._meta.app_label, m._meta.model_name): m for m in models}
    entries = (
        LogEntry.objects.filter(query)
        .filter(**{"additional_data__事件": event})
        .order_by("timestamp", "pk")
        .values_list(
            "content_type__app_label", "content_type__model", "object_id", "additional_data"
        )
    )
    return [((by_name[(app, name)], pk), data or {}) for app, name, pk, data in entries]


# A working page's 历史记录 shows the newest rows; its 全部历史记录 page the rest,
# HISTORY_PAGE at a time.
HISTORY_SHOWN = 20
HISTORY_PAGE = 100


class History(list):
    """history_for's rows, newest first. `more`: older rows exist beyond them;
    `url`: the object's 全部历史记录 page (set by the view that has one)."""

    more = False
    url = ""


def history_for(*objects, related=(), related_event=None, start=0, limit=HISTORY_SHOWN):
    """The audit rows of these objects, newest first, ready to show: field
    names in Chinese, choice labels, related records by name. Related records
    are looked up in one query per related model, however many rows there are.
    `start`, `limit`: which of them (a History: its `more` says whether older
    ones exist).

    `related`: querysets whose records' rows belong on the same page (a report's
    paragraphs); with `related_event`, only their rows of that 事件 (the 更正 of
    a meeting's findings)."""
    query = Q()
    for obj in objects:
        query |= _of_model(type(obj)) & Q(object_pk=str(obj.pk))
    for queryset in related:
        rows = rows_of(queryset)
        if related_event is not None:
            rows &= Q(**{"additional_data__事件": related_event})
        query |= rows
    entries = list(
        LogEntry.objects.filter(query)
        .select_related("actor__person", "content_type")
        .order_by("-timestamp", "-pk")[start : start + limit + 1]
    )
    history = History()
    history.more = len(entries) > limit
    del entries[limit:]
    models = {(o._meta.app_label, o._meta.model_name): type(o) for o in objects}
    for model in filter(None, map(_model_of, related)):
        models[(model._meta.app_label, model._meta.model_name)] = model
    wanted = {}  # related model → primary keys to name
    parsed = []
    for entry in entries:
        model = models.get((entry.content_type.app_label, entry.content_type.model))
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if name in HIDDEN or not getattr(field, "concrete", True):
                continue  # internal bookkeeping and reverse relations say nothing to a reader
            if isinstance(values, dict):  # many-to-many: {"type": "m2m", "objects": [...]}
                verb = "增加" if values.get("operation") == "add" else "移除"
                changes.append((field, "m2m", verb, "、".join(values.get("objects", []))))
                continue
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            changes.append((field, _related(field), old, new))
            if _related(field):
                wanted.setdefault(_related(field), set()).update(
                    v for v in (old, new) if v not in (None, "", "None")
                )
        parsed.append((entry, changes))
    names = {}
    known = {}  # the page's own objects, and what they have loaded, need no query to be named
    for obj in objects:
        known.setdefault(type(obj), {})[str(obj.pk)] = str(obj)
        for field in obj._meta.concrete_fields:
            if _related(field) and field.is_cached(obj) and getattr(obj, field.name) is not None:
                loaded = getattr(obj, field.name)
                known.setdefault(field.related_model, {})[str(loaded.pk)] = str(loaded)
    for model, pks in wanted.items():
        names[model] = dict(known.get(model, {}))
        clean = [pk for pk in pks if str(pk).isdigit() and str(pk) not in names[model]]
        if clean:
            names[model].update({str(o.pk): str(o) for o in model.objects.filter(pk__in=clean)})
    own = {(o._meta.app_label, o._meta.model_name, str(o.pk)) for o in objects}
    rows = history
    for entry, changes in parsed:
        shown = []
        extra = []
        for field, related, old, new in changes:
            label = str(getattr(field, "verbose_name", field) if field is not None else "")
            if related == "m2m":
                extra.append((label, f"{old}：{new}"))
            else:
                shown_old = _value(field, related, old, names)
                shown_new = _value(field, related, new, names)
                if shown_old != shown_new:  # a new record's empty fields say nothing
                    shown.append((label, shown_old, shown_new))
        data = dict(entry.additional_data or {})
        key = (entry.content_type.app_label, entry.content_type.model, entry.object_pk)
        rows.append(
            {
                "timestamp": entry.timestamp,
                "actor": entry.actor,
                "address": entry.remote_addr or "",
                "object": entry.content_type.name,
                # A row about another record than the page's own (a finding on its
                # meeting's page, a paragraph on its report's) says which one.
                "subject": "" if key in own else entry.object_repr,
                "action": data.pop("事件", None) or ACTIONS.get(entry.action, ""),
                "changes": shown,
                "extra": extra + [(k, v) for k, v in data.items() if v not in ("", None)],
            }
        )
    return rows


def _field(model, name):
    if model is None:
        return name
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the entry was written
        return name


def _related(field):
    if getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False):
        return field.related_model
    return None


def _value(field, related, value, names):
    if value in (None, "None"):
        return ""
    if related is not None:
        return names.get(related, {}).get(str(value), str(value))
    if value in ("True", "False") or isinstance(value, bool):
        return "是" if str(value) == "True" else "否"
    if isinstance(field, DateTimeField):
        return _local_time(value)
    choices = dict(getattr(field, "flatchoices", []) or [])
    return str(choices.get(value, value))


def _local_time(value):
    """django-auditlog keeps a DateTimeField as naive UTC text with microseconds
    ("2026-12-02 07:04:05.123456"): shown in local time to the minute."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
