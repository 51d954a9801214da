"""Small helpers for reading requests."""


def parse_int(value, *, low=None, high=None):
    """An integer from a query parameter, or None ("²".isdigit() is True, int("²") fails)."""
    try:
        number = int(value) if value and value.isascii() else None
    except (TypeError, ValueError):
        return None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        return None
    return number
