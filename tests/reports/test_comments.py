"""批注 (issue 13 item 3): the reviewer comments on paragraphs and 台账 rows of
the round under review; a 批注 is reason enough to return it; the branch sees
each beside its paragraph and marks it 已修改; the next round shows which were."""

import pytest
from django.urls import reverse

from meetings.models import Membership
from reports import services
from reports.comments import anchors
from reports.models import QuarterlyReport, ReportComment

from ..conftest import make_user
from ..factories import make_report

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status


@pytest.fixture
def submitted(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    report.refresh_from_db()
    return report


def places(report, kind):
    """The anchors of the report's latest round of one kind, in reading order."""
    content = report.submissions.order_by("-round").first().content
    return [anchor for anchor, k, _, _ in anchors(content) if k == kind]


def problem_anchor(report):
    """The paragraph of 存在的问题和风险隐患 (an item of the report)."""
    item = report.items.get(section="problems", excluded=False)
    return f"item-{item.pk}"


def comment(report, by, anchor, body="请写具体。"):
    return services.comment_add(report=report, by=by, anchor=anchor, body=body)


def test_a_reviewer_comments_on_a_paragraph_and_a_ledger_row(world, submitted):
    on_paragraph = comment(submitted, world.reviewer, problem_anchor(submitted), "风险点不具体。")
    [row] = places(submitted, "ledger")
    on_row = comment(submitted, world.reviewer, row, "整改时限过长。")
    assert on_paragraph.kind == "paragraph" and on_row.kind == "ledger"
    assert on_paragraph.submission.round == 1 and on_paragraph.author == world.reviewer
    # the words commented on are copied from the frozen round
    assert "个别党员学习缺乏热情" in on_paragraph.quote
    assert on_row.quote.startswith("个别党员学习缺乏热情：")
    measure = submitted.organisation.meetings.get().findings.get().measures.get()
    assert row == f"measure-{measure.pk}"


@pytest.mark.parametrize(
    "anchor,body,message",
    [
        ("item-0", "改", "批注的段落不存在"),
        (None, "", "请填写批注内容"),
        (None, "字" * 2001, "不能超过2000字"),
    ],
)
def test_a_comment_needs_a_place_of_the_round_and_words(world, submitted, anchor, body, message):
    with pytest.raises(services.CommentRefused, match=message):
        comment(submitted, world.reviewer, anchor or problem_anchor(submitted), body)
    assert not ReportComment.objects.exists()


def test_only_a_report_under_review_is_commented(world):
    report = make_report(world)
    anchor = f"item-{report.items.first().pk}"
    with pytest.raises(services.CommentRefused, match="只能在待审核时批注"):
        comment(report, world.reviewer, anchor)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    services.report_return(report=report, by=world.reviewer, comment="改")
    with pytest.raises(services.CommentRefused, match="报告退回修改，只能在待审核时批注"):
        comment(report, world.reviewer, problem_anchor(report))


def test_the_branch_and_the_department_of_a_committees_branch_cannot_comment(world, chain):
    with pytest.raises(services.ActionRefused):
        comment_on_own = make_report(world)
        services.report_submit(report=comment_on_own, by=world.secretary, accept_warnings=True)
        comment(comment_on_own, world.secretary, problem_anchor(comment_on_own))
    # a village's report is its 镇党委's to review: the county 宣传部 only reads it
    village = make_report(world, chain.village, via_services=False)
    services.report_submit(report=village, by=chain.village_secretary, accept_warnings=True)
    anchor = problem_anchor(village)
    with pytest.raises(services.ActionRefused):
        comment(village, world.reviewer, anchor)
    assert comment(village, chain.committee_reviewer, anchor).author == chain.committee_reviewer


def test_views_are_post_only(client, world, submitted):
    c = comment(submitted, world.reviewer, problem_anchor(submitted))
    client.force_login(world.reviewer)
    for url in (
        reverse("reports:comment_add", args=[submitted.pk]),
        reverse("reports:comment_delete", args=[c.pk]),
        reverse("reports:comment_addressed", args=[c.pk]),
    ):
        assert client.get(url).status_code == 405


def test_who_may_comment_through_the_view(client, world, submitted):
    url = reverse("reports:comment_add", args=[submitted.pk])
    data = {"anchor": problem_anchor(submitted), "body": "请补充具体表现。"}
    client.force_login(world.other_reviewer)  # another committee's reviewer: no such report
    assert client.post(url, data).status_code == 404
    client.force_login(world.secretary)
    assert client.post(url, data).status_code == 403
    assert not ReportComment.objects.exists()
    client.force_login(world.reviewer)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url.endswith(f"#anchor-{data['anchor']}")
    assert ReportComment.objects.get().body == "请补充具体表现。"


def test_the_author_deletes_a_comment_while_the_round_is_under_review(client, world, submitted):
    colleague = make_user(world.department, Membership.Role.REVIEWER, name="孙同事")
    c = comment(submitted, world.reviewer, problem_anchor(submitted))
    with pytest.raises(services.ActionRefused):
        services.comment_delete(comment=c, by=colleague)
    client.force_login(world.secretary)
    assert client.post(reverse("reports:comment_delete", args=[c.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.post(reverse("reports:comment_delete", args=[c.pk])).status_code == 404
    kept = comment(submitted, world.reviewer, problem_anchor(submitted), "留下")
    client.force_login(world.reviewer)
    assert client.post(reverse("reports:comment_delete", args=[c.pk])).status_code == 302
    assert list(ReportComment.objects.all()) == [kept]
    services.report_return(report=submitted, by=world.reviewer)
    with pytest.raises(services.CommentRefused, match="不能再删除"):
        services.comment_delete(comment=kept, by=world.reviewer)


def test_a_return_with_only_comments_works_and_says_so(world, submitted):
    comment(submitted, world.reviewer, problem_anchor(submitted))
    comment(submitted, world.reviewer, places(submitted, "ledger")[0])
    report, event = services.report_return(report=submitted, by=world.reviewer)
    assert report.status == Status.RETURNED
    assert report.review_comment == event.comment == "请按2条批注修改。"


def test_the_previous_rounds_comments_are_no_reason_to_return_this_one(world, submitted):
    comment(submitted, world.reviewer, problem_anchor(submitted))
    services.report_return(report=submitted, by=world.reviewer)
    services.report_resubmit(report=submitted, by=world.secretary, accept_warnings=True)
    with pytest.raises(services.ReportError, match="或对段落、台账添加批注"):
        services.report_return(report=submitted, by=world.reviewer)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_return_through_the_view_with_only_a_comment(client, world, submitted):
    comment(submitted, world.reviewer, problem_anchor(submitted))
    client.force_login(world.reviewer)
    client.post(reverse("reports:return", args=[submitted.pk]), {"comment": ""})
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED


@pytest.fixture
def returned(world, submitted):
    comment(submitted, world.reviewer, problem_anchor(submitted), "风险点不具体。")
    comment(submitted, world.reviewer, places(submitted, "ledger")[0], "整改时限过长。")
    services.report_return(report=submitted, by=world.reviewer)
    return submitted


def test_an_editor_of_the_branch_marks_a_comment_addressed(client, world, returned):
    first, second = ReportComment.objects.order_by("pk")
    assert services.comment_mark_addressed(comment=first, by=world.publicity) is True
    first.refresh_from_db()
    assert first.addressed_by == world.publicity and first.addressed_at is not None
    assert services.comment_mark_addressed(comment=first, by=world.secretary) is False  # again
    url = reverse("reports:comment_addressed", args=[second.pk])
    client.force_login(world.reader)
    assert client.post(url).status_code == 403
    client.force_login(world.reviewer)
    assert client.post(url).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url).status_code == 404
    second.refresh_from_db()
    assert not second.is_addressed
    client.force_login(world.secretary)
    response = client.post(url)
    assert response.status_code == 302 and response.url.endswith("#comments")
    second.refresh_from_db()
    assert second.addressed_by == world.secretary


def test_marking_addressed_waits_for_the_return(world, submitted):
    c = comment(submitted, world.reviewer, problem_anchor(submitted))
    with pytest.raises(services.CommentRefused, match="只有退回修改的报告"):
        services.comment_mark_addressed(comment=c, by=world.secretary)
    assert not ReportComment.objects.get().is_addressed


def test_the_branch_sees_each_comment_beside_its_paragraph(client, world, returned):
    client.force_login(world.secretary)
    response = client.get(returned.get_absolute_url())
    page = response.content.decode()
    assert "审核批注：第1次提交共2条，已修改0条" in page
    item = returned.items.get(section="problems", excluded=False)
    row = page[page.index(f'id="item-{item.pk}"') :]
    row = row[: row.index("</li>")]
    assert "风险点不具体。" in row and ">已修改</button>" in row
    # the 台账 row's comment is in the card, with the words it is on
    [other] = response.context["other_comments"]
    assert other.body == "整改时限过长。"
    assert "台账：“个别党员学习缺乏热情：" in page
    client.force_login(world.reader)
    page = client.get(returned.get_absolute_url()).content.decode()
    assert "风险点不具体。" in page and ">已修改</button>" not in page


def test_the_next_round_shows_which_comments_were_addressed(client, world, returned):
    first, _ = ReportComment.objects.order_by("pk")
    services.comment_mark_addressed(comment=first, by=world.secretary)
    services.report_resubmit(report=returned, by=world.secretary, accept_warnings=True)
    client.force_login(world.reviewer)
    page = client.get(returned.get_absolute_url()).content.decode()
    assert "批注：本轮0条；第1次提交的批注2条，已修改1条" in page
    # beside the paragraph of the new round: what was said before, and its state
    block = page[page.index(f'id="anchor-{first.anchor}"') :]
    block = block[: block.index("</form>")]
    assert "第1次提交时的批注（周晓峰）：风险点不具体。" in block
    assert '<span class="badge bg-success">已修改</span>' in block
    assert "未标记已修改" in page  # the 台账 row's comment was not marked


def test_the_reviewers_page_offers_a_comment_button_per_paragraph_and_row(client, world, submitted):
    client.force_login(world.reviewer)
    page = client.get(submitted.get_absolute_url()).content.decode()
    content = submitted.submissions.get().content
    for anchor, _, _, _ in anchors(content):
        assert f'id="comment-form-{anchor}"' in page
    client.force_login(world.secretary)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "comment-form-" not in page


def many_comments(report, by, n):
    spots = [anchor for anchor, _, _, _ in anchors(report.submissions.get().content)]
    for i in range(n):
        comment(report, by, spots[i % len(spots)], f"批注{i}")


@pytest.mark.parametrize("n", [1, 50])
def test_the_reviewers_page_runs_a_fixed_number_of_queries(
    client, world, submitted, django_assert_num_queries, n
):
    many_comments(submitted, world.reviewer, n)
    client.force_login(world.reviewer)
    # one query for the 批注 of the two latest rounds, however many (and the 通知 bell);
    # the reviewed set and where the report goes are the stored review_unit (one
    # query instead of four); the 历史记录 loads with its panel
    with django_assert_num_queries(18):
        response = client.get(submitted.get_absolute_url())
    assert len(response.context["comments"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_branchs_page_runs_a_fixed_number_of_queries(
    client, world, submitted, django_assert_num_queries, n
):
    many_comments(submitted, world.reviewer, n)
    services.report_return(report=submitted, by=world.reviewer)
    for c in ReportComment.objects.all()[: n // 2]:
        services.comment_mark_addressed(comment=c, by=world.secretary)
    client.force_login(world.secretary)
    # the draft page's 18 (tests/reports/test_views.py) + the 批注, one query
    with django_assert_num_queries(19):
        response = client.get(submitted.get_absolute_url())
    assert len(response.context["comments"]) == n


def test_the_admin_lists_comments_read_only(client, world, submitted):
    comment(submitted, world.reviewer, problem_anchor(submitted), "风险点不具体。")
    client.force_login(world.admin)
    page = client.get(reverse("admin:reports_reportcomment_changelist")).content.decode()
    assert "风险点不具体。" in page
    assert client.get(reverse("admin:reports_reportcomment_add")).status_code == 403
