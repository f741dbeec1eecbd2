"""The `kzmig` command: thin over the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from kzmig.graph.release.layout import NoRelease, data_dir

from .lazy import LazyGroup
from .report import report
from .serve_options import endpoint_config, endpoint_options


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={  # imported when run (graph/cli/lazy.py says why)
        "check": "kzmig.graph.editor.check:check_command",
        "docs": "kzmig.graph.editor.docs:docs_command",
        "draft": "kzmig.graph.editor.drafting:draft_command",
        "fmt": "kzmig.graph.editor.fmt:fmt_command",
        "push": "kzmig.graph.remote.push:push_command",
    },
)
@click.version_option(package_name="kzmig")
def main() -> None:
    """kzmig: a knowledge graph of migration in Kazakhstan, with provenance on every claim."""


@main.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder holding ontology/, shapes/, sources/.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where releases are written. Default: $KZMIG_DATA_DIR or ./var.",
)
@click.option(
    "--if-changed",
    is_flag=True,
    help="Do nothing when the current release was built from the same inputs.",
)
@click.option(
    "--keep",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="How many complete releases to keep.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def build(root: Path, data_dir: Path | None, if_changed: bool, keep: int, as_json: bool) -> None:
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

    target = _data_dir(data_dir)
    try:
        outcome = run_build(
            root, target, if_changed=if_changed, keep=keep, log=lambda m: click.echo(m, err=True)
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
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="$HOST or 127.0.0.1"
)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="$PORT or 8000",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Serve the current release of this data directory.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve these RDF files (Turtle, TriG, N-Triples, N-Quads) from memory "
    "instead of a release. Repeat for several files.",
)
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True)
@click.option(
    "--get",
    "get_path",
    default=None,
    metavar="PATH",
    help="Answer one request for PATH in-process, print it, and exit.",
)
@click.option("--accept", default=None, help="With --get: the Accept header to send.")
@endpoint_options
@click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="Serve the release pushed to this SPARQL store (`kzmig push --store URL`).",
)
@click.option(
    "--base-iri",
    default=None,
    help="The base of the IRIs served at /resource/... (default https://w3id.org/kzmig/).",
)
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    data_files: tuple[Path, ...],
    workers: int,
    get_path: str | None,
    accept: str | None,
    store_url: str | None,
    base_iri: str | None,
    **endpoint: object,
) -> None:
    """Serve the graph: SPARQL endpoint, pages and dumps."""
    config = {"DATA_DIR": str(_data_dir(data_dir)), "DATA_FILES": [str(f) for f in data_files]}
    config.update(endpoint_config(endpoint, bool(data_files)))
    if store_url:
        config["STORE_URL"] = store_url
    if base_iri:
        config["BASE_IRI"] = base_iri
    try:
        if get_path is not None:
            from kzmig.server.app import create_app

            client = create_app(config).test_client()
            response = client.get(get_path, headers={"Accept": accept} if accept else {})
            sys.stdout.buffer.write(response.get_data())
            sys.exit(0 if response.status_code < 400 else 1)
        from kzmig.server.wsgi import run

        run(config, host=host, port=port, workers=workers, server=str(endpoint["http_server"]))
    except NoRelease as e:
        click.echo(f"kzmig serve: {e}", err=True)
        sys.exit(1)


def _data_dir(explicit: Path | None) -> Path:
    return data_dir(explicit)


main.add_command(report)

if __name__ == "__main__":
    main()
