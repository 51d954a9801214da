"""The pasted-text pipeline, step by step, on seed-style input (tests/data/paste/)."""

import pathlib

import pytest
from django.urls import reverse

from ideology_review.lib.text import (
    count_traditional,
    document_heading,
    document_text,
    join_broken_lines,
    normalise_enumeration,
    simplify,
    strip_leading_marker,
    tidy,
    to_fullwidth,
)

CORPUS = pathlib.Path(__file__).parent.parent / "data" / "paste"


def corpus(name):
    return (CORPUS / name).read_text(encoding="utf-8")


# --- 繁→简 (OpenCC t2s) -------------------------------------------------------


def test_simplify_converts_phrases_and_counts_what_changed():
    text, changed = simplify("黨員干部對于事后的處置,範文")
    assert text == "党员干部对于事后的处置,范文"
    assert changed == 5  # 黨員對處範; 于/后/干 are simplified already


def test_simplified_and_mixed_text_is_left_as_it_is():
    assert simplify("党员干部对于事后处置") == ("党员干部对于事后处置", 0)
    assert count_traditional("学习强国app、QQ群") == 0


def test_corpus_is_traditional_and_becomes_simplified():
    study = corpus("meeting_study.txt")
    assert count_traditional(study) > 50
    assert count_traditional(simplify(study)[0]) == 0


# --- 整理文本 -------------------------------------------------------------------


def test_tidy_removes_site_junk_and_says_what():
    text, changes = tidy(corpus("meeting_study.txt"))
    assert "赏杯茶钱" not in text and "下载阅读" not in text
    assert changes[0].startswith("删除网页附带内容2处：“整理文档很辛苦")


def test_tidy_removes_garbled_question_marks_but_keeps_real_questions():
    text, changes = tidy("明确了第一责任人的职责??。问题是否整改到位?下一步")
    assert text == "明确了第一责任人的职责。问题是否整改到位？下一步"
    assert "删除“?”“??”等乱码1处" in changes
    assert "汉字之间的半角标点改为全角1处" in changes


def test_tidy_removes_pdf_spaces_dots_and_hyphens_between_chinese():
    text, changes = tidy(
        "研究解 决问题,党管.意识形态,--是组织学习,统一-领导, -级抓一级,进-步增强,2020 年"
    )
    assert (
        text == "研究解决问题，党管意识形态，一是组织学习，统一领导，一级抓一级，进一步增强，2020年"
    )
    assert "删除汉字之间多余的空格3处" in changes
    assert "删除汉字之间多余的“.”1处" in changes
    assert "将误作“-”的“一”还原或删除4处" in changes


def test_tidy_leaves_titles_numbers_and_urls_alone():
    text = "学习《党委(党组)意识形态工作 责任制》,共1,000人,10:30开始,见 https://example.cn/a?b=1,2"
    tidied, _ = tidy(text)
    assert "《党委(党组)意识形态工作 责任制》" in tidied
    assert "1,000人" in tidied and "10:30" in tidied
    assert tidied.endswith("https://example.cn/a?b=1,2")


def test_tidy_never_corrects_typos_or_placeholders():
    text, _ = tidy("丞待加强xx党委宣讲X次")
    assert text == "丞待加强xx党委宣讲X次"


def test_line_breaks_in_mid_sentence_join_and_sentence_ends_stay():
    text, joined = join_broken_lines(
        "组织党员干部\n逐条对照检查。\n\n\n二是加强管理，\n落实制度。\n（一）标题\n正文"
    )
    assert text == "组织党员干部逐条对照检查。\n二是加强管理，落实制度。\n（一）标题\n正文"
    assert joined == 2


def test_tidy_reports_nothing_for_clean_text():
    assert tidy("本季度召开研判会议2次。") == ("本季度召开研判会议2次。", [])


def test_long_paste_keeps_paragraphs_not_lines():
    raw = corpus("long_paste.txt")
    assert len(raw) > 20000 and raw.count("\n") > 300
    text = document_text(raw)
    assert count_traditional(text) == 0 and "??" not in text
    # one paragraph per pasted paragraph, not one per wrapped line
    assert text.count("\n") == raw.count("\n\n")


# --- numbering ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("（五）部分党员理论学习不够深入", "部分党员理论学习不够深入"),
        ("五、加强组织领导", "加强组织领导"),
        ("5.重申工作群使用规定", "重申工作群使用规定"),
        ("(一)1.加强学习", "加强学习"),
        ("四是加强理论武装", "加强理论武装"),  # a lone marker
        ("①每月学习一次", "每月学习一次"),
        ("1.5倍的投入", "1.5倍的投入"),  # a number, not a marker
    ],
)
def test_leading_markers_are_removed_where_the_document_numbers(typed, expected):
    assert strip_leading_marker(typed) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("一是抓好整改；二是做好摸排", "一是抓好整改；二是做好摸排"),
        ("一是抓好；二是做好；四是加强", "一是抓好；二是做好；三是加强"),
        ("会议要求：抓好三季度问题整改；二是做好摸排", "会议要求：抓好三季度问题整改；做好摸排"),
        ("抓好整改；二是做好摸排；三是加强管理", "一是抓好整改；二是做好摸排；三是加强管理"),
        ("一要抓学习。二是抓引导。三要抓协调。", "一要抓学习。二要抓引导。三要抓协调。"),
        ("统一是前提，这一是关键", "统一是前提，这一是关键"),  # not markers
    ],
)
def test_inline_enumerations_are_whole_or_renumbered_never_orphans(text, expected):
    assert normalise_enumeration(text) == expected


def test_document_text_is_the_whole_pipeline():
    assert document_heading(corpus("finding_title.txt")) == "部分党员理论学习不够深入"
    assert document_text(corpus("measure_content.txt")) == (
        "加强理论武装，把思想政治教育纳入教师学习计划，每月集中学习1次，"
        "撰写学习笔记，支部书记每季度讲一次专题党课。"
    )
    requirements = document_text(corpus("meeting_requirements.txt"))
    assert requirements.startswith("一是抓好三季度问题整改，对照台账逐项销号；二是做好")
    assert "三是加强工作微信群管理，落实群主负责制。" in requirements


# --- linear time ------------------------------------------------------------------


def test_full_width_punctuation_of_an_unclosed_parenthesis_is_linear():
    import time

    hostile = "(" + "中" * 200_000
    plain = "中" * 200_001
    started = time.thread_time()  # CPU time: not the machine's load
    to_fullwidth(plain + ")")
    baseline = time.thread_time() - started
    started = time.thread_time()
    assert to_fullwidth(hostile + ")") == "（" + "中" * 200_000 + "）"
    assert to_fullwidth(hostile) == hostile
    assert time.thread_time() - started < 10 * baseline + 0.5


# --- the tools in the form ----------------------------------------------------------


@pytest.mark.django_db
def test_check_says_how_many_traditional_characters_and_what_tidy_would_do(client, world):
    client.force_login(world.secretary)
    response = client.post(reverse("meetings:text_check"), {"text": corpus("finding_details.txt")})
    answer = response.json()
    assert answer["traditional"] == count_traditional(corpus("finding_details.txt")) > 0
    assert any("空格" in change for change in answer["debris"])


@pytest.mark.django_db
def test_convert_returns_the_text_and_saves_nothing(client, world):
    from meetings.models import Finding

    client.force_login(world.secretary)
    before = Finding.objects.count()
    answer = client.post(
        reverse("meetings:text_convert"), {"text": "黨員干部", "action": "simplify"}
    ).json()
    assert answer == {"text": "党员干部", "changes": ["已将2个繁体字转为简体"]}
    answer = client.post(
        reverse("meetings:text_convert"), {"text": "职责??。", "action": "tidy"}
    ).json()
    assert answer == {"text": "职责。", "changes": ["删除“?”“??”等乱码1处"]}
    assert Finding.objects.count() == before


def test_a_list_of_more_than_fifty_markers_is_left_as_it_is():
    text = "；".join(f"{'一'}是第{n}项" for n in range(60))
    assert normalise_enumeration(text) == text
    short = "；".join("一是第项" for _ in range(3))
    assert normalise_enumeration(short) == "一是第项；二是第项；三是第项"
