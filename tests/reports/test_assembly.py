import datetime
import re

import pytest

from meetings.models import FindingCategory, Measure
from reports import services
from reports.content import build_report_data
from reports.models import ReportItem

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, ReportItemFactory

pytestmark = pytest.mark.django_db
S = ReportItem.Section


@pytest.fixture
def quarter(world):
    """Q3 2026: two analysis meetings, three findings (one not for the report),
    and a Q2 finding whose measures are done / still open."""
    org = world.branch
    network = FindingCategory.objects.get(code="network")
    study = FindingCategory.objects.get(code="study")
    m1 = MeetingFactory(
        organisation=org,
        date=datetime.date(2026, 7, 15),
        study_content="传达学习了《党委（党组）意识形态工作责任制实施办法》",
        briefings="通报了上半年专项督查反馈意见",
        judgement="总体平稳可控",
    )
    m2 = MeetingFactory(
        organisation=org,
        date=datetime.date(2026, 9, 24),
        judgement="主流是好的",
        judgement_detail="意识形态工作责任制落实比较到位",
    )
    f_study = FindingFactory(
        meeting=m1,
        category=study,
        title="（三）个别党员学习缺乏热情",
        details="部分青年教师学习强国积分偏低",
    )
    f_net = FindingFactory(
        meeting=m2,
        category=network,
        title="工作群转发无关信息",
        details="个别年级组群转发与工作无关的信息",
    )
    repeat = FindingFactory(meeting=m2, category=study, title="个别党员学习缺乏热情。")
    FindingFactory(meeting=m2, category=network, title="不写进报告的问题", include_in_report=False)
    MeasureFactory(finding=f_study, content="1.每月集中学习1次,撰写学习笔记")
    MeasureFactory(
        finding=f_net,
        content="信息专干每周巡查",
        long_term=True,
        deadline=None,
        status=Measure.Status.ONGOING,
    )
    MeasureFactory(finding=f_net, content="重申工作群使用规定")
    MeasureFactory(finding=repeat, content="每月集中学习1次，撰写学习笔记。")  # the same again
    q2 = MeetingFactory(organisation=org, date=datetime.date(2026, 6, 10))
    old = FindingFactory(meeting=q2, title="宣传栏更新不及时")
    MeasureFactory(finding=old, content="每月更新宣传栏", status=Measure.Status.DONE)
    MeasureFactory(
        finding=old,
        content="明确宣传栏管理责任人",
        status=Measure.Status.IN_PROGRESS,
        progress_note="已完成两处更新",
    )
    q1 = MeetingFactory(organisation=org, date=datetime.date(2026, 2, 10))
    older = FindingFactory(meeting=q1, title="网络舆情监测不及时")
    MeasureFactory(finding=older, content="建立舆情日报制度", status=Measure.Status.NOT_STARTED)
    report = services.report_create(organisation=org, year=2026, quarter=3, by=world.secretary)
    return report


def texts(report, section):
    return [
        (i.heading, i.body)
        for i in report.items.filter(section=section, excluded=False).order_by("order", "pk")
    ]


def test_assembly_fills_every_part_from_the_quarter(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    opening = texts(quarter, S.OPENING)[0][1]
    assert "2026年第三季度，在中共青山县委员会的正确领导下" in opening
    assert "本季度共召开意识形态分析研判会议2次（7月15日、9月24日）" in opening
    assert opening.endswith("现将我校2026年第三季度意识形态领域分析研判情况报告如下：")

    basic = dict(texts(quarter, S.BASIC))
    assert (
        "传达学习了《党委（党组）意识形态工作责任制实施办法》"
        in basic["加强理论学习，提升思想认识"]
    )
    assert "通报了上半年专项督查反馈意见" in basic["加强组织领导，强化责任落实"]

    # the latest meeting's judgement
    assert texts(quarter, S.JUDGEMENT) == [
        ("", "通过研判认为，目前我校意识形态工作的主流是好的，意识形态工作责任制落实比较到位。")
    ]
    # included findings, de-duplicated, typed markers stripped, ordered by category
    assert texts(quarter, S.PROBLEMS) == [
        ("工作群转发无关信息", "个别年级组群转发与工作无关的信息。"),
        ("个别党员学习缺乏热情", "部分青年教师学习强国积分偏低。"),
    ]
    assert [body for _, body in texts(quarter, S.MEASURES)] == [
        "信息专干每周巡查。",
        "重申工作群使用规定。",
        "每月集中学习1次，撰写学习笔记。",
    ]


def test_last_quarters_rectification_and_carried_forward_items(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    rect = [body for _, body in texts(quarter, S.RECTIFICATION)]
    # the previous quarter only: what was completed as well as what is open
    assert rect == [
        "上季度（2026年第二季度）共制定整改措施2项，已完成1项、整改中1项。",
        "已完成1项：关于“宣传栏更新不及时”问题，每月更新宣传栏（已完成）。",
        "尚未完成1项：关于“宣传栏更新不及时”问题，明确宣传栏管理责任人（整改中，已完成两处更新）。",
    ]
    assert not any("舆情日报" in r for r in rect)
    # an open measure from Q1 is carried forward, under its own heading, until it is closed
    assert [body for _, body in texts(quarter, S.CARRIED)] == [
        "关于“网络舆情监测不及时”问题，建立舆情日报制度（未开始），该问题于2026年第一季度提出。"
    ]


def test_numbering_is_computed_and_counts_are_chinese_numerals(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    data = build_report_data(quarter)
    parts = {p["key"]: p for p in data["parts"]}
    assert [p["number"] + p["title"] for p in data["parts"]] == [
        "一、基本情况",
        "二、总体研判",
        "三、存在的问题和风险隐患",
        "四、下一步工作措施",
        "五、上季度整改落实情况",
        "六、以前季度未完成的整改事项",
    ]
    measures = parts["measures"]["paragraphs"]
    assert measures[0]["text"] == "针对上述问题，我校将重点从以下三个方面努力："
    assert [p["marker"] for p in measures[1:]] == ["（一）", "（二）", "（三）"]
    assert [p["marker"] for p in parts["problems"]["paragraphs"]] == ["（一）", "（二）"]


def test_rerunning_keeps_hand_written_paragraphs(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    edited = quarter.items.get(section=S.PROBLEMS, heading="工作群转发无关信息")
    edited.body = "我亲手改写的具体表现。"
    edited.origin = ReportItem.Origin.MANUAL
    edited.save()
    ReportItemFactory(
        report=quarter,
        section=S.BASIC,
        order=99,
        heading="加强队伍建设，夯实工作基础",
        body="选拔了三名宣讲员。",
    )
    removed = quarter.items.get(section=S.MEASURES, body="重申工作群使用规定。")
    services.item_exclude(item=removed)
    # a new finding appears between runs
    FindingFactory(
        meeting=quarter.organisation.meetings.get(date=datetime.date(2026, 9, 24)),
        title="新发现的问题",
    )

    services.report_assemble(report=quarter, by=world.secretary)
    problems = texts(quarter, S.PROBLEMS)
    assert ("工作群转发无关信息", "我亲手改写的具体表现。") in problems
    assert sum(1 for h, _ in problems if h == "工作群转发无关信息") == 1
    assert any(h == "新发现的问题" for h, _ in problems)
    assert ("加强队伍建设，夯实工作基础", "选拔了三名宣讲员。") in texts(quarter, S.BASIC)
    assert ("", "重申工作群使用规定。") not in texts(quarter, S.MEASURES)


def test_output_uses_full_width_punctuation(world, quarter):
    ReportItemFactory(
        report=quarter,
        section=S.BASIC,
        heading="(三)加强阵地管理",
        body="共1,000余人参加,时间10:30;效果(良好)",
    )
    data = build_report_data(quarter)
    paragraph = data["parts"][0]["paragraphs"][0]
    assert paragraph["marker"] == "（一）"
    assert paragraph["heading"] == "加强阵地管理"
    assert paragraph["text"] == "共1,000余人参加，时间10:30；效果（良好）。"


def test_assembly_is_refused_once_submitted(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    quarter.issue_date = datetime.date(2026, 9, 28)
    quarter.save()
    services.report_submit(report=quarter, by=world.secretary, accept_warnings=True)
    with pytest.raises(services.ReportError, match="待审核，不能修改"):
        services.report_assemble(report=quarter, by=world.secretary)


def test_one_report_per_organisation_and_quarter(world, quarter):
    with pytest.raises(services.ReportError, match="2026年第三季度的报告已存在"):
        services.report_create(organisation=world.branch, year=2026, quarter=3, by=world.secretary)


def test_default_title_addressee_and_signatory(world, quarter):
    assert quarter.title == (
        "中共青山县城关第一实验学校支部委员会关于2026年第三季度意识形态领域分析研判情况的报告"
    )
    assert quarter.addressee == "中共青山县委员会"
    assert quarter.signatory == "中共青山县城关第一实验学校支部委员会"


def test_the_opening_counts_every_meeting_the_report_uses(world, quarter):
    special = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 8, 20),
        meeting_type="专题会议",
        requirements="加强工作微信群管理",
    )
    MeetingFactory(
        organisation=world.branch, date=datetime.date(2026, 8, 25), meeting_type="支委会"
    )
    services.report_assemble(report=quarter, by=world.secretary)
    opening = texts(quarter, S.OPENING)[0][1]
    # the 专题会议 is used (its requirement is in 基本情况), the empty 支委会 is not
    assert (
        "本季度共召开意识形态分析研判会议2次、意识形态工作专题会议1次（7月15日、8月20日、9月24日）"
        in opening
    )
    assert "8月25日" not in opening
    basic = dict(texts(quarter, S.BASIC))
    assert "会议要求加强工作微信群管理" in basic["加强阵地管理，维护网络意识形态安全"]
    assert special.pk  # used above


def test_basic_situation_is_grouped_under_the_five_dimensions(world, quarter):
    MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 9, 1),
        requirements="一是做好正面宣传报道；二是加强通讯员队伍培训；三是落实意识形态工作责任制",
    )
    services.report_assemble(report=quarter, by=world.secretary)
    basic = dict(texts(quarter, S.BASIC))
    assert list(basic) == [
        "加强组织领导，强化责任落实",
        "加强理论学习，提升思想认识",
        "加强舆论引导，做好正面宣传",
        "加强队伍建设，夯实工作基础",
    ]
    assert basic["加强舆论引导，做好正面宣传"].endswith("会议要求做好正面宣传报道。")
    assert "会议要求加强通讯员队伍培训" in basic["加强队伍建设，夯实工作基础"]
    organisation = basic["加强组织领导，强化责任落实"]
    assert organisation.startswith(
        "我校坚持把意识形态工作摆在重要位置，本季度召开意识形态分析研判会议"
    )
    assert "会议通报了上半年专项督查反馈意见" in organisation
    assert "会议要求落实意识形态工作责任制" in organisation


def test_body_and_ledger_list_the_problems_in_the_same_order(world, quarter):
    services.report_assemble(report=quarter, by=world.secretary)
    # the secretary moves the second problem first: the 台账 follows the body
    problems = list(quarter.items.filter(section=S.PROBLEMS).order_by("order", "pk"))
    problems[1].order, problems[0].order = 1, 2
    for item in problems[:2]:
        item.save(update_fields=["order"])
    data = build_report_data(quarter)
    body = [p["heading"] for p in data["parts"][2]["paragraphs"]]
    ledger = [row["finding"] for row in data["ledger"]]
    assert body == ledger == ["个别党员学习缺乏热情", "工作群转发无关信息"]
    assert [row["index"] for row in data["ledger"]] == [1, 2]
    # the same problem raised at two meetings is one row with the measures of both
    assert [m["content"] for m in data["ledger"][0]["measures"]] == [
        "每月集中学习1次，撰写学习笔记。",
        "每月集中学习1次，撰写学习笔记。",
    ]


def test_a_problem_without_details_still_ends_with_its_full_stop(world, quarter):
    from reports.content import paragraph_line

    services.report_assemble(report=quarter, by=world.secretary)
    FindingFactory(
        meeting=quarter.organisation.meetings.get(date=datetime.date(2026, 9, 24)),
        title="（五）宣讲队伍有待加强",
        details="",
    )
    services.report_assemble(report=quarter, by=world.secretary)
    data = build_report_data(quarter)
    lines = [paragraph_line(p) for p in data["parts"][2]["paragraphs"]]
    assert any(re.fullmatch(r"（[一二三]）宣讲队伍有待加强。", line) for line in lines), lines
