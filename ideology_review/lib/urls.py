"""reverse() for the routes that take one integer primary key, at a page of rows' pace."""

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# A pk no row has, reversed in its place: the digits are then replaced by the row's.
_STAND_IN = 908172635
_routes = {}


def pk_url(name, pk, *rest):
    """reverse(name, args=[pk, *rest]) for a route whose first argument is an
    <int:…> (`rest`: the same few values on every row, "up" and "down"). reverse()
    costs ~75 µs (the resolver, and five reads of request-local state), and a
    page of rows links each row, some rows three or four times: here the route
    is reversed once (for each URLconf and script prefix: a new resolver after
    clear_url_caches() is a new key) and the pk written into it. The project's
    routes do not depend on the language (no i18n_patterns)."""
    if type(pk) is not int:  # None, a string: reverse() says what is wrong with it
        return reverse(name, args=[pk, *rest])
    urlconf = get_urlconf()
    key = (name, rest, get_resolver(urlconf), get_script_prefix())
    route = _routes.get(key)
    if route is None:
        head, stand_in, tail = reverse(name, args=[_STAND_IN, *rest], urlconf=urlconf).partition(
            str(_STAND_IN)
        )
        assert stand_in, name
        route = _routes[key] = (head, tail)
    return f"{route[0]}{pk}{route[1]}"
