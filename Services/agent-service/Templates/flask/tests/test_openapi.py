"""The contract the app serves is the app: ``GET /openapi.json`` is a valid OpenAPI 3.1 document,
every route is documented with its methods and every documented operation exists, each list
documents exactly the filters and sort values it accepts, and ``GET /docs`` renders it."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from app.listing import CONTROLS, RANGE_TYPES, filterable_columns, sortable_columns
from support import SCHEMA

_PARAMETER = re.compile(r"\{[^}]+\}|<[^>]+>")


def document(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_served_document_is_valid_openapi(client):
    doc = document(client)
    validate(doc)
    assert doc["openapi"].startswith("3.1")


def test_every_route_is_documented_and_every_documented_operation_exists(app, client):
    doc = document(client)
    documented = {(_PARAMETER.sub("{}", path), method.upper())
                  for path, item in doc["paths"].items() for method in item if method != "parameters"}
    served = {(_PARAMETER.sub("{}", rule.rule), method)
              for rule in app.url_map.iter_rules() if not rule.rule.startswith("/docs/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - documented == set(), "routes missing from openapi.yaml"
    assert documented - served == set(), "documented operations the app does not serve"


def test_each_list_documents_exactly_the_filters_and_sorts_it_accepts(client, subtests):
    doc = document(client)
    for entity in SCHEMA.entities:
        with subtests.test(entity=entity.name):
            operation = doc["paths"][f"/api/{entity.plural}"]["get"]
            names = {p["name"] for p in operation["parameters"] if "name" in p}
            accepted = set(filterable_columns(entity)) | {
                f"{f.column}[{bound}]" for f in entity.fields if not f.pii and f.type in RANGE_TYPES for bound in ("gte", "lte")}
            assert names - set(CONTROLS) == accepted
            sort = next(p for p in operation["parameters"] if p.get("name") == "sort")
            assert set(sort["schema"]["enum"]) == {prefix + column for column in sortable_columns(entity) for prefix in ("", "-")}


def test_the_docs_page_renders_the_document_with_its_own_assets_only(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "/docs/docs.js" in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for asset, mimetype in (("docs.js", "text/javascript"), ("docs.css", "text/css")):
        response = client.get(f"/docs/{asset}")
        assert response.status_code == 200 and response.mimetype == mimetype
    assert client.get("/docs/passwords.py").status_code == 404
    assert client.get("/static/docs.js").status_code == 404
