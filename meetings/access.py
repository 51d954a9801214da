"""Who may see and change what.

A user's scope is read once per request (one query over their memberships)
and cached on the user object, so that scoping never adds queries per row.

- 书记/副书记 (manager) and 宣传委员 (editor) edit their own organisation's
  records; managers also confirm records, correct confirmed ones (更正) and
  submit reports.
- Reviewers (members of a 宣传部) read everything under their committee (the
  department's parent organisation) and change nothing of the branches'.
- Superusers administer through the Django admin and read everything here.

Another organisation's object is a 404 (it does not exist for that user); a
read-only user's attempt to change a visible object is a 403.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Finding, Measure, Meeting, Membership, Organisation

WRITE_ROLES = {Membership.Role.MANAGER, Membership.Role.EDITOR}


@dataclass
class Scope:
    roles: dict = field(default_factory=dict)  # organisation id → role
    organisations: dict = field(default_factory=dict)  # organisation id → Organisation
    committee_paths: list = field(default_factory=list)  # reviewers: subtree prefixes
    everything: bool = False

    def visible_q(self, org_field="organisation"):
        if self.everything:
            return Q()
        id_lookup = f"{org_field}_id__in" if org_field else "pk__in"
        path_lookup = f"{org_field}__path__startswith" if org_field else "path__startswith"
        q = Q(**{id_lookup: list(self.roles)})
        for path in self.committee_paths:
            q |= Q(**{path_lookup: path})
        return q

    def role_in(self, organisation_id):
        return self.roles.get(organisation_id)

    def can_edit(self, organisation_id):
        return self.roles.get(organisation_id) in WRITE_ROLES

    def can_manage(self, organisation_id):
        return self.roles.get(organisation_id) == Membership.Role.MANAGER

    @property
    def is_reviewer(self):
        return bool(self.committee_paths)

    @property
    def editable_organisations(self):
        return [org for pk, org in self.organisations.items() if self.can_edit(pk)]

    @property
    def own_organisations(self):
        """Organisations the user belongs to as a branch member (not as reviewer)."""
        return [
            org
            for pk, org in self.organisations.items()
            if self.roles[pk] != Membership.Role.REVIEWER
        ]


def get_scope(user):
    if not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_ideology_scope", None)
    if cached is not None:
        return cached
    scope = Scope(everything=user.is_superuser)
    memberships = Membership.objects.filter(person__user=user).select_related(
        "organisation__parent"
    )
    for membership in memberships:
        org = membership.organisation
        scope.roles[org.pk] = membership.role
        scope.organisations[org.pk] = org
        if membership.role == Membership.Role.REVIEWER:
            committee = org.parent or org
            scope.committee_paths.append(committee.path)
    user._ideology_scope = scope
    return scope


def _check_write(user, organisation_id, *, manage=False):
    scope = get_scope(user)
    allowed = scope.can_manage(organisation_id) if manage else scope.can_edit(organisation_id)
    if not allowed:
        raise PermissionDenied("您没有修改该记录的权限。")


def get_object_for_user(queryset, user, pk, *, write=False, manage=False):
    try:
        obj = queryset.for_user(user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在或您无权查看。") from None
    if write or manage:
        _check_write(user, _organisation_id(obj), manage=manage)
    return obj


def _organisation_id(obj):
    if isinstance(obj, Measure):
        return obj.finding.organisation_id
    return obj.organisation_id


def get_meeting_for_user(user, pk, *, write=False, manage=False):
    qs = Meeting.objects.select_related("organisation", "chair", "recorder")
    return get_object_for_user(qs, user, pk, write=write, manage=manage)


def get_finding_for_user(user, pk, *, write=False, manage=False):
    qs = Finding.objects.select_related("organisation", "meeting", "category")
    return get_object_for_user(qs, user, pk, write=write, manage=manage)


def get_measure_for_user(user, pk, *, write=False, manage=False):
    qs = Measure.objects.select_related(
        "finding__organisation", "finding__meeting", "finding__category", "responsible_person"
    )
    return get_object_for_user(qs, user, pk, write=write, manage=manage)


def get_organisation_for_user(user, pk, *, write=False):
    try:
        org = Organisation.objects.filter(get_scope(user).visible_q("")).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在或您无权查看。") from None
    if write:
        _check_write(user, org.pk)
    return org
