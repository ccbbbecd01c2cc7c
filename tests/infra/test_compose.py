"""docker-compose.yml, checked statically (no Docker engine here): structure, names, secrets.

Environment names are checked against the real settings classes: the shared
`DriftlineSettings` (``DRIFTLINE_``) and each service's own pydantic-settings class
in ``driftline_<name>.config`` (``DRIFTLINE_<NAME>_``), with aliases and nested
settings followed.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from driftline.settings import DriftlineSettings
from pydantic import AliasChoices, AliasPath
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SERVICE_DIRS = sorted(
    p.name for p in (REPO / "services").iterdir() if (p / "pyproject.toml").is_file()
)
PORTS = {
    "ingestion": 8001,
    "features": 8002,
    "training": 8003,
    "registry": 8004,
    "serving": 8005,
    "monitoring": 8006,
    "retirement": 8007,
}
INFRASTRUCTURE = {"kafka", "schema-registry", "postgres", "redis", "minio", "prometheus", "grafana"}
ONE_SHOTS = {name for name, svc in SERVICES.items() if svc.get("restart") == "no"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN", re.I)
REQUIRED_REF = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]+\}")
ANY_REF = re.compile(r"\$\{([A-Z0-9_]+)([^}]*)\}")
# Settings that every Driftline service takes by convention; checked against the
# service's settings class as soon as it exists.
CONVENTIONAL = {"HOST", "PORT"}


def env_names(cls: type[BaseSettings]) -> set[str]:
    """Every environment variable name a settings class reads (upper case)."""
    config = cls.model_config
    prefix = str(config.get("env_prefix", ""))
    delimiter = config.get("env_nested_delimiter")
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            for choice in alias.choices:
                first = choice.path[0] if isinstance(choice, AliasPath) else choice
                names.add(str(first).upper())
        elif isinstance(alias, AliasPath):
            names.add(str(alias.path[0]).upper())
        else:
            names.add(f"{prefix}{name}".upper())
        annotation = field.annotation
        if inspect.isclass(annotation) and issubclass(annotation, BaseSettings):
            names |= env_names(annotation)  # built by its default factory from its own prefix
            if delimiter:
                names |= {f"{prefix}{name}{delimiter}{n}".upper() for n in annotation.model_fields}
    return names


def service_settings(service: str) -> list[type[BaseSettings]]:
    """The settings classes defined in services/<service>'s config module."""
    module_name = f"driftline_{service}.config"
    config_file = REPO / "services" / service / "src" / f"driftline_{service}" / "config.py"
    if not config_file.is_file():
        return []
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        pytest.fail(
            f"{config_file} exists but {module_name} does not import ({exc}); run `uv sync`"
        )
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseSettings)
        and obj.__module__ == module.__name__
    ]


def environment(name: str) -> dict[str, str]:
    env = SERVICES[name].get("environment") or {}
    assert isinstance(env, dict), f"{name}: write environment as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def test_compose_file_names_every_required_piece() -> None:
    assert set(SERVICES) >= INFRASTRUCTURE
    assert "KRaft" in (REPO / "docker-compose.yml").read_text()
    kafka = environment("kafka")
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka


def test_the_service_folders_are_found() -> None:
    assert SERVICE_DIRS, "no services/ folder found"
    assert set(SERVICE_DIRS) <= set(PORTS), (
        f"new service(s) {set(SERVICE_DIRS) - set(PORTS)}: add their port here"
    )


@pytest.mark.parametrize("service", SERVICE_DIRS)
def test_every_service_runs_as_a_container_built_from_its_dockerfile(service: str) -> None:
    assert service in SERVICES, f"docker-compose.yml has no {service!r} service"
    build = SERVICES[service]["build"]
    assert build["context"] == "."
    assert build["dockerfile"] == f"services/{service}/Dockerfile"


@pytest.mark.parametrize("service", sorted(PORTS))
def test_each_service_listens_publishes_and_is_checked_on_its_port(service: str) -> None:
    port = PORTS[service]
    svc = SERVICES[service]
    env = environment(service)
    assert env[f"DRIFTLINE_{service.upper()}_PORT"] == str(port)
    assert env[f"DRIFTLINE_{service.upper()}_HOST"] == "0.0.0.0"
    assert svc["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(svc["healthcheck"]["test"])


@pytest.mark.parametrize("service", sorted(PORTS))
def test_environment_names_match_the_services_settings(service: str) -> None:
    shared = env_names(DriftlineSettings)
    own_prefix = f"DRIFTLINE_{service.upper()}_"
    classes = service_settings(service)
    own = set().union(*(env_names(c) for c in classes)) if classes else set()
    unknown = []
    for name in environment(service):
        if not name.startswith("DRIFTLINE_"):
            continue
        if name in shared or name in own:
            continue
        if (
            not classes
            and name.startswith(own_prefix)
            and name.removeprefix(own_prefix) in CONVENTIONAL
        ):
            continue  # the service has no settings class yet: only the conventional names pass
        unknown.append(name)
    assert not unknown, f"{service}: no settings field reads {unknown}"


def test_the_env_name_reader_follows_prefixes_aliases_and_nesting() -> None:
    names = env_names(DriftlineSettings)
    assert {
        "DRIFTLINE_PROFILE",
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_BOOTSTRAP_SERVERS",
    } <= names
    assert "DRIFTLINE_NOT_A_FIELD" not in names
    for service in SERVICE_DIRS:
        for cls in service_settings(service):
            prefix = str(cls.model_config.get("env_prefix", ""))
            assert prefix == f"DRIFTLINE_{service.upper()}_", (
                f"{cls.__name__} has prefix {prefix!r}"
            )
            assert "DRIFTLINE_PROFILE" in env_names(cls) or "common" not in cls.model_fields


def test_host_ports_are_unique_and_bound_to_loopback() -> None:
    seen: dict[str, str] = {}
    for name, svc in SERVICES.items():
        for mapping in svc.get("ports", []):
            host_ip, host_port, _container = str(mapping).split(":")
            assert host_ip == "127.0.0.1", f"{name} publishes {mapping} beyond loopback"
            assert host_port not in seen, (
                f"{name} and {seen.get(host_port)} both publish {host_port}"
            )
            seen[host_port] = name


def test_third_party_images_are_pinned() -> None:
    for name, svc in SERVICES.items():
        if "build" in svc:
            continue
        image = svc["image"]
        assert "@sha256:" in image or re.search(r":[^:/]*\d[^:/]*$", image), f"{name}: pin {image}"
        assert not image.endswith(":latest"), f"{name}: {image} is not pinned"


def test_long_running_containers_have_health_checks_and_dependencies_wait_for_them() -> None:
    for name, svc in SERVICES.items():
        if name not in ONE_SHOTS:
            assert "healthcheck" in svc, f"{name} has no healthcheck"
        for dependency, spec in (svc.get("depends_on") or {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOTS else "service_healthy"
            )
            assert spec["condition"] == expected, f"{name} -> {dependency}"


def test_driftline_services_wait_for_the_broker_topics_and_buckets() -> None:
    for service in PORTS:
        deps = SERVICES[service]["depends_on"]
        assert {"kafka", "topics", "minio-init"} <= set(deps), service
    assert "postgres" in SERVICES["registry"]["depends_on"]


def test_secrets_come_from_the_environment_without_defaults() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for name, svc in SERVICES.items():
        for key, value in environment(name).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REF.fullmatch(value), f"{name}: {key} must be ${{VAR:?message}}"
        for part in svc.get("command") or []:
            if "pass" in str(part).lower() and "$" in str(part):
                assert REQUIRED_REF.search(str(part)) or "$$" in str(part), f"{name}: {part}"
    for var, modifier in ANY_REF.findall(text):
        assert modifier.startswith(":?"), f"${{{var}{modifier}}}: every variable must be required"


def test_env_example_lists_every_variable_with_an_empty_value() -> None:
    example = {}
    for line in (REPO / "infra" / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            example[key] = value
    referenced = {var for var, _ in ANY_REF.findall((REPO / "docker-compose.yml").read_text())}
    assert referenced == set(example)
    assert all(value == "" for value in example.values())


def test_the_registry_reaches_postgres_with_the_secret_password() -> None:
    url = environment("registry")["DRIFTLINE_REGISTRY_DATABASE_URL"]
    assert (
        url
        == "postgresql+psycopg://driftline:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@postgres:5432/registry"
    )


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config: dict[str, Any] = yaml.safe_load((REPO / "infra/prometheus/prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "driftline")
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    assert targets == {f"{service}:{port}" for service, port in PORTS.items()}
    assert job["metrics_path"] == "/metrics"
    assert set(SERVICE_DIRS) <= {t.split(":")[0] for t in targets}


def test_grafana_and_prometheus_mount_the_provisioned_files() -> None:
    grafana = " ".join(SERVICES["grafana"]["volumes"])
    assert "./infra/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    assert "./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana
    assert "./infra/prometheus:/etc/prometheus:ro" in SERVICES["prometheus"]["volumes"]


@pytest.mark.parametrize("service", ["features", "serving"])
def test_the_feature_store_uses_redis_and_the_sql_registry(service: str) -> None:
    env = environment(service)
    assert env["DRIFTLINE_FEATURES_ONLINE_STORE"] == "redis"
    assert env["DRIFTLINE_FEATURES_REDIS_URL"].endswith("@redis:6379/0")
    assert env["DRIFTLINE_FEATURES_REGISTRY"] == "sql"
    assert env["DRIFTLINE_FEATURES_REGISTRY_URL"].endswith("@postgres:5432/feast")
    assert {"redis", "postgres"} <= set(SERVICES[service]["depends_on"])
    init = (REPO / "infra/postgres/initdb/10-feast-registry.sql").read_text()
    assert "CREATE DATABASE feast" in init
