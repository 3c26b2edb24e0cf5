"""Generated inputs: realistic Dockerfiles with their build contexts, and a MkDocs site that
binds them to the Dockerfile checks.

Every tree is drawn from its own `random.Random(SEED)`, so one size always yields the same
bytes and a 2x tree starts with the 1x tree's first services. A service is one folder
`services/<lang>-<n>/` holding a Dockerfile, the manifests and sources its COPY lines name,
usually a `.dockerignore` (sometimes `Dockerfile.dockerignore`), sometimes an entrypoint
script, tests or a stray `.env`. The Dockerfiles vary the way real ones do: Python, Node or
Go; single or multi-stage; ARG-expanded FROM; USER by name, by number, by ARG, root or
absent; RUN and COPY heredocs; HEALTHCHECK absent, NONE, shell or exec form with options;
apt/apk installs with and without the cleanups; long RUN and ENV lines with continuations.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SEED = 20261128
DOCKERFILE_CHECKS = (
    "dockerfile.cache_cleanup",
    "dockerfile.env_without_secrets",
    "dockerfile.graceful_shutdown",
    "dockerfile.healthcheck",
    "dockerfile.healthcheck_options",
    "dockerfile.layer_cache_order",
    "dockerfile.multi_stage",
    "dockerfile.no_install_recommends",
    "dockerfile.non_root_user",
    "dockerfile.official_base_image",
    "dockerfile.slim_base",
)
BOUND_CHECKS = (*DOCKERFILE_CHECKS, "dockerignore.excludes")
LANGUAGES = ("python", "node", "go")
PORTS = {"python": 8000, "node": 3000, "go": 8080}


@dataclass(frozen=True, slots=True)
class Size:
    """How big a generated site is."""

    pages: int
    bindings: int
    dockerfiles: int

    def times(self, factor: int) -> Size:
        return Size(self.pages * factor, self.bindings * factor, self.dockerfiles * factor)

    def label(self) -> str:
        return f"{self.pages} pages / {self.bindings} bindings / {self.dockerfiles} Dockerfiles"


@dataclass(frozen=True, slots=True)
class Site:
    """A generated site on disk: its mkdocs.yml, docs folder and target repository."""

    config: Path
    config_without: Path  # the same site with the checklists plugin removed
    docs: Path
    target: Path
    dockerfiles: tuple[str, ...]  # target paths
    bindings: int


@dataclass(frozen=True, slots=True)
class Choices:
    """What one Dockerfile looks like, drawn once per service."""

    lang: str
    version: str
    variant: str  # slim, alpine or full
    multi_stage: bool
    arg_from: bool
    user: str  # none, named, numeric, arg, root
    heredoc: str  # none, run, copy, script
    healthcheck: str  # none, disabled, shell, options, exec
    clean_installs: bool
    manifests_first: bool
    start: str  # exec, shell, tini, script
    secret_env: bool


# -- Dockerfiles --------------------------------------------------------------------------


def draw(rng: random.Random) -> Choices:
    lang = rng.choice(LANGUAGES)
    versions = {"python": ("3.10", "3.11", "3.12", "3.13"), "node": ("18", "20", "22")}
    return Choices(
        lang=lang,
        version=rng.choice(versions.get(lang, ("1.21", "1.22", "1.23"))),
        variant=rng.choice(("slim", "slim", "alpine", "full")),
        multi_stage=rng.random() < (0.85 if lang == "go" else 0.5),
        arg_from=rng.random() < 0.4,
        user=rng.choice(("none", "named", "named", "numeric", "arg", "root")),
        heredoc=rng.choice(("none", "none", "run", "copy", "script")),
        healthcheck=rng.choice(("none", "disabled", "shell", "options", "options", "exec")),
        clean_installs=rng.random() < 0.6,
        manifests_first=rng.random() < 0.7,
        start=rng.choice(("exec", "exec", "shell", "tini", "script")),
        secret_env=rng.random() < 0.08,
    )


def _base(c: Choices, image: str, arg: str) -> str:
    variant = c.variant
    if variant == "full" or (image == "golang" and variant == "slim"):
        variant = "bookworm"  # golang has no -slim images
    tag = f"{c.version}-{variant}"
    if c.arg_from:
        suffix = tag.removeprefix(c.version)
        return f"{image}:${{{arg}}}{suffix}"
    return f"{image}:{tag}"


def _install(c: Choices, packages: str) -> list[str]:
    if c.variant == "alpine":
        flag = "--no-cache " if c.clean_installs else ""
        return [f"RUN apk add {flag}{packages}"]
    recommends = "--no-install-recommends " if c.clean_installs else ""
    lines = [
        "RUN apt-get update \\",
        f"    && apt-get install -y {recommends}{packages}" + (" \\" if c.clean_installs else ""),
    ]
    if c.clean_installs:
        lines.append("    && rm -rf /var/lib/apt/lists/*")
    return lines


def _user(c: Choices) -> list[str]:
    if c.user == "none":
        return []
    if c.user == "root":
        return ["USER root"]
    if c.user == "numeric":
        return ["USER 10001:10001"]
    if c.user == "arg":
        return ["ARG APP_UID=10001", "USER ${APP_UID}"]
    if c.lang == "node":
        return ["USER node"]
    if c.variant == "alpine":
        create = "addgroup -S -g 1000 app && adduser -S -u 1000 -G app app"
    else:
        create = (
            "groupadd --system --gid 1000 app \\\n    && useradd --system --uid 1000 --gid app app"
        )
    return [f"RUN {create}", "USER app"]


def _heredoc(c: Choices) -> list[str]:
    port = PORTS[c.lang]
    if c.heredoc == "run":
        return [
            "RUN <<EOF",
            "set -eux",
            "mkdir -p /app/data /app/tmp",
            "chmod 0755 /app/data",
            "EOF",
        ]
    if c.heredoc == "copy":
        return ["COPY <<EOF /etc/app/config.toml", "[server]", f"port = {port}", "EOF"]
    if c.heredoc == "script":
        return [
            "RUN <<-'SH' sh",
            "\techo 'build info' > /app/BUILD",
            "\tdate -u >> /app/BUILD",
            "SH",
        ]
    return []


def _healthcheck(c: Choices) -> list[str]:
    port = PORTS[c.lang]
    url = f"http://localhost:{port}/health"
    if c.healthcheck == "disabled":
        return ["HEALTHCHECK NONE"]
    if c.healthcheck == "shell":
        return [f"HEALTHCHECK CMD curl -fsS {url} || exit 1"]
    if c.healthcheck == "options":
        return [
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\",
            f"    CMD wget -qO- {url} || exit 1",
        ]
    if c.healthcheck == "exec":
        probe = {
            "python": '"python", "-c", "import urllib.request as u; u.urlopen(\'' + url + "')\"",
            "node": f'"node", "healthcheck.js", "{url}"',
            "go": '"/app/server", "-healthcheck"',
        }[c.lang]
        return [f"HEALTHCHECK --interval=15s --timeout=3s CMD [{probe}]"]
    return []


def _start(c: Choices, program: list[str]) -> list[str]:
    exec_form = ", ".join(f'"{word}"' for word in program)
    if c.start == "shell":
        return [f"CMD {' '.join(program)}"]
    if c.start == "tini":
        return ['ENTRYPOINT ["/usr/bin/tini", "--"]', f"CMD [{exec_form}]"]
    if c.start == "script":
        return [
            "COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh",
            'ENTRYPOINT ["docker-entrypoint.sh"]',
            f"CMD [{exec_form}]",
        ]
    return [f"CMD [{exec_form}]"]


def _secret(c: Choices) -> list[str]:
    return ["ENV SECRET_KEY=dev-secret-change-me"] if c.secret_env else []


def _python(c: Choices) -> list[str]:
    base = _base(c, "python", "PYTHON_VERSION")
    head = [f"ARG PYTHON_VERSION={c.version}"] if c.arg_from else []
    deps = ["COPY requirements.txt ./", "RUN pip install --no-cache-dir -r requirements.txt"]
    source = ["COPY app/ ./app/"] if c.manifests_first else ["COPY . ."]
    env = ["ENV PYTHONDONTWRITEBYTECODE=1 \\", "    PYTHONUNBUFFERED=1 \\", "    PORT=8000"]
    lines = head
    if c.multi_stage:
        lines += [
            f"FROM {base} AS builder",
            "WORKDIR /build",
            *_install(c, "build-essential gcc" if c.variant != "alpine" else "build-base"),
            "COPY requirements.txt ./",
            "RUN pip install --no-cache-dir --prefix=/install -r requirements.txt",
            "",
            f"FROM {base}",
            *env,
            "WORKDIR /app",
            "COPY --from=builder /install /usr/local",
            *source,
        ]
    else:
        order = [*deps, *source] if c.manifests_first else [*source, *deps]
        lines += [f"FROM {base}", *env, "WORKDIR /app", *_install(c, "curl tini"), *order]
    every_address = "0.0.0.0"  # noqa: S104 - text of a generated Dockerfile, nothing binds
    program = ["uvicorn", "app.main:app", "--host", every_address, "--port", "8000"]
    return lines + _tail(c, program)


def _node(c: Choices) -> list[str]:
    base = _base(c, "node", "NODE_VERSION")
    head = [f"ARG NODE_VERSION={c.version}"] if c.arg_from else []
    deps = [
        "COPY package.json package-lock.json ./",
        "RUN npm ci --omit=dev && npm cache clean --force",
    ]
    source = ["COPY src/ ./src/"] if c.manifests_first else ["COPY . ."]
    lines = head
    if c.multi_stage:
        lines += [
            f"FROM {base} AS deps",
            "WORKDIR /app",
            *deps,
            "",
            f"FROM {base} AS build",
            "WORKDIR /app",
            "COPY --from=deps /app/node_modules ./node_modules",
            *source,
            "RUN npm run build",
            "",
            f"FROM {base}",
            "ENV NODE_ENV=production",
            "WORKDIR /app",
            "COPY --from=deps /app/node_modules ./node_modules",
            "COPY --from=build /app/dist ./dist",
        ]
    else:
        order = [*deps, *source] if c.manifests_first else [*source, *deps]
        lines += [f"FROM {base}", "ENV NODE_ENV=production", "WORKDIR /app", *order]
    return lines + _tail(c, ["node", "dist/server.js"])


def _go(c: Choices) -> list[str]:
    builder = _base(c, "golang", "GO_VERSION")
    head = [f"ARG GO_VERSION={c.version}"] if c.arg_from else []
    build = [
        "COPY go.mod go.sum ./",
        "RUN go mod download",
        "COPY . .",
        "RUN CGO_ENABLED=0 GOOS=linux \\",
        "    go build -trimpath -ldflags='-s -w' -o /out/server ./cmd/server",
    ]
    if not c.manifests_first:
        build = ["COPY . .", "RUN go mod download", *build[3:]]
    final = {"slim": "gcr.io/distroless/static-debian12:nonroot", "alpine": "alpine:3.20"}
    lines = head
    if c.multi_stage:
        lines += [
            f"FROM {builder} AS builder",
            "WORKDIR /src",
            *build,
            "",
            f"FROM {final.get(c.variant, 'scratch')}",
            "COPY --from=builder /out/server /app/server",
        ]
    else:
        lines += [f"FROM {builder}", "WORKDIR /src", *build, "RUN cp /out/server /app/server"]
    return lines + _tail(c, ["/app/server"])


def _tail(c: Choices, program: list[str]) -> list[str]:
    return [
        *_heredoc(c),
        *_secret(c),
        *_user(c),
        f"EXPOSE {PORTS[c.lang]}",
        *_healthcheck(c),
        *_start(c, program),
    ]


BUILDERS: dict[str, Callable[[Choices], list[str]]] = {"python": _python, "node": _node, "go": _go}


def dockerfile(c: Choices, name: str) -> str:
    header = ["# syntax=docker/dockerfile:1.7", f"# {name}: generated for the checklists benchmark"]
    return "\n".join([*header, *BUILDERS[c.lang](c)]) + "\n"


# -- build contexts -----------------------------------------------------------------------

SOURCES = {
    "python": {
        "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]==0.30.6\npydantic==2.9.2\n",
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/health")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n',
    },
    "node": {
        "package.json": '{"name": "svc", "version": "1.0.0", "scripts": {"build": "tsc"}}\n',
        "package-lock.json": '{"name": "svc", "lockfileVersion": 3, "packages": {}}\n',
        "src/server.ts": "import http from 'node:http';\nhttp.createServer().listen(3000);\n",
        "healthcheck.js": "fetch(process.argv[2]).then((r) => process.exit(r.ok ? 0 : 1));\n",
    },
    "go": {
        "go.mod": "module example.com/svc\n\ngo 1.22\n",
        "go.sum": "",
        "cmd/server/main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.ListenAndServe(":8080", nil)\n}\n',
    },
}
IGNORE = ".git\n**/__pycache__\nnode_modules\n*.log\ntests/\n"


def context_files(c: Choices, rng: random.Random) -> dict[str, str]:
    files = dict(SOURCES[c.lang])
    if c.start == "script":
        files["docker-entrypoint.sh"] = '#!/bin/sh\nset -e\necho starting\nexec "$@"\n'
    if rng.random() < 0.4:
        files["tests/test_health.txt"] = "GET /health -> 200\n"
    if rng.random() < 0.15:
        files[".env"] = "DATABASE_URL=postgres://app:app@db/app\n"
    kind = rng.random()
    if kind < 0.6:
        files[".dockerignore"] = IGNORE + (".env\n" if rng.random() < 0.7 else "")
    elif kind < 0.75:
        files["Dockerfile.dockerignore"] = IGNORE + ".env\n"
    return files


def write_target(root: Path, count: int, rng: random.Random) -> tuple[str, ...]:
    """`count` services under root/services; returns their Dockerfiles' target paths."""
    paths = []
    for index in range(count):
        choices = draw(rng)
        folder = f"services/{choices.lang}-{index:04d}"
        files = context_files(choices, rng)
        files["Dockerfile"] = dockerfile(choices, folder)
        for rel, text in files.items():
            path = root / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        paths.append(f"{folder}/Dockerfile")
    return tuple(paths)


# -- the site -----------------------------------------------------------------------------

CLAIMS = {
    "dockerfile.cache_cleanup": "キャッシュクリーンアップ",
    "dockerfile.env_without_secrets": "環境変数に秘密情報なし",
    "dockerfile.graceful_shutdown": "グレースフルシャットダウン",
    "dockerfile.healthcheck": "ヘルスチェック実装",
    "dockerfile.healthcheck_options": "ヘルスチェックの設定",
    "dockerfile.layer_cache_order": "レイヤーキャッシュの順序",
    "dockerfile.multi_stage": "マルチステージビルド使用",
    "dockerfile.no_install_recommends": "最小限の依存関係",
    "dockerfile.non_root_user": "非rootユーザー実行",
    "dockerfile.official_base_image": "公式ベースイメージ",
    "dockerfile.slim_base": "軽量ベースイメージ",
    "dockerignore.excludes": ".dockerignore 作成済み",
}
EXTRA_PARAMS = {
    "dockerfile.non_root_user": ", uid: 1000",
    "dockerfile.healthcheck_options": ", path: /health",
    "dockerfile.official_base_image": ", allow: [gcr.io/distroless/static-debian12]",
}


def binding_line(rng: random.Random, check_id: str, path: str) -> str:
    mark = "x" if rng.random() < 0.6 else " "
    extra = EXTRA_PARAMS.get(check_id, "") if rng.random() < 0.3 else ""
    binding = f"<!-- check: {check_id} {{dockerfile: {path}{extra}}} -->"
    return f"- [{mark}] {CLAIMS[check_id]}（{path}） {binding}"


def page_text(number: int, bindings: list[str]) -> str:
    lines = [f"# 生成ページ {number}", "", "このページはベンチマーク用に生成されました。", ""]
    for start in range(0, len(bindings), 5):
        lines += [f"## セクション {start // 5 + 1}", "", "説明の段落。", ""]
        lines += [*bindings[start : start + 5], ""]
    return "\n".join(lines)


def write_pages(docs: Path, size: Size, dockerfiles: tuple[str, ...], rng: random.Random) -> None:
    """`size.bindings` bound task-list items spread evenly over `size.pages` pages."""
    per_page = [size.bindings // size.pages] * size.pages
    for extra in range(size.bindings % size.pages):
        per_page[extra] += 1
    for number, count in enumerate(per_page):
        lines = [
            binding_line(rng, rng.choice(BOUND_CHECKS), rng.choice(dockerfiles))
            for _ in range(count)
        ]
        name = "index.md" if number == 0 else f"page-{number:03d}.md"
        (docs / name).write_text(page_text(number, lines), "utf-8")


def write_config(root: Path, title: str) -> tuple[Path, Path]:
    """mkdocs.yml with the plugin (defaults but the target), and a copy without it."""
    common = (
        f"site_name: {title}\n"
        "docs_dir: docs\n"
        "theme:\n  name: mkdocs\n"
        "markdown_extensions:\n  - tables\n  - pymdownx.tasklist\n"
    )
    plugin = "plugins:\n  - checklists:\n      target: target\n      require_bindings: false\n"
    config, without = root / "mkdocs.yml", root / "mkdocs-without-plugin.yml"
    config.write_text(common + plugin, "utf-8")
    without.write_text(common + "plugins: []\n", "utf-8")
    return config, without


def scale_site(root: Path, size: Size) -> Site:
    """The scale benchmark's site: random bindings over a generated target."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    dockerfiles = write_target(root / "target", size.dockerfiles, rng)
    docs = root / "docs"
    docs.mkdir(parents=True)
    write_pages(docs, size, dockerfiles, rng)
    config, without = write_config(root, f"checklists bench {size.label()}")
    return Site(config, without, docs, root / "target", dockerfiles, size.bindings)


def peer_site(root: Path, count: int) -> Site:
    """One page binding every Dockerfile to every `dockerfile.*` check."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    dockerfiles = write_target(root / "target", count, rng)
    docs = root / "docs"
    docs.mkdir(parents=True)
    lines = [binding_line(rng, check, path) for path in dockerfiles for check in DOCKERFILE_CHECKS]
    (docs / "index.md").write_text(page_text(0, lines), "utf-8")
    config, without = write_config(root, f"checklists peers {count}")
    return Site(config, without, docs, root / "target", dockerfiles, len(lines))


def bind_site(root: Path, target: Path, dockerfiles: list[str]) -> Site:
    """A site over an existing target binding each of `dockerfiles` to every `dockerfile.*`
    check (the peers' comparison: only the files a peer can read)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    docs = root / "docs"
    docs.mkdir(parents=True)
    lines = [binding_line(rng, check, path) for path in dockerfiles for check in DOCKERFILE_CHECKS]
    (docs / "index.md").write_text(page_text(0, lines), "utf-8")
    config, without = write_config(root, f"checklists peers {len(dockerfiles)}")
    text = config.read_text("utf-8").replace("target: target", f"target: {target}")
    config.write_text(text, "utf-8")
    return Site(config, without, docs, target, tuple(dockerfiles), len(lines))
