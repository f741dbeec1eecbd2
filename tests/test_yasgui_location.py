"""YASGUI is found outside an editable checkout: the setting, $KZMIG_YASGUI_DIR, cwd."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from kzmig.server.pages import YASGUI_IN_NODE_MODULES


def vendor(app: Flask) -> tuple[int, bytes]:
    with app.test_client().get("/vendor/yasgui/yasgui.min.js") as response:
        return response.status_code, response.data


def a_build(folder: Path, mark: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "yasgui.min.js").write_text(f"/* {mark} */", encoding="utf-8")
    return folder


def with_config(app: Flask, **config: object) -> Flask:
    from kzmig.server.app import create_app

    return create_app({**{k: app.config[k] for k in ("DATA_DIR",)}, **config})


def test_the_setting_names_the_folder(app: Flask, tmp_path: Path) -> None:
    folder = a_build(tmp_path / "elsewhere", "from the setting")
    assert vendor(with_config(app, YASGUI_DIR=str(folder))) == (200, b"/* from the setting */")


def test_the_environment_names_the_folder(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = a_build(tmp_path / "env", "from the environment")
    monkeypatch.setenv("KZMIG_YASGUI_DIR", str(folder))
    assert vendor(with_config(app)) == (200, b"/* from the environment */")


def test_node_modules_in_the_current_directory(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_build(tmp_path / YASGUI_IN_NODE_MODULES, "from the current directory")
    monkeypatch.delenv("KZMIG_YASGUI_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert vendor(with_config(app)) == (200, b"/* from the current directory */")


def test_a_missing_folder_is_a_404(app: Flask, tmp_path: Path) -> None:
    assert vendor(with_config(app, YASGUI_DIR=str(tmp_path / "none")))[0] == 404
