"""Shared fixtures: one release built from the repo's own inputs, an app, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kzmig.graph.build.pipeline import build

from tests.support.servers import ROOT, kzmig_serve


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a release built from sources/, ontology/, shapes/."""
    data = tmp_path_factory.mktemp("data")
    build(ROOT, data)
    return data


@pytest.fixture(scope="session")
def app(data_dir: Path) -> Flask:
    from kzmig.server.app import create_app

    return create_app({"DATA_DIR": str(data_dir), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(data_dir: Path) -> Iterator[str]:
    """`kzmig serve` as a real process on a free loopback port."""
    with kzmig_serve(["--data-dir", str(data_dir)]) as base:
        yield base
