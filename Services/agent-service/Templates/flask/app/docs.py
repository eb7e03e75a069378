"""The API's contract, served by the app: ``GET /openapi.json`` (``openapi.yaml`` as JSON, read
once) and ``GET /docs``, a page listing every operation with its parameters and responses
(``app/static/``: no external assets, so it works offline, under a content security policy that
allows only this app's own scripts and styles). None of them needs a token.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, jsonify, send_from_directory

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
STATIC = Path(__file__).resolve().parent / "static"

blueprint = Blueprint("docs", __name__)


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI document of this app."""
    with OPENAPI_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@blueprint.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


@blueprint.get("/docs")
def docs_page():
    return _static("docs.html")


@blueprint.get("/docs/<any('docs.js', 'docs.css'):name>")
def docs_asset(name: str):
    return _static(name)


MIMETYPES = {"docs.html": "text/html", "docs.js": "text/javascript", "docs.css": "text/css"}


def _static(name: str):
    response = send_from_directory(STATIC, name, mimetype=MIMETYPES[name])
    response.headers["Content-Security-Policy"] = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"
    return response
