"""A bounded OTLP/HTTP load generator: builds protobuf ExportTraceServiceRequests with the
OpenTelemetry proto classes (GenAI-shaped traces: an agent root, an LLM call, a tool call), then sends
them over several keep-alive connections, recording each request's acknowledgement latency and status.
Used by the kill -9 test and by Benchmarks/serve_load.py."""
import http.client
import random
import threading
import time
import urllib.parse

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

QUESTIONS = ["where is my order", "I want a refund for the broken kettle", "change my delivery address",
             "the app keeps logging me out", "cancel my subscription please", "why was I charged twice"]


def _kv(key, value):
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def build_bodies(requests, traces_per_request, seed=1, service="load"):
    """[(body bytes, [trace ids hex], spans)] for `requests` requests of `traces_per_request` traces."""
    rng = random.Random(seed)
    out = []
    t0 = 1_733_000_000_000_000_000
    for r in range(requests):
        req = ExportTraceServiceRequest()
        rs = req.resource_spans.add()
        rs.resource.attributes.append(_kv("service.name", service))
        ss = rs.scope_spans.add()
        ss.scope.name = "sift-load"
        ids = []
        for t in range(traces_per_request):
            trace_id = rng.getrandbits(128).to_bytes(16, "big")
            ids.append(trace_id.hex())
            root_id = rng.getrandbits(64).to_bytes(8, "big")
            start = t0 + (r * traces_per_request + t) * 1_000_000
            q = rng.choice(QUESTIONS) + " (%d)" % rng.randrange(100000)
            root = ss.spans.add(trace_id=trace_id, span_id=root_id, name="invoke_agent support",
                                start_time_unix_nano=start, end_time_unix_nano=start + 2_000_000_000)
            root.attributes.extend([_kv("gen_ai.operation.name", "invoke_agent"), _kv("input.value", q)])
            llm = ss.spans.add(trace_id=trace_id, span_id=rng.getrandbits(64).to_bytes(8, "big"), parent_span_id=root_id,
                               name="chat gpt-4o-mini", start_time_unix_nano=start + 1000, end_time_unix_nano=start + 900_000_000)
            llm.attributes.extend([_kv("gen_ai.operation.name", "chat"), _kv("gen_ai.request.model", "gpt-4o-mini"),
                                   _kv("gen_ai.usage.input_tokens", rng.randrange(200, 2000)), _kv("gen_ai.usage.output_tokens", rng.randrange(10, 300)),
                                   _kv("gen_ai.input.messages", '[{"role":"user","content":"%s"}]' % q)])
            tool = ss.spans.add(trace_id=trace_id, span_id=rng.getrandbits(64).to_bytes(8, "big"), parent_span_id=root_id,
                                name="execute_tool lookup_order", start_time_unix_nano=start + 900_000_000, end_time_unix_nano=start + 1_500_000_000)
            tool.attributes.extend([_kv("gen_ai.operation.name", "execute_tool"), _kv("gen_ai.tool.name", "lookup_order")])
            if rng.random() < 0.05:
                tool.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message="order service timed out"))
        out.append((req.SerializeToString(), ids, 3 * traces_per_request))
    return out


class Result:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []        # (index, latency seconds)
        self.refused = 0       # 429/503: retried
        self.failed = []       # (index, error)


def run(url, bodies, connections=4, max_seconds=60.0, result=None, stop=None):
    """Sends every body once (retrying 429/503 after Retry-After), over `connections` connections,
    for at most `max_seconds`. Returns (Result, wall seconds)."""
    result = result or Result()
    parsed = urllib.parse.urlparse(url)
    next_index = [0]
    lock = threading.Lock()
    deadline = time.time() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        while time.time() < deadline and not (stop and stop.is_set()):
            with lock:
                i = next_index[0]
                if i >= len(bodies):
                    return
                next_index[0] += 1
            body = bodies[i][0]
            while True:
                t = time.perf_counter()
                try:
                    conn.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf"})
                    resp = conn.getresponse()
                    resp.read()
                except Exception as e:  # the server went away (the kill test)
                    with result.lock:
                        result.failed.append((i, repr(e)))
                    return
                latency = time.perf_counter() - t
                if resp.status in (429, 503):
                    with result.lock:
                        result.refused += 1
                    time.sleep(float(resp.getheader("Retry-After") or 1) / 10)
                    continue
                with result.lock:
                    if resp.status == 200:
                        result.acked.append((i, latency))
                    else:
                        result.failed.append((i, "HTTP %d" % resp.status))
                break

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return result, time.time() - start


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]
