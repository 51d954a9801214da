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

from reports.models import GeneratedFile, QuarterlyReport, ReportItem

from .models import (
    Finding,
    Measure,
    MeasureEvidence,
    Meeting,
    MeetingAttachment,
    Membership,
    Organisation,
)

WRITE_ROLES = {Membership.Role.MANAGER, Membership.Role.EDITOR}
NOT_FOUND = "记录不存在或您无权查看。"


class NotPermitted(PermissionDenied):
    """A visible object the user may not change (or an action they may not
    take): Django answers it with a 403, like any PermissionDenied."""

    def __init__(self, message="您没有修改该记录的权限。"):
        super().__init__(message)
        self.message = message


@dataclass
class Scope:
    roles: dict = field(default_factory=dict)  # organisation id → role
    organisations: dict = field(default_factory=dict)  # organisation id → Organisation
    committee_paths: list = field(default_factory=list)  # reviewers: subtree prefixes
    everything: bool = False
    user_id: int | None = None

    def visible_q(self, org_field="organisation"):
        if self.everything:
            return Q()
        id_lookup = f"{org_field}_id__in" if org_field else "pk__in"
        path_lookup = f"{org_field}__path__startswith" if org_field else "path__startswith"
        q = Q(**{id_lookup: list(self.roles)})
        for path in self.committee_paths:
            q |= Q(**{path_lookup: path})
        return q

    def can_edit(self, organisation_id):
        return self.roles.get(organisation_id) in WRITE_ROLES

    def can_manage(self, organisation_id):
        return self.roles.get(organisation_id) == Membership.Role.MANAGER

    def can_review(self, organisation):
        """Reviewers of the propaganda department above the organisation (not of
        their own department, and never of a branch they edit)."""
        return any(
            organisation.path.startswith(path) and organisation.path != path
            for path in self.committee_paths
        ) and not self.can_edit(organisation.pk)

    def can_retry(self, file):
        """重试 an export: whoever asked for it, an editor of its organisation, a reviewer."""
        return (
            file.requested_by_id == self.user_id
            or self.can_edit(file.organisation_id)
            or self.is_reviewer
        )

    @property
    def review_departments(self):
        """The 宣传部 the user reviews for (a reviewer membership each)."""
        return [
            org
            for pk, org in self.organisations.items()
            if self.roles[pk] == Membership.Role.REVIEWER
        ]

    @property
    def is_reviewer(self):
        return bool(self.committee_paths)

    @property
    def sees_statistics(self):
        """统计分析: the departments' reviewers, and the administrators."""
        return self.is_reviewer or self.everything

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
    scope = Scope(everything=user.is_superuser, user_id=user.pk)
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
        raise NotPermitted()


def _get(queryset, pk, message=NOT_FOUND):
    """The object with this pk in an already scoped queryset, else a 404."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def get_object_for_user(queryset, user, pk, *, write=False, manage=False):
    obj = _get(queryset.for_user(user), pk)
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
    org = _get(Organisation.objects.filter(get_scope(user).visible_q("")), pk)
    if write:
        _check_write(user, org.pk)
    return org


def get_organisation_for_new_record(user, pk=None, *, refused="您没有登记会议的权限。"):
    """Where a new record goes, and the choice: (organisation, the organisations
    the user edits). The one asked for if the user edits it, else the first."""
    editable = get_scope(user).editable_organisations
    if not editable:
        raise NotPermitted(refused)
    if pk:
        return get_organisation_for_user(user, pk, write=True), editable
    return editable[0], editable


def get_attachment_for_user(user, pk):
    """A meeting's attachment: whoever sees the meeting."""
    visible = MeetingAttachment.objects.filter(meeting__in=Meeting.objects.for_user(user))
    return _get(visible, pk)


def get_evidence_for_user(user, pk):
    """A measure's 佐证材料: whoever sees the measure."""
    visible = MeasureEvidence.objects.filter(measure__in=Measure.objects.for_user(user))
    return _get(visible, pk)


def get_report_for_user(user, pk, *, write=False):
    qs = QuarterlyReport.objects.for_user(user).select_related("organisation__parent")
    report = _get(qs, pk, "报告不存在或您无权查看。")
    if write and not get_scope(user).can_edit(report.organisation_id):
        raise NotPermitted("您没有修改该报告的权限。")
    return report


def get_report_item_for_user(user, pk):
    """A paragraph still in its report, to change it: `item.report` is the
    report, fetched in the user's scope (another branch's: 404, read-only: 403)."""
    item = _get(
        ReportItem.objects.select_related("report").filter(excluded=False), pk, "段落不存在。"
    )
    item.report = get_report_for_user(user, item.report_id, write=True)
    return item


def get_file_for_user(user, pk, *, retry=False):
    """A generated file (see GeneratedFileQuerySet.for_user for who sees which)."""
    qs = GeneratedFile.objects.for_user(user).select_related("report")
    file = _get(qs, pk, "文件不存在或您无权查看。")
    if retry and not get_scope(user).can_retry(file):
        raise NotPermitted("您不能重试该导出。")
    return file


def check_report_action(user, report, action):
    """May the user take this workflow action on the report? 审核 and 退回 are
    the superior reviewers'; the rest the branch's secretaries'."""
    scope = get_scope(user)
    if action in (QuarterlyReport.Action.APPROVE, QuarterlyReport.Action.RETURN):
        if not scope.can_review(report.organisation):
            raise NotPermitted("只有上级党委宣传部的审核人可以审核该报告。")
    elif not scope.can_manage(report.organisation_id):
        raise NotPermitted("只有支部书记或副书记可以提交或撤回报告。")
