"""Parsers of engine output, on samples of the engines' DOCUMENTED output formats.

Each sample says where it comes from. No engine runs here; the real-engine test
(test_podman.py) checks the same parsers against what Podman prints on this machine.
"""

from __future__ import annotations

import json

import pytest

from checklists_measure.outputs import (
    ContainerState,
    ImageConfig,
    OutputError,
    container_state,
    engine_version,
    headline,
    image_config,
    parse_byte_count,
    parse_memory_usage,
    parse_size,
)

MiB, GiB, KiB = 1024**2, 1024**3, 1024

# --- sizes: github.com/docker/go-units size.go --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # BytesSize (binary, "%.4g"): the units Docker's `stats` prints
        ("0B", 0),
        ("928KiB", 928 * KiB),
        ("12.34MiB", 12.34 * MiB),
        ("1.952GiB", 1.952 * GiB),
        ("1TiB", 1024**4),
        # HumanSize (decimal, "%.4g"): Podman's `stats`, Docker's NET/BLOCK I/O
        ("1.2kB", 1200),
        ("3.092MB", 3_092_000),
        ("16.7GB", 16.7e9),
        # HumanSizeWithPrecision(x, 3) writes "%.3g": 999.5 kB prints with an exponent
        ("1e+03kB", 1_000_000),
        # Docker before 1.13 (docs.docker.jp v1.9 stats page): space before the unit, "KB"
        ("796 KB", 796_000),
        ("2.746 MiB", 2.746 * MiB),
        ("796 KiB", 796 * KiB),
        (" 5.629MiB ", 5.629 * MiB),
    ],
)
def test_sizes_in_go_units_spellings(text: str, expected: float) -> None:
    assert parse_size(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    ["", "12", "12 MiB extra", "MiB", "1.2 kb", "12.5Mb", "5iB", "-1MB", "1,5MB", "--", "NaNB"],
)
def test_malformed_sizes_are_refused(text: str) -> None:
    with pytest.raises(OutputError):
        parse_size(text)


# --- image inspect --format {{.Size}}: an int64 printed by Go's text/template -------------


def test_image_size_is_an_integer_number_of_bytes() -> None:
    assert parse_byte_count("123456789\n") == 123_456_789
    assert parse_byte_count("0") == 0


@pytest.mark.parametrize("text", ["", "1.2e+08", "12 MB", "<no value>", "-5", "12\n13"])
def test_image_size_other_than_an_integer_is_refused(text: str) -> None:
    with pytest.raises(OutputError):
        parse_byte_count(text)


# --- stats --no-stream --format {{.MemUsage}} ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # docs.docker.com/reference/cli/docker/container/stats/ (example output)
        ("5.629MiB / 1.952GiB", 5.629 * MiB),
        ("196KiB / 1.952GiB", 196 * KiB),
        # `docker stats nginx --no-stream --format "{{ json . }}"` example: "MemUsage"
        ("2.352MiB / 982.5MiB\n", 2.352 * MiB),
        # podman-stats(1) and podman-pod-stats(1) examples (docs.podman.io)
        ("16.42MB / 33.08GB", 16.42e6),
        ("3.092MB / 16.7GB", 3.092e6),
        # docker-container-stats(1), Docker 1.x man page: spaces and no space around "/"
        ("115.2 MiB/1.045 GiB", 115.2 * MiB),
        # Docker on Windows prints the private working set alone (cli formatter, stats.go)
        ("12.5MiB", 12.5 * MiB),
    ],
)
def test_memory_usage_takes_the_used_figure(text: str, expected: float) -> None:
    assert parse_memory_usage(text) == pytest.approx(expected)


def test_memory_usage_dash_means_no_figure() -> None:
    # Docker prints "-- / --" for invalid stats; Podman when usage and limit are both zero.
    with pytest.raises(OutputError, match="no memory figure"):
        parse_memory_usage("-- / --")


@pytest.mark.parametrize(
    "text", ["", "\n", "1MiB / 2GiB / 3GiB", "1MiB / 2GiB\n3MiB / 4GiB", "lots / 2GiB"]
)
def test_malformed_memory_usage_is_refused(text: str) -> None:
    with pytest.raises(OutputError):
        parse_memory_usage(text)


# --- inspect (JSON) -----------------------------------------------------------------------

# Docker: docs.docker.com/reference/api/engine (ContainerInspect, State.Health).
DOCKER_CONTAINER = [
    {
        "Id": "b95a83497c91",
        "State": {
            "Status": "running",
            "Running": True,
            "ExitCode": 0,
            "Error": "",
            "Health": {"Status": "starting", "FailingStreak": 0, "Log": []},
        },
    }
]
# Podman before 4.1.1 wrote State.Healthcheck (podman issue #5915 shows it).
PODMAN_OLD_CONTAINER = [
    {"State": {"Status": "running", "Running": True, "Healthcheck": {"Status": "healthy"}}}
]
# Podman 4.3.1 on this machine, a created container whose start failed (output trimmed).
PODMAN_CREATED = [
    {
        "State": {
            "OciVersion": "1.0.2-dev",
            "Status": "created",
            "Running": False,
            "ExitCode": 0,
            "Error": "",
            "Health": {"Status": "", "FailingStreak": 0, "Log": None},
        }
    }
]


def test_health_status_docker_and_current_podman() -> None:
    assert container_state(json.dumps(DOCKER_CONTAINER)) == ContainerState(
        status="running", running=True, exit_code=0, error="", health="starting"
    )


def test_health_status_podman_before_4_1() -> None:
    assert container_state(json.dumps(PODMAN_OLD_CONTAINER)).health == "healthy"


def test_container_without_health_check_has_no_health() -> None:
    exited = [{"State": {"Status": "exited", "Running": False, "ExitCode": 3, "Error": "boom"}}]
    state = container_state(json.dumps(exited))
    assert (state.health, state.running, state.exit_code, state.error) == (None, False, 3, "boom")


def test_created_podman_container_has_an_unknown_health() -> None:
    assert container_state(json.dumps(PODMAN_CREATED)).health == ""


@pytest.mark.parametrize(
    "text", ["", "Error: no such container x", "[]", "[{}, {}]", '[{"State": 3}]', '"x"']
)
def test_inspect_output_that_is_not_one_container_is_refused(text: str) -> None:
    with pytest.raises(OutputError):
        container_state(text)


def test_image_config_docker() -> None:
    # Docker: image inspect keeps the HEALTHCHECK in Config.Healthcheck (Engine API ImageInspect).
    image = [
        {
            "Config": {
                "ExposedPorts": {"8000/tcp": {}, "53/udp": {}, "9000/tcp": {}},
                "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost:8000/health"]},
            }
        }
    ]
    assert image_config(json.dumps(image)) == ImageConfig(True, (8000, 9000))


def test_image_config_podman() -> None:
    # Podman 4.3.1 on this machine: the health check is the top-level "Healthcheck".
    image = [
        {
            "Config": {"ExposedPorts": {"8000/tcp": {}}},
            "Healthcheck": {"Test": ["CMD", "/hello"], "Interval": 5000000000},
        }
    ]
    assert image_config(json.dumps(image)) == ImageConfig(True, (8000,))


def test_image_config_health_check_disabled_or_absent() -> None:
    disabled = [{"Config": {"Healthcheck": {"Test": ["NONE"]}, "ExposedPorts": None}}]
    assert image_config(json.dumps(disabled)) == ImageConfig(False, ())
    assert image_config(json.dumps([{"Config": None}])) == ImageConfig(False, ())


# --- version --format {{json .}} ----------------------------------------------------------


def test_engine_version_prefers_the_server() -> None:
    # Docker: `docker version --format '{{json .}}'` has Client and Server.
    docker = {"Client": {"Version": "28.2.2"}, "Server": {"Version": "28.2.1"}}
    assert engine_version(json.dumps(docker)) == "28.2.1"
    # Podman 4.3.1 on this machine, local: Client only.
    podman = {"Client": {"APIVersion": "4.3.1", "Version": "4.3.1", "OsArch": "linux/amd64"}}
    assert engine_version(json.dumps(podman)) == "4.3.1"


@pytest.mark.parametrize("text", ["", "{}", '{"Client": {"Version": ""}}', "Version: 4.3.1"])
def test_engine_version_missing_is_refused(text: str) -> None:
    with pytest.raises(OutputError):
        engine_version(text)


def test_headline_is_the_engines_error_after_log_noise() -> None:
    # Podman 4.3.1 here: a systemd warning, then the error that matters.
    text = (
        'time="2026-11-28T15:59:31Z" level=error msg="Removing timer ... no such file"\n'
        "Error: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied\n"
    )
    assert headline(text).startswith("Error: crun: setrlimit")
    assert (
        headline("Cannot connect to the Docker daemon\n") == "Cannot connect to the Docker daemon"
    )
    assert headline("") == ""
