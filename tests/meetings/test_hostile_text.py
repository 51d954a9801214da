"""Text pasted from Word and websites never errors and never loses the rest."""

import pytest
from django.urls import reverse

from ideology_review.lib.text import clean_text
from meetings.models import Finding, Meeting

from ..factories import FindingFactory, MeetingFactory

pytestmark = pytest.mark.django_db

TRADITIONAL = "黨員干部八小時之外監管力度不夠，對本單位宗教信仰情況信息掌握不全面。"
EMOJI = "👍🇨🇳𠀀"


def long_paragraph(n=20_000):
    base = TRADITIONAL + "网络舆情需关注" + EMOJI
    return (base * (n // len(base) + 1))[:n]


def test_20000_characters_with_traditional_emoji_and_vertical_tab_are_kept(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    category = FindingFactory.build().category
    details = long_paragraph(10_000) + "\x0b" + long_paragraph(10_000)
    response = secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "存在问题",
            "category": category.pk,
            "title": "粘贴自Word的问题",
            "risk_level": "中",
            "source": "研判会议",
            "details": details,
        },
        follow=True,
    )
    assert response.status_code == 200
    finding = Finding.objects.get()
    # The Word line break becomes a real line break; nothing else is lost.
    assert finding.details == long_paragraph(10_000) + "\n" + long_paragraph(10_000)
    assert len(finding.details) == 20_001
    assert TRADITIONAL in finding.details and EMOJI in finding.details


def test_illegal_xml_characters_are_removed_and_reported(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    category = FindingFactory.build().category
    response = secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "存在问题",
            "category": category.pk,
            "title": "标题\x00含空字符",
            "risk_level": "中",
            "source": "研判会议",
            "details": "前\x01\x02\x1f后\ufffe",
        },
        follow=True,
    )
    body = response.content.decode()
    finding = Finding.objects.get()
    assert finding.title == "标题含空字符"
    assert finding.details == "前后"
    assert "已自动移除5个无法保存的控制字符" in body


def test_model_never_stores_illegal_characters_whatever_the_path(world):
    meeting = MeetingFactory(organisation=world.branch, title="会议\x07名称")
    meeting.requirements = "一是\x0c二是"
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.title == "会议名称"
    assert meeting.requirements == "一是\n二是"


def test_html_and_sql_looking_text_is_stored_verbatim_and_escaped(secretary_client, world):
    meeting = MeetingFactory(organisation=world.branch)
    category = FindingFactory.build().category
    title = "<script>alert(1)</script> 某某'; DROP TABLE x;--"
    secretary_client.post(
        reverse("meetings:finding_create", args=[meeting.pk]),
        {
            "finding_type": "存在问题",
            "category": category.pk,
            "title": title,
            "risk_level": "中",
            "source": "研判会议",
        },
    )
    assert Finding.objects.get().title == title
    body = secretary_client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_meeting_text_fields_accept_very_long_text(secretary_client, world):
    text = long_paragraph(25_000)
    secretary_client.post(
        reverse("meetings:create"),
        {
            "title": "长文本会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
            "study_content": text,
            "statements": text,
        },
    )
    meeting = Meeting.objects.get()
    assert meeting.study_content == text and meeting.statements == text


def test_text_over_the_limit_gets_a_clear_message(secretary_client, world, settings):
    settings.TEXT_MAX_LENGTH = 30_000
    response = secretary_client.post(
        reverse("meetings:create"),
        {
            "title": "超长会议",
            "meeting_type": "分析研判会议",
            "date": "2026-09-24",
            "time_of_day": "下午",
            "briefings": "字" * 30_001,
        },
    )
    assert response.status_code == 200
    assert "30000" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "raw,expected,removed",
    [
        ("a\r\nb", "a\nb", 0),
        ("a\x0bb\x0cc", "a\nb\nc", 0),
        ("\x00x\x1fy\x7f", "xy", 3),
        ("lone\ud800surrogate", "lonesurrogate", 1),
        ("正常文本，emoji👍", "正常文本，emoji👍", 0),
    ],
)
def test_clean_text(raw, expected, removed):
    assert clean_text(raw) == (expected, removed)
