"""`kzmig report ...`: reports over the build's inputs, thin over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from kzmig.graph.settings import option


@click.group()
def report() -> None:
    """Reports over the inputs (sources/, ontology/), no store needed."""


@report.command("coverage")
@option("root", help="Project folder holding sources/.")
@click.option(
    "--strict", is_flag=True, help="Exit with status 1 if a factual sentence is uncovered."
)
@click.option("--uncovered", "only_uncovered", is_flag=True, help="List only uncovered sentences.")
@click.option(
    "--width",
    type=int,
    default=100,
    show_default=True,
    help="Cut covered and no-fact sentences to this many characters (0: never).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def coverage_command(
    root: Path, strict: bool, only_uncovered: bool, width: int, as_json: bool
) -> None:
    """Which sentences of each text carry a claim, and which carry none.

    Per text and section: each sentence that some claim's evidence overlaps
    (covered), each that coverage.yaml says states no fact (with its reason),
    and each factual sentence that no claim covers (UNCOVERED); then the total
    covered / factual / total. Headings are listed with their section.
    """
    from kzmig.graph.editor.coverage import project_coverage, render
    from kzmig.loaders.errors import InputError

    try:
        results = project_coverage(root)
    except InputError as e:
        click.echo("kzmig report coverage: cannot read the inputs:", err=True)
        for p in e.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        click.echo(render(results, width=width, only_uncovered=only_uncovered))
    if strict and any(r.uncovered() for r in results):
        n = sum(len(r.uncovered()) for r in results)
        click.echo(f"kzmig report coverage: {n} factual sentence(s) carry no claim", err=True)
        sys.exit(1)
