"""Every option of `kzmig build` and `kzmig serve`, and the endpoint's settings, defined once.

One row per setting: its command-line flag, the app configuration key it sets, its
type, default, environment variable and help. From this table come the click options
(graph/cli/options.py), the server's defaults (server/limits.py, server/app.py) and
the table in docs/settings.md (tests/test_settings.py fails when that drifts; rewrite
it with ``python -m kzmig.graph.settings docs/settings.md``).

To add an option: add a :class:`Setting` row to :data:`SETTINGS` (a ``key`` if the
server reads it from its configuration), take the parameter in the command, and
regenerate docs/settings.md. The server imports this module too (click comes with Flask).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

UPDATE_TOKEN_ENV = "KZMIG_UPDATE_TOKEN"
DATA_DIR_ENV = "KZMIG_DATA_DIR"
YASGUI_ENV = "KZMIG_YASGUI_DIR"


@dataclass(frozen=True)
class Setting:
    name: str  # the flag without dashes ("max-rows"); the row's name when there is no flag
    commands: tuple[str, ...]  # the kzmig commands taking the flag; () for a config key only
    kind: str  # int | float | str | flag | choice | dir | file | files
    default: Any
    help: str
    key: str | None = None  # the app configuration key it sets (None: the command's own)
    env: str | None = None  # environment variable read when the flag is not given
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    dest: str | None = None  # the Python parameter, when not the name with underscores
    scale: int = 1  # configuration value = option value x scale (MB -> bytes)
    metavar: str | None = None

    @property
    def flag(self) -> str | None:
        return f"--{self.name}" if self.commands else None

    @property
    def param(self) -> str:
        return self.dest or self.name.replace("-", "_")


SETTINGS: tuple[Setting, ...] = (
    # -- where things are
    Setting("root", ("build",), "dir", ".", "Project folder holding ontology/, shapes/, sources/."),
    Setting(
        "data-dir",
        ("build", "serve"),
        "dir",
        None,
        "The data directory: releases are written to and served from it. Default: ./var.",
        key="DATA_DIR",
        env=DATA_DIR_ENV,
    ),
    # -- kzmig build
    Setting(
        "if-changed",
        ("build",),
        "flag",
        False,
        "Do nothing when the current release was built from the same inputs.",
    ),
    Setting("keep", ("build",), "int", 3, "How many complete releases to keep.", minimum=1),
    Setting("json", ("build",), "flag", False, "Print the build report as JSON.", dest="as_json"),
    Setting(
        "quiet",
        ("build",),
        "flag",
        False,
        "No progress and no summary; errors only (on stderr).",
    ),
    Setting(
        "reasoner",
        ("build",),
        "choice",
        "reasonable",
        "OWL 2 RL reasoner: reasonable (fast) or owlrl (the complete reference, slower).",
        choices=("reasonable", "owlrl"),
    ),
    # -- kzmig serve: what to serve
    Setting(
        "data",
        ("serve",),
        "files",
        (),
        "Serve these RDF files (Turtle, TriG, N-Triples, N-Quads) instead of a release. "
        "Repeat for several files. They are loaded into a temporary store that lives only as "
        "long as the server (writes too), unless --store-dir names a folder to keep it in.",
        key="DATA_FILES",
        dest="data_files",
    ),
    Setting(
        "store-dir",
        ("serve",),
        "dir",
        None,
        "With --data: keep the store in this folder, so that writes (--allow-update) survive "
        "a restart. The first start loads the --data files into it; later starts serve it as "
        "it was left and do not load them again. Without it, --data is loaded into a "
        "temporary store deleted when the server stops: writes last only as long as the "
        "process.",
        key="STORE_DIR",
    ),
    Setting(
        "public-url",
        ("serve",),
        "str",
        None,
        "The server's public URL (https://example.org), the base of the absolute URLs in "
        "VoID, DCAT, the service description and the dump listing; never taken from a "
        "request's Host header. Default: http://HOST:PORT on a loopback --host; required "
        "with any other --host.",
        key="PUBLIC_URL",
        metavar="URL",
    ),
    Setting(
        "store",
        ("serve",),
        "str",
        None,
        "Serve the release pushed to this SPARQL store (`kzmig push --store URL`).",
        key="STORE_URL",
        dest="store_url",
        metavar="URL",
    ),
    Setting(
        "base-iri",
        ("serve",),
        "str",
        None,
        "The base of the IRIs served at /resource/... (default https://w3id.org/kzmig/).",
        key="BASE_IRI",
    ),
    # -- kzmig serve: the HTTP server
    Setting("host", ("serve",), "str", "127.0.0.1", "Address to listen on.", env="HOST"),
    Setting("port", ("serve",), "int", 8000, "Port to listen on.", env="PORT"),
    Setting("workers", ("serve",), "int", 2, "HTTP worker processes.", minimum=1),
    Setting(
        "server",
        ("serve",),
        "choice",
        "granian",
        "The HTTP server to run the app in (gunicorn: pip install 'kzmig[gunicorn]').",
        choices=("granian", "gunicorn"),
        dest="http_server",
    ),
    Setting(
        "get",
        ("serve",),
        "str",
        None,
        "Answer one request for PATH in-process, print it, and exit.",
        dest="get_path",
        metavar="PATH",
    ),
    Setting("accept", ("serve",), "str", None, "With --get: the Accept header to send."),
    # -- kzmig serve: the endpoint's limits
    Setting(
        "allow-update",
        ("serve",),
        "flag",
        False,
        "Turn on SPARQL Update (/update) and the Graph Store Protocol (/store), for "
        f"requests carrying Authorization: Bearer ${UPDATE_TOKEN_ENV}. Needs --data "
        "(or --store-dir).",
        key="ALLOW_UPDATE",
    ),
    Setting(
        "timeout",
        ("serve",),
        "float",
        30.0,
        "Seconds a query may run before it is stopped (503); requests may lower it.",
        key="QUERY_TIMEOUT",
        minimum=0.1,
        dest="query_timeout",
    ),
    Setting(
        "max-rows",
        ("serve",),
        "int",
        10_000,
        "Rows (or triples) per result; more are cut and X-SPARQL-Truncated says so.",
        key="MAX_ROWS",
        minimum=1,
    ),
    Setting(
        "max-concurrent",
        ("serve",),
        "int",
        6,
        "Queries running at once (one worker process each), over all HTTP workers; past "
        "it, a query waits briefly (QUEUE_WAIT), then 503.",
        key="MAX_CONCURRENT",
        minimum=1,
    ),
    Setting(
        "quick-workers",
        ("serve",),
        "int",
        None,
        "Of each HTTP worker's query workers, how many are kept for quick queries (point "
        "lookups) so that they never wait behind slow ones. Default: 1 when it has 3 or more.",
        key="QUICK_WORKERS",
        minimum=0,
    ),
    Setting(
        "max-query-memory",
        ("serve",),
        "int",
        1024,
        "Memory one query may use, in MiB (the query worker's data segment, RLIMIT_DATA); "
        "past it the query is stopped with 503 and its worker replaced. 0: no cap.",
        key="MAX_QUERY_MEMORY",
        minimum=0,
        scale=1 << 20,
        metavar="MIB",
        dest="max_query_memory_mib",
    ),
    Setting(
        "store-is-isolated",
        ("serve",),
        "flag",
        False,
        "With --store on a non-loopback host: say that the store has been set up with no "
        "outbound network / SERVICE and LOAD refused (docs/security.md).",
        key="STORE_IS_ISOLATED",
    ),
    Setting(
        "network-isolation",
        (),
        "choice",
        "best",
        "required: a query worker that can't be cut off the network does not start; best: it "
        "starts, and the log says only the guard remains (server/sandbox.py).",
        key="NETWORK_ISOLATION",
        choices=("best", "required"),
    ),
    Setting(
        "max-request-bytes",
        ("serve",),
        "int",
        1_000_000,
        "Largest query or update request, body or URL (413/414 past it).",
        key="MAX_QUERY_BYTES",
        minimum=1024,
    ),
    Setting(
        "cache-mb",
        ("serve",),
        "int",
        64,
        "Result cache per HTTP worker, in MB (0: off).",
        key="CACHE_BYTES",
        minimum=0,
        scale=1_000_000,
    ),
    # -- configuration keys without a flag (create_app(config) or tests set them)
    Setting(
        "max-upload-bytes",
        (),
        "int",
        64_000_000,
        "Largest Graph Store Protocol upload (413 past it).",
        key="MAX_UPLOAD_BYTES",
    ),
    Setting(
        "queue-wait",
        (),
        "float",
        2.0,
        "Seconds a request waits for a free query worker before 503.",
        key="QUEUE_WAIT",
    ),
    Setting("retry-after", (), "int", 5, "Seconds, in Retry-After of a 503.", key="RETRY_AFTER"),
    Setting(
        "http-workers",
        (),
        "int",
        1,
        "HTTP worker processes sharing MAX_CONCURRENT (kzmig serve sets it from --workers).",
        key="WORKERS",
    ),
    Setting(
        "yasgui-dir",
        (),
        "str",
        None,
        "YASGUI's build folder (npm @zazuko/yasgui). Default: node_modules/@zazuko/yasgui/build "
        "in the current directory, else in the checkout the code runs from.",
        key="YASGUI_DIR",
        env=YASGUI_ENV,
    ),
    Setting(
        "update-token",
        (),
        "str",
        None,
        "The bearer token /update and /store require with --allow-update.",
        key="UPDATE_TOKEN",
        env=UPDATE_TOKEN_ENV,
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    return BY_NAME[name]


def _type(s: Setting) -> Any:
    if s.kind == "int":
        return click.IntRange(int(s.minimum)) if s.minimum is not None else int
    if s.kind == "float":
        return click.FloatRange(min=s.minimum) if s.minimum is not None else float
    if s.kind == "choice":
        return click.Choice(list(s.choices))
    if s.kind == "dir":
        return click.Path(file_okay=False, path_type=Path)
    if s.kind == "files":
        return click.Path(exists=True, dir_okay=False, path_type=Path)
    return str


def option(name: str, **overrides: Any) -> Callable[[F], F]:
    """The click option of one setting; ``overrides`` (say, a help of its own) win."""
    s = setting(name)
    kwargs: dict[str, Any] = {"help": s.help}
    if s.kind == "flag":
        kwargs["is_flag"] = True
    else:
        kwargs["type"] = _type(s)
        kwargs["default"] = s.default if s.kind != "files" else ()
        kwargs["multiple"] = s.kind == "files"
        if s.default is not None and s.kind != "files":
            kwargs["show_default"] = True
    if s.env:
        kwargs["envvar"] = s.env
        kwargs["show_envvar"] = True
    if s.metavar:
        kwargs["metavar"] = s.metavar
    kwargs.update(overrides)
    return click.option(f"--{s.name}", s.param, **kwargs)


def options_of(command: str) -> Callable[[F], F]:
    """Every option the table gives ``command``, in the table's order."""

    def add(function: F) -> F:
        for s in reversed([s for s in SETTINGS if command in s.commands]):
            function = option(s.name)(function)
        return function

    return add


def config_defaults() -> dict[str, Any]:
    """The app configuration's defaults, keyed as the server reads them."""
    defaults: dict[str, Any] = {}
    for s in SETTINGS:
        if s.key is None:
            continue
        value = s.default
        if s.kind == "files":
            value = list(value)
        elif value is not None and s.scale != 1:
            value = value * s.scale
        defaults[s.key] = value
    return defaults


def config_from_options(values: dict[str, Any], command: str) -> dict[str, Any]:
    """The app configuration for a command's option values (by parameter name)."""
    config: dict[str, Any] = {}
    for s in SETTINGS:
        if s.key is None or command not in s.commands or s.param not in values:
            continue
        value = values[s.param]
        if s.kind == "files":
            value = [str(v) for v in value or ()]
        elif value is not None and s.scale != 1:
            value = value * s.scale
        elif s.kind == "dir" and value is not None:
            value = str(value)
        config[s.key] = value
    return config


def markdown() -> str:
    """The table of docs/settings.md."""
    rows = [
        "| option | config key | type | default | environment | commands | what it does |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        kind = f"{s.kind}: {' / '.join(s.choices)}" if s.choices else s.kind
        if s.minimum is not None:
            kind += f" ≥ {s.minimum:g}"
        cells = [
            f"`{s.flag}`" if s.flag else "—",
            f"`{s.key}`" if s.key else "—",
            kind,
            "—" if s.default in (None, ()) else f"`{s.default}`",
            f"`${s.env}`" if s.env else "—",
            ", ".join(s.commands) or "config only",
            s.help.replace("|", "\\|"),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


START, END = "<!-- settings table: start -->\n", "<!-- settings table: end -->\n"


def with_table(document: str) -> str:
    """The document with its generated table replaced by the current one."""
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return head + START + markdown() + END + tail


if __name__ == "__main__":  # python -m kzmig.graph.settings docs/settings.md
    target = Path(sys.argv[1])
    target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
