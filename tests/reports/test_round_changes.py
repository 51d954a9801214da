"""“与第N次提交相比的修改” is computed once, when the round is submitted, and
is bounded: a reviewer's page view compares nothing, whatever the text's size.
Inside a changed paragraph the insertions and deletions are marked character by
character, a paragraph found elsewhere is shown as moved, and the 台账 rows are
compared field by field."""

import json

import pytest
from django.urls import reverse

from reports import changes, services
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


def frozen(*parts, ledger=()):
    """Frozen content of parts given as (title, [paragraph texts])."""
    return {
        "title": "标题",
        "addressee": "主送",
        "opening": [],
        "parts": [
            {
                "number": f"{'一二三四五'[k]}、",
                "title": title,
                "paragraphs": [{"marker": "", "heading": "", "text": t} for t in texts],
            }
            for k, (title, texts) in enumerate(parts)
        ],
        "closing": [],
        "signatory": "落款",
        "issue_date": "",
        "ledger": list(ledger),
    }


def listed(result):
    return [row for row in result["paragraphs"] if row["op"] != "same"]


def stored_size(result):
    return len(json.dumps(result, ensure_ascii=False))


def test_the_diff_is_frozen_with_the_round(world):
    report = two_rounds(world, "学习了文件。", "学习了文件，撰写了心得。")
    first, second = report.submissions.order_by("round")
    assert first.changes is None
    assert second.changes["version"] == changes.CHANGES_VERSION
    [row] = listed(second.changes)
    assert row["op"] == "change" and row["where"].startswith("“一、")
    assert row["segments"][-2:] == [["insert", "，撰写了心得"], ["equal", "。"]]
    assert second.changes["summary"]["changed"] == 1


def test_characters_inserted_and_deleted_inside_a_chinese_paragraph():
    before = "党支部坚持把意识形态工作摆在重要位置，每季度召开研判会议。"
    after = "党支部始终坚持把意识形态工作摆在突出位置，每季度召开研判会议。"
    assert changes.char_diff(before, after) == [
        ["equal", "党支部"],
        ["insert", "始终"],
        ["equal", "坚持把意识形态工作摆在"],
        ["delete", "重要"],
        ["insert", "突出"],
        ["equal", "位置，每季度召开研判会议。"],
    ]


def test_a_run_of_latin_letters_or_digits_is_one_word():
    assert changes.char_diff("2025年召开会议3次，使用app。", "2026年召开会议13次，使用App。") == [
        ["delete", "2025"],
        ["insert", "2026"],
        ["equal", "年召开会议"],
        ["delete", "3"],
        ["insert", "13"],
        ["equal", "次，使用"],
        ["delete", "app"],
        ["insert", "App"],
        ["equal", "。"],
    ]


def test_a_moved_paragraph_is_shown_as_moved_not_as_deleted_and_added():
    moving = "组织开展网络舆情应对演练，提升处置能力。"
    result = changes.round_changes(
        frozen(("基本情况", ["甲段内容。", moving, "乙段内容。"]), ("总体研判", ["丙段内容。"])),
        frozen(("基本情况", ["甲段内容。", "乙段内容。"]), ("总体研判", ["丙段内容。", moving])),
    )
    [row] = listed(result)
    assert row["op"] == "move"
    assert row["moved"] == "由“一、基本情况”第2段移至“二、总体研判”第2段"
    assert row["text"] == moving
    assert result["summary"]["moved"] == 1 and result["summary"]["deleted"] == 0


def test_a_paragraph_moved_within_its_part_says_from_where_to_where():
    texts = ["甲段内容。", "乙段内容。", "丙段内容。", "丁段内容。"]
    result = changes.round_changes(
        frozen(("基本情况", texts)), frozen(("基本情况", [texts[1], texts[2], texts[3], texts[0]]))
    )
    [row] = listed(result)
    assert row["op"] == "move" and row["moved"] == "在“一、基本情况”中由第1段移至第4段"


def test_a_paragraph_moved_and_edited_a_little_is_moved_with_its_edit():
    moving = "组织开展网络舆情应对演练，提升处置能力，全年开展两次，覆盖全体党员。"
    result = changes.round_changes(
        frozen(("基本情况", [moving, "甲段内容。"]), ("总体研判", ["丙段内容。"])),
        frozen(("基本情况", ["甲段内容。"]), ("总体研判", ["丙段内容。", moving + "效果良好。"])),
    )
    [row] = listed(result)
    assert row["op"] == "move" and ["insert", "效果良好。"] in row["segments"]


def test_a_renumbered_paragraph_is_not_a_changed_one():
    def numbered(texts):
        content = frozen(("存在的问题", texts))
        for k, p in enumerate(content["parts"][0]["paragraphs"], start=1):
            p["marker"] = f"（{'一二三四'[k - 1]}）"
        return content

    result = changes.round_changes(
        numbered(["第一个问题。", "第二个问题。", "第三个问题。"]),
        numbered(["第二个问题。", "第三个问题。"]),
    )
    [row] = listed(result)
    assert row == {
        "op": "delete",
        "where": "“一、存在的问题”第1段",
        "marker": "（一）",
        "text": "第一个问题。",
    }


def test_a_paragraph_deleted_and_an_unrelated_one_added():
    result = changes.round_changes(
        frozen(("基本情况", ["甲段内容。", "召开专题会议研究网络阵地管理。", "乙段内容。"])),
        frozen(("基本情况", ["甲段内容。", "乙段内容。", "新增青年教师理论学习小组。"])),
    )
    assert [(row["op"], row.get("text")) for row in listed(result)] == [
        ("delete", "召开专题会议研究网络阵地管理。"),
        ("insert", "新增青年教师理论学习小组。"),
    ]
    assert result["summary"]["same"] == 6  # 标题, 主送, the part heading, 甲, 乙, 落款


def measure(content, **fields):
    return {
        "content": content,
        "person": "张三",
        "dept": "办公室",
        "deadline": "2026年12月31日",
        "status": "整改中",
        "progress": "",
        **fields,
    }


def test_ledger_rows_changed_added_and_removed():
    before = [
        {"index": 1, "finding": "个别党员学习缺乏热情", "measures": [measure("建立学习台账。")]},
        {"index": 2, "finding": "网络阵地管理不严", "measures": [measure("落实审核制度。")]},
    ]
    after = [
        {
            "index": 1,
            "finding": "个别党员学习缺乏热情",
            "measures": [
                measure("建立学习台账，每月通报。", status="已完成", progress="已建立台账。"),
                measure("开展谈心谈话。", person="李四"),
            ],
        },
        {"index": 2, "finding": "意识形态阵地建设滞后", "measures": [measure("新建宣传栏。")]},
    ]
    rows = changes.round_changes(frozen(), frozen(ledger=after))["ledger"]
    assert all(row["op"] == "insert" for row in rows) and len(rows) == 3

    rows = changes.round_changes(frozen(ledger=before), frozen(ledger=after))["ledger"]
    changed, added, *removed = rows
    assert changed["op"] == "change" and changed["finding"] == "个别党员学习缺乏热情"
    fields = {field["label"]: field for field in changed["fields"]}
    assert set(fields) == {"整改措施", "整改状态", "进展情况"}
    assert ["insert", "，每月通报"] in fields["整改措施"]["segments"]
    assert (fields["整改状态"]["old"], fields["整改状态"]["new"]) == ("整改中", "已完成")
    assert (fields["进展情况"]["old"], fields["进展情况"]["new"]) == ("", "已建立台账。")
    assert added == {
        "op": "insert",
        "finding": "个别党员学习缺乏热情",
        "measure": "开展谈心谈话。",
        "detail": "责任人：李四；责任部门：办公室；整改时限：2026年12月31日；整改状态：整改中",
    }
    assert [(row["op"], row["finding"]) for row in removed] == [
        ("insert", "意识形态阵地建设滞后"),
        ("delete", "网络阵地管理不严"),
    ]


def test_a_ledger_change_reaches_the_frozen_round(world):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="请补充进展")
    measure_row = report.organisation.meetings.get().findings.get().measures.get()
    measure_row.progress_note = "已完成第一阶段"
    measure_row.save()
    services.report_resubmit(report=report, by=world.secretary)
    [row] = report.submissions.get(round=2).changes["ledger"]
    assert row["op"] == "change"
    assert [field["label"] for field in row["fields"]] == ["进展情况"]
    assert row["fields"][0]["new"] == "已完成第一阶段。"


MESSY = (
    "黨支部堅持把意識形態工作擺在重要位置\x07\x0b網頁複製的內容??。"
    + "严格落实意识形态工作责任制。" * 1430
)  # traditional characters, control characters, ~20,000 characters in one paragraph


def test_pasted_messy_text_is_bounded_in_work_and_stored_size():
    # rewritten throughout: an old paragraph gone and a new one, each cut to the bound
    result = changes.round_changes(
        frozen(("基本情况", ["甲段。", MESSY])), frozen(("基本情况", ["甲段。", MESSY[::-1]]))
    )
    assert [row["op"] for row in listed(result)] == ["delete", "insert"]
    assert all(
        len(row["text"]) == changes.CHANGES_MAX_TEXT + len(changes.CUT_NOTE)
        for row in listed(result)
    )
    assert stored_size(result) < 2 * changes.CHANGES_MAX_TEXT + 1000
    # edited in a few places far apart: the middle is too long to match, shown whole too
    edited = MESSY[:100] + "改" + MESSY[100:-100] + "改" + MESSY[-100:]
    [row] = listed(
        changes.round_changes(frozen(("基本情况", [MESSY])), frozen(("基本情况", [edited])))
    )
    assert row["whole"] is True


def test_messy_text_through_a_round_is_frozen_within_the_bound(world):
    messy = "党支部坚持把意识形态工作摆在重要位置\x07??。" + "严格落实意识形态工作责任制。" * 1430
    edited = "网页复制的内容。" + messy[:10000] + "改" + messy[10000:] + "又改。"
    report = two_rounds(world, messy, edited)
    stored = report.submissions.get(round=2).changes
    [row] = listed(stored)
    assert row["op"] == "change" and row["whole"] is True  # too far apart to match
    assert stored_size(stored) < 2 * changes.CHANGES_MAX_TEXT + 1000


def test_a_sentence_added_to_a_20000_character_paragraph_is_marked_with_context_only():
    long = "严格落实意识形态工作责任制。" * 1430
    segments = changes.char_diff(long, long[:10000] + "新增一句。" + long[10000:])
    assert ["insert", "新增一句。"] in segments
    assert sum(len(text) for tag, text in segments if tag == "equal") <= 2 * changes.CONTEXT
    assert [tag for tag, _ in segments] == ["gap", "equal", "insert", "equal", "gap"]


def test_many_long_rewritten_paragraphs_stay_within_the_stored_bound():
    long = "党支部坚持把意识形态工作摆在重要位置。" * 1100  # ~20,000 characters each
    result = changes.round_changes(
        frozen(("基本情况", [f"{k}{long}" for k in range(60)])),
        frozen(("基本情况", [f"{long}{k}改" for k in range(60)])),
    )
    assert result["omitted"] > 0
    assert stored_size(result) < changes.CHANGES_MAX_CHARS + 2 * changes.CHANGES_MAX_TEXT + 20_000


def test_many_changed_paragraphs_are_listed_up_to_a_bound():
    result = changes.round_changes(
        frozen(("基本情况", [f"第{i}段原来的内容。" for i in range(300)])),
        frozen(("基本情况", [f"第{i}段修改后的内容。" for i in range(300)])),
    )
    assert [row["op"] for row in listed(result)] == ["change"] * changes.CHANGES_MAX_ROWS
    assert result["omitted"] == 100


def test_two_rounds_of_100000_characters_cost_the_page_nothing(world, client, monkeypatch):
    long = "党支部坚持把意识形态工作摆在重要位置。" * 5300  # > 100,000 characters
    report = two_rounds(world, long, long + "新增一句。")
    stored = report.submissions.get(round=2).changes
    assert stored_size(stored) < 5000
    assert listed(stored)[0]["segments"][-1] == ["insert", "新增一句。"]

    def must_not_run(*args, **kwargs):
        raise AssertionError("a page view must not compare rounds")

    monkeypatch.setattr(changes, "round_changes", must_not_run)
    monkeypatch.setattr(services, "round_changes", must_not_run)
    monkeypatch.setattr(changes.difflib, "SequenceMatcher", must_not_run)
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    assert "与第1次提交相比的修改" in response.content.decode()


def test_the_page_marks_insertions_and_deletions_inside_the_paragraph(world, client):
    report = two_rounds(world, "学习了文件<script>。", "认真学习了文件<script>，撰写了心得。")
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "<ins>认真</ins>学习了文件&lt;script&gt;<ins>，撰写了心得</ins>。" in page
    assert "<script>" not in page.split("与第1次提交相比的修改")[1].split("paper-bg")[0]
    assert "未改动的" in page and "段（已折叠）" in page


def test_a_round_frozen_in_the_old_format_still_renders(world, client):
    report = two_rounds(world, "学习了文件。", "学习了文件，撰写了心得。")
    second = report.submissions.get(round=2)
    second.changes = [
        {"added": False, "text": "（一）理论学习。学习了文件。"},
        {"added": True, "text": "（一）理论学习。学习了文件，撰写了心得<b>。"},
    ]
    second.save()
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "<del>（一）理论学习。学习了文件。</del>" in page
    assert "<ins>（一）理论学习。学习了文件，撰写了心得&lt;b&gt;。</ins>" in page

    second.changes = []
    second.save()
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "两次提交内容相同" in page


def test_a_paragraph_too_changed_to_mark_is_shown_whole_with_a_note(world, client):
    report = two_rounds(world, "学习了文件。", "学习了文件，撰写了心得。")
    report.submissions.filter(round=2).update(
        changes={
            "version": changes.CHANGES_VERSION,
            "summary": {"same": 3, "changed": 1, "inserted": 0, "deleted": 0, "moved": 0},
            "paragraphs": [
                {
                    "op": "change",
                    "where": "“一、基本情况”第1段",
                    "marker": "（一）",
                    "whole": True,
                    "old": "旧的<i>全文",
                    "new": "新的全文",
                },
            ],
            "ledger": [],
            "omitted": 0,
        }
    )
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "<del>（一）旧的&lt;i&gt;全文</del>" in page and "<ins>（一）新的全文</ins>" in page
    assert "本段改动较大，已整段显示" in page


@pytest.mark.parametrize("stored", ["old", "new"])
def test_the_reviewers_page_runs_the_same_queries_whatever_the_diff(
    world, client, django_assert_num_queries, stored
):
    report = two_rounds(world, "学习了文件。", "学习了文件，撰写了心得。")
    if stored == "old":
        report.submissions.filter(round=2).update(changes=[{"added": True, "text": "新的一段"}])
    client.force_login(world.reviewer)
    with django_assert_num_queries(QUERIES_REVIEWER_PAGE):
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert "与第1次提交相比的修改" in response.content.decode()


# as without the diff (the 通知 bell, the 批注, where the report goes: the stored
# review_unit; the 历史记录 loads with its panel): the diff adds none
QUERIES_REVIEWER_PAGE = 18
