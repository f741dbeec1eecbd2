"""The `kzmig` command: thin over the library."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from kzmig.graph.release.layout import NoRelease
from kzmig.graph.release.layout import data_dir as resolve_data_dir
from kzmig.graph.remote.push import push_command
from kzmig.graph.settings import UPDATE_TOKEN_ENV, config_from_options, options_of

from .report import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kzmig")
def main() -> None:
    """kzmig: a knowledge graph of migration in Kazakhstan, with provenance on every claim."""


@main.command()
@options_of("build")
def build(
    root: Path, data_dir: Path | None, if_changed: bool, keep: int, as_json: bool, reasoner: str
) -> None:
    """Build the graph and publish it as a new release.

    Stages, in order: read ontology/ and shapes/; read sources/ and segment
    each text; read each claim sheet, anchoring every quote and checking its
    figures; assemble claim graphs and provenance; OWL 2 RL inference into the
    inferred graph (failing on inconsistency); SHACL validation of the asserted
    data; write the store, the dumps and the report into a staging folder;
    then swap it in as `current`.

    A failure at any stage prints what failed and where (file:line), exits
    with status 1, and leaves the release being served exactly as it was.
    """
    from kzmig.graph.build.pipeline import BuildError
    from kzmig.graph.build.pipeline import build as run_build

    target = resolve_data_dir(data_dir)
    try:
        outcome = run_build(
            root,
            target,
            if_changed=if_changed,
            keep=keep,
            reasoner=reasoner,
            log=lambda m: click.echo(m, err=True),
        )
    except BuildError as e:
        click.echo(f"kzmig build: {e}", err=True)
        click.echo("Nothing was published; the current release is unchanged.", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(outcome.report, indent=2, sort_keys=True))
        return
    if not outcome.built:
        return
    counts, timings = outcome.report["counts"], outcome.report["timings"]
    click.echo(f"release {outcome.release.version} published in {target}")
    click.echo(
        f"  {counts['claims']} claims ({counts['evidence']} pieces of evidence, "
        f"{counts['claims_with_attribution']} attributed), {counts['quads']} quads, "
        f"{counts['inferred_triples']} inferred triples, {counts['sentences']} sentences"
    )
    click.echo("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))


@main.command()
@options_of("serve")
def serve(
    host: str,
    port: int,
    workers: int,
    http_server: str,
    get_path: str | None,
    accept: str | None,
    **endpoint: Any,
) -> None:
    """Serve the graph: SPARQL endpoint, pages and dumps."""
    config = endpoint_config(endpoint)
    config["DATA_DIR"] = str(resolve_data_dir(config.get("DATA_DIR")))
    try:
        if get_path is not None:
            from kzmig.server.app import create_app

            client = create_app(config).test_client()
            response = client.get(get_path, headers={"Accept": accept} if accept else {})
            sys.stdout.buffer.write(response.get_data())
            sys.exit(0 if response.status_code < 400 else 1)
        from kzmig.server.wsgi import run

        run(config, host=host, port=port, workers=workers, server=http_server)
    except NoRelease as e:
        click.echo(f"kzmig serve: {e}", err=True)
        sys.exit(1)


def endpoint_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """The app configuration for `kzmig serve`'s options; refuses an unusable combination."""
    config = config_from_options(dict(values), "serve")
    if config.get("ALLOW_UPDATE") and not os.environ.get(UPDATE_TOKEN_ENV):
        raise click.UsageError(f"--allow-update needs a token: set {UPDATE_TOKEN_ENV}")
    if config.get("ALLOW_UPDATE") and not config.get("DATA_FILES"):
        raise click.UsageError(
            "--allow-update needs --data FILE...: a published release is read-only"
        )
    return config


main.add_command(report)
main.add_command(push_command)

from kzmig.graph.editor.check import check_command  # noqa: E402  (the editor's commands live in their modules)
from kzmig.graph.editor.docs import docs_command  # noqa: E402
from kzmig.graph.editor.drafting import draft_command  # noqa: E402
from kzmig.graph.editor.fmt import fmt_command  # noqa: E402

main.add_command(check_command)
main.add_command(fmt_command)
main.add_command(docs_command)
main.add_command(draft_command)

if __name__ == "__main__":
    main()
