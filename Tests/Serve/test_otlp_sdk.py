"""The real OpenTelemetry Python SDK exports 300 traces to `sift serve` over OTLP/HTTP protobuf (its
default), and they are queryable at once with their GenAI attributes mapped; a gzip OTLP/JSON POST lands
too; bad bodies get the OTLP status codes."""
import gzip
import json
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

from serve_support import Server


def export_with_sdk(url, traces):
    provider = TracerProvider(resource=Resource.create({"service.name": "support-bot"}))
    exporter = OTLPSpanExporter(endpoint=url + "/v1/traces")  # protobuf, as every SDK defaults to
    provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=256))
    tracer = provider.get_tracer("sift-test")
    for i in range(traces):
        with tracer.start_as_current_span("invoke_agent support") as root:
            root.set_attribute("gen_ai.operation.name", "invoke_agent")
            root.set_attribute("input.value", "order %d has not arrived, where is it?" % i)
            with tracer.start_as_current_span("chat gpt-4o") as llm:
                llm.set_attribute("gen_ai.operation.name", "chat")
                llm.set_attribute("gen_ai.request.model", "gpt-4o")
                llm.set_attribute("gen_ai.usage.input_tokens", 100 + i)
                llm.set_attribute("gen_ai.usage.output_tokens", 20)
                llm.set_attribute("gen_ai.input.messages", json.dumps([{"role": "user", "content": "where is order %d" % i}]))
            with tracer.start_as_current_span("execute_tool lookup_order") as tool:
                tool.set_attribute("gen_ai.operation.name", "execute_tool")
                tool.set_attribute("gen_ai.tool.name", "lookup_order")
                if i % 10 == 0:
                    tool.set_status(Status(StatusCode.ERROR, "order service timed out"))
    assert provider.force_flush(60_000), "the SDK could not flush"
    provider.shutdown()


def main():
    with Server() as s:
        export_with_sdk(s.url, 300)
        # Queryable at once: every acknowledged request is committed.
        rows = s.query("support-bot", "SELECT count(1) AS n FROM project_logs('support-bot', shape => 'traces')")
        assert rows == [[300]], rows
        rows = s.query("support-bot", "SELECT count(1) AS spans, sum(metrics.prompt_tokens) AS prompt, count(error) AS errors FROM project_logs('support-bot')")
        assert rows == [[900, sum(100 + i for i in range(300)), 30]], rows
        rows = s.query("support-bot", "SELECT span_attributes.type, metadata.model, metadata.tool_name FROM project_logs('support-bot') WHERE span_attributes.name = 'chat gpt-4o' LIMIT 1")
        assert rows[0][0] == "llm" and rows[0][1] == "gpt-4o", rows
        rows = s.query("support-bot", "SELECT count(1) FROM project_logs('support-bot') WHERE span_attributes.type = 'tool' AND metadata.tool_name = 'lookup_order'")
        assert rows == [[300]], rows
        # Every child joined its root's trace.
        rows = s.query("support-bot", "SELECT count(DISTINCT root_span_id) FROM project_logs('support-bot')")
        assert rows == [[300]], rows
        print("otel sdk: 300 traces (900 spans) exported over OTLP/HTTP protobuf and queryable")

        # A gzip OTLP/JSON POST, with one bad span: partial success, the good one lands.
        body = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-client"}}]},
                "scopeSpans": [{"spans": [
                    {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "chat",
                     "startTimeUnixNano": "1733000000000000000", "endTimeUnixNano": "1733000001000000000",
                     "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}}]},
                    {"traceId": "5b8efff798038103d269b633813fc60c", "name": "no span id"}]}]}]}
        status, headers, resp = s.post("/v1/traces", gzip.compress(json.dumps(body).encode()),
                                       {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert status == 200, (status, resp)
        partial = json.loads(resp)["partialSuccess"]
        assert partial["rejectedSpans"] == "1" and "spanId" in partial["errorMessage"], partial
        rows = s.query("json-client", "SELECT span_attributes.name, metrics.prompt_tokens FROM project_logs('json-client')")
        assert rows == [["chat", 42]], rows
        print("gzip OTLP/JSON: landed, 1 bad span reported as partial success")

        # The OTLP status codes.
        status, _, _ = s.post("/v1/traces", b"\x0a\xff\xff", {"Content-Type": "application/x-protobuf"})
        assert status == 400, status
        status, _, _ = s.post("/v1/traces", b"not gzip", {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert status == 400, status
        status, _, _ = s.post("/v1/traces", b"{}", {"Content-Type": "text/plain"})
        assert status == 415, status
        status, _, _ = s.post("/v1/traces", b"x" * (2 << 20), {"Content-Type": "application/json"})
        assert status == 200 or status == 400, status
        bomb = gzip.compress(b" " * (40 << 20))
        status, _, _ = s.post("/v1/traces", bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert status == 413, status
        print("status codes: 400 undecodable, 415 other type, 413 over the limit (gzip bomb)")


if __name__ == "__main__":
    main()
    sys.exit(0)
