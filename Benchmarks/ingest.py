#!/usr/bin/env python3
"""Ingest benchmark: Sift vs DuckDB vs SQLite's own JSON functions, on the same file, in one run.

Generates Braintrust-style span JSON lines with the Sift simulator (about 1M spans by default), then
loads the file three ways into fresh databases and prints the time, rate, size on disk and peak
memory of each, with the ratios. Python is only the harness here; Sift itself never needs it.

    python3 Benchmarks/ingest.py [--traces 188000] [--dir /tmp/sift-bench] [--runs 3]

Needs: a release build (`swift build -c release`), and `pip install duckdb` for the DuckDB column.
"""
import argparse, json, os, resource, shutil, sqlite3, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIFT = os.path.join(ROOT, ".build", "release", "sift")


def size_of(paths):
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


def fresh(*paths):
    for p in paths:
        for suffix in ("", "-wal", "-shm", ".wal", ".rejects.jsonl"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)


def run_sift(path, db):
    fresh(db)
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", SIFT, "ingest", path, "--db", db, "--quiet"],
                         capture_output=True, text=True)
    secs = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit("sift ingest failed: " + out.stderr)
    peak_kb = int(out.stderr.strip().splitlines()[-1])
    return secs, size_of([db, db + "-wal"]), peak_kb


def run_duckdb(path, db):
    try:
        import duckdb  # noqa
    except ImportError:
        return None
    fresh(db)
    script = (
        "import duckdb, time, sys\n"
        f"con = duckdb.connect({db!r})\n"
        "t = time.perf_counter()\n"
        f"con.execute(\"CREATE TABLE spans AS SELECT * FROM read_json({path!r}, format='newline_delimited', maximum_object_size=67108864)\")\n"
        "con.close()\n"
        "print(time.perf_counter() - t)\n")
    out = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", script], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("duckdb failed: " + out.stderr)
    secs = float(out.stdout.strip().splitlines()[-1])
    return secs, size_of([db, db + ".wal"]), int(out.stderr.strip().splitlines()[-1])


SQLITE_LOAD = r"""
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;
CREATE TABLE raw(line TEXT);
CREATE TABLE spans(id TEXT, span_id TEXT, root_span_id TEXT, span_parents TEXT, created TEXT,
  span_type TEXT, span_name TEXT, start REAL, "end" REAL, prompt_tokens INT, completion_tokens INT, total_tokens INT,
  input TEXT, output TEXT, expected TEXT, error TEXT, scores TEXT, metadata TEXT, tags TEXT, metrics TEXT, span_attributes TEXT);
.mode ascii
.separator "{US}" "\n"
.import {path} raw
BEGIN;
INSERT INTO spans SELECT j->>'$.id', j->>'$.span_id', j->>'$.root_span_id', j->'$.span_parents', j->>'$.created',
  j->>'$.span_attributes.type', j->>'$.span_attributes.name', j->>'$.metrics.start', j->>'$.metrics.end',
  j->>'$.metrics.prompt_tokens', j->>'$.metrics.completion_tokens', j->>'$.metrics.total_tokens',
  j->'$.input', j->'$.output', j->'$.expected', j->'$.error', j->'$.scores', j->'$.metadata', j->'$.tags', j->'$.metrics', j->'$.span_attributes'
  FROM (SELECT json(line) AS j FROM raw);
DROP TABLE raw;
CREATE UNIQUE INDEX spans_by_id ON spans(id);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""


def run_sqlite(path, db):
    """The same file through the sqlite3 shell: raw lines in, then SQLite's own JSON functions."""
    if not shutil.which("sqlite3"):
        return None
    fresh(db)
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "sqlite3", db], input=SQLITE_LOAD.replace("{path}", path).replace("{US}", "\x1f"),
                         capture_output=True, text=True)
    secs = time.perf_counter() - t
    if out.returncode != 0 or "Error" in out.stderr:
        sys.exit("sqlite load failed: " + out.stderr)
    return secs, size_of([db, db + "-wal"]), int(out.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", type=int, default=188_000, help="simulated conversations (188k is about 1M spans)")
    ap.add_argument("--dir", default="/tmp/sift-bench")
    ap.add_argument("--runs", type=int, default=3, help="runs of each loader; the median is reported")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(SIFT):
        sys.exit("no release build: run `swift build -c release` first")
    os.makedirs(args.dir, exist_ok=True)
    path = os.path.join(args.dir, f"spans-{args.traces}.jsonl")
    if not os.path.exists(path):
        subprocess.run([SIFT, "simulate", "--out", path, "--traces", str(args.traces), "--now", "2026-11-20T00:00:00Z"], check=True)
    with open(path, "rb") as f:
        spans = sum(1 for _ in f)
    mb = os.path.getsize(path) / 2**20
    print(f"file: {path}: {spans:,} spans, {mb:,.0f} MiB; {os.cpu_count()} cores; median of {args.runs} runs")

    def median(fn, db):
        results = [fn(path, os.path.join(args.dir, db)) for _ in range(args.runs)]
        if results[0] is None:
            return None
        results.sort(key=lambda r: r[0])
        return results[len(results) // 2]

    rows = [("sift ingest", median(run_sift, "sift.db"))]
    rows.append(("duckdb read_json", median(run_duckdb, "duck.duckdb")))
    if not args.no_sqlite:
        rows.append(("sqlite3 + json ->>", median(run_sqlite, "sqlite.db")))
    sift_secs = rows[0][1][0]
    print(f"{'loader':<22}{'seconds':>9}{'spans/s':>12}{'MiB/s':>9}{'on disk':>10}{'peak RSS':>10}{'rate vs sift':>14}")
    for name, r in rows:
        if r is None:
            print(f"{name:<22}  (not installed: pip install duckdb; apt-get install sqlite3)")
            continue
        secs, size, peak = r
        print(f"{name:<22}{secs:>9.2f}{spans / secs:>12,.0f}{mb / secs:>9.0f}{size / 2**20:>8,.0f}Mi{peak / 1024:>8,.0f}Mi{sift_secs / secs:>13.2f}x")


if __name__ == "__main__":
    main()
