"""Every route × every persona × GET/POST, with the expected outcome in one table.

The routes are read from the URL configuration: a new route without an entry
in TABLE fails `test_every_route_is_in_the_table`.

Outcomes: an HTTP status, or "L" (redirect to the login page), or "R" (another
redirect, e.g. back to the page after a refused or done action). POSTs carry
no form data: the question here is who gets in, not what a form accepts.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from meetings.models import MeasureEvidence, MeetingAttachment
from reports import assembly
from reports.models import (
    GeneratedFile,
    Notification,
    QuarterlyReport,
    ReportComment,
    ReportSubmission,
)

from .factories import MeasureFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anon",
    "secretary",
    "publicity",
    "outsider",
    "reviewer",
    "other_reviewer",
    "admin",
    # the committee level (issue 12): 石桥镇党委's 书记 and a village branch's secretary
    "committee_reviewer",
    "village_secretary",
]
L, R = "L", "R"


def row(**personas):
    """One route: (GET, POST) per persona; anonymous users go to the login page."""
    return {"anon": (L, L), **personas}


def same(get, post, **overrides):
    """Every logged-in persona alike, unless overridden."""
    return row(**{**dict.fromkeys(PERSONAS[1:], (get, post)), **overrides})


# who may read a branch's object / who may change it
READ = {
    "secretary": (200, 405),
    "publicity": (200, 405),
    "outsider": (404, 405),
    "reviewer": (200, 405),
    "other_reviewer": (404, 405),
    "admin": (200, 405),
}
FORM = {
    "secretary": (200, 200),
    "publicity": (200, 200),
    "outsider": (404, 404),
    "reviewer": (403, 403),
    "other_reviewer": (404, 404),
    "admin": (403, 403),
}
WRITE_POST = {
    "secretary": (405, R),
    "publicity": (405, R),
    "outsider": (405, 404),
    "reviewer": (405, 403),
    "other_reviewer": (405, 404),
    "admin": (405, 403),
}
MANAGE_POST = {
    "secretary": (405, R),
    "publicity": (405, 403),
    "outsider": (405, 404),
    "reviewer": (405, 403),
    "other_reviewer": (405, 404),
    "admin": (405, 403),
}
REVIEW_POST = {
    "secretary": (405, 403),
    "publicity": (405, 403),
    "outsider": (405, 404),
    "reviewer": (405, R),
    "other_reviewer": (405, 404),
    "admin": (405, 403),
}
# 更正 is the managers' (the fixture's meeting is a draft: the secretary is sent back to 编辑)
CORRECT = {
    "secretary": (R, R),
    "publicity": (403, 403),
    "outsider": (404, 404),
    "reviewer": (403, 403),
    "other_reviewer": (404, 404),
    "admin": (403, 403),
}
NEW_RECORD = {
    "secretary": (200, 200),
    "publicity": (200, 200),
    "outsider": (200, 200),
    "reviewer": (403, 403),
    "other_reviewer": (403, 403),
    "admin": (403, 403),
}
# To the school's objects, a 镇党委's reviewer and a village secretary are outsiders
# (another committee's subtree, another branch); both register their own records.
for outcomes in (READ, FORM, WRITE_POST, MANAGE_POST, REVIEW_POST, CORRECT):
    outcomes["committee_reviewer"] = outcomes["village_secretary"] = outcomes["outsider"]
NEW_RECORD.update(committee_reviewer=(200, 200), village_secretary=(200, 200))

TABLE = {
    # 研判会议, 问题, 整改措施, 台账
    # a 宣传部's reviewer has no branch of their own: 工作台 is 审核工作台
    "meetings:dashboard": same(200, 405, reviewer=(R, 405), other_reviewer=(R, 405)),
    "meetings:list": same(200, 405),
    "meetings:create": row(**NEW_RECORD),
    "meetings:detail": row(**READ),
    "meetings:history": row(**READ),
    "meetings:edit": row(**FORM),
    "meetings:delete": row(**MANAGE_POST),
    "meetings:confirm": row(**MANAGE_POST),
    # 导出会议记录: whoever sees the meeting (the fixture's is a draft: refused, back to it)
    "meetings:record_export": row(**{**WRITE_POST, "reviewer": (405, R), "admin": (405, R)}),
    # 导出会议记录本: the user's own organisation by default (no confirmed meeting: refused)
    "meetings:record_book_export": same(405, R),
    "meetings:attachment_upload": row(**WRITE_POST),
    "meetings:finding_create": row(**FORM),
    "meetings:attachment_download": row(**READ),
    "meetings:finding_ledger": same(200, 405),
    "meetings:finding_create_standalone": row(**NEW_RECORD),
    "meetings:finding_detail": row(**READ),
    "meetings:finding_history": row(**READ),
    "meetings:finding_edit": row(**FORM),
    "meetings:finding_delete": row(**WRITE_POST),
    "meetings:finding_correct": row(**CORRECT),
    "meetings:measure_create": row(**FORM),
    "meetings:measure_ledger": same(200, 405),
    "meetings:ledger_export": same(405, R),  # 导出台账 queues a file, back to the ledger
    "meetings:measure_edit": row(**FORM),
    "meetings:measure_delete": row(**WRITE_POST),
    "meetings:measure_correct": row(**CORRECT),
    # 销号 / 退回: the branch's managers and its reviewers, never the measure's 责任人
    # (the fixture's is the secretary's); the reviewer is sent back (not 待销号, no reason)
    "meetings:measure_close": row(**REVIEW_POST),
    "meetings:measure_return": row(**REVIEW_POST),
    "meetings:evidence_upload": row(**WRITE_POST),
    "meetings:evidence_download": row(**READ),
    # 搜索: whoever is signed in, in their own scope (tests/test_search.py); GET only
    "meetings:search": same(200, 405),
    # 转为简体 / 整理文本: a pure text function for whoever is signed in
    "meetings:text_check": same(405, 200),
    "meetings:text_convert": same(405, 200),
    # 研判报告, 报告审核, 导出
    "reports:list": same(200, 405),
    "reports:create": row(
        secretary=(405, R),
        publicity=(405, R),
        outsider=(405, R),
        reviewer=(405, 403),
        other_reviewer=(405, 403),
        admin=(405, 403),
        committee_reviewer=(405, R),
        village_secretary=(405, R),
    ),
    "reports:inbox": same(
        403, 405, reviewer=(200, 405), other_reviewer=(200, 405), committee_reviewer=(200, 405)
    ),
    "reports:workbench": same(
        403, 405, reviewer=(200, 405), other_reviewer=(200, 405), committee_reviewer=(200, 405)
    ),
    # 催报: a reviewer, for a report kind and period (none given here: not found)
    "reports:urge": same(
        405, 403, reviewer=(405, 404), other_reviewer=(405, 404), committee_reviewer=(405, 404)
    ),
    # 通知: everyone their own; another user's notification is not found
    "reports:notifications": same(200, 405),
    "reports:notifications_read_all": same(405, R),
    "reports:notification_read": same(405, 404, secretary=(405, R)),
    "reports:dashboard": same(
        403,
        405,
        reviewer=(200, 405),
        other_reviewer=(200, 405),
        admin=(200, 405),
        committee_reviewer=(200, 405),
    ),
    "reports:dashboard_xlsx": same(
        403,
        405,
        reviewer=(200, 405),
        other_reviewer=(200, 405),
        admin=(200, 405),
        committee_reviewer=(200, 405),
    ),
    "reports:detail": row(**READ),
    "reports:preview": row(**READ),
    "reports:history": row(**READ),
    "reports:edit": row(**FORM),
    "reports:assemble": row(**WRITE_POST),
    "reports:item_create": row(**FORM),
    "reports:submit": row(**MANAGE_POST),
    "reports:resubmit": row(**MANAGE_POST),
    "reports:withdraw": row(**MANAGE_POST),
    "reports:approve": row(**REVIEW_POST),
    "reports:return": row(**REVIEW_POST),
    "reports:export_docx": row(
        secretary=(405, R),
        publicity=(405, R),
        outsider=(405, 404),
        reviewer=(405, R),
        other_reviewer=(405, 404),
        admin=(405, R),
        committee_reviewer=(405, 404),
        village_secretary=(405, 404),
    ),
    "reports:export_quarter": same(405, 403, reviewer=(405, R), other_reviewer=(405, R)),
    "reports:file_status": row(**READ),
    "reports:file_download": row(**READ),
    "reports:file_retry": row(
        secretary=(405, R),
        publicity=(405, R),
        outsider=(405, 404),
        reviewer=(405, R),
        other_reviewer=(405, 404),
        admin=(405, 403),
        committee_reviewer=(405, 404),
        village_secretary=(405, 404),
    ),
    # 批注: the reviewer comments (the fixture's report is a draft: refused, back to it)
    # and deletes their own; the branch's editors mark it 已修改 (not returned: refused)
    "reports:comment_add": row(**REVIEW_POST),
    "reports:comment_delete": row(**REVIEW_POST),
    "reports:comment_addressed": row(**WRITE_POST),
    "reports:item_edit": row(**FORM),
    "reports:item_delete": row(**WRITE_POST),
    "reports:item_move": row(**WRITE_POST),
    # accounts and administration
    "login": same(200, 200, anon=(200, 200)),
    "logout": same(405, L, anon=(405, L)),  # back to the login page
    "password_change": same(200, 200),
    "password_change_done": same(200, 405),
    "admin:index": same(R, R, anon=(R, R), admin=(200, 200)),
    "healthz": same(200, 405, anon=(200, 405)),
    # the floor of a signed-in page (make bench-web): whoever is signed in, GET only
    "healthz_session": same(200, 405),
}


def route_names():
    """Every named route of the project; Django admin's own pages count as one (admin:index)."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin:index")
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_is_in_the_table():
    missing, stale = route_names() - set(TABLE), set(TABLE) - route_names()
    assert not missing and not stale, f"missing: {sorted(missing)}, stale: {sorted(stale)}"
    assert all(set(outcomes) == set(PERSONAS) for outcomes in TABLE.values())


@pytest.fixture
def objects(world):
    measure = MeasureFactory(
        finding__meeting__organisation=world.branch,
        responsible_person=world.secretary.person_record,
    )
    finding, meeting = measure.finding, measure.finding.meeting
    attachment = MeetingAttachment(meeting=meeting, original_name="签到表.pdf", size=8)
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    evidence = MeasureEvidence(measure=measure, original_name="照片.jpg", size=4)
    evidence.file.save("e.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    report = QuarterlyReport.objects.create(
        organisation=world.branch, year=2026, quarter=3, title="报告", created_by=world.secretary
    )
    assembly.apply(report, assembly.generate(report))
    file = GeneratedFile(
        kind=GeneratedFile.Kind.REPORT,
        organisation=world.branch,
        report=report,
        content_key="k",
        filename="报告.docx",
        status=GeneratedFile.Status.DONE,
        requested_by=world.secretary,
    )
    file.save()
    file.file.save("r.docx", ContentFile(b"PK\x03\x04"), save=True)
    # the secretary's: anyone else's POST finds nothing
    notification = Notification.objects.create(
        recipient=world.secretary, kind=Notification.Kind.URGE, key="k", text="催报"
    )
    item = report.items.first()
    comment = ReportComment.objects.create(
        report=report,
        submission=ReportSubmission.objects.create(report=report, round=1, content={}),
        kind=ReportComment.Kind.PARAGRAPH,
        anchor=f"item-{item.pk}",
        body="请写具体。",
        author=world.reviewer,
    )
    return {
        "notification": notification,
        "meeting": meeting,
        "finding": finding,
        "measure": measure,
        "attachment": attachment,
        "evidence": evidence,
        "report": report,
        "item": item,
        "file": file,
        "comment": comment,
    }


def url(name, o):
    args = {
        "meetings:detail": [o["meeting"].pk],
        "meetings:history": [o["meeting"].pk],
        "meetings:edit": [o["meeting"].pk],
        "meetings:delete": [o["meeting"].pk],
        "meetings:confirm": [o["meeting"].pk],
        "meetings:record_export": [o["meeting"].pk],
        "meetings:attachment_upload": [o["meeting"].pk],
        "meetings:finding_create": [o["meeting"].pk],
        "meetings:attachment_download": [o["attachment"].pk],
        "meetings:finding_detail": [o["finding"].pk],
        "meetings:finding_history": [o["finding"].pk],
        "meetings:finding_edit": [o["finding"].pk],
        "meetings:finding_delete": [o["finding"].pk],
        "meetings:finding_correct": [o["finding"].pk],
        "meetings:measure_create": [o["finding"].pk],
        "meetings:ledger_export": ["findings"],
        "meetings:measure_edit": [o["measure"].pk],
        "meetings:measure_delete": [o["measure"].pk],
        "meetings:measure_correct": [o["measure"].pk],
        "meetings:measure_close": [o["measure"].pk],
        "meetings:measure_return": [o["measure"].pk],
        "meetings:evidence_upload": [o["measure"].pk],
        "meetings:evidence_download": [o["evidence"].pk],
        "reports:item_create": [o["report"].pk, "basic"],
        "reports:item_edit": [o["item"].pk],
        "reports:item_delete": [o["item"].pk],
        "reports:item_move": [o["item"].pk, "up"],
        "reports:file_status": [o["file"].pk],
        "reports:file_download": [o["file"].pk],
        "reports:file_retry": [o["file"].pk],
        "reports:notification_read": [o["notification"].pk],
        "reports:comment_delete": [o["comment"].pk],
        "reports:comment_addressed": [o["comment"].pk],
    }.get(name)
    if (
        args is None
        and name.startswith("reports:")
        and name
        not in (
            "reports:list",
            "reports:create",
            "reports:inbox",
            "reports:workbench",
            "reports:urge",
            "reports:notifications",
            "reports:notifications_read_all",
            "reports:dashboard",
            "reports:dashboard_xlsx",
            "reports:export_quarter",
        )
    ):
        args = [o["report"].pk]
    return reverse(name, args=args or [])


def outcome(response):
    if response.status_code == 302:
        return L if response.url.startswith(reverse("login")) else R
    return response.status_code


CASES = [(name, persona) for name in TABLE for persona in PERSONAS]


def login_persona(client, world, chain, persona):
    if persona != "anon":
        client.force_login(getattr(world, persona, None) or getattr(chain, persona))


@pytest.mark.parametrize("name,persona", CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_route_persona_method(client, world, chain, objects, name, persona):
    login_persona(client, world, chain, persona)
    target = url(name, objects)
    get_response = client.get(target)
    if hasattr(get_response, "streaming_content"):
        b"".join(get_response.streaming_content)
    post_response = client.post(target)
    if hasattr(post_response, "streaming_content"):
        b"".join(post_response.streaming_content)
    assert (outcome(get_response), outcome(post_response)) == TABLE[name][persona]


# --------------------------------------------------------------------------
# The committee chain (issue 12): a village branch reports to 石桥镇党委, whose
# 书记 reviews it; the 镇党委's own report goes to the 宣传部, which reads the
# village's report but does not review it. Both reports are submitted.
# --------------------------------------------------------------------------


def chain_row(default, **personas):
    return {"anon": (L, L), **dict.fromkeys(PERSONAS[1:], default), **personas}


SEES_VILLAGE = dict.fromkeys(["reviewer", "admin", "committee_reviewer", "village_secretary"])
CHAIN_TABLE = {
    ("reports:detail", "village_report"): chain_row(
        (404, 405), **dict.fromkeys(SEES_VILLAGE, (200, 405))
    ),
    ("reports:approve", "village_report"): chain_row(
        (405, 404),
        reviewer=(405, 403),  # the 宣传部 reads it, the 镇党委 reviews it
        admin=(405, 403),
        committee_reviewer=(405, R),
        village_secretary=(405, 403),
    ),
    ("reports:return", "village_report"): chain_row(
        (405, 404),
        reviewer=(405, 403),
        admin=(405, 403),
        committee_reviewer=(405, R),  # back to the report: a comment is required
        village_secretary=(405, 403),
    ),
    # 批注: the 镇党委 reviews the village's report, so it comments (no text: back to it)
    ("reports:comment_add", "village_report"): chain_row(
        (405, 404),
        reviewer=(405, 403),
        admin=(405, 403),
        committee_reviewer=(405, R),
        village_secretary=(405, 403),
    ),
    ("reports:withdraw", "village_report"): chain_row(
        (405, 404),
        reviewer=(405, 403),
        admin=(405, 403),
        committee_reviewer=(405, 403),
        village_secretary=(405, R),
    ),
    ("reports:export_docx", "village_report"): chain_row(
        (405, 404), **dict.fromkeys(SEES_VILLAGE, (405, R))
    ),
    ("meetings:detail", "village_meeting"): chain_row(
        (404, 405), **dict.fromkeys(SEES_VILLAGE, (200, 405))
    ),
    ("meetings:edit", "village_meeting"): chain_row(
        (404, 404),
        reviewer=(403, 403),
        admin=(403, 403),
        committee_reviewer=(403, 403),  # reads its branches' records, never edits them
        village_secretary=(200, 200),
    ),
    ("reports:detail", "township_report"): chain_row(
        (404, 405), reviewer=(200, 405), admin=(200, 405), committee_reviewer=(200, 405)
    ),
    ("reports:approve", "township_report"): chain_row(
        (405, 404), reviewer=(405, R), admin=(405, 403), committee_reviewer=(405, 403)
    ),
    ("reports:return", "township_report"): chain_row(
        (405, 404), reviewer=(405, R), admin=(405, 403), committee_reviewer=(405, 403)
    ),
}


@pytest.fixture
def chain_objects(world, chain):
    from reports import services

    from .factories import MeetingFactory, make_report

    village_report = make_report(world, chain.village, via_services=False)
    services.report_submit(report=village_report, by=chain.village_secretary, accept_warnings=True)
    township_report = make_report(world, chain.township, via_services=False)
    services.report_submit(
        report=township_report, by=chain.committee_reviewer, accept_warnings=True
    )
    return {
        "village_report": village_report,
        "township_report": township_report,
        "village_meeting": MeetingFactory(organisation=chain.village),
    }


CHAIN_CASES = [(name, obj, persona) for (name, obj) in CHAIN_TABLE for persona in PERSONAS]


def test_the_chain_table_covers_every_persona():
    assert all(set(outcomes) == set(PERSONAS) for outcomes in CHAIN_TABLE.values())


@pytest.mark.parametrize(
    "name,obj,persona", CHAIN_CASES, ids=[f"{n}-{o}-{p}" for n, o, p in CHAIN_CASES]
)
def test_committee_chain_route_persona_method(
    client, world, chain, chain_objects, name, obj, persona
):
    login_persona(client, world, chain, persona)
    target = reverse(name, args=[chain_objects[obj].pk])
    get_response = client.get(target)
    post_response = client.post(target)
    assert (outcome(get_response), outcome(post_response)) == CHAIN_TABLE[(name, obj)][persona]


# --------------------------------------------------------------------------
# 搜索 (issue 13 item 8): a record appears in the results exactly for the
# personas its own page lets in (the school's records: READ; the village's
# and the 镇党委's: their detail rows of CHAIN_TABLE).
# --------------------------------------------------------------------------

SEARCHED = {
    # object → the route whose GET decides who may see it
    "meeting": ("meetings:detail", lambda o: o.title),
    "finding": ("meetings:finding_detail", lambda o: o.details[2:10]),
    "measure": ("meetings:finding_detail", lambda o: o.content),
    "report": ("reports:detail", lambda o: o.title),
}
SEARCH_CASES = [(obj, persona) for obj in SEARCHED for persona in PERSONAS[1:]]


def search_url_of(obj, record):
    return f"#measure-{record.pk}" if obj == "measure" else record.get_absolute_url()


@pytest.mark.parametrize("obj,persona", SEARCH_CASES, ids=[f"{o}-{p}" for o, p in SEARCH_CASES])
def test_search_shows_a_record_to_exactly_whoever_may_read_it(
    client, world, chain, objects, obj, persona
):
    login_persona(client, world, chain, persona)
    route, text_of = SEARCHED[obj]
    record = objects[obj]
    page = client.get(reverse("meetings:search"), {"q": text_of(record)}).content.decode()
    assert (search_url_of(obj, record) in page) == (TABLE[route][persona][0] == 200)


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_search_shows_the_villages_report_to_exactly_whoever_may_read_it(
    client, world, chain, chain_objects, persona
):
    login_persona(client, world, chain, persona)
    report = chain_objects["village_report"]
    page = client.get(reverse("meetings:search"), {"q": report.title}).content.decode()
    expected = CHAIN_TABLE[("reports:detail", "village_report")][persona][0] == 200
    assert (report.get_absolute_url() in page) == expected
