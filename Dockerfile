# syntax=docker/dockerfile:1
# The guide's site, built with its checks and served by nginx as a non-root user.
#
#   docker build -t docker-guide .
#   docker run --rm -p 8080:8080 docker-guide       # then open http://localhost:8080/
#
# The project is the first member of its own fleet: the test suite checks this file with
# the project's own checks (tests/fleet/test_project.py).

ARG PYTHON_VERSION=3.13
ARG NGINX_VERSION=1.28

# --- builder: install the checks and build the site ------------------------------------
FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src

# Dependencies from the manifest alone, so an edit of the guide or a check reuses this layer.
COPY pyproject.toml README.md ./
# The core's dependencies and the site's (the `[site]` extra: MkDocs, Material, pymdown).
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['site']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt

# The engine and the checks, then the site: `--strict` fails the build (and so the image)
# when a claim of the guide does not hold in the example target.
COPY plugins/ plugins/
COPY checks/ checks/
RUN pip install --no-cache-dir --no-deps .
COPY mkdocs.yml ./
COPY docs/ docs/
COPY examples/autoforgenexus/ examples/autoforgenexus/
# The check catalog's sample targets live under tests/, which the guide keeps out of the
# build context (.dockerignore): the image's catalog documents every check without them.
RUN mkdocs build --strict --site-dir /site

# --- runtime: the static site, served by nginx as uid 1000 ------------------------------
FROM nginx:${NGINX_VERSION}-alpine AS runtime
RUN addgroup -S -g 1000 site \
    && adduser -S -D -H -u 1000 -G site -s /sbin/nologin site
COPY deploy/nginx.conf /etc/nginx/nginx.conf
COPY --from=builder /site /usr/share/nginx/html
USER site:site
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
# nginx finishes the requests in flight on SIGQUIT (SIGTERM drops them).
STOPSIGNAL SIGQUIT
ENTRYPOINT ["nginx", "-g", "daemon off;"]
