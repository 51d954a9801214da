"""Who is asking: the client's address and the login name, as far as they can be trusted.

The address is REMOTE_ADDR unless PROXY_COUNT reverse proxies of our own stand
in front; each of them (nginx's `$proxy_add_x_forwarded_for`) appends the
address it received the request from to X-Forwarded-For, so the client is the
PROXY_COUNT-th entry from the right. Anything left of it was written by the
client and is never believed. A value that is not an IP address is ignored.

(django-ipware counts proxies differently — it expects every proxy's own
address in the header and, with no proxy configured, takes the header's first
entry — which is exactly the forgery this function exists to stop.)
"""

import ipaddress

from django.conf import settings


def _ip(value):
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_address(request):
    """The client's IP address as text, or "" when there is none to trust."""
    if request is None:
        return ""
    remote = _ip(request.META.get("REMOTE_ADDR"))
    hops = getattr(settings, "PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < hops:
        return remote
    return _ip(forwarded[-hops]) or remote


# Longer names are no account's (auth_user.username is 150 characters); cut before
# django-axes stores them (255) or the audit log names them.
USERNAME_MAX = 150


def login_username(request, credentials):
    """django-axes' username callable: the posted username, cut to a sane length."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value)[:USERNAME_MAX]
