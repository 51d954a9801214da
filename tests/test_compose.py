"""compose.yaml, the Dockerfile and deploy/nginx.conf agree with each other and
with the code: the services of the production shape, only variables settings.py
reads, nginx in front of a scalable web service, real modules in the commands.
Where the `docker compose` CLI exists, `docker compose config` must resolve it
too (no daemon needed); elsewhere the parse checks alone run."""

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import jsonschema
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
SETTINGS = (ROOT / "ideology_review" / "settings.py").read_text()
# env("NAME", …), env.bool("NAME", …), env.db("NAME", …) …
READ_BY_SETTINGS = set(re.findall(r'\benv(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS))
APP_SERVICES = ["migrate", "web", "worker", "beat"]
DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


def default_of(value):
    """A compose value with its ${NAME:-default}s replaced by the defaults."""
    return DEFAULT.sub(lambda m: m.group(2), str(value))


def option(command, name):
    return next(default_of(part).split("=", 1)[1] for part in command if part.startswith(name))


def test_the_services_are_the_production_shape():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "nginx"}
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"].startswith("redis:7")
    web, worker, beat = SERVICES["web"]["command"], SERVICES["worker"]["command"], SERVICES["beat"]
    assert web[:2] == ["gunicorn", "ideology_review.wsgi"]
    assert int(option(web, "--workers")) >= 2
    assert worker[:3] == ["celery", "--app=ideology_review", "worker"]
    assert beat["command"][:3] == ["celery", "--app=ideology_review", "beat"]
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert SERVICES[name]["depends_on"]["db"] == {"condition": "service_healthy"}
    # One image for the app services, the nginx image from the same Dockerfile.
    assert {SERVICES[name]["build"]["target"] for name in APP_SERVICES} == {"app"}
    assert SERVICES["nginx"]["build"]["target"] == "nginx"
    assert re.search(r"^FROM \S+ AS app$", DOCKERFILE, re.M)
    assert re.search(r"^FROM \S+ AS nginx$", DOCKERFILE, re.M)


def test_web_can_be_scaled():
    """`--scale web=3` needs no fixed name nor a published port on web; nginx
    alone is published and finds the nodes by the service name."""
    for name in ("web", "worker"):
        assert "container_name" not in SERVICES[name]
        assert "ports" not in SERVICES[name]
    assert SERVICES["web"]["expose"] == ["8000"]
    assert option(SERVICES["web"]["command"], "--bind") == "0.0.0.0:8000"
    assert [default_of(p) for p in SERVICES["nginx"]["ports"]] == ["80:80", "443:443"]
    assert "web" in SERVICES["nginx"]["depends_on"]


def test_every_variable_given_to_the_app_is_one_settings_reads():
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        unknown = set(environment) - READ_BY_SETTINGS
        assert not unknown, f"{name}: settings.py reads no {sorted(unknown)}"
    environment = SERVICES["web"]["environment"]
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"} <= set(environment)
    assert environment["DEBUG"] == "false"
    # No secret is baked in: compose refuses to start without SECRET_KEY.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # db's are the postgres image's, nginx's the certificate script's.
    assert all(key.startswith("POSTGRES_") for key in SERVICES["db"]["environment"])
    certificate = (ROOT / "deploy" / "nginx-certificate.sh").read_text()
    assert all(f"${{{key}" in certificate for key in SERVICES["nginx"]["environment"])


def test_the_urls_point_at_the_compose_services():
    environment = SERVICES["web"]["environment"]
    assert re.fullmatch(r"postgres://ideology:.+@db:5432/ideology", environment["DATABASE_URL"])
    # The cache in a Redis database of its own: flushing it keeps the queue.
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert environment["CACHE_URL"] == "redis://redis:6379/1"
    assert environment["MEDIA_ROOT"] == "/srv/ideology/media"
    assert f"media:{environment['MEDIA_ROOT']}" in SERVICES["worker"]["volumes"]
    assert f"media:{environment['MEDIA_ROOT']}" in SERVICES["web"]["volumes"]
    # nginx is the one proxy in front, and it terminates TLS.
    assert default_of(environment["PROXY_COUNT"]) == "1"
    assert environment["BEHIND_TLS_PROXY"] == "true"


def test_nginx_proxies_to_the_web_service_and_serves_the_static_files():
    upstream = re.search(r"upstream (\w+) \{([^}]*)\}", NGINX)
    name, body = upstream.groups()
    # `resolve` re-reads web's addresses, so the nodes of `--scale web=N` are found.
    assert re.search(r"^\s*server web:8000 resolve;", body, re.M)
    assert re.search(r"^\s*zone \w+ \w+;", body, re.M)
    assert re.search(r"^resolver 127\.0\.0\.11\b", NGINX, re.M)  # Docker's DNS
    assert NGINX.count(f"proxy_pass http://{name};") == 2  # /healthz/ on :80, all on :443
    static = re.search(r"location /static/ \{([^}]*)\}", NGINX).group(1)
    assert re.search(r"^\s*alias /srv/static/;", static, re.M)
    # …where the nginx image has collectstatic's output (STATIC_ROOT in the app image).
    assert "COPY --from=app /app/staticfiles /srv/static" in DOCKERFILE
    assert 'STATIC_ROOT = BASE_DIR / "staticfiles"' in SETTINGS
    assert "COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf" in DOCKERFILE
    assert re.search(r"proxy_set_header X-Forwarded-Proto https;", NGINX)
    assert re.search(r"proxy_set_header Host \$http_host;", NGINX)


def test_collected_static_files_are_readable_by_nginx(settings, tmp_path):
    """nginx runs as a user of its own: collectstatic must not give the files
    FILE_UPLOAD_PERMISSIONS (0640, for uploads) but make them readable by all."""
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640
    config = settings.STORAGES["staticfiles"]
    storage = import_string(config["BACKEND"])(location=tmp_path, **config["OPTIONS"])
    name = storage.save("css/app.css", ContentFile(b"body {}"))
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "css").stat().st_mode) == 0o755


def test_the_dockerfile_collects_static_and_names_real_modules():
    assert re.search(r"^WORKDIR /app$", DOCKERFILE, re.M)
    assert "python manage.py collectstatic --noinput" in DOCKERFILE
    assert "STATICFILES_MANIFEST=true" in DOCKERFILE
    cmd = json.loads(
        re.search(r"^CMD (\[.*?\])$", DOCKERFILE, re.M | re.S).group(1).replace("\\\n", "")
    )
    assert cmd[:2] == ["gunicorn", "ideology_review.wsgi"]
    from ideology_review.wsgi import application

    assert callable(application)
    # What `celery --app=ideology_review` finds (the app the workers and beat run).
    app = find_app("ideology_review")
    assert isinstance(app, Celery)
    assert "reports.send_reminders" in app.tasks
    assert (ROOT / "manage.py").is_file()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".secret_key", ".git", ".venv", "db.sqlite3*", "media/"} <= set(ignored)


def test_compose_yaml_is_valid_by_the_compose_specification():
    """The Compose Specification's JSON schema, as `docker compose` itself checks a
    file (compose-spec/compose-go, schema/compose-spec.json at e70e961, Apache-2.0):
    a misspelt key or a wrong shape fails here even where Docker is absent."""
    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [error.message for error in validator.iter_errors(COMPOSE)] == []
    misspelt = {**COMPOSE, "services": {**SERVICES, "web": {**SERVICES["web"], "comand": []}}}
    assert not validator.is_valid(misspelt)


def compose_cli():
    """`docker compose` where the CLI and its compose plugin exist, else None."""
    docker = shutil.which("docker")
    if not docker:
        return None
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
    return [docker, "compose"] if probe.returncode == 0 else None


def test_compose_config_resolves_the_services(tmp_path):
    """The file is valid YAML with the services above; where `docker compose`
    exists it also resolves the file (defaults, merges, the required SECRET_KEY)."""
    assert COMPOSE["name"] == "ideology-review"
    assert set(COMPOSE["volumes"]) == {"pgdata", "media", "certs"}
    cli = compose_cli()
    if cli is None:
        return  # no compose plugin here: the parse checks above and in this file stand
    # An empty env file instead of the checkout's .env, which may hold a SECRET_KEY.
    (tmp_path / "empty.env").write_text("")
    command = [
        *cli,
        *("--project-directory", str(ROOT), "--env-file", str(tmp_path / "empty.env")),
        *("-f", "compose.yaml", "config"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "SECRET_KEY"))}
    missing = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert missing.returncode != 0
    assert "SECRET_KEY 未设置" in missing.stderr
    env["SECRET_KEY"] = "compose-config-check-" + "x" * 40
    result = subprocess.run(
        [*command, "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert set(resolved["services"]) == set(SERVICES)
    web = resolved["services"]["web"]
    assert web["environment"]["SECRET_KEY"] == env["SECRET_KEY"]
    assert web["environment"]["CACHE_URL"] == "redis://redis:6379/1"
    assert web["command"][:2] == ["gunicorn", "ideology_review.wsgi"]
