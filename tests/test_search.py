"""搜索 (issue 13 item 8): meetings, findings, measures and reports in the user's
scope, the match marked and everything else escaped; the same on PostgreSQL
(trigram indexes, meetings 0008) and SQLite (LIKE)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import search
from meetings.models import Meeting
from reports.models import QuarterlyReport

from .factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    QuarterlyReportFactory,
    ReportItemFactory,
)
from .test_hostile_input import HUGE, SAMPLES

pytestmark = pytest.mark.django_db

DETAILS = "个别青年教师在课堂上随意发表不当言论，网络上转发未经核实的信息。"
URL = reverse("meetings:search")


def get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def finding_of(organisation, **fields):
    return FindingFactory(meeting__organisation=organisation, **{"details": DETAILS, **fields})


# ---------------------------------------------------------------------------
# Finding a record, in both scripts
# ---------------------------------------------------------------------------


def test_finds_a_finding_by_a_chinese_substring_of_its_details(client, world):
    finding = finding_of(world.branch, title="课堂讲授纪律不严")
    FindingFactory(meeting__organisation=world.branch, title="其他问题", details="与此无关。")
    page = get(client, world.secretary, q="发表不当言论")
    assert finding.get_absolute_url() in page
    assert "其他问题" not in page
    assert "问题（1条）" in page
    assert "具体表现：</span>个别青年教师在课堂上随意<mark>发表不当言论</mark>，网络上" in page


def test_a_snippet_shows_thirty_characters_either_side(client, world):
    finding_of(world.branch, details="甲" * 40 + "发表不当言论" + "乙" * 40)
    page = get(client, world.secretary, q="发表不当言论")
    assert "…" + "甲" * 30 + "<mark>发表不当言论</mark>" + "乙" * 30 + "…" in page


def test_traditional_input_finds_simplified_text(client, world):
    finding = finding_of(world.branch)
    page = get(client, world.secretary, q="發表不當言論")
    assert finding.get_absolute_url() in page
    assert "<mark>发表不当言论</mark>" in page
    assert "搜索：发表不当言论" in page


def test_traditional_text_is_found_by_its_own_script_too(client, world):
    finding = finding_of(world.branch, details="網絡上發表不當言論")
    page = get(client, world.secretary, q="發表不當言論")
    assert finding.get_absolute_url() in page
    assert "<mark>發表不當言論</mark>" in page


def test_latin_text_matches_whatever_the_case(client, world):
    finding = finding_of(world.branch, details="在 WeChat 群里转发")
    page = get(client, world.secretary, q="wechat")
    assert finding.get_absolute_url() in page
    assert "<mark>WeChat</mark>" in page


def test_every_group_is_searched_with_the_field_that_matched(client, world):
    meeting = MeetingFactory(organisation=world.branch, requirements="要求加强课堂阵地管理。")
    finding = FindingFactory(meeting=meeting, title="课堂阵地管理薄弱", details="")
    measure = MeasureFactory(finding=finding, content="修订课堂阵地管理办法", progress_note="")
    report = QuarterlyReportFactory(organisation=world.branch)
    ReportItemFactory(report=report, heading="", body="开展课堂阵地管理专项检查。")
    page = get(client, world.secretary, q="课堂阵地管理")
    for label in ("研判会议（1条）", "问题（1条）", "整改措施（1条）", "研判报告（1条）"):
        assert label in page
    assert meeting.get_absolute_url() in page
    assert "会议要求：</span>要求加强<mark>课堂阵地管理</mark>。" in page
    assert "<mark>课堂阵地管理</mark>薄弱" in page  # the finding's title, marked
    assert f"{finding.get_absolute_url()}#measure-{measure.pk}" in page
    assert report.get_absolute_url() in page
    assert "基本情况·正文：</span>开展<mark>课堂阵地管理</mark>专项检查。" in page


def test_a_paragraph_removed_from_a_report_is_not_searched(client, world):
    report = QuarterlyReportFactory(organisation=world.branch)
    item = ReportItemFactory(report=report, body="开展课堂阵地管理专项检查。")
    item.excluded = True
    item.save()
    assert "研判报告（0条）" in get(client, world.secretary, q="课堂阵地管理")


def test_a_reviewer_does_not_search_the_new_draft_of_a_returned_report(client, world):
    """The reviewer reads the last submission of a returned report, not its new draft."""
    report = QuarterlyReportFactory(organisation=world.branch)
    ReportItemFactory(report=report, body="退回后新写的课堂阵地管理段落。")
    QuarterlyReport.objects.filter(pk=report.pk).update(
        status=QuarterlyReport.Status.RETURNED, round=1
    )
    assert "研判报告（0条）" in get(client, world.reviewer, q="课堂阵地管理")
    assert "研判报告（1条）" in get(client, world.secretary, q="课堂阵地管理")
    QuarterlyReport.objects.filter(pk=report.pk).update(status=QuarterlyReport.Status.SUBMITTED)
    assert "研判报告（1条）" in get(client, world.reviewer, q="课堂阵地管理")


# ---------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------


def test_another_branchs_finding_is_absent_for_the_branch_and_present_for_the_reviewer(
    client, world
):
    ours = finding_of(world.branch, title="学校的问题")
    theirs = finding_of(world.other_branch, title="医院的问题")
    MeasureFactory(finding=theirs, content="医院整改：不当言论专项整治")
    page = get(client, world.secretary, q="不当言论")
    assert ours.get_absolute_url() in page
    assert theirs.get_absolute_url() not in page
    assert "医院" not in page
    page = get(client, world.outsider, q="不当言论")
    assert theirs.get_absolute_url() in page and ours.get_absolute_url() not in page
    page = get(client, world.reviewer, q="不当言论")
    assert ours.get_absolute_url() in page and theirs.get_absolute_url() in page
    assert "问题（2条）" in page and "整改措施（1条）" in page


def test_a_reviewer_of_another_committee_sees_nothing_of_ours(client, world):
    finding = finding_of(world.branch)
    MeasureFactory(finding=finding, content="纠正不当言论")
    report = QuarterlyReportFactory(organisation=world.branch, title="不当言论专项报告")
    ReportItemFactory(report=report, body="不当言论")
    page = get(client, world.other_reviewer, q="不当言论")
    assert "共找到0条" in page
    assert finding.get_absolute_url() not in page
    assert report.get_absolute_url() not in page


def test_a_committee_reviewer_searches_its_village_but_not_the_county(client, world, chain):
    village = finding_of(chain.village, title="村里的问题")
    county = finding_of(world.branch, title="学校的问题")
    page = get(client, chain.committee_reviewer, q="不当言论")
    assert village.get_absolute_url() in page
    assert county.get_absolute_url() not in page


# ---------------------------------------------------------------------------
# Hostile input
# ---------------------------------------------------------------------------


def test_html_in_a_record_is_escaped_around_the_mark(client, world):
    finding_of(
        world.branch,
        title="<b>标题</b>发表不当言论",
        details="<script>alert(1)</script>发表不当言论<img src=x onerror=alert(2)>",
    )
    page = get(client, world.secretary, q="发表不当言论")
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<b>标题" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>发表不当言论</mark>&lt;img src=x" in page
    assert "&lt;b&gt;标题&lt;/b&gt;<mark>发表不当言论</mark>" in page


def test_html_in_the_query_is_escaped(client, world):
    finding_of(world.branch, details="看到<script>标签")
    page = get(client, world.secretary, q="<script>")
    assert "看到<mark>&lt;script&gt;</mark>标签" in page
    assert "<script>标签" not in page
    assert 'value="&lt;script&gt;"' in page


def test_like_wildcards_in_the_query_are_literal(client, world):
    finding_of(world.branch, details="完成率100%")
    finding_of(world.branch, title="不应出现", details="完成率1000")
    page = get(client, world.secretary, q="100%")
    assert "问题（1条）" in page and "不应出现" not in page
    assert "问题（0条）" in get(client, world.secretary, q="_")


@pytest.mark.parametrize(
    "q,message",
    [
        ("", search.EMPTY),
        ("   \u3000 ", search.EMPTY),
        ("不当\x00言论", search.CONTROL),
        ("不当\x1b言论", search.CONTROL),
        ("\ufffe", search.CONTROL),
    ],
)
def test_a_query_that_cannot_be_searched_gives_a_message(client, world, q, message):
    finding_of(world.branch)
    page = get(client, world.secretary, q=q)
    assert message in page
    assert "共找到" not in page


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.one_of(st.sampled_from(SAMPLES), st.text(max_size=80)),
    group=st.one_of(st.none(), st.sampled_from([*search.GROUP_KEYS, "x", "\x00"])),
    page=st.one_of(st.none(), st.sampled_from(["2", "-1", "9" * 30, "²", "\x00"])),
)
def test_any_query_gives_a_page_never_an_error(world, q, group, page):
    finding_of(world.branch, details="<b>不当言论</b>" + q)
    client = Client()
    client.force_login(world.secretary)
    params = {"q": q, **({"in": group} if group else {}), **({"page": page} if page else {})}
    assert client.get(URL, params).status_code == 200


def test_a_huge_query_gives_a_page(client, world):
    page = get(client, world.secretary, q=HUGE)
    assert search.TOO_LONG in page  # its U+000B are whitespace, collapsed


def test_a_too_long_query_is_cut_with_a_message(client, world):
    finding_of(world.branch, details="发表不当言论" * 10)
    page = get(client, world.secretary, q="发表不当言论" * 10)
    assert search.TOO_LONG in page
    assert "问题（1条）" in page  # the first 50 characters are in the text


def test_the_page_without_a_query_shows_no_message(client, world):
    page = get(client, world.secretary)
    assert "共找到" not in page and search.EMPTY not in page


def test_the_navbar_has_the_search_box(client, world):
    page = get(client, world.secretary)
    assert '<label class="visually-hidden" for="nav-search">搜索</label>' in page
    assert f'action="{URL}"' in page


def test_spaces_are_collapsed():
    assert search.normalise_query("  发表 \t  不当\n言论 ").text == "发表 不当 言论"


# ---------------------------------------------------------------------------
# 更多 and pagination
# ---------------------------------------------------------------------------


def test_a_group_shows_a_preview_and_more_opens_it_paginated(client, world):
    for i in range(search.PAGE_SIZE + 3):
        finding_of(world.branch, title=f"问题{i:02d}")
    page = get(client, world.secretary, q="不当言论")
    assert f"问题（{search.PAGE_SIZE + 3}条）" in page
    assert page.count('class="list-group-item search-hit"') == search.PREVIEW_SIZE
    assert "?q=%E4%B8%8D%E5%BD%93%E8%A8%80%E8%AE%BA&amp;in=findings" in page  # 更多
    page = get(client, world.secretary, q="不当言论", **{"in": "findings"})
    assert page.count('class="list-group-item search-hit"') == search.PAGE_SIZE
    assert "研判会议（" not in page
    assert "第1页，共2页" in page
    page = get(client, world.secretary, q="不当言论", page=2, **{"in": "findings"})
    assert page.count('class="list-group-item search-hit"') == 3


# ---------------------------------------------------------------------------
# Query counts (acceptance 7)
# ---------------------------------------------------------------------------


def fill(world, n):
    """n matching rows in every group."""
    for i in range(n):
        meeting = MeetingFactory(organisation=world.branch, study_content="学习不当言论的危害")
        finding = finding_of(world.branch, meeting=meeting)
        MeasureFactory(finding=finding, content="整治不当言论")
        report = QuarterlyReportFactory(organisation=world.branch, year=1900 + i)
        ReportItemFactory(report=report, body="不当言论")


# session, user, scope; per group a count and a page (the reports one more,
# their paragraphs); the navbar's person and 通知 bell; the session's save
# (savepoint, update, release)
QUERIES = 3 + 4 * 2 + 1 + 1 + 1 + 3


@pytest.mark.parametrize("rows", [1, 50])
def test_the_results_run_a_fixed_number_of_queries(client, world, django_assert_num_queries, rows):
    fill(world, rows)
    client.force_login(world.secretary)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL, {"q": "不当言论"})
    assert response.status_code == 200
    assert f"研判报告（{rows}条）" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_one_group_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, rows):
    fill(world, rows)
    client.force_login(world.reviewer)
    # one group (a count, a page, the paragraphs); a reviewer's menu adds the
    # 报告审核 badge: the pending reports of the organisations reviewed (their
    # stored review_unit, no query of its own); and the 通知 bell
    with django_assert_num_queries(3 + 1 + 3 + 1 + 1 + 3):
        response = client.get(URL, {"q": "不当言论", "in": "reports"})
    assert response.status_code == 200


# ---------------------------------------------------------------------------
# The indexes (PostgreSQL)
# ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_every_searched_field_has_a_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_trgm'")
        indexes = dict(cursor.fetchall())
    expected = {
        f"{model._meta.db_table}_{name}_trgm"
        for model, names in (
            (Meeting, ("title", *search.MEETING_FIELDS)),
            (FindingFactory._meta.model, ("title", *search.FINDING_FIELDS)),
            (MeasureFactory._meta.model, search.MEASURE_FIELDS),
            (QuarterlyReport, ("title",)),
            (ReportItemFactory._meta.model, search.ITEM_FIELDS),
        )
        for name in names
    }
    assert expected <= set(indexes)
    assert all("gin_trgm_ops" in indexes[name] and "upper(" in indexes[name] for name in expected)
