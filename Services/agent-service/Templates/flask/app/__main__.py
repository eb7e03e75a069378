"""``python -m app [--host H] [--port P]``: the development server (use gunicorn in production)."""

import argparse

from app import create_app

parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
args = parser.parse_args()
create_app().run(host=args.host, port=args.port)
