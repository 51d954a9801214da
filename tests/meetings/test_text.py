import pytest

from reports.typography import find_placeholders


@pytest.mark.parametrize(
    "text,found",
    [
        ("xx党委：", ["xx"]),
        ("XX镇党委", ["XX"]),
        ("××科室占位符未替换", ["××"]),
        ("深入贯彻落实***新时代中国特色社会主义思想", ["***"]),
        ("20xx年工作总结", ["20xx"]),
        ("20__年", ["20__"]),
        ("202-年", ["202-"]),
        ("某某同志", ["某某"]),
        ("全镇开展宣讲X次", ["X"]),
        ("ＸＸ同志", ["ＸＸ"]),
        ("20ＸＸ年", ["20ＸＸ"]),
        ("于×月×日召开", ["×", "×"]),
        ("○○同志", ["○○"]),
        ("开展活动X场", ["X"]),
    ],
)
def test_placeholders_are_found(text, found):
    assert find_placeholders(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "不在QQ、微信、微博等网络平台发布政治敏感信息",
        "通过学习强国app开展线上学习",
        "宣传栏更新Excel台账，访问www.example.com",
        "2026年第三季度共召开会议2次",
        "Xbox游戏机",  # an X that is part of a word
        "访问xxx.com查看",
        "3×4的展板",
    ],
)
def test_no_false_alarms(text):
    assert find_placeholders(text) == []
