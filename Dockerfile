# crisisline: the web and scheduler image (docker-compose.yml runs both).
FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.9.30
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# Build-time only secrets: collectstatic needs production settings to load;
# these values are thrown away with this stage.
RUN rm -rf .venv/.synced var .env \
 && export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    KEYRING_MASTER_KEY="$(.venv/bin/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
    ALLOWED_HOSTS=build.invalid STATIC_ROOT=/app/staticfiles VAR_DIR=/tmp/build-var \
    KEYRING_DIR=/tmp/build-var/keyring \
 && .venv/bin/python manage.py compilecatalogs \
 && .venv/bin/python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin crisisline \
 && mkdir -p /keyring /app/var \
 && chown 10001:10001 /keyring /app/var \
 && chmod 700 /keyring
COPY --from=build --chown=root:root /app /app
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STATIC_ROOT=/app/staticfiles \
    KEYRING_DIR=/keyring \
    VAR_DIR=/app/var
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "crisisline.wsgi"]
