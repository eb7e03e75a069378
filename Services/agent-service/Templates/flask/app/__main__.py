"""``python -m app [--host H] [--port P]``: the development server (``make dev``; use gunicorn in
production). ``.env`` is loaded first (outside production), and the server writes no request
lines of its own: the app logs one JSON line per request."""

import argparse

from app import create_app
from app.logging import NoAccessLogRequestHandler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    create_app().run(host=args.host, port=args.port, request_handler=NoAccessLogRequestHandler)


if __name__ == "__main__":
    main()
