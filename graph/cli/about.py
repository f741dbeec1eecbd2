"""`kzmig --version`: the software, the release format it writes and reads, the store versions.

The release format is graph/release/format.py's RELEASE_FORMAT. The store inside
a release is pyoxigraph's on-disk format (RocksDB), readable by the pyoxigraph
minor version that wrote it.
"""

from __future__ import annotations

import importlib.metadata as md
import platform

import click
from kzmig.graph.release.format import RELEASE_FORMAT


def _version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"


def version_text() -> str:
    ox = _version("pyoxigraph")
    return "\n".join(
        [
            f"kzmig {_version('kzmig')}",
            f'release format {RELEASE_FORMAT} (manifest.json "format"; graph/release/format.py)',
            f"store: pyoxigraph {ox} (on-disk store of a release; remote stores: SPARQL 1.1 "
            "Protocol and Graph Store Protocol)",
            f"Python {platform.python_version()}; rdflib {_version('rdflib')}, "
            f"pyshacl {_version('pyshacl')}, reasonable {_version('reasonable')}, "
            f"granian {_version('granian')}",
        ]
    )


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


version_option = click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show kzmig's version, the release format and the store versions, and exit.",
)

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the shell completion script for SHELL (click's; docs/cli.md says how to enable it).

    For bash: eval "$(kzmig completion bash)" in ~/.bashrc.
    """
    from click.shell_completion import get_completion_class

    from .main import main

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(main, {}, "kzmig", "_KZMIG_COMPLETE").source())
