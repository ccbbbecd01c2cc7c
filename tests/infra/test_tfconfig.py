"""`driftline.tfconfig`: an environment's Terraform outputs become the services' configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from driftline.cli import app
from driftline.settings import DriftlineSettings
from driftline.tfconfig import (
    TerraformOutputsError,
    env_from_outputs,
    load_outputs,
    render_env,
    secrets_from_outputs,
)
from typer.testing import CliRunner

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:000000000000:secret"


def wrapped(value: Any, *, sensitive: bool = False) -> dict[str, Any]:
    """One output as `terraform output -json` prints it."""
    return {"sensitive": sensitive, "type": ["map", "string"], "value": value}


@pytest.fixture
def outputs() -> dict[str, Any]:
    return {
        "service_environment": wrapped(
            {
                "DRIFTLINE_PROFILE": "cloud",
                "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": "b-1.msk:9096,b-2.msk:9096",
                "DRIFTLINE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "DRIFTLINE_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "DRIFTLINE_KAFKA_SASL_USERNAME": "driftline",
                "DRIFTLINE_ARTIFACT_STORE_URL": "s3://driftline-dev-0-artifacts/models",
                "DRIFTLINE_ARCHIVE_STORE_URL": "s3://driftline-dev-0-artifacts/archive",
                "DRIFTLINE_OFFLINE_STORE_URL": "s3://driftline-dev-0-offline/datasets",
                "DRIFTLINE_FEATURES_URL": "http://features:8002",
                "DRIFTLINE_REGISTRY_URL": "http://registry:8004",
                "DRIFTLINE_SERVING_URL": "http://serving:8005",
                "DRIFTLINE_REGISTRY_DATABASE_URL": "postgresql+psycopg://driftline@db.internal:5432/registry?sslmode=require",
                "AWS_REGION": "eu-west-1",
            }
        ),
        "service_secrets": wrapped(
            {
                "DRIFTLINE_KAFKA_SASL_PASSWORD": f"{SECRET_ARN}:AmazonMSK_x:password::",
                "DRIFTLINE_API_TOKENS": f"{SECRET_ARN}:tokens",
                "DRIFTLINE_REGISTRY_DATABASE_PASSWORD": f"{SECRET_ARN}:rds:password::",
            }
        ),
        "service_urls": wrapped(
            {"features": "https://lb.example:8002", "serving": "https://lb.example:8005"}
        ),
        "feast_online_store": wrapped(
            {
                "type": "dynamodb",
                "region": "eu-west-1",
                "table_name_template": "{project}.{table_name}",
            }
        ),
    }


def test_gives_the_services_the_cloud_profile_over_sasl_ssl(outputs: dict[str, Any]) -> None:
    env = env_from_outputs(outputs)
    assert env["DRIFTLINE_PROFILE"] == "cloud"
    assert env["DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS"] == "b-1.msk:9096,b-2.msk:9096"
    assert env["DRIFTLINE_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["DRIFTLINE_ARTIFACT_STORE_URL"] == "s3://driftline-dev-0-artifacts/models"


def test_the_database_url_carries_no_password_and_the_secret_is_a_reference(
    outputs: dict[str, Any],
) -> None:
    env = env_from_outputs(outputs)
    secrets = secrets_from_outputs(outputs)
    assert "@db.internal" in env["DRIFTLINE_REGISTRY_DATABASE_URL"]
    assert ":" not in env["DRIFTLINE_REGISTRY_DATABASE_URL"].split("//")[1].split("@")[0]
    assert "DRIFTLINE_REGISTRY_DATABASE_PASSWORD" not in env
    assert secrets["DRIFTLINE_REGISTRY_DATABASE_PASSWORD"].endswith(":rds:password::")


def test_the_shared_settings_accept_the_environment(
    outputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env_from_outputs(outputs).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DRIFTLINE_API_TOKENS", "a-real-looking-token-123:admin")
    settings = DriftlineSettings()
    assert settings.profile == "cloud"
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert settings.offline_store_url == "s3://driftline-dev-0-offline/datasets"


def test_points_service_urls_at_the_load_balancer_when_asked(outputs: dict[str, Any]) -> None:
    env = env_from_outputs(outputs, via_load_balancer=True)
    assert env["DRIFTLINE_FEATURES_URL"] == "https://lb.example:8002"
    assert env["DRIFTLINE_SERVING_URL"] == "https://lb.example:8005"
    assert env["DRIFTLINE_REGISTRY_URL"] == "http://registry:8004"


def test_renders_a_dotenv_file_with_secrets_only_as_references(outputs: dict[str, Any]) -> None:
    text = render_env(outputs)
    lines = text.splitlines()
    assert "DRIFTLINE_PROFILE=cloud" in lines
    assert "DRIFTLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL" in lines
    assert f"# DRIFTLINE_API_TOKENS <- {SECRET_ARN}:tokens" in lines
    assert not any(line.startswith("DRIFTLINE_API_TOKENS=") for line in lines)
    assert any(line.startswith("# feast_online_store: ") and "dynamodb" in line for line in lines)


def test_quotes_values_a_dotenv_reader_would_split() -> None:
    outputs = {
        "service_environment": {"DRIFTLINE_PROFILE": "cloud", "DRIFTLINE_LOG_LEVEL": 'a b"c'},
        "service_secrets": {},
    }
    assert 'DRIFTLINE_LOG_LEVEL="a b\\"c"' in render_env(outputs).splitlines()


def test_renders_json_with_environment_secrets_and_online_store(outputs: dict[str, Any]) -> None:
    document = json.loads(render_env(outputs, fmt="json"))
    assert set(document) == {"environment", "secrets", "feast_online_store"}
    assert document["feast_online_store"]["type"] == "dynamodb"
    assert document["environment"]["AWS_REGION"] == "eu-west-1"


def test_accepts_plain_values_as_well_as_terraform_wrapped_ones(outputs: dict[str, Any]) -> None:
    plain = {key: value["value"] for key, value in outputs.items()}
    assert env_from_outputs(plain) == env_from_outputs(outputs)


def test_refuses_outputs_of_something_else() -> None:
    with pytest.raises(TerraformOutputsError, match="missing output"):
        env_from_outputs({"vpc_id": wrapped("vpc-1")})


def test_refuses_a_profile_other_than_cloud(outputs: dict[str, Any]) -> None:
    outputs["service_environment"]["value"]["DRIFTLINE_PROFILE"] = "compose"
    with pytest.raises(TerraformOutputsError, match="DRIFTLINE_PROFILE=cloud"):
        env_from_outputs(outputs)


def test_refuses_a_secret_that_also_appears_in_plain_text(outputs: dict[str, Any]) -> None:
    outputs["service_environment"]["value"]["DRIFTLINE_API_TOKENS"] = "t:admin"
    with pytest.raises(TerraformOutputsError, match="also appear as plain values"):
        env_from_outputs(outputs)


def test_refuses_a_secret_that_is_not_an_arn(outputs: dict[str, Any]) -> None:
    outputs["service_secrets"]["value"]["DRIFTLINE_API_TOKENS"] = "t:admin"
    with pytest.raises(TerraformOutputsError, match="must reference an ARN"):
        secrets_from_outputs(outputs)


def test_refuses_names_outside_driftline(outputs: dict[str, Any]) -> None:
    outputs["service_environment"]["value"]["PATH"] = "/tmp"
    with pytest.raises(TerraformOutputsError, match="not a DRIFTLINE_"):
        env_from_outputs(outputs)


def test_the_command_reads_a_file_and_writes_the_env_file(
    outputs: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps(outputs))
    target = tmp_path / "cloud.env"
    result = CliRunner().invoke(app, ["config", "from-terraform", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "DRIFTLINE_PROFILE=cloud" in target.read_text().splitlines()


def test_the_command_reads_stdin(outputs: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        app, ["config", "from-terraform", "-", "--format", "json"], input=json.dumps(outputs)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["environment"]["DRIFTLINE_PROFILE"] == "cloud"


def test_the_command_explains_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps({"vpc_id": wrapped("vpc-1")}))
    result = CliRunner().invoke(app, ["config", "from-terraform", str(source)])
    assert result.exit_code == 2
    assert "missing output(s) service_environment, service_secrets" in result.output


def test_load_outputs_reads_a_json_file(tmp_path: Path) -> None:
    source = tmp_path / "o.json"
    source.write_text('{"a": {"sensitive": false, "type": "string", "value": "b"}}')
    assert load_outputs(source)["a"]["value"] == "b"


def test_the_environments_publish_what_tfconfig_reads() -> None:
    repo = Path(__file__).resolve().parents[2]
    for environment in ("dev", "prod"):
        text = (repo / "terraform/environments" / environment / "outputs.tf").read_text()
        for name in (
            "service_environment",
            "service_secrets",
            "service_urls",
            "feast_online_store",
        ):
            assert f'output "{name}"' in text, f"{environment} lacks output {name}"


# The cloud environment may name a variable that a service has not grown yet only
# when it is listed here, with the reason; the test fails once the field exists so
# that the entry is removed.
PENDING_FIELDS = {
    # ECS injects the RDS-managed password separately from the password-less URL;
    # RegistrySettings needs a `database_password` field merged into database_url.
    "DRIFTLINE_REGISTRY_DATABASE_PASSWORD": "registry",
}


def _block_keys(text: str, local: str) -> set[str]:
    body = text.split(f"{local} = {{", 1)[1].split("\n  }", 1)[0]
    return set(re.findall(r"^\s+(DRIFTLINE_[A-Z0-9_]+)\s+=", body, re.M))


def test_the_cloud_environment_names_only_real_settings() -> None:
    """Both environments get their service environment from the platform module."""
    repo = Path(__file__).resolve().parents[2]
    text = (repo / "terraform/modules/platform/main.tf").read_text()
    names = _block_keys(text, "service_environment") | _block_keys(text, "service_secrets")
    assert {"DRIFTLINE_PROFILE", "DRIFTLINE_KAFKA_SASL_PASSWORD"} <= names
    known = set(SHARED_NAMES)
    for service in (
        "ingestion",
        "registry",
        "features",
        "training",
        "serving",
        "monitoring",
        "retirement",
    ):
        known |= _service_names(repo, service)
    unknown = names - known - set(PENDING_FIELDS)
    assert not unknown, f"no settings field reads {sorted(unknown)}"
    grown = {name for name in PENDING_FIELDS if name in known}
    assert not grown, f"{sorted(grown)} now exist: remove them from PENDING_FIELDS"


def _service_names(repo: Path, service: str) -> set[str]:
    import importlib
    import inspect

    from pydantic_settings import BaseSettings

    if not (repo / "services" / service / "src" / f"driftline_{service}" / "config.py").is_file():
        return set()
    module = importlib.import_module(f"driftline_{service}.config")
    names: set[str] = set()
    for obj in vars(module).values():
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseSettings)
            and obj.__module__ == module.__name__
        ):
            prefix = str(obj.model_config.get("env_prefix", ""))
            names |= {f"{prefix}{field}".upper() for field in obj.model_fields}
    return names


SHARED_NAMES = {f"DRIFTLINE_{field}".upper() for field in DriftlineSettings.model_fields}
