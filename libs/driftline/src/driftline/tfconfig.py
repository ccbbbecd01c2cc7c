"""Terraform outputs -> the services' configuration (the cloud profile's DRIFTLINE_* environment).

An environment under ``terraform/environments/`` publishes what every container
runs with: ``service_environment`` (plain values: brokers, security protocol, store
URLs, the registry's database URL *without* its password, service URLs) and
``service_secrets`` (variable name -> Secrets Manager ARN, optionally with a JSON
key, which ECS resolves at start). This module turns ``terraform output -json``
into a ``.env`` file or JSON; secrets are never resolved, only referenced.

    terraform -chdir=terraform/environments/dev output -json | python -m driftline.tfconfig -
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "TerraformOutputsError",
    "env_from_outputs",
    "load_outputs",
    "render_env",
    "secrets_from_outputs",
]

REQUIRED = ("service_environment", "service_secrets")
_NAME = re.compile(r"^(DRIFTLINE_[A-Z0-9_]+|AWS_REGION)$")
_PLAIN = re.compile(r"^[A-Za-z0-9_./:@,+=%?&-]*$")


class TerraformOutputsError(ValueError):
    """The outputs are not those of a Driftline environment."""


def _value(outputs: Mapping[str, Any], name: str) -> Any:
    raw = outputs[name]
    # `terraform output -json` wraps each value: {"sensitive": ..., "type": ..., "value": ...}
    if isinstance(raw, Mapping) and "value" in raw and "type" in raw:
        return raw["value"]
    return raw


def _string_map(outputs: Mapping[str, Any], name: str) -> dict[str, str]:
    value = _value(outputs, name)
    if not isinstance(value, Mapping):
        raise TerraformOutputsError(f"output {name!r} must be a map, got {type(value).__name__}")
    result: dict[str, str] = {}
    for key, item in value.items():
        if not _NAME.match(key):
            raise TerraformOutputsError(f"output {name!r}: {key!r} is not a DRIFTLINE_* variable")
        if item is None or isinstance(item, Mapping | list):
            raise TerraformOutputsError(f"output {name!r}: {key} has no plain value ({item!r})")
        result[key] = str(item).lower() if isinstance(item, bool) else str(item)
    return result


def _check(outputs: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED if name not in outputs]
    if missing:
        raise TerraformOutputsError(
            f"missing output(s) {', '.join(missing)}: run this on a terraform/environments/* "
            "root that has been applied"
        )


def env_from_outputs(
    outputs: Mapping[str, Any], *, via_load_balancer: bool = False
) -> dict[str, str]:
    """The plain DRIFTLINE_* environment of every service (secrets excluded).

    With `via_load_balancer`, service URLs point at the public load balancer rather
    than the in-cluster names, for a process running outside the cluster.
    """
    _check(outputs)
    env = _string_map(outputs, "service_environment")
    if env.get("DRIFTLINE_PROFILE") != "cloud":
        raise TerraformOutputsError("service_environment must set DRIFTLINE_PROFILE=cloud")
    secret_names = set(_string_map(outputs, "service_secrets"))
    if leaked := secret_names & set(env):
        raise TerraformOutputsError(f"secret(s) {sorted(leaked)} also appear as plain values")
    if via_load_balancer and "service_urls" in outputs:
        for service, url in _value(outputs, "service_urls").items():
            key = f"DRIFTLINE_{service.upper()}_URL"
            if key in env:
                env[key] = str(url)
    return dict(sorted(env.items()))


def secrets_from_outputs(outputs: Mapping[str, Any]) -> dict[str, str]:
    """Variable name -> Secrets Manager reference (``arn[:json-key::]``), never the secret."""
    _check(outputs)
    secrets = _string_map(outputs, "service_secrets")
    for name, ref in secrets.items():
        if not ref.startswith("arn:"):
            raise TerraformOutputsError(f"secret {name} must reference an ARN, got {ref!r}")
    return dict(sorted(secrets.items()))


def _quote(value: str) -> str:
    if _PLAIN.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_env(
    outputs: Mapping[str, Any],
    *,
    fmt: Literal["env", "json"] = "env",
    via_load_balancer: bool = False,
) -> str:
    """A ``.env`` file (secrets as comments naming their ARN) or a JSON document."""
    env = env_from_outputs(outputs, via_load_balancer=via_load_balancer)
    secrets = secrets_from_outputs(outputs)
    extras = {k: _value(outputs, k) for k in ("feast_online_store",) if k in outputs}
    if fmt == "json":
        document = {"environment": env, "secrets": secrets, **extras}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    lines = ["# Driftline services' configuration, from terraform output (cloud profile)."]
    lines += [f"{key}={_quote(value)}" for key, value in env.items()]
    if secrets:
        lines.append("# Secrets: ECS injects these; elsewhere read them from Secrets Manager.")
        lines += [f"# {key} <- {ref}" for key, ref in secrets.items()]
    for key, value in extras.items():
        lines.append(f"# {key}: {json.dumps(value, sort_keys=True)}")
    return "\n".join(lines) + "\n"


def load_outputs(source: str | Path) -> dict[str, Any]:
    """Outputs from ``-`` (stdin), a JSON file, or a Terraform root (``terraform output -json``)."""
    if str(source) == "-":
        text = sys.stdin.read()
    elif Path(source).is_dir():
        terraform = shutil.which("terraform")
        if terraform is None:
            raise TerraformOutputsError("terraform is not on PATH")
        done = subprocess.run(
            [terraform, f"-chdir={source}", "output", "-json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise TerraformOutputsError(f"terraform output failed: {done.stderr.strip()}")
        text = done.stdout
    else:
        text = Path(source).read_text()
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TerraformOutputsError("terraform outputs must be a JSON object")
    return data
