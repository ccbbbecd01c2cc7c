"""The contract and the configuration: `driftline schemas ...`, `driftline config ...`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from driftline.catalog import Catalog
from driftline.cli.common import app, err, fail, out

schemas_app = typer.Typer(help="The Avro contract: models, checks, history.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


# -- config ------------------------------------------------------------------------
config_app = typer.Typer(help="The services' configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("from-terraform")
def config_from_terraform(
    source: Annotated[
        str, typer.Argument(help="A Terraform root, a file of `terraform output -json`, or -.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="env (a .env file) or json.")] = "env",
    via_load_balancer: Annotated[
        bool, typer.Option(help="Point service URLs at the public load balancer.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout.")
    ] = None,
) -> None:
    """Turn an environment's Terraform outputs into the services' DRIFTLINE_* configuration."""
    from driftline.tfconfig import TerraformOutputsError, load_outputs, render_env

    if fmt not in ("env", "json"):
        raise fail(f"--format must be env or json, not {fmt!r}")
    try:
        text = render_env(load_outputs(source), fmt=fmt, via_load_balancer=via_load_balancer)  # type: ignore[arg-type]
    except (TerraformOutputsError, OSError, json.JSONDecodeError) as exc:
        raise fail(str(exc)) from None
    if output:
        output.write_text(text)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


# -- schemas -----------------------------------------------------------------------
@schemas_app.command("codegen")
def schemas_codegen() -> None:
    """Regenerate the typed event models from schemas/."""
    from driftline.codegen import write_models

    out.print(f"wrote {write_models(Catalog.load())}")


@schemas_app.command("check")
def schemas_check() -> None:
    """Fail if any schema is not BACKWARD_TRANSITIVE compatible with its history."""
    from driftline.compat import check_catalog

    problems = check_catalog(Catalog.load())
    for problem in problems:
        err.print(f"[red]incompatible:[/] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)
    out.print("all schemas compatible with every earlier version")


@schemas_app.command("snapshot")
def schemas_snapshot() -> None:
    """Record each changed schema as the next version under schemas/history/."""
    from driftline.compat import snapshot_catalog

    for path in snapshot_catalog(Catalog.load()):
        out.print(f"recorded {path}")
