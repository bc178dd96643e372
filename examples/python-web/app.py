"""python-web: a small Flask application, shipped by shipgate.

`GET /` greets, `GET /healthz` answers `ok` for the HEALTHCHECK and Kubernetes probes.
Run it locally with `flask --app app run`; the image serves it with gunicorn.
"""

import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(message="hello from python-web", environment=os.environ.get("APP_ENV", "local"))


@app.get("/healthz")
def healthz():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
