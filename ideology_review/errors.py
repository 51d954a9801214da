"""Error pages in Chinese, with what the user can do next."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def _page(request, status, title, message, *, hint=""):
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "message": message, "hint": hint},
        status=status,
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return _page(
            request,
            400,
            "提交的内容过大",
            f"本次提交的内容超过了系统允许的大小（约{limit}MB），没有保存。",
            hint="您填写的内容仍在浏览器中：请点击浏览器的“后退”回到上一页，把过长的内容删减或分成几条记录后再保存。",
        )
    return _page(
        request, 400, "请求有误", "提交的内容无法处理，没有保存。", hint="请返回上一页重试。"
    )


def permission_denied(request, exception=None):
    reason = str(exception or "").strip()
    return _page(
        request,
        403,
        "没有权限",
        reason if reason and not reason.isascii() else "您没有执行该操作的权限。",
        hint="如需办理，请联系本组织的书记或系统管理员。",
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        "页面不存在",
        "您访问的页面或记录不存在，或不在您的组织范围内。",
        hint="请从导航栏重新进入。",
    )


def server_error(request):
    # No template context processors here: the error may come from them.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
