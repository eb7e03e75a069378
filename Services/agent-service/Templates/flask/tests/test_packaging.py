"""What a developer and a deployment rely on besides the API: pinned runtime and development
requirements (gunicorn at runtime, pytest only for development), a production image without test
tooling, the compose stack with PostgreSQL, the Makefile's targets, ruff-clean code, ``.env``
loaded in development only, and one JSON log line per request from the development server."""

import copy
import io
import json
import logging
import logging.config
import os
import re
import runpy
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import yaml
from werkzeug.serving import make_server

from app.config import load_dotenv
from app.logging import NoAccessLogRequestHandler, app_handler

ROOT = Path(__file__).resolve().parent.parent


def requirements(name: str) -> dict[str, str]:
    """Package → pinned version of a requirements file (``-r`` includes and comments skipped)."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        package, separator, version = line.partition("==")
        assert separator and version, f"{name}: {line} is not pinned with =="
        pins[re.sub(r"\[.*\]", "", package).lower()] = version
    return pins


def test_runtime_and_development_requirements_are_pinned_and_split():
    runtime, development = requirements("requirements.txt"), requirements("requirements-dev.txt")
    assert {"flask", "gunicorn", "psycopg", "pyjwt", "cryptography", "python-dotenv"} <= set(runtime)
    assert "pytest" not in runtime
    assert "pytest" in development
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def test_the_production_image_holds_no_test_tooling():
    stages = re.split(r"(?m)^FROM ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))[1:]
    final = stages[-1]
    assert "requirements-dev" not in final and "pytest" not in final
    assert not re.search(r"(?m)^COPY (tests|\.)\b", final), "the image copies only what it runs"
    assert "-r requirements.txt" in final and "APP_ENV=production" in final
    assert re.search(r"(?m)^CMD \[\"gunicorn\"", final) and "COPY gunicorn.conf.py" in final
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"tests", ".env", "requirements-dev.txt"} <= set(ignored)


def test_gunicorn_logs_json_lines_and_no_access_log():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["accesslog"] is None and settings["workers"] == 1
    config = copy.deepcopy(settings["logconfig_dict"])
    del config["root"]  # the test process keeps its own root handler
    buffer = io.StringIO()
    config["handlers"]["json"]["stream"] = buffer
    logging.config.dictConfig(config)
    logger = logging.getLogger("gunicorn.error")
    try:
        logger.info("Booting worker with pid: %s", 42)
        logger.error("bad request from ada@example.com")
    finally:
        logger.handlers.clear()
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["Booting worker with pid: 42", "bad request from [redacted-email]"]


def test_compose_runs_postgres_then_migrations_then_the_app():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    db, migrate, app = services["db"], services["migrate"], services["app"]
    assert db["image"].startswith("postgres:") and "healthcheck" in db
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert "python -m app.migrate up" in " ".join(migrate["command"])
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for service in (migrate, app):
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://app:app@db:5432/")
        assert service["environment"]["MIGRATION_DATABASE_URL"].startswith("postgresql://app_owner:app_owner@db:5432/")
        assert service["environment"]["APP_ENV"] == "development"
    init = (ROOT / next(v.split(":")[0] for v in db["volumes"] if "docker-entrypoint-initdb.d" in v)).read_text(encoding="utf-8")
    for role in ("app", "app_owner"):
        assert f"CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOBYPASSRLS" in init
    assert "OWNER TO app_owner" in init and "OWNER TO app;" not in init


def test_the_makefile_has_dev_test_lint_and_migrate():
    targets = re.findall(r"(?m)^([a-z]+):", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert {"install", "dev", "test", "lint", "migrate", "seed"} <= set(targets)


def test_the_code_is_ruff_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dotenv_is_loaded_in_development_without_overriding_the_environment(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DOTENV_PROBE=from-file\nDOTENV_SET=from-file\n", encoding="utf-8")
    monkeypatch.delenv("DOTENV_PROBE", raising=False)
    monkeypatch.setenv("DOTENV_SET", "from-environment")
    monkeypatch.setenv("APP_ENV", "production")
    assert not load_dotenv(dotenv) and "DOTENV_PROBE" not in os.environ
    monkeypatch.setenv("APP_ENV", "development")
    assert load_dotenv(dotenv)
    assert (os.environ["DOTENV_PROBE"], os.environ["DOTENV_SET"]) == ("from-file", "from-environment")
    monkeypatch.delenv("DOTENV_PROBE")


def test_the_development_server_logs_one_json_line_per_request(app):
    buffer = io.StringIO()
    handler = app_handler()
    previous = handler.setStream(buffer)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=NoAccessLogRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/health", timeout=10).read()
        logging.getLogger("werkzeug").info("\x1b[33mPress CTRL+C to quit\x1b[0m")
    finally:
        server.shutdown()
        server.server_close()
        handler.setStream(previous)
    text = buffer.getvalue()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [r for r in records if "/health" in r["message"]]
    assert len(requests) == 1 and requests[0]["logger"] == "app.access", records
    assert "\x1b" not in text
