"""Starts `sift serve` on a fresh store for a test and stops it; small HTTP helpers.

Run by .ci/run in a virtual environment with the real OpenTelemetry SDK, Selenium and Chromium.
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

SIFT = os.environ.get("SIFT_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "sift"))


class Server:
    def __init__(self, db=None, args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="sift-serve-")
        self.db = db or os.path.join(self.dir, "serve.db")
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.url = None

    def start(self):
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.proc = subprocess.Popen([SIFT, "serve", "--db", self.db, "--port", "0", *self.args],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=self.env)
        line = self.proc.stdout.readline()
        m = re.search(r"http://([\d.]+):(\d+)", line)
        if not m:
            self.log.seek(0)
            raise RuntimeError("sift serve did not start: %r %s" % (line, self.log.read()))
        self.url = "http://%s:%s" % (m.group(1), m.group(2))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def get(self, path, headers=None):
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def post(self, path, body, headers):
        req = urllib.request.Request(self.url + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def query(self, project, q):
        status, body = self.get("/api/query?project=%s&q=%s" % (urllib.parse.quote(project), urllib.parse.quote(q)))
        data = json.loads(body)
        if status != 200:
            raise AssertionError("query failed: %s" % data)
        return data["rows"]


def wait_for(pred, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)
