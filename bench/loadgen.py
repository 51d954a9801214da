"""The load generator of make bench-web: threads and http.client, nothing else.

Three ways to drive a page (each returns a Summary):

- `sequential`: one client, one request after another, no think time: the
  page's service time (plus one loopback round trip).
- `closed_loop`: N clients, each sending its next request as soon as the last
  one answered, for a fixed time: the capacity at N in flight.
- `open_loop`: requests sent on a fixed schedule (request i at i / rate
  seconds) whatever the answers: a request's latency counts from the moment it
  was due, so time spent waiting for a free sender or in the server's queue is
  in it (no "coordinated omission").

A `Client` is one signed-in user: its cookies, logged in through the login
form as a browser would. gunicorn's sync workers close the connection after
each response, so every request opens a new one (on the loopback: ~0.1 ms).
"""

import http.client
import math
import queue
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

TIMEOUT = 60.0


def percentile(values, q):
    """The q-th percentile (0–100) with linear interpolation between the two
    nearest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Summary:
    """What one measurement of one page (or of the mix) gave; times in ms."""

    requests: int
    errors: int
    seconds: float
    p50: float | None
    p95: float | None
    rps: float
    extra: dict = field(default_factory=dict)


def summarise(latencies_ms, errors, seconds, **extra):
    """Latencies of the answered requests (errors excluded), over `seconds`."""
    return Summary(
        requests=len(latencies_ms) + errors,
        errors=errors,
        seconds=seconds,
        p50=percentile(latencies_ms, 50),
        p95=percentile(latencies_ms, 95),
        rps=len(latencies_ms) / seconds if seconds > 0 else 0.0,
        extra=extra,
    )


class HTTPError(Exception):
    pass


class Client:
    """One user's browser: cookies kept across requests (a lock guards them,
    the open loop sends a user's requests from several threads)."""

    def __init__(self, host, port, timeout=TIMEOUT):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies = {}
        self._lock = threading.Lock()

    def request(self, method, path, form=None):
        """(status, body) of one request on a new connection."""
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "bench-web"}
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, quote(path, safe="/?&=%:+"), body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            self._keep(response.msg.get_all("Set-Cookie") or [])
            return response.status, content
        finally:
            connection.close()

    def _keep(self, set_cookies):
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                with self._lock:
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form=None):
        return self.request("POST", path, form or {})

    def login(self, username, password):
        """Through the login form, as a browser: the form's CSRF cookie, then the POST."""
        self.get("/accounts/login/")
        status, _ = self.post("/accounts/login/", {"username": username, "password": password})
        if status != 302 or "sessionid" not in self.cookies:
            raise HTTPError(f"login of {username} failed (HTTP {status})")
        return self


@dataclass
class Page:
    """One page to measure: `send(client)` → HTTP status, `ok` the statuses it may answer."""

    name: str
    method: str
    path: object  # a path, or a function of the client giving one
    ok: tuple = (200,)

    def path_for(self, client):
        return self.path(client) if callable(self.path) else self.path

    def send(self, client):
        path = self.path_for(client)
        if self.method == "POST":
            return client.post(path)[0]
        return client.get(path)[0]


def timed(page, client):
    """(latency ms, ok) of one request; a refused connection or a timeout is an error."""
    started = time.perf_counter()
    try:
        ok = page.send(client) in page.ok
    except (OSError, http.client.HTTPException):
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def sequential(page, client, requests, warmup=0):
    for _ in range(warmup):
        timed(page, client)
    latencies, errors = [], 0
    started = time.perf_counter()
    for _ in range(requests):
        ms, ok = timed(page, client)
        if ok:
            latencies.append(ms)
        else:
            errors += 1
    return summarise(latencies, errors, time.perf_counter() - started)


def closed_loop(pick, clients, seconds):
    """`clients` loops at once; loop n sends `pick(n, i)` → (page, client) as soon as
    its last request answered, until `seconds` have passed (requests then in flight
    finish and count)."""
    results = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def run(n):
        barrier.wait()
        i = 0
        while time.perf_counter() < deadline[0]:
            page, client = pick(n, i)
            results[n].append((page.name, *timed(page, client)))
            i += 1

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rows = [r for per_client in results for r in per_client]
    return summarise(
        [ms for _, ms, ok in rows if ok],
        sum(1 for *_, ok in rows if not ok),
        elapsed,
        by_page=_by_page(rows, elapsed),
    )


def _by_page(rows, seconds):
    names = sorted({name for name, *_ in rows})
    return {
        name: summarise(
            [ms for n, ms, ok in rows if n == name and ok],
            sum(1 for n, _, ok in rows if n == name and not ok),
            seconds,
        )
        for name in names
    }


def open_loop(
    send, rate, seconds, senders=256, drain=30.0, name=lambda i: "", clock=time.perf_counter
):
    """Request i is due at i / rate seconds from the start; the scheduler hands it
    to a pool of `senders` threads at that moment, whether or not the earlier
    ones have answered (only with every sender waiting does one leave late: the
    lag says how late). `send(i)` → (name, ok). Latency runs from due to
    answered; a request not started within `drain` seconds of the schedule's
    end is an error (dropped), as is one that fails; `name(i)` names those."""
    total = int(rate * seconds)
    due = queue.Queue()
    rows = []  # (name, due, started, finished, ok)
    lock = threading.Lock()
    started_at = clock()
    give_up = started_at + seconds + drain

    def sender():
        while True:
            item = due.get()
            if item is None:
                return
            i, at = item
            begun = clock()
            if begun > give_up:
                record = (name(i), at, begun, begun, False)
            else:
                try:
                    page, ok = send(i)
                except (OSError, http.client.HTTPException):
                    page, ok = name(i), False
                record = (page, at, begun, clock(), ok)
            with lock:
                rows.append(record)

    pool = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in pool:
        thread.start()
    for i in range(total):
        at = started_at + i / rate
        pause = at - clock()
        if pause > 0:
            time.sleep(pause)
        due.put((i, at))
    for _ in pool:
        due.put(None)
    for thread in pool:
        thread.join(timeout=max(give_up - clock(), 0) + TIMEOUT)
    elapsed = max((r[3] for r in rows), default=clock()) - started_at
    with lock:
        done = list(rows)
    done += [("", 0.0, 0.0, 0.0, False)] * (total - len(done))  # still hanging: errors
    latencies = [(f - d) * 1000 for _, d, _, f, ok in done if ok]
    lags = [(s - d) * 1000 for _, d, s, _, ok in done if d]
    by_page = {}
    for name in sorted({r[0] for r in done if r[0]}):
        mine = [r for r in done if r[0] == name]
        by_page[name] = summarise(
            [(f - d) * 1000 for _, d, _, f, ok in mine if ok],
            sum(1 for r in mine if not r[4]),
            elapsed,
        )
    return summarise(
        latencies,
        total - len(latencies),
        elapsed,
        rate=rate,
        lag_p95=percentile(lags, 95),
        lag_max=max(lags, default=None),
        by_page=by_page,
    )
