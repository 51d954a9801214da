"""ideology_review.lib.urls.pk_url: what reverse() says, without reversing each row."""

from django.urls import reverse, set_script_prefix

from ideology_review.lib.urls import pk_url


def test_pk_url_is_reverse():
    for name in ("meetings:detail", "meetings:finding_detail", "reports:file_status"):
        for pk in (1, 42, 908172635, 10**12):
            assert pk_url(name, pk) == reverse(name, args=[pk])


def test_pk_url_with_more_arguments_is_reverse():
    for pk in (1, 42, 908172635):
        for direction in ("up", "down"):
            expected = reverse("reports:item_move", args=[pk, direction])
            assert pk_url("reports:item_move", pk, direction) == expected
    assert pk_url("reports:item_create", 9, "basic") == reverse(
        "reports:item_create", args=[9, "basic"]
    )


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/ideology/")
        assert (
            pk_url("meetings:detail", 7)
            == "/ideology/meetings/7/"
            == reverse("meetings:detail", args=[7])
        )
    finally:
        set_script_prefix("/")
    assert pk_url("meetings:detail", 7) == "/meetings/7/"
