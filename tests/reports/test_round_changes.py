"""“与第N次提交相比的修改” is computed once, when the round is submitted, and
is bounded: a reviewer's page view compares nothing, whatever the text's size."""

import pytest
from django.urls import reverse

from reports import content, services
from reports.models import ReportItem

from ..factories import make_report

pytestmark = pytest.mark.django_db


def two_rounds(world, first, second):
    report = make_report(world)
    item = report.items.get(section=ReportItem.Section.BASIC, heading__contains="理论学习")
    item.body = first
    item.save()
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="请补充")
    item.refresh_from_db()
    item.body = second
    item.save()
    services.report_resubmit(report=report, by=world.secretary)
    return report


def test_the_diff_is_frozen_with_the_round(world):
    report = two_rounds(world, "学习了文件。", "学习了文件，撰写了心得。")
    first, second = report.submissions.order_by("round")
    assert first.changes is None
    assert [row["added"] for row in second.changes] == [False, True]
    assert second.changes[0]["text"].endswith("学习了文件。")
    assert second.changes[1]["text"].endswith("学习了文件，撰写了心得。")


def test_two_rounds_of_100000_characters_cost_the_page_nothing(world, client, monkeypatch):
    long = "党支部坚持把意识形态工作摆在重要位置。" * 5300  # > 100,000 characters
    report = two_rounds(world, long, long + "新增一句。")
    changes = report.submissions.get(round=2).changes
    assert 1 <= len(changes) <= content.CHANGES_MAX_ROWS + 1
    assert all(len(row["text"]) <= content.CHANGES_MAX_TEXT + 20 for row in changes)
    assert changes[0]["text"].endswith("……（全文见提交的版本）")

    def must_not_run(*args, **kwargs):
        raise AssertionError("a page view must not compare rounds")

    monkeypatch.setattr(content, "round_changes", must_not_run)
    monkeypatch.setattr(services, "round_changes", must_not_run)
    monkeypatch.setattr(content.difflib, "SequenceMatcher", must_not_run)
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    assert "与第1次提交相比的修改" in response.content.decode()


def test_many_changed_paragraphs_are_listed_up_to_a_bound():
    def frozen(texts):
        return {
            "title": "标题",
            "addressee": "主送",
            "opening": [],
            "parts": [
                {
                    "number": "一、",
                    "title": "基本情况",
                    "paragraphs": [{"marker": "", "heading": "", "text": t} for t in texts],
                }
            ],
            "closing": [],
            "signatory": "落款",
            "issue_date": "",
        }

    rows = content.round_changes(
        frozen([f"旧{i}" for i in range(300)]), frozen([f"新{i}" for i in range(300)])
    )
    assert len(rows) == content.CHANGES_MAX_ROWS + 1
    assert rows[-1]["text"] == "……另有400处修改，见提交的版本。"
