"""gunicorn's settings (read from the working directory): ``gunicorn 'app:create_app()'``.

One worker with threads, because the rate limiter counts in process memory. No access log: the
app writes one JSON line per request itself, with PII redacted. gunicorn's own lines (start-up,
workers, errors) are JSON too, through the app's formatter and redaction filter.
"""

bind = "0.0.0.0:8000"
workers = 1
threads = 8
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": []},  # the app adds its JSON handler in each worker
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
    "handlers": {
        "json": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json", "filters": ["redact"]},
    },
    "filters": {"redact": {"()": "app.logging.RedactingFilter"}},
    "formatters": {"json": {"()": "app.logging.JsonFormatter"}},
}
