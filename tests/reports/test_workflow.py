import threading

import pytest
from django.db import connection

from reports import services
from reports.models import QuarterlyReport, ReportEvent, ReportItem, ReportSubmission

from ..factories import make_report

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status
Action = QuarterlyReport.Action


@pytest.fixture
def report(world):
    return make_report(world)


def put_in(report, status):
    QuarterlyReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()


ACTIONS = {
    Action.SUBMIT: lambda r, w: services.report_submit(report=r, by=w.secretary),
    Action.RESUBMIT: lambda r, w: services.report_resubmit(report=r, by=w.secretary),
    Action.WITHDRAW: lambda r, w: services.report_withdraw(report=r, by=w.secretary),
    Action.APPROVE: lambda r, w: services.report_approve(report=r, by=w.reviewer),
    Action.RETURN: lambda r, w: services.report_return(report=r, by=w.reviewer, comment="请修改"),
}
ALL_MOVES = [(status, action) for status in Status for action in Action]
# A repeated request for the state the report is already in changes nothing.
NO_OPS = {
    (Status.SUBMITTED, Action.SUBMIT),
    (Status.SUBMITTED, Action.RESUBMIT),
    (Status.APPROVED, Action.APPROVE),
    (Status.RETURNED, Action.RETURN),
    (Status.DRAFT, Action.WITHDRAW),
}


@pytest.mark.parametrize("status,action", ALL_MOVES, ids=lambda v: str(v))
def test_transition_table_is_enforced(world, report, status, action):
    put_in(report, status)
    allowed = QuarterlyReport.TRANSITIONS.get((status, action))
    if allowed:
        ACTIONS[action](report, world)
        report.refresh_from_db()
        assert report.status == allowed
        event = ReportEvent.objects.get()
        assert (event.from_status, event.to_status, event.action) == (status, allowed, action)
    elif (status, action) in NO_OPS:
        ACTIONS[action](report, world)
        report.refresh_from_db()
        assert report.status == status
        assert not ReportEvent.objects.exists()
    else:
        with pytest.raises(services.ReportError) as refused:
            ACTIONS[action](report, world)
        assert f"不能执行“{action.label}”" in refused.value.message
        report.refresh_from_db()
        assert report.status == status
        assert not ReportEvent.objects.exists()


@pytest.mark.parametrize("persona", ["publicity", "reader", "outsider", "reviewer", "admin"])
def test_only_the_branch_secretary_submits(world, report, persona):
    with pytest.raises(services.ReportError, match="只有支部书记或副书记可以提交或撤回报告"):
        services.report_submit(report=report, by=getattr(world, persona))
    assert QuarterlyReport.objects.get().status == Status.DRAFT


@pytest.mark.parametrize("persona", ["secretary", "publicity", "outsider", "other_reviewer"])
def test_only_the_superior_reviewer_reviews(world, report, persona):
    services.report_submit(report=report, by=world.secretary)
    for act in (services.report_approve, services.report_return):
        with pytest.raises(services.ReportError, match="只有该报告审核单位的审核人"):
            act(report=report, by=getattr(world, persona), comment="意见")
    assert QuarterlyReport.objects.get().status == Status.SUBMITTED


def test_return_requires_a_comment(world, report):
    services.report_submit(report=report, by=world.secretary)
    with pytest.raises(services.ReportError, match="退回修改必须填写审核意见"):
        services.report_return(report=report, by=world.reviewer, comment="   ")
    assert QuarterlyReport.objects.get().status == Status.SUBMITTED


def test_each_submission_is_frozen(world, report):
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="风险点不够具体")
    item = report.items.get(section=ReportItem.Section.PROBLEMS)
    item.body = "修改后的具体表现，补充了风险点。"
    item.save()
    services.report_resubmit(report=report, by=world.secretary)
    first, second = ReportSubmission.objects.order_by("round")
    assert (first.round, second.round) == (1, 2)

    def problems(sub):
        part = next(p for p in sub.content["parts"] if p["key"] == "problems")
        return part["paragraphs"][0]["text"]

    assert problems(first) != problems(second) == "修改后的具体表现，补充了风险点。"
    report.refresh_from_db()
    assert report.round == 2 and report.review_comment == "风险点不够具体"
    assert [e.action for e in report.events.order_by("pk")] == ["submit", "return", "resubmit"]


def test_double_submit_makes_one_transition(world, report):
    services.report_submit(report=report, by=world.secretary)
    services.report_submit(report=report, by=world.secretary)
    assert ReportEvent.objects.count() == 1
    assert ReportSubmission.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_at_once_exactly_one_wins(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    second_reviewer = world.reviewer.__class__.objects.create(username="sunting")
    from meetings.models import Membership, Person

    Membership.objects.create(
        person=Person.objects.create(name="孙婷", user=second_reviewer),
        organisation=world.department,
        role=Membership.Role.REVIEWER,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def act(fn, user, **kwargs):
        try:
            barrier.wait(timeout=5)
            fn(report=QuarterlyReport.objects.get(pk=report.pk), by=user, **kwargs)
            outcomes.append("ok")
        except services.ReportError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(services.report_approve, world.reviewer)),
        threading.Thread(
            target=act, args=(services.report_return, second_reviewer), kwargs={"comment": "退回"}
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=len)[0] == "ok"
    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert "可能已被其他人处理" in refused
    assert ReportEvent.objects.filter(action__in=["approve", "return"]).count() == 1
