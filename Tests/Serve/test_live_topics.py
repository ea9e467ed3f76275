"""Live topics: traces that arrive over OTLP are summarised and classified against the existing topics
within seconds; a new project gets its first topics once it has 100 traces; re-clustering runs on demand
from the page; the status API says what the pipeline did."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

from serve_support import SIFT, Server, wait_for


def conversation_spans(i, trace_id, question, answer, error=None):
    root = "%016x" % (i * 10 + 1)
    spans = [{"traceId": trace_id, "spanId": root, "name": "support_conversation", "startTimeUnixNano": str(1764900000000000000 + i * 10**9),
              "endTimeUnixNano": str(1764900000000000000 + i * 10**9 + 5 * 10**9),
              "attributes": [{"key": "openinference.span.kind", "value": {"stringValue": "AGENT"}},
                             {"key": "input.value", "value": {"stringValue": question}},
                             {"key": "output.value", "value": {"stringValue": answer}}]},
             {"traceId": trace_id, "spanId": "%016x" % (i * 10 + 2), "parentSpanId": root, "name": "lookup_order",
              "startTimeUnixNano": str(1764900000000000000 + i * 10**9 + 10**9),
              "attributes": [{"key": "openinference.span.kind", "value": {"stringValue": "TOOL"}},
                             {"key": "input.value", "value": {"stringValue": '{"order_id": "A%06d"}' % i}}],
              **({"status": {"code": 2, "message": error}} if error else {})}]
    return spans


def post(s, service, spans):
    body = json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                                          "scopeSpans": [{"spans": spans}]}]}).encode()
    status, _, resp = s.post("/v1/traces", body, {"Content-Type": "application/json"})
    assert status == 200, (status, resp)


def main():
    store = os.path.join(tempfile.mkdtemp(prefix="sift-live-"), "live.db")
    subprocess.run([SIFT, "demo", "--db", store, "--traces", "400"], check=True, stdout=subprocess.DEVNULL)
    with Server(db=store, args=["--classify-after", "1s"]) as s:
        # 20 new traces into the demo project, which has topics.
        ids = []
        t0 = time.time()
        for i in range(20):
            tid = "%032x" % (0xABC000 + i)
            ids.append(tid)
            post(s, "demo", conversation_spans(i, tid, "Where is my order A%06d? It was due last week." % i,
                                               "I could not look that order up right now." if i % 2 else "It ships tomorrow.",
                                               error="order service timed out" if i % 2 else None))
        in_list = ", ".join("'%s'" % t for t in ids)

        def classified():
            rows = s.query("demo", "SELECT count(1) FROM project_logs('demo', shape => 'traces') WHERE root_span_id IN (%s) AND classifications.Issues[0].label IS NOT NULL AND classifications.Task[0].label IS NOT NULL" % in_list)
            return rows[0][0] == 20

        wait_for(classified, timeout=60, what="the new traces to be classified")
        seconds = time.time() - t0
        status = json.loads(s.get("/api/status")[1])
        assert status["topics"]["classified_total"] >= 20, status
        assert status["ingest"]["spans"] == 40, status
        print("live: 20 new traces classified against the existing topics %.1f s after the first arrived" % seconds)

        # A new project gets its first topics at 100 traces.
        for i in range(120):
            tid = "%032x" % (0xF00000 + i)
            q = ["Where is my order A%06d?" % i, "I want to return order A%06d, it does not fit." % i, "Cancel my subscription please."][i % 3]
            post(s, "fresh", conversation_spans(1000 + i, tid, q, "Done."))
        wait_for(lambda: s.query("fresh", "SELECT count(1) FROM topics('fresh')")[0][0] > 0, timeout=120, what="first topics in a new project")
        wait_for(lambda: s.query("fresh", "SELECT count(1) FROM project_logs('fresh', shape => 'traces') WHERE classifications.Task[0].label IS NOT NULL")[0][0] == 120,
                 timeout=60, what="every trace of the new project classified")
        print("live: a new project's first topics found once it reached 100 traces; all 120 classified")

        # Re-cluster on demand from the page (the form carries the CSRF token).
        page = s.get("/projects/demo")[1].decode()
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        before = status["topics"]["last_recluster"]
        code, _, _ = s.post("/projects/demo/recluster", ("csrf=" + csrf).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        assert code in (200, 303), code
        wait_for(lambda: json.loads(s.get("/api/status")[1])["topics"]["last_recluster"] not in (None, before), timeout=120, what="the re-clustering")
        print("live: re-clustering on demand ran")


if __name__ == "__main__":
    main()
    sys.exit(0)
