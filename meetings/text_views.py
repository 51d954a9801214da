"""转为简体 / 整理文本 for a text a user is typing or has just pasted.

The form field's text is posted here and the converted text comes back; the
page puts it into the field, and nothing is saved until the user clicks 保存.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from ideology_review.lib.text import clean_text, count_traditional, simplify, tidy


def _posted_text(request):
    text = clean_text(request.POST.get("text", ""))[0]
    return text[: settings.TEXT_MAX_LENGTH]


@login_required
@require_POST
def text_check(request):
    """What the field holds that the tools would change: 繁体字 and paste debris."""
    text = _posted_text(request)
    changes = tidy(text)[1]
    return JsonResponse({"traditional": count_traditional(text), "debris": changes})


@login_required
@require_POST
def text_convert(request):
    """The field's text converted: action=simplify (转为简体) or tidy (整理文本)."""
    text = _posted_text(request)
    if request.POST.get("action") == "simplify":
        converted, changed = simplify(text)
        changes = [f"已将{changed}个繁体字转为简体"] if changed else ["没有需要转换的繁体字"]
    else:
        converted, changes = tidy(text)
        changes = changes or ["没有需要整理的内容"]
    return JsonResponse({"text": converted, "changes": changes})
