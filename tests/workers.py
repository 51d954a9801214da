"""Celery outside the test process: a real worker process on a queue of its
own, and the app pointed elsewhere for one test.

`bench/bundle_bench.py` starts its workers with `start_worker` too, so the
benchmark measures the worker the tests exercise; nothing here imports pytest at the top.
"""

import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from ideology_review.celery import app as celery_app


def database_url(settings_dict):
    """The DATABASE_URL of a live connection: a worker started from a test or a
    benchmark must use the same database (e.g. the test one)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    return (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@"
        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
        f"{settings_dict['NAME']}"
    )


def require_broker():
    """The configured broker; without one a real-worker test is reported as not
    run locally and fails in CI."""
    import pytest

    if settings.CELERY_BROKER_URL:
        return settings.CELERY_BROKER_URL
    if os.environ.get("CI") == "true":
        pytest.fail("CI 必须配置 CELERY_BROKER_URL（Redis）以运行真实的 Celery worker 测试。")
    pytest.skip("未配置 CELERY_BROKER_URL：真实 worker 测试未运行（make test 时设置 Redis 即可）。")


def start_worker(
    queue, *, name="celery", media_root=None, env=None, log=None, loglevel="INFO", pool="solo"
):
    """A `celery worker` process (solo pool, or `pool`) consuming only `queue`, on this
    process's database and broker, storing files under `media_root` (default:
    MEDIA_ROOT). `env` adds variables (e.g. CELERY_VISIBILITY_TIMEOUT); output
    goes to the file at `log`, or nowhere. Stop it with `stop_worker`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(media_root or settings.MEDIA_ROOT),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ideology_review",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        f"--loglevel={loglevel}",
        f"--queues={queue}",
        f"--hostname={name}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    if log is None:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    # The child holds its own copy of the descriptor: ours can be closed at once.
    with open(log, "w") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def start_beat(queue, *, schedule_file, env=None, log=None):
    """A `celery beat` process sending the schedule in settings (CELERY_BEAT_SCHEDULE)
    to `queue`, on this process's database and broker; `env` e.g. sets
    REMINDER_INTERVAL_SECONDS. Stop it with `stop_worker`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ideology_review",
        "beat",
        "--loglevel=INFO",
        f"--schedule={schedule_file}",
    ]
    output = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    try:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    finally:
        if log:
            output.close()


def stop_worker(process, *, timeout=20):
    """Stop a worker (killed if it does not stop within `timeout` seconds) and
    return its peak resident memory in KiB (VmHWM; 0 if it had already ended)."""
    peak = 0
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return peak


def _fresh_pools():
    """Forget Celery's connection and producer pools: they are rebuilt lazily
    from the configuration in force (closing them could break other holders)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_conf(**changes):
    """Point the Celery app elsewhere for one test (or one benchmark run)."""
    saved = {key: getattr(celery_app.conf, key) for key in changes}
    _fresh_pools()
    for key, value in changes.items():
        setattr(celery_app.conf, key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(celery_app.conf, key, value)
        _fresh_pools()
