"""The `kzmig` command: thin over the library."""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from kzmig.graph.release.layout import NoRelease
from kzmig.graph.release.layout import data_dir as resolve_data_dir
from kzmig.graph.settings import UPDATE_TOKEN_ENV, config_from_options, options_of

from .about import completion_command, version_option
from .doctor import doctor_command
from .lazy import LazyGroup
from .report import report


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
@version_option
def main() -> None:
    """kzmig: a knowledge graph of migration in Kazakhstan, with provenance on every claim."""


@main.command()
@options_of("build")
def build(
    root: Path,
    data_dir: Path | None,
    if_changed: bool,
    keep: int,
    as_json: bool,
    reasoner: str,
    quiet: bool,
) -> None:
    """Build the graph and publish it as a new release.

    Stages, in order: read ontology/ and shapes/; read sources/ and segment
    each text; read each claim sheet, anchoring every quote and checking its
    figures; assemble claim graphs and provenance; OWL 2 RL inference into the
    inferred graph (failing on inconsistency); SHACL validation of the asserted
    data; write the store, the dumps and the report into a staging folder;
    then swap it in as `current`.

    Each stage shows its progress on stderr (live on a terminal, one line per
    stage otherwise; --quiet: none). A failure at any stage prints what failed
    and where (FILE:LINE: error [CODE] MESSAGE, then a hint), exits with
    status 1, and leaves the release being served exactly as it was.
    """
    from kzmig.graph.build.pipeline import BuildError
    from kzmig.graph.build.pipeline import build as run_build
    from kzmig.graph.console import messages as msg
    from kzmig.graph.console.progress import reporter

    target = resolve_data_dir(data_dir)
    try:
        with reporter("build", quiet=quiet or as_json) as progress:
            outcome = run_build(
                root,
                target,
                if_changed=if_changed,
                keep=keep,
                reasoner=reasoner,
                log=(lambda m: None) if quiet else (lambda m: click.echo(m, err=True)),
                progress=progress,
            )
    except BuildError as e:
        found = [msg.build_message(p, e.stage, root.resolve()) for p in e.items]
        msg.echo(found)
        click.echo(
            f"kzmig build: build failed at stage '{e.stage}' ({len(found)} errors). "
            "Nothing was published; the current release is unchanged.",
            err=True,
        )
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(outcome.report, indent=2, sort_keys=True))
        return
    if not outcome.built or quiet:
        return
    counts, timings = outcome.report["counts"], outcome.report["timings"]
    click.echo(f"release {outcome.release.version} published in {target}")
    click.echo(
        f"  {counts['claims']} claims ({counts['evidence']} pieces of evidence, "
        f"{counts['claims_with_attribution']} attributed), {counts['quads']} quads, "
        f"{counts['inferred_triples']} inferred triples, {counts['sentences']} sentences"
    )
    click.echo(f"  in {timings.get('total', sum(timings.values())):.2f} s")
    for d in outcome.report.get("validation", {}).get("differing_figures", []):
        click.echo(f"  warning: {d['message']}", err=True)


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
    _say_where_data_lives(config, bool(config.get("ALLOW_UPDATE")))
    config["PUBLIC_URL"] = public_url(config.get("PUBLIC_URL"), host, port)
    try:
        if get_path is not None:
            from kzmig.server.app import create_app

            client = create_app(config).test_client()
            response = client.get(get_path, headers={"Accept": accept} if accept else {})
            sys.stdout.buffer.write(response.get_data())
            sys.exit(0 if response.status_code < 400 else 1)
        from kzmig.server.ports import PortInUse
        from kzmig.server.wsgi import run

        try:
            run(config, host=host, port=port, workers=workers, server=http_server)
        except PortInUse as e:
            click.echo(f"kzmig serve: {e}", err=True)
            sys.exit(1)
    except NoRelease as e:
        click.echo(f"kzmig serve: {e}", err=True)
        sys.exit(1)


def endpoint_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """The app configuration for `kzmig serve`'s options; refuses an unusable combination."""
    config = config_from_options(dict(values), "serve")
    if config.get("ALLOW_UPDATE") and not os.environ.get(UPDATE_TOKEN_ENV):
        raise click.UsageError(f"--allow-update needs a token: set {UPDATE_TOKEN_ENV}")
    data_files, store_dir = config.get("DATA_FILES"), config.get("STORE_DIR")
    if config.get("ALLOW_UPDATE") and not data_files and not store_dir:
        raise click.UsageError(
            "--allow-update needs --data FILE... (or --store-dir DIR): a published release "
            "is read-only"
        )
    if store_dir and not data_files and not (Path(store_dir) / "store.version").exists():
        raise click.UsageError(
            f"--store-dir {store_dir} holds no store yet: give --data FILE... to load into it"
        )
    if store_dir:
        config["STORE_DIR"] = str(store_dir)
    return config


def _say_where_data_lives(config: Mapping[str, object], writable: bool) -> None:
    """Tell the person starting the server whether its writes outlive it."""
    store_dir = config.get("STORE_DIR")
    if store_dir and (Path(str(store_dir)) / "store.version").exists() and config["DATA_FILES"]:
        click.echo(
            f"kzmig serve: serving the store kept in {store_dir} as it was left; the --data "
            "files were loaded when it was made and are not loaded again",
            err=True,
        )
    elif store_dir and writable:
        click.echo(f"kzmig serve: writes are kept in {store_dir} and survive a restart", err=True)
    elif config["DATA_FILES"] and writable:
        click.echo(
            "kzmig serve: the data, and every write to it, lives only as long as this "
            "process (a temporary store, deleted when the server stops); give --store-dir DIR "
            "to keep it",
            err=True,
        )


def public_url(given: str | None, host: str, port: int) -> str:
    """The server's public URL: ``given`` (checked), or ``http://HOST:PORT`` on loopback.

    On any other address the URL clients reach the server by is not known here (a
    proxy, a name, TLS in front), and guessing it from requests would hand it to
    whoever writes the Host header: so it must be given.
    """
    if given:
        parts = urlsplit(given)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(
                f"{given!r} is not an http(s) URL such as https://example.org",
                param_hint="--public-url",
            )
        if parts.query or parts.fragment:
            raise click.BadParameter(
                f"{given!r}: give the server's root URL, without ?query or #fragment",
                param_hint="--public-url",
            )
        return given.rstrip("/")
    if not _loopback(host):
        raise click.UsageError(
            f"--host {host} serves beyond this machine: give the URL clients use to reach "
            "it with --public-url (e.g. --public-url https://kzmig.example.org); it is the "
            "base of the absolute URLs in VoID, DCAT and the dump listing"
        )
    name = f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


main.add_command(report)
main.add_command(doctor_command)
main.add_command(completion_command)

if __name__ == "__main__":
    main()
