"""Where each organisation's reports go for 审核 (its review unit), resolved for
the whole tree at once and stored on Organisation.review_unit.

The rule (meetings.access.reviewing_organisation tells it for one organisation):
the explicit 审核单位; else, up the tree, the first ancestor that has a 宣传部
(that department) or is a 党委/党工委/党总支 with a reviewer — a 书记/副书记/
宣传委员 with an active account (that committee).

`refresh()` reads the tree and the reviewers (two queries) and writes the rows
whose unit changed; meetings.signals calls it whenever an organisation, a
membership, a person or an account changes, in the same transaction.
"""

from django.db.models import Q

from .models import Membership, Organisation

# A committee level between branch and 宣传部: these committees review their
# branches' reports when one of these office-holders has an account.
REVIEWING_TYPES = (
    Organisation.OrgType.COMMITTEE,
    Organisation.OrgType.WORK_COMMITTEE,
    Organisation.OrgType.GENERAL_BRANCH,
)
REVIEWING_PARTY_ROLES = (
    Membership.PartyRole.SECRETARY,
    Membership.PartyRole.DEPUTY,
    Membership.PartyRole.PUBLICITY,
)
PROPAGANDA = Organisation.OrgType.PROPAGANDA


def committees_with_reviewers(organisations, memberships=Membership.objects):
    """Of these organisation rows, the ids of the committees with a reviewer
    (a 书记/副书记/宣传委员 with an active account): one query."""
    candidates = [o.pk for o in organisations if o.org_type in REVIEWING_TYPES]
    if not candidates:
        return set()
    return set(
        memberships.filter(
            organisation_id__in=candidates,
            party_role__in=REVIEWING_PARTY_ROLES,
            person__is_active=True,
            person__user__is_active=True,
        ).values_list("organisation_id", flat=True)
    )


def resolve(org, rows, departments, reviewing_committees):
    """The reviewing organisation's id of `org`, from rows already loaded
    (id → row, with the ancestors the walk may reach): the explicit 审核单位,
    else up the tree the first ancestor that has a 宣传部 (that department:
    a committee with a department reviews through it) or is a committee with
    a reviewer (that committee). None when the walk leaves `rows`."""
    if org.reviewing_organisation_id:
        return org.reviewing_organisation_id
    if org.org_type == PROPAGANDA:
        return None
    node = rows.get(org.parent_id)
    while node is not None:
        if node.pk in departments:
            return departments[node.pk]
        if node.pk in reviewing_committees:
            return node.pk
        node = rows.get(node.parent_id)
    return None


def departments_of(rows):
    """committee id → its 宣传部's id, among the rows."""
    return {
        o.parent_id: o.pk
        for o in sorted(rows, key=lambda o: -o.pk)  # the first department wins
        if o.org_type == PROPAGANDA and o.parent_id
    }


def refresh(organisations=Organisation.objects, memberships=Membership.objects):
    """Resolve every organisation's review unit and store the changed ones;
    returns {organisation id: (old unit id, new unit id)} of those. The
    managers can be a migration's historical ones."""
    rows = list(
        organisations.only(
            "pk", "parent_id", "org_type", "reviewing_organisation_id", "review_unit_id"
        )
    )
    by_id = {o.pk: o for o in rows}
    departments = departments_of(rows)
    committees = committees_with_reviewers(rows, memberships)
    changed = {}
    for org in rows:
        unit = resolve(org, by_id, departments, committees)
        if unit != org.review_unit_id:
            changed[org.pk] = (org.review_unit_id, unit)
            org.review_unit_id = unit
    if changed:
        organisations.bulk_update([by_id[pk] for pk in changed], ["review_unit"], batch_size=500)
    return changed


def reviewed_q(unit_ids, prefix=""):
    """The organisations (or, with a prefix such as "organisation__", the rows
    of theirs) whose reports go to one of `unit_ids`."""
    return Q(**{f"{prefix}review_unit_id__in": list(unit_ids)})
