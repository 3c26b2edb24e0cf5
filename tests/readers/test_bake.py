"""The bake reader against what `docker buildx bake` does with real definitions."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.bake import BakeTarget, read_bake_hcl, read_bake_json, resolve
from tests.paths import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus" / "real-repos"


def _targets(
    text: str, names: list[str], env: dict[str, str | None] | None = None
) -> dict[str, BakeTarget]:
    resolved = resolve([("docker-bake.hcl", read_bake_hcl(text.encode()))], names, env)
    return {t.name: t for t in resolved.targets}


def test_inherits_merge_args_and_the_child_wins() -> None:
    found = _targets(
        """
        variable "TAG" { default = "dev" }
        target "_common" {
          args = { GO_VERSION = "1.22", GIT_REF = "x" }
          cache-from = ["type=gha,scope=app"]
        }
        target "app" {
          inherits = ["_common"]
          context = "./app"
          dockerfile = "build/Dockerfile"
          args = { GIT_REF = "main" }
          tags = ["acme/app:${TAG}"]
          cache-to = [{ type = "gha", scope = "app", mode = "max" }]
        }
        group "default" { targets = ["app"] }
        """,
        [],
    )
    app = found["app"]
    assert app.context == "./app" and app.dockerfile == "build/Dockerfile"
    assert dict(app.args) == {"GO_VERSION": "1.22", "GIT_REF": "main"}
    assert app.tags == ("acme/app:dev",)
    assert app.cache_from == ("type=gha,scope=app",)
    assert app.cache_to == ("type=gha,scope=app,mode=max",)  # an object entry as buildx reads it


def test_the_environment_overrides_a_variable_and_an_unknown_one_stays_unknown() -> None:
    text = 'variable "V" { default = "1" }\ntarget "t" { tags = ["a:${V}"] }\n'
    assert _targets(text, ["t"], {"V": "2"})["t"].tags == ("a:2",)
    unknown = _targets(text, ["t"], {"V": None})["t"]
    assert unknown.tags == () and "tags" in unknown.unknown


def test_conditionals_functions_and_heredocs() -> None:
    found = _targets(
        """
        variable "MULTI" { default = null }
        function "tag" {
          params = [name]
          result = "acme/${lower(name)}:${replace("1.2+3", "+", "-")}"
        }
        target "lint" {
          platforms = MULTI != null ? ["linux/amd64", "linux/arm64"] : []
          tags = [tag("LINT")]
          dockerfile-inline = <<EOT
        FROM alpine
        EOT
        }
        """,
        ["lint"],
    )
    lint = found["lint"]
    assert lint.platforms == ()
    assert lint.tags == ("acme/lint:1.2-3",)
    assert lint.dockerfile_inline


def test_a_matrix_target_expands_per_combination_with_its_name() -> None:
    found = _targets(
        """
        target "img" {
          name = "img-${v}"
          matrix = { v = ["a", "b"] }
          dockerfile = "Dockerfile.${v}"
        }
        """,
        ["img"],
    )
    assert set(found) == {"img-a", "img-b"}
    assert found["img-b"].dockerfile == "Dockerfile.b" and found["img-b"].matrix


def test_groups_expand_and_a_missing_target_is_named() -> None:
    bake = read_bake_hcl(b'group "all" { targets = ["a", "nope"] }\ntarget "a" {}\n')
    resolved = resolve([("f.hcl", bake)], ["all"])
    assert [t.name for t in resolved.targets] == ["a"]
    assert resolved.missing == ("nope",)


def test_set_overrides_apply_to_the_named_target_and_to_star() -> None:
    bake = read_bake_hcl(b'target "backend" {}\n')
    resolved = resolve(
        [("f.hcl", bake)],
        ["backend"],
        overrides=["backend.context=./backend", "*.cache-to=type=gha,mode=max", "*.args.X=1"],
    )
    target = resolved.targets[0]
    assert target.context == "./backend"
    assert target.cache_to == ("type=gha,mode=max",)
    assert dict(target.args) == {"X": "1"}


def test_json_definitions_read_like_hcl() -> None:
    bake = read_bake_json(
        b'{"variable": {"V": {"default": "1"}},'
        b' "target": {"t": {"context": "svc", "tags": ["a:${V}"]}}}'
    )
    target = resolve([("docker-bake.json", bake)], ["t"]).targets[0]
    assert target.context == "svc" and target.tags == ("a:1",)


@pytest.mark.parametrize(
    ("text", "line"),
    [('target "a" {\n  tags = ["x"\n', 3), ('target "a" {\n  x = "open\n}\n', 2)],
)
def test_syntax_bake_rejects_is_an_error_with_its_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as raised:
        read_bake_hcl(text.encode())
    assert raised.value.line == line


def test_real_bake_files_of_the_corpus() -> None:
    diun = read_bake_hcl((CORPUS / "crazy-max__diun" / "docker-bake.hcl").read_bytes())
    image = resolve([("docker-bake.hcl", diun)], ["image-all"], {"GITHUB_REF": None}).targets[0]
    assert image.context is None and image.dockerfile is None  # bake's defaults apply
    assert len(image.platforms) == 6 and image.cache_from == () and image.cache_to == ()
    rstudio = read_bake_hcl(
        (CORPUS / "rstudio__rstudio-docker-products" / "docker-bake.hcl").read_bytes()
    )
    connect = resolve([("docker-bake.hcl", rstudio)], ["connect"]).targets
    assert connect and all(t.context == "connect" for t in connect)
    assert all(t.dockerfile == "Dockerfile.ubuntu2204" for t in connect)
    assert all(t.tags and t.tags[0].startswith("ghcr.io/rstudio/rstudio-connect") for t in connect)
