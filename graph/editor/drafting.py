"""`kzmig draft TEXT_DIR`: the first version of a claim sheet, and its recall against a sheet."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.graph.settings import option
from kzmig.loaders import draft as drafting
from kzmig.loaders import recall
from kzmig.loaders.errors import InputError
from kzmig.loaders.gazetteer import Gazetteer
from kzmig.loaders.sheets import read_sheet
from kzmig.loaders.sources import read_source
from kzmig.loaders.text import segment
from rdflib import Graph


@click.command("draft")
@click.argument("text_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@option("root", help="Project folder holding ontology/ (the known things).")
@click.option(
    "--report",
    "sheet",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A curated claim sheet of the same text: print the draft's recall against it.",
)
@click.option(
    "--ontology",
    "extra",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="With --report: a Turtle file declaring the sheet's new people and agencies.",
)
def draft_command(text_dir: Path, root: Path, sheet: Path | None, extra: Path | None) -> None:
    """Write TEXT_DIR/claims.draft.yaml: one draft claim per factual sentence of text.txt.

    Reads TEXT_DIR/text.txt and, when present, source.yaml (reference year, run-in
    headings). Every entry is `status: draft`, which the build refuses until an editor
    has reviewed it (docs/drafting.md).
    """
    try:
        if (text_dir / "source.yaml").is_file():
            source = read_source(text_dir)
            text, year, run_in = source.text, source.reference_year, source.run_in_headings
        else:
            text, year, run_in = (text_dir / "text.txt").read_text(encoding="utf-8"), None, ()
        ontology = read_turtle(turtle_files(root / "ontology"), root)
        seg = segment(text, run_in_headings=run_in)
        entries = drafting.draft(
            text,
            seg,
            Gazetteer.from_graph(ontology),
            reference_year=year,
            upper_bound=drafting.declares(ontology, "upperBound"),
        )
        out = text_dir / "claims.draft.yaml"
        out.write_text(drafting.to_yaml(entries, source=text_dir.name), encoding="utf-8")
        click.echo(f"{len(entries)} draft claims written to {out}")
        if sheet is not None:
            source = read_source(text_dir)
            claims = read_sheet(sheet, source, seg)
            extra_graph = Graph().parse(extra, format="turtle") if extra else None
            report = recall.measure(recall.read_draft(out, seg), claims, ontology, extra_graph)
            click.echo(report.text())
    except (InputError, OSError, UnicodeDecodeError) as e:
        click.echo(f"kzmig draft: {e}", err=True)
        sys.exit(1)
