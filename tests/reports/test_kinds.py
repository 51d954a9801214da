"""Reports of every kind (issue 12): each kind's title, addressee, 落款 and
skeleton; one per organisation × kind × period, a 述职报告 one per person,
written in the first person and signed with the person's name and post."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from meetings.models import FindingCategory, Measure, Meeting, Membership
from reports import services
from reports.checks import check_report
from reports.content import build_report_data
from reports.docx import render_docx
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db
Kind = QuarterlyReport.Kind

# The seeds' headings, in order (domain.md §3.4 for the half-year).
SKELETONS = {
    Kind.HALF_YEAR: [
        "上半年意识形态工作开展情况",
        "总体研判",
        "主要存在的风险和隐患",
        "下半年工作打算",
        "上半年整改落实情况",
    ],
    Kind.ANNUAL: [  # seed 003
        "年度意识形态工作开展情况",
        "当前意识形态方面存在的主要问题",
        "下一步意识形态工作的主要打算",
    ],
    Kind.DUTY: ["履职情况", "主要问题", "下步打算"],  # seed 002
    Kind.NETWORK: [  # seed 004
        "网络阵地管理情况",
        "网络舆情处置情况",
        "网评员、通讯员队伍建设情况",
        "存在的问题和下一步措施",
    ],
}
PERIODS = {Kind.HALF_YEAR: {"half": 1}, Kind.ANNUAL: {}, Kind.DUTY: {}, Kind.NETWORK: {}}


@pytest.fixture
def year_records(world):
    """Two meetings of the first half of 2026, a network finding and a study finding."""
    network = FindingCategory.objects.get(code="network")
    study = FindingCategory.objects.get(code="study")
    chair = world.secretary.person_record
    first = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 3, 20),
        chair=chair,
        judgement="主流是好的",
        study_content="传达学习了县委宣传部关于网络意识形态工作的通知精神",
        briefings="通报了学校微信公众号信息发布审核情况",
        requirements="加强网评员队伍培训；及时处置网络舆情",
        status=Meeting.Status.CONFIRMED,
    )
    second = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 6, 18),
        chair=chair,
        judgement="主流是好的",
        status=Meeting.Status.CONFIRMED,
    )
    f1 = FindingFactory(
        meeting=first,
        category=network,
        title="工作群转发无关信息",
        details="个别年级组群转发无关信息",
    )
    MeasureFactory(
        finding=f1,
        content="信息专干每周巡查工作群",
        responsible_person=chair,
        status=Measure.Status.DONE,
    )
    f2 = FindingFactory(
        meeting=second, category=study, title="个别党员学习缺乏热情", details="学习笔记内容简单"
    )
    MeasureFactory(finding=f2, content="每月开展一次集中学习", responsible_person=chair)
    return first, second


def _create(world, kind, person=None):
    return services.report_create(
        organisation=world.branch,
        year=2026,
        kind=kind,
        person=person or (world.secretary.person_record if kind == Kind.DUTY else None),
        by=world.secretary,
        **PERIODS[kind],
    )


@pytest.mark.parametrize("kind", list(SKELETONS))
def test_each_kind_assembles_into_its_seed_skeleton_and_passes_the_checks(
    world, year_records, kind
):
    report = _create(world, kind)
    services.report_assemble(report=report, by=world.secretary)
    data = build_report_data(report)
    assert [part["title"] for part in data["parts"]] == SKELETONS[kind]
    assert [p for p in check_report(report) if p.is_error] == []
    assert render_docx(data)[:2] == b"PK"
    text = "".join(p["text"] + p["heading"] for part in data["parts"] for p in part["paragraphs"])
    if kind == Kind.NETWORK:
        # the network categories only: the study finding is not in it
        assert "工作群转发无关信息" in text and "学习缺乏热情" not in text
        assert "公众号" in text
    else:
        assert "工作群转发无关信息" in text and "学习缺乏热情" in text


def test_titles_and_addressees_per_kind(world):
    assert _create(world, Kind.HALF_YEAR).title == (
        "中共青山县城关第一实验学校支部委员会关于2026年上半年意识形态领域分析研判情况的报告"
    )
    annual = _create(world, Kind.ANNUAL)
    assert annual.title == "中共青山县城关第一实验学校支部委员会2026年度意识形态工作总结"
    assert annual.addressee == "中共青山县委员会"
    duty = _create(world, Kind.DUTY)
    assert duty.title == "2026年度落实意识形态工作责任制述职报告"
    assert duty.addressee == "中共青山县委宣传部"  # 报送党委宣传部
    assert _create(world, Kind.NETWORK).period_label == "2026年度"


def test_one_report_per_organisation_kind_and_period(world):
    _create(world, Kind.ANNUAL)
    with pytest.raises(services.ReportError, match="2026年度年度意识形态工作总结已存在"):
        _create(world, Kind.ANNUAL)
    # another kind of the same year is another report
    _create(world, Kind.NETWORK)


def test_a_duty_report_belongs_to_one_office_holder(world, year_records):
    """Two office-holders each have their own; the text is in the first person;
    the 落款 is the person's post and name."""
    secretary = world.secretary.person_record
    deputy = PersonFactory(name="陈建军")
    Membership.objects.create(
        person=deputy,
        organisation=world.branch,
        post="副校长",
        party_role=Membership.PartyRole.DEPUTY,
    )
    Membership.objects.filter(person=secretary, organisation=world.branch).update(post="校长")
    mine = _create(world, Kind.DUTY, secretary)
    theirs = _create(world, Kind.DUTY, deputy)
    assert mine.pk != theirs.pk
    assert mine.signatory == "党支部书记、校长王丽华"
    assert theirs.signatory == "党支部副书记、副校长陈建军"
    with pytest.raises(
        services.ReportError, match="王丽华的2026年度落实意识形态工作责任制述职报告已存在"
    ):
        _create(world, Kind.DUTY, secretary)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        QuarterlyReport.objects.create(
            organisation=world.branch, kind=Kind.DUTY, year=2026, person=deputy, title="重复"
        )

    services.report_assemble(report=mine, by=world.secretary)
    data = build_report_data(mine)
    opening = data["opening"][0]["text"]
    assert "我作为中共青山县城关第一实验学校支部委员会书记" in opening
    assert "现将本人2026年度落实意识形态工作责任制情况报告如下" in opening
    performance = data["parts"][0]["paragraphs"]
    assert all(p["text"].startswith("我") for p in performance)
    assert "全年主持召开意识形态分析研判会议2次（3月20日、6月18日）" in performance[0]["text"]
    assert data["signatory"] == "党支部书记、校长王丽华"


def test_a_duty_report_needs_an_office_holder_of_the_organisation(world):
    with pytest.raises(services.ReportError, match="述职人"):
        _create(world, Kind.DUTY, world.outsider.person_record)


def test_half_year_and_annual_reports_read_the_approved_quarterly_reports(world, year_records):
    for quarter in (1, 2):
        QuarterlyReport.objects.create(
            organisation=world.branch,
            year=2026,
            quarter=quarter,
            title=f"第{quarter}季度",
            status=QuarterlyReport.Status.APPROVED,
        )
    report = _create(world, Kind.HALF_YEAR)
    services.report_assemble(report=report, by=world.secretary)
    basic = " ".join(p["text"] for p in build_report_data(report)["parts"][0]["paragraphs"])
    assert "形成季度分析研判报告2份（第一季度、第二季度），均经审核通过" in basic
    assert "共查摆问题和风险隐患2项，涉及网络意识形态1项、理论学习1项" in basic
    assert "共制定整改措施2项，已完成1项" in basic
