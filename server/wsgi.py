"""Running the app under a production WSGI server (gunicorn)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Mapping[str, Any], options: Mapping[str, Any]):
        self.app_config = dict(config)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from .app import create_app

        return create_app(self.app_config)


def run(config: Mapping[str, Any], *, host: str, port: int, workers: int) -> None:
    """Serve until stopped. Each worker opens the release read-only on its own."""
    from .app import create_app

    create_app(config)  # fail fast, in the foreground, when there is nothing to serve
    _Gunicorn(
        config,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 60,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "info",
        },
    ).run()
