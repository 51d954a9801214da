"""Who may see and change what.

A user's scope is read once per request (one query over their memberships)
and cached on the user object, so that scoping never adds queries per row.

- 书记/副书记 (manager) and 宣传委员 (editor) edit their own organisation's
  records; managers also confirm records, correct confirmed ones (更正) and
  submit reports.
- Reviewers read everything under their committee and change nothing of the
  branches': the members of a 宣传部 (under the department's parent
  committee), and the 书记/副书记/宣传委员 of a 党委/党工委/党总支 (under
  that committee). Each reviews — approves or returns — only the reports of
  the organisations whose reviewing organisation (审核单位) they review for;
  see `reviewing_organisation` for the default rule.
- Superusers administer through the Django admin and read everything here.

Another organisation's object is a 404 (it does not exist for that user); a
read-only user's attempt to change a visible object is a 403.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from reports.models import GeneratedFile, QuarterlyReport, ReportComment, ReportItem

from . import review_units
from .models import (
    Finding,
    Measure,
    MeasureEvidence,
    Meeting,
    MeetingAttachment,
    Membership,
    Organisation,
)
from .review_units import (
    REVIEWING_PARTY_ROLES,
    REVIEWING_TYPES,
    committees_with_reviewers,
    departments_of,
    resolve,
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
    memberships: dict = field(default_factory=dict)  # organisation id → Membership (its person)
    committee_paths: list = field(default_factory=list)  # reviewers: subtree prefixes
    reviewing: dict = field(default_factory=dict)  # id → the 宣传部/committee reviewed for
    everything: bool = False
    user_id: int | None = None
    _reviewed_ids: frozenset | None = field(default=None, repr=False)

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
        """审核通过/退回修改: reviewers of the organisation's reviewing organisation
        (never of an organisation they edit: a committee's own report goes up)."""
        return organisation.pk in self.reviewed_ids and not self.can_edit(organisation.pk)

    @property
    def reviewed_ids(self):
        """The organisations whose reports this user reviews (computed once, one
        query; a query of many rows filters by `reviewed_q` instead)."""
        if self._reviewed_ids is None:
            self._reviewed_ids = frozenset(
                organisations_reviewed_by(self.reviewing.values()) if self.reviewing else ()
            )
        return self._reviewed_ids

    def reviewed_q(self):
        """The organisations of 报告审核 and 统计分析 (a Q on Organisation):
        those that report to the user; the administrators': all."""
        return Q() if self.everything else review_units.reviewed_q(self.reviewing)

    def reviewed_rows_q(self, prefix="organisation__"):
        """The rows (reports, findings…) of the organisations in `reviewed_ids`,
        as one indexed condition instead of a list of ids."""
        return review_units.reviewed_q(self.reviewing, prefix)

    @property
    def review_committees(self):
        """The 党委/党工委/党总支 the user reviews for as its 书记/副书记/宣传委员."""
        return [
            org
            for org in self.reviewing.values()
            if org.org_type != Organisation.OrgType.PROPAGANDA
        ]

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
        return bool(self.reviewing)

    @property
    def sees_statistics(self):
        """统计分析: the reviewers (of a 宣传部 or a committee), and the administrators."""
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
        "organisation__parent", "person"
    )
    for membership in memberships:
        org = membership.organisation
        scope.roles[org.pk] = membership.role
        scope.organisations[org.pk] = org
        scope.memberships[org.pk] = membership
        if membership.role == Membership.Role.REVIEWER:
            committee = org.parent or org
            scope.committee_paths.append(committee.path)
            scope.reviewing[org.pk] = org
        elif _reviews_there(membership):
            scope.committee_paths.append(org.path)
            scope.reviewing[org.pk] = org
    user._ideology_scope = scope
    return scope


def _reviews_there(membership):
    """A committee's 书记/副书记/宣传委员 reviews its branches (the same rule as
    `_committees_with_reviewers`, for one membership already loaded)."""
    return (
        membership.organisation.org_type in REVIEWING_TYPES
        and membership.party_role in REVIEWING_PARTY_ROLES
        and membership.person.is_active
    )


def reviewing_organisation(organisation):
    """Where the organisation's reports go for 审核 (an Organisation, or None):
    its explicit 审核单位 if set; otherwise the nearest superior 党委/党工委/党总支
    that has a reviewer, unless a nearer (or the same) superior has a 宣传部,
    which then reviews as before. Two queries."""
    if organisation.reviewing_organisation_id:
        return organisation.reviewing_organisation
    ancestor_ids = [int(pk) for pk in organisation.path.strip("/").split("/")[:-1] if pk]
    rows = list(
        Organisation.objects.filter(
            Q(pk__in=ancestor_ids)
            | Q(parent_id__in=ancestor_ids, org_type=Organisation.OrgType.PROPAGANDA)
        )
    )
    by_id = {o.pk: o for o in rows}
    target = resolve(organisation, by_id, departments_of(rows), committees_with_reviewers(rows))
    return by_id.get(target)


def organisations_reviewed_by(reviewing):
    """The ids of the organisations whose reports go to one of `reviewing` (a
    宣传部 or a committee each): those that name it as 审核单位, and those of its
    subtree (the department's committee's) that reach it by the default rule:
    the organisations whose review_unit is one of them (one query)."""
    return set(
        Organisation.objects.filter(review_unit__in=[o.pk for o in reviewing]).values_list(
            "pk", flat=True
        )
    )


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


def get_comment_for_user(user, pk):
    """A 批注, to delete it or mark it 已修改: whoever sees its report gets it
    (another branch's: 404); who may do what to it is the service's to say (403)."""
    visible = ReportComment.objects.select_related(
        "report__organisation__parent", "submission"
    ).filter(report__in=QuarterlyReport.objects.for_user(user))
    return _get(visible, pk, "批注不存在或您无权查看。")


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
            raise NotPermitted("只有该报告审核单位的审核人可以审核该报告。")
    elif not scope.can_manage(report.organisation_id):
        raise NotPermitted("只有支部书记或副书记可以提交或撤回报告。")


def check_measure_closure(user, measure):
    """May the user 销号 or 退回 this measure? The secretaries of its
    organisation and the reviewers who review it, but never its 责任人 nor
    whoever marked it 已完成: a measure is not verified by its owner."""
    scope = get_scope(user)
    organisation = measure.finding.organisation
    if not (scope.can_manage(organisation.pk) or scope.can_review(organisation)):
        raise NotPermitted("只有支部书记、副书记或审核单位的审核人可以销号或退回整改措施。")
    if measure.is_owned_by(user):
        raise NotPermitted(
            "整改措施的责任人或标记完成的人不能自己销号或退回，须由支部书记、副书记或审核人核实。"
        )
