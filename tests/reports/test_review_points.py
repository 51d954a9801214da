"""审核要点 (issue 13 item 5): the reviewer ticks a checklist when deciding; it is
kept with the decision and shown in 审核记录; the points a return leaves
unticked are its reasons."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import QuarterlyReport, ReportEvent, ReviewPoint

from ..factories import make_report

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status

NAMES = [
    "研判重点突出",
    "风险点准确",
    "措施具体可行",
    "责任人与时限明确",
    "佐证材料齐全",
    "无占位符与繁体字",
]


@pytest.fixture
def submitted(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    return report


def points(*names):
    return list(ReviewPoint.objects.filter(name__in=names))


def test_the_seeds_usual_reasons_are_the_default_points():
    assert [(p.name, p.return_reason) for p in ReviewPoint.objects.all()] == list(
        zip(
            NAMES,
            [
                "研判重点不突出",
                "风险点找得不准",
                "建议措施不得力",
                "责任人与时限不明确",
                "佐证材料不全",
                "有占位符或繁体字",
            ],
            strict=True,
        )
    )


def test_an_approval_keeps_what_was_ticked(world, submitted):
    _, event = services.report_approve(
        report=submitted, by=world.reviewer, points=points(*NAMES[:5])
    )
    assert event.met == NAMES[:5]
    assert event.unmet == ["有占位符或繁体字"]
    # an approval is not a return: it gives no return reasons
    assert list(event.unmet_points.all()) == []


def test_a_return_without_a_word_gives_the_unticked_points_as_its_reasons(world, submitted):
    report, event = services.report_return(
        report=submitted, by=world.reviewer, points=points(*NAMES[:4], NAMES[5])
    )
    assert report.status == Status.RETURNED
    assert report.review_comment == "退回原因：佐证材料不全。"
    assert [p.name for p in event.unmet_points.all()] == ["佐证材料齐全"]


def test_a_return_with_a_comment_keeps_the_comment_and_the_reasons(world, submitted):
    report, event = services.report_return(
        report=submitted, by=world.reviewer, comment="请补充佐证材料。", points=points(NAMES[0])
    )
    assert report.review_comment == "请补充佐证材料。"
    assert [p.name for p in event.unmet_points.order_by("order")] == NAMES[1:]


def test_nothing_ticked_and_no_comment_is_refused_and_changes_nothing(world, submitted):
    with pytest.raises(services.ReportError, match="退回修改必须填写审核意见"):
        services.report_return(report=submitted, by=world.reviewer, points=[])
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not ReportEvent.objects.filter(action="return").exists()
    # nothing ticked with a comment: a return without a checklist, not six reasons
    _, event = services.report_return(
        report=submitted, by=world.reviewer, comment="请修改", points=[]
    )
    assert event.checklist == [] and not event.unmet_points.exists()


def test_the_admin_edits_the_list_and_old_decisions_keep_theirs(world, submitted):
    _, first = services.report_return(
        report=submitted, by=world.reviewer, comment="改", points=points(NAMES[0])
    )
    ReviewPoint.objects.filter(name="无占位符与繁体字").update(is_active=False)
    ReviewPoint.objects.filter(name="研判重点突出").update(name="研判重点突出、结论明确")
    services.report_resubmit(report=submitted, by=world.secretary, accept_warnings=True)
    _, second = services.report_approve(
        report=submitted, by=world.reviewer, points=points("研判重点突出、结论明确")
    )
    assert [p["name"] for p in second.checklist] == ["研判重点突出、结论明确", *NAMES[1:5]]
    first.refresh_from_db()
    assert [p["name"] for p in first.checklist] == NAMES


def test_the_review_page_offers_the_points_and_the_record_shows_them(client, world, submitted):
    client.force_login(world.reviewer)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "审核要点" in page
    for name in NAMES:
        assert name in page
    response = client.post(
        reverse("reports:return", args=[submitted.pk]),
        {"points": [p.pk for p in points(*NAMES[1:])], "comment": ""},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert submitted.review_comment == "退回原因：研判重点不突出。"
    client.force_login(world.secretary)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "✗研判重点不突出" in page and "✓风险点准确" in page


def test_the_admin_lists_the_points(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("admin:reports_reviewpoint_changelist")).content.decode()
    assert "佐证材料齐全" in page


def test_statistics_count_returns_by_reason_in_the_period(client, world):
    def returned(quarter, unticked):
        report = make_report(world, quarter=quarter)
        services.report_submit(report=report, by=world.secretary, accept_warnings=True)
        services.report_return(
            report=report,
            by=world.reviewer,
            points=points(*(n for n in NAMES if n not in unticked)),
        )
        return report

    third = returned(3, ["佐证材料齐全", "研判重点突出"])
    services.report_resubmit(report=third, by=world.secretary, accept_warnings=True)
    services.report_return(report=third, by=world.reviewer, points=points(*NAMES[:4], NAMES[5]))
    returned(2, ["风险点准确"])  # another quarter's
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    assert response.context["returns"] == {
        "returns": 2,
        "reasons": [("佐证材料不全", 2), ("研判重点不突出", 1)],
    }
    page = response.content.decode()
    assert "本期间退回修改2次" in page and "<td>佐证材料不全</td><td>2</td>" in page
