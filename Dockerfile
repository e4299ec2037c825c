# One image for every Golden Hours process: compose.yaml runs it as the web, each Celery worker and the engine,
# with the commands of config/processes.py (docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint (post-mortem PDFs) needs Pango and HarfBuzz; fonts-noto-cjk draws the Chinese in them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Hashed, compressed static files for WhiteNoise, built once into the image. Production settings refuse to load
# without their secrets; these placeholders exist only for this step and are not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost GOLDEN_HOURS_BASE_URL=http://localhost \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --home-dir /app golden-hours && mkdir -p var/reports && chown -R golden-hours var
USER golden-hours
EXPOSE 8000
# The web process (config/processes.py, bound to every interface of the container); compose.yaml names the rest.
CMD ["python", "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
