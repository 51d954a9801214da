"""manage.py in a child process under production settings (DEBUG off, a real
SECRET_KEY, a throw-away SQLite file), for the settings and start-up checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "SECRET_KEY", "STATICFILES", "DJANGO_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="k" + "9f3Lq-Z2x!pR7wV0sT4uY8aB1cD5eF6gH3jK7mN2oP4qR8sT0uV",
        ALLOWED_HOSTS="yp.example.gov.cn",
        DATABASE_URL=f"sqlite:///{ROOT / '.deploy-check.sqlite3'}",
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
