"""Sustained OTLP/HTTP ingest over loopback into `sift serve` (release build): protobuf requests of
GenAI-shaped traces from a bounded load generator (count and time), over several keep-alive connections.
Prints spans/s and acknowledgement latency percentiles, with and without fsync per commit, and SQLite's
own insert rate into the same schema for comparison on the same spans.

    python Benchmarks/serve_load.py [--spans 600000] [--connections 8] [--seconds 60]
Needs the venv of .ci/run (opentelemetry-proto)."""
import argparse
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Serve"))
os.environ.setdefault("SIFT_BIN", os.path.join(os.path.dirname(__file__), "..", ".build", "release", "sift"))

from otlp_load import build_bodies, percentile, run  # noqa: E402
from serve_support import Server  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spans", type=int, default=600_000)
    ap.add_argument("--traces-per-request", type=int, default=170)   # ~510 spans: the SDK's default batch is 512
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    requests = a.spans // (3 * a.traces_per_request)
    t = time.time()
    bodies = build_bodies(requests, a.traces_per_request, seed=3)
    total_spans = sum(b[2] for b in bodies)
    mb = sum(len(b[0]) for b in bodies) / 1e6
    print("load: %d requests, %d spans, %.0f MB of protobuf (built in %.1f s); %d connections, at most %.0f s"
          % (len(bodies), total_spans, mb, time.time() - t, a.connections, a.seconds))
    for label, args in [("fsync per commit (default)", []), ("--no-fsync", ["--no-fsync"])]:
        with Server(args=["--classify-after", "off", *args]) as s:
            result, wall = run(s.url, bodies, connections=a.connections, max_seconds=a.seconds)
            spans = sum(bodies[i][2] for i, _ in result.acked)
            lat = [l * 1000 for _, l in result.acked]
            size = os.path.getsize(s.db) + (os.path.getsize(s.db + "-wal") if os.path.exists(s.db + "-wal") else 0)
        print("sift serve, %-27s %8.0f spans/s  (%d spans acknowledged in %.1f s; %d refused with 429 and retried; %d failed)"
              % (label, spans / wall, spans, wall, result.refused, len(result.failed)))
        print("    acknowledgement latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f; store %.0f MB"
              % (percentile(lat, 50), percentile(lat, 90), percentile(lat, 99), max(lat), size / 1e6))
    # SQLite alone: the same spans' columns inserted by Python's sqlite3 into one table, one transaction per request.
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    d = tempfile.mkdtemp()
    con = sqlite3.connect(os.path.join(d, "plain.db"))
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE spans(trace_id TEXT, span_id TEXT, parent TEXT, name TEXT, start INTEGER, attrs TEXT, PRIMARY KEY(trace_id, span_id))")
    t = time.time()
    n = 0
    for body, _, _ in bodies:
        req = ExportTraceServiceRequest.FromString(body)
        rows = [(sp.trace_id.hex(), sp.span_id.hex(), sp.parent_span_id.hex(), sp.name, sp.start_time_unix_nano,
                 repr([(kv.key, kv.value.string_value or kv.value.int_value) for kv in sp.attributes]))
                for rs in req.resource_spans for ss in rs.scope_spans for sp in ss.spans]
        with con:
            con.executemany("INSERT OR REPLACE INTO spans VALUES (?,?,?,?,?,?)", rows)
        n += len(rows)
        if time.time() - t > a.seconds:
            break
    wall = time.time() - t
    print("SQLite via Python (decode + insert, fsync per request): %8.0f spans/s  (%d spans in %.1f s)" % (n / wall, n, wall))


if __name__ == "__main__":
    main()
