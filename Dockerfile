# One image for web (gunicorn), worker and beat (celery), and an nginx image
# that serves the same collected static files. compose.yaml builds both
# (targets `app` and `nginx`); a plain `docker build .` gives the app image.
#   docker compose up -d --build
# Debian bookworm with Python 3.11, the platform the README names.

FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The fonts a DOCX names are the reader's business (Word/WPS); the image only
# writes DOCX, so it needs no fonts and no LibreOffice.
RUN groupadd --system app && useradd --system --gid app --home-dir /app app

WORKDIR /app
# The dependencies first, from pyproject.toml alone: a change of code then
# rebuilds only the layers below.
COPY pyproject.toml /app/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . /app
RUN pip install --no-deps -e . \
    # Hashed, compressed static files for nginx and WhiteNoise; the manifest
    # (staticfiles.json) is what the web process looks names up in.
    && DEBUG=false SECRET_KEY=collectstatic-only STATICFILES_MANIFEST=true \
       python manage.py collectstatic --noinput -v0 \
    # MEDIA_ROOT's volume takes this directory's owner when it is first created.
    && mkdir -p /srv/ideology/media \
    && chown -R app:app /srv/ideology

USER app
ENV MEDIA_ROOT=/srv/ideology/media
EXPOSE 8000

# compose.yaml runs the worker and beat from this image with their own command:
#   celery -A ideology_review worker …   /   celery -A ideology_review beat …
CMD ["gunicorn", "ideology_review.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-"]


FROM nginx:1.28-alpine AS nginx

# openssl makes a self-signed certificate at the first start when none is
# mounted (deploy/nginx-certificate.sh), so that `docker compose up` serves HTTPS.
RUN apk add --no-cache openssl
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY deploy/nginx-certificate.sh /docker-entrypoint.d/40-ideology-certificate.sh
COPY --from=app /app/staticfiles /srv/static


# The default target (the last stage): the application image.
FROM app
