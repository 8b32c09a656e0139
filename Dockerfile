# syntax=docker/dockerfile:1
# The verification service's image: multi-stage, the locked versions only (requirements-web.lock, with hashes),
# a non-root user, and nothing written outside /tmp and the data volume, so it runs with a read-only root file
# system (deploy/compose.yaml: read_only: true, tmpfs /tmp). Not built on the project's CI machines, which have no
# Docker daemon: docs/DEPLOY.md says what of it is tested (the same settings and proxy files, in tests/cluster).

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements-web.lock ./
RUN python -m venv /opt/verify \
 && /opt/verify/bin/pip install --require-hashes -r requirements-web.lock
COPY pyproject.toml README.md ./
COPY verify ./verify
COPY web ./web
RUN /opt/verify/bin/pip install --no-deps .

FROM python:3.11-slim-bookworm
# libzbar0: a pass of the photo decoder; fonts-dejavu-core: Kazakh Cyrillic in PDF captions.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libzbar0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin verify \
 && install -d -o 10001 -g 10001 /var/lib/verify
COPY --from=build /opt/verify /opt/verify
ENV PATH=/opt/verify/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    VERIFY_HOST=0.0.0.0 \
    VERIFY_PORT=8000 \
    VERIFY_DATA_DIR=/var/lib/verify \
    VERIFY_KEYS_DIR=/run/secrets/verify-keys
USER 10001:10001
WORKDIR /var/lib/verify
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3).status != 200)"]
CMD ["verify", "serve"]
