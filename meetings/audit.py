"""The audit trail (审计日志).

django-auditlog records every create, change and delete of the registered
models, with the actor, the address and the old and new value of each field.
What signals do not see is recorded here explicitly, in the same log:
logins (successful or not), queryset updates, review transitions, exports and
downloads. The log is append-only for everybody but the database itself.
"""

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

UPDATE, ACCESS = LogEntry.Action.UPDATE, LogEntry.Action.ACCESS


def client_address(request):
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


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
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(user.pk) if user else username,
        object_id=user.pk if user else None,
        object_repr=username,
        action=ACCESS,
        changes={},
        actor=None,
        remote_addr=client_address(request) or None,
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


def history_for(*objects):
    """The audit rows of these objects, newest first, ready to show: field
    names in Chinese, choice labels, related records by name. Related records
    are looked up in one query per related model, however many rows there are."""
    from django.db.models import Q

    query = Q()
    for obj in objects:
        # By natural key: a join, not a content-type lookup (whose cache would
        # make the page's query count depend on what ran before).
        query |= Q(
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            object_pk=str(obj.pk),
        )
    entries = list(
        LogEntry.objects.filter(query)
        .select_related("actor__person", "content_type")
        .order_by("-timestamp", "-pk")[:100]
    )
    models = {(o._meta.app_label, o._meta.model_name): type(o) for o in objects}
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
    for related, pks in wanted.items():
        clean = [pk for pk in pks if str(pk).isdigit()]
        names[related] = {str(o.pk): str(o) for o in related.objects.filter(pk__in=clean)}
    rows = []
    for entry, changes in parsed:
        shown = []
        extra = []
        for field, related, old, new in changes:
            label = str(getattr(field, "verbose_name", field) if field is not None else "")
            if related == "m2m":
                extra.append((label, f"{old}：{new}"))
            else:
                shown.append(
                    (label, _value(field, related, old, names), _value(field, related, new, names))
                )
        data = dict(entry.additional_data or {})
        rows.append(
            {
                "timestamp": entry.timestamp,
                "actor": entry.actor,
                "address": entry.remote_addr or "",
                "object": entry.content_type.name,
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
    choices = dict(getattr(field, "flatchoices", []) or [])
    return str(choices.get(value, value))
