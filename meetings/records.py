"""会议记录 as a document: one confirmed meeting's record (导出会议记录) and a
year's records of an organisation in one 会议记录本 (导出会议记录本), rendered by
reports.docx in the organisation's official layout.

The web side builds the record's plain data (every text through
`document_text`: simplified, web-paste debris removed, typed numbering
removed, full-width punctuation) and records it frozen on a GeneratedFile
whose content key makes the same content render once; the views that call it
are non-atomic, so the record is committed before its task is queued. The
worker side (`render`, called by meetings.tasks) claims, renders and stores,
like meetings.ledgers and reports.rendering.
"""

import re

from celery import current_app
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from ideology_review import audit
from ideology_review.lib.periods import cn_date
from ideology_review.lib.text import chinese_numeral, document_heading, document_text
from reports import exports, files, rendering
from reports.docx import Layout, Properties, render_record_book_docx, render_record_docx
from reports.models import GeneratedFile

from .access import get_scope
from .ledgers import visible_organisations
from .models import Finding, Measure, Meeting

Kind = GeneratedFile.Kind
Status = GeneratedFile.Status
RECENT = 5
NOT_CONFIRMED = (
    "该会议记录尚未确认，不能导出会议记录。"
    "请支部书记或副书记核对内容后点击“确认会议记录”，确认后即可导出。"
)
TIME_ORDER = {"上午": 0, "全天": 1, "下午": 2, "晚上": 3}
UNFILLED = "未填写"
NOTHING = "无。"
NO_FINDINGS = "本次会议未研判出需要整改的问题。"
# A file name from a meeting's title: nothing a file system or a download header minds.
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


class NotExported(Exception):
    """Nothing to export: a draft meeting, a year without confirmed meetings."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _para(text, marker="", heading=""):
    return {"marker": marker, "heading": heading, "text": text}


def _paragraphs(text):
    return [_para(line) for line in document_text(text).split("\n") if line.strip()]


def _end(text):
    text = text.rstrip()
    return text if not text or text[-1] in "。！？；…”" else text + "。"


def _name(person):
    return person.name if person else UNFILLED


def _count(n):
    return f"{n}人" if n is not None else UNFILLED


def record_title(meeting):
    title = document_heading(meeting.title)
    return title if title.endswith("记录") else f"{title}记录"


def _measure(measure, index):
    deadline = "长期坚持" if measure.long_term else (cn_date(measure.deadline) or UNFILLED)
    details = "；".join(
        (
            f"责任人：{_name(measure.responsible_person)}",
            f"责任部门：{document_heading(measure.responsible_dept) or UNFILLED}",
            f"整改时限：{deadline}",
        )
    )
    content = document_text(measure.content).replace("\n", "")
    return _para(f"{content.rstrip('。；;')}（{details}）。", marker=f"{index}．")


def _findings(findings):
    """研判发现的问题及整改措施: each finding as （一）概述。具体表现, its nature,
    category and level, its cause, then its measures numbered 1．2．"""
    if not findings:
        return [_para(NO_FINDINGS)]
    paragraphs = []
    for number, finding in enumerate(findings, start=1):
        details = _paragraphs(finding.details)
        first = _end(details.pop(0)["text"]) if details else ""
        paragraphs.append(
            _para(
                first,
                marker=f"（{chinese_numeral(number)}）",
                heading=document_heading(finding.title),
            )
        )
        paragraphs += details
        paragraphs.append(
            _para(
                f"问题性质：{finding.finding_type}；问题类别：{finding.category.name}；"
                f"风险等级：{finding.risk_level}。"
            )
        )
        cause = document_text(finding.cause)
        if cause:
            paragraphs.append(_para(_end("原因分析：" + cause.replace("\n", ""))))
        measures = list(finding.measures.all())
        if measures:
            paragraphs.append(_para("整改措施："))
            paragraphs += [_measure(m, i) for i, m in enumerate(measures, start=1)]
        else:
            paragraphs.append(_para("整改措施：尚未制定。"))
    return paragraphs


# The record's parts in the order of the meeting (domain.md §2.3), each from its field.
PARTS = [
    ("学习传达内容", lambda m: m.study_content),
    ("通报事项", lambda m: m.briefings),
    ("研判发言", lambda m: m.statements),
    ("总体研判结论", lambda m: m.judgement_text),
    ("会议要求", lambda m: m.requirements),
    ("总结讲话", lambda m: m.concluding_speech),
]


def record_data(meeting):
    """The record as plain, JSON-serialisable data for reports.docx. `meeting`
    comes with its attendees, attachments and findings (with category and
    measures) prefetched: see `meetings_for_records`."""
    when = f"{cn_date(meeting.date)}{meeting.time_of_day}"
    absent = document_text(meeting.absentees)
    fields = [
        [["会议名称", document_heading(meeting.title)]],
        [["会议类型", str(meeting.get_meeting_type_display())]],
        [["会议时间", when]],
        [["会议地点", document_heading(meeting.place) or UNFILLED]],
        [["主持人", _name(meeting.chair)], ["记录人", _name(meeting.recorder)]],
        [["应到人数", _count(meeting.expected_count)], ["实到人数", _count(meeting.present_count)]],
        [["参会人员", "、".join(p.name for p in meeting.attendees.all()) or UNFILLED]],
        [["缺席人员及原因", absent or "无"]],
    ]
    scope = document_text(meeting.attending_scope)
    if scope:
        fields.append([["参会范围", scope]])
    parts = [(title, _paragraphs(value(meeting)) or [_para(NOTHING)]) for title, value in PARTS]
    parts.append(("研判发现的问题及整改措施", _findings(list(meeting.findings.all()))))
    return {
        "meeting": meeting.pk,
        "title": record_title(meeting),
        "organisation": meeting.organisation.name,
        "toc": f"{when}　{document_heading(meeting.title)}",
        "fields": fields,
        "parts": [
            {"number": f"{chinese_numeral(i)}、", "title": title, "paragraphs": paragraphs}
            for i, (title, paragraphs) in enumerate(parts, start=1)
        ],
        "attachments": [
            f"{a.get_kind_display()}（{a.original_name}）" for a in meeting.attachments.all()
        ],
    }


def meetings_for_records(queryset):
    """Meetings with everything their records print, in a fixed number of queries."""
    findings = Finding.objects.select_related("category").order_by("order", "pk")
    measures = Measure.objects.select_related("responsible_person").order_by("order", "pk")
    return queryset.select_related("organisation", "chair", "recorder").prefetch_related(
        "attendees",
        "attachments",
        Prefetch("findings", queryset=findings),
        Prefetch("findings__measures", queryset=measures),
    )


def book_meetings(organisation, year):
    """The year's confirmed meetings of the organisation, in date order (上午 before 下午)."""
    meetings = meetings_for_records(
        Meeting.objects.filter(
            organisation=organisation, year=year, status=Meeting.Status.CONFIRMED
        )
    )
    return sorted(meetings, key=lambda m: (m.date, TIME_ORDER.get(m.time_of_day, 1), m.pk))


def book_data(organisation, year, meetings):
    return {
        "title": f"{organisation.name}\n{year}年意识形态分析研判会议记录本",
        "organisation": organisation.name,
        "year": year,
        "records": [record_data(m) for m in meetings],
    }


def default_organisation_id(user, *, scope_only=False):
    """Whose 会议记录本 when none is chosen: the user's own organisation, else (a
    reviewer) the first one they see; `scope_only` asks no query (None then)."""
    own = get_scope(user).own_organisations
    if own:
        return own[0].pk
    if scope_only:
        return None
    return visible_organisations(user).values_list("pk", flat=True).first()


def _short(organisation):
    return organisation.short_name or organisation.name


def _filename(text):
    return UNSAFE_NAME.sub("", text)[:120] + ".docx"


# ---------------------------------------------------------------------------
# Web side: record the export (idempotent by content) and queue its task.
# ---------------------------------------------------------------------------


def _file(*, kind, organisation, data, by, **fields):
    """The file of this content; an existing one if it was rendered (or is
    being rendered) already. Returns (file, new)."""
    layout = files.layout_for(organisation)
    key = files.content_key(kind, organisation.pk, data, files.layout_dict(layout))
    existing = (
        GeneratedFile.objects.filter(kind=kind, organisation=organisation, content_key=key)
        .exclude(status=Status.FAILED)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    file = GeneratedFile.objects.create(
        kind=kind,
        organisation=organisation,
        content={"meeting": data.get("meeting"), "data": data, "layout": files.layout_dict(layout)},
        content_key=key,
        requested_by=by,
        **fields,
    )
    return file, True


@transaction.atomic  # the export and its audit row, together
def record_file(*, meeting, by):
    """导出会议记录 of a confirmed meeting: (file, new). A draft is refused with
    NotExported (the page does not offer it; a stale page may still ask)."""
    meeting = meetings_for_records(Meeting.objects.filter(pk=meeting.pk)).get()
    if not meeting.is_confirmed:
        raise NotExported(NOT_CONFIRMED)
    audit.record(meeting, event="导出会议记录", actor=by)
    confirmed = cn_date(timezone.localtime(meeting.confirmed_at)) if meeting.confirmed_at else ""
    return _file(
        kind=Kind.RECORD,
        organisation=meeting.organisation,
        data=record_data(meeting),
        by=by,
        version_label=f"{confirmed}确认" if confirmed else "已确认",
        year=meeting.year,
        quarter=meeting.quarter,
        filename=_filename(f"{_short(meeting.organisation)}{record_title(meeting)}"),
    )


@transaction.atomic
def book_file(*, organisation, year, by):
    """导出会议记录本: (file, new); NotExported if the year has no confirmed meeting."""
    meetings = book_meetings(organisation, year)
    if not meetings:
        raise NotExported(f"{year}年没有已确认的会议记录，未导出会议记录本。")
    audit.record(organisation, event="导出会议记录本", actor=by, 年度=year)
    return _file(
        kind=Kind.RECORD_BOOK,
        organisation=organisation,
        data=book_data(organisation, year, meetings),
        by=by,
        version_label=f"{year}年，{len(meetings)}次会议",
        year=year,
        filename=_filename(f"{_short(organisation)}{year}年会议记录本"),
    )


def queue(file):
    """Queue a new file's task; its record must be committed (a worker reads it)."""
    exports.enqueue(current_app.tasks[exports.RECORD_TASK], file)
    file.refresh_from_db()
    return file


def meeting_files(meeting):
    """The meeting's recent 会议记录 files, newest first (one query)."""
    return files.listed(
        GeneratedFile.objects.filter(
            kind=Kind.RECORD,
            organisation_id=meeting.organisation_id,
            content__meeting=meeting.pk,
        )
    ).order_by("-pk")[:RECENT]


def book_files(user):
    """The recent 会议记录本 files the user sees, newest first (one query)."""
    return files.listed(
        GeneratedFile.objects.for_user(user).filter(kind=Kind.RECORD_BOOK)
    ).order_by("-pk")[:RECENT]


# ---------------------------------------------------------------------------
# Worker side (meetings.tasks): claim, render, store.
# ---------------------------------------------------------------------------


def render(file_id):
    """Render one 会议记录 or 会议记录本 (idempotent: a done file is left as it is)."""
    file = rendering.claim(file_id)
    if file is None:
        return None
    with rendering.producing(file):
        layout = Layout(**file.content["layout"])
        renderer = render_record_book_docx if file.kind == Kind.RECORD_BOOK else render_record_docx
        subject = "会议记录本" if file.kind == Kind.RECORD_BOOK else "会议记录"
        payload = renderer(
            file.content["data"],
            layout,
            Properties(author=file.organisation.name, created=file.created_at, subject=subject),
        )
        rendering.store(file, ContentFile(payload))
    file.save()
    return file
