"""The words 一键汇总 writes into the kinds beyond the quarterly report, as the
kind journeys' documents showed them: what a meeting briefed and required keeps
its verb (会议通报了… / 会议要求…), not a bare noun phrase; the network report's
parts of work done are unnumbered narrative (no lone （一）); the annual summary
numbers its 打算 一是… like seed 003."""

import datetime

import pytest

from meetings.models import FindingCategory, Measure, Meeting
from reports import services
from reports.content import build_report_data
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory

pytestmark = pytest.mark.django_db
Kind = QuarterlyReport.Kind


@pytest.fixture
def records(world):
    chair = world.secretary.person_record
    meeting = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 3, 20),
        chair=chair,
        judgement="主流是好的",
        study_content="传达学习了县委宣传部关于网络意识形态工作的通知精神",
        briefings="通报了学校微信公众号信息发布审核情况",
        requirements="加强网评员队伍培训；及时处置网络舆情",
        status=Meeting.Status.CONFIRMED,
    )
    for title, code, content in (
        ("工作群转发无关信息", "network", "信息专干每周巡查工作群"),
        ("个别党员学习缺乏热情", "study", "每月开展一次集中学习"),
    ):
        MeasureFactory(
            finding=FindingFactory(
                meeting=meeting,
                category=FindingCategory.objects.get(code=code),
                title=title,
            ),
            content=content,
            responsible_person=chair,
            status=Measure.Status.DONE,
        )


def assembled(world, kind):
    report = services.report_create(
        organisation=world.branch,
        year=2026,
        kind=kind,
        person=world.secretary.person_record if kind == Kind.DUTY else None,
        by=world.secretary,
    )
    services.report_assemble(report=report, by=world.secretary)
    return build_report_data(report)


def lines(part):
    return [p["marker"] + (p["heading"] and p["heading"] + "。") + p["text"] for p in part]


def test_a_duty_report_says_what_was_briefed_and_required(world, records):
    performance = assembled(world, Kind.DUTY)["parts"][0]["paragraphs"]
    opinion = performance[3]
    assert opinion["heading"] == "注重舆论引导，维护网络意识形态安全"
    assert opinion["text"] == (
        "我坚持正确舆论导向，亲自抓网络意识形态安全，严格落实阵地管理制度。"
        "会议通报了学校微信公众号信息发布审核情况。"
        "会议要求：一是加强网评员队伍培训；二是及时处置网络舆情。"
    )


def test_the_network_reports_work_done_is_unnumbered_narrative_with_verbs(world, records):
    parts = assembled(world, Kind.NETWORK)["parts"]
    positions, opinion, team, problems = parts
    for part in (positions, opinion, team):
        assert [p["marker"] for p in part["paragraphs"]] == [""]
    assert positions["paragraphs"][0]["text"] == (
        "我校严格落实网络阵地管理制度，网站、微信公众号、工作群等平台明确专人管理，"
        "信息发布实行审核把关。传达学习了县委宣传部关于网络意识形态工作的通知精神。"
        "会议通报了学校微信公众号信息发布审核情况。针对发现的问题，信息专干每周巡查工作群。"
    )
    assert opinion["paragraphs"][0]["text"].endswith("。会议要求及时处置网络舆情。")
    assert team["paragraphs"][0]["text"].endswith("。会议要求加强网评员队伍培训。")
    # the problems and measures are still lists: （一）…, then （一）… after the lead-in
    assert lines(problems["paragraphs"])[0].startswith("（一）工作群转发无关信息。")
    assert lines(problems["paragraphs"])[-1] == "（一）信息专干每周巡查工作群。"


def test_the_annual_summary_numbers_all_three_parts_yi_shi(world, records):
    parts = assembled(world, Kind.ANNUAL)["parts"]
    assert [[p["marker"] for p in part["paragraphs"]][:2] for part in parts] == [
        ["一是", "二是"],
        ["一是", "二是"],
        ["一是", "二是"],
    ]
    assert lines(parts[2]["paragraphs"]) == [
        "一是信息专干每周巡查工作群。",
        "二是每月开展一次集中学习。",
    ]
