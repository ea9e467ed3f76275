import XCTest
@testable import SiftQuery

/// EXPLAIN snapshots for the binder and planner: every query of DIALECT.md section 7 (the queries
/// that must run unchanged, and its four filters), bound against a catalog that knows only the span
/// model. A change to binding, pushdown (the time range reaches the scan only in the spans shape) or
/// plan shape shows up here as a diff of the plan tree.
final class ExplainTests: XCTestCase {
    func testDialectSection7Plans() throws {
        XCTAssertEqual(dialectQueries.count, expected.count)
        for (q, want) in zip(dialectQueries, expected) {
            let plan = try Binder(catalog: OpenCatalog()).bind(try Parser.parse(q), defaultProject: "p")
            XCTAssertEqual(plan.explain, want, q)
        }
    }

    let expected: [String] = [
        #"""
        Limit 20
          Sort count DESC
            Aggregate by facets.sentiment, classifications.Task[0].label -> sentiment = facets.sentiment, topic = classifications.Task[0].label, count = count(*), avg_tokens = avg(metrics.total_tokens)
              TraceFilter (a trace matches if any span does) ((facets.sentiment IS NOT NULL) AND (classifications.Task IS NOT NULL)) AND (created > (now() - INTERVAL 7 DAY))
                Scan project_logs('my-project-id') shape=traces fields=[classifications, created, facets, is_root, metrics, root_span_id]
        """#,
        #"""
        Aggregate by metadata.model, day(created) -> model = metadata.model, date = day(created), total_calls = count(1), avg_score = avg(scores.Factuality), p95_tokens = percentile(metrics.total_tokens, 0.95)
          Filter created > (now() - INTERVAL 7 DAY)
            Scan project_logs('my-project-id') shape=spans fields=[created, metadata, metrics, scores] time=[created > now() - INTERVAL 7 DAY]
        """#,
        #"""
        Sort avg_score DESC
          Filter (having) (avg(scores.Factuality) > 0.8) AND (count(1) > 100)
            Aggregate by metadata.model -> model = metadata.model, avg_score = avg(scores.Factuality), total_calls = count(1)
              Filter created > (now() - INTERVAL 7 DAY)
                Scan project_logs('my-project-id') shape=spans fields=[created, metadata, scores] time=[created > now() - INTERVAL 7 DAY]
        """#,
        #"""
        Limit 50
          Sort classifications.Task[0].metadata.distance ASC
            Project id = id, task = facets.task, topic = classifications.Task[0].label
              Filter ((classifications.Task[0].label = 'Creating datasets') AND (classifications.Task[0].metadata.distance < 0.5)) AND (created > (now() - INTERVAL 7 DAY))
                Scan project_logs('my-project-id') shape=spans fields=[classifications, created, facets, id] time=[created > now() - INTERVAL 7 DAY]
        """#,
        #"""
        Aggregate by classification.id -> id = classification.id, count = count(1)
          Filter created >= (now() - INTERVAL 3 DAY)
            Unpivot classifications.Issues -> classification
              Scan project_logs('my-project-id') shape=spans fields=[classifications, created] time=[created >= now() - INTERVAL 3 DAY]
        """#,
        #"""
        Sort feedback_count DESC
          Aggregate by tags[0], metadata.model -> primary_tag = tags[0], model = metadata.model, feedback_count = count(1), high_quality_rate = avg((scores.Factuality > 0.8) ? 1 : 0)
            Filter (tags INCLUDES 'feedback') AND (created > (now() - INTERVAL 30 DAY))
              Scan project_logs('my-project-id') shape=spans fields=[created, metadata, scores, tags] time=[created > now() - INTERVAL 30 DAY]
        """#,
        #"""
        Project *
          Filter ((error IS NOT NULL) AND (error.type NOT IN ("rate_limit", "timeout"))) AND (created > (now() - INTERVAL 1 DAY))
            Scan project_logs('p') shape=spans fields=[classifications, created, error, expected, facets, id, input, is_root, metadata, metrics, output, project_id, root_span_id, scores, span_attributes, span_id, span_parents, tags] time=[created > now() - INTERVAL 1 DAY]
        """#,
        #"""
        Project *
          Filter classifications.Task.label IN ("Dataset creation", "API errors")
            Scan project_logs('p') shape=spans fields=[classifications, created, error, expected, facets, id, input, is_root, metadata, metrics, output, project_id, root_span_id, scores, span_attributes, span_id, span_parents, tags]
        """#,
        #"""
        Project *
          Filter metrics.total_tokens > ((metadata.model = "gpt-4-turbo") ? 1000 : 500)
            Scan project_logs('p') shape=spans fields=[classifications, created, error, expected, facets, id, input, is_root, metadata, metrics, output, project_id, root_span_id, scores, span_attributes, span_id, span_parents, tags]
        """#,
        #"""
        Project *
          Filter NOT any_span((span_attributes.type = 'score') AND (span_attributes.name = 'null_score'))
            Scan project_logs('p') shape=spans fields=[classifications, created, error, expected, facets, id, input, is_root, metadata, metrics, output, project_id, root_span_id, scores, span_attributes, span_id, span_parents, tags]
        """#,
        #"""
        Project *
          Filter metadata.description LIKE '%50\% off%'
            Scan project_logs('p') shape=spans fields=[classifications, created, error, expected, facets, id, input, is_root, metadata, metrics, output, project_id, root_span_id, scores, span_attributes, span_id, span_parents, tags]
        """#
    ]

    /// An unnamed select item is named by its text, shortened (issue 16: a 1 MB literal became the
    /// column name, and the JSON key of every row).
    func testLongUnnamedItemsGetShortNames() throws {
        let big = "'" + String(repeating: "x", count: 1_000_000) + "'"
        let plan = try Binder(catalog: OpenCatalog()).bind(try Parser.parse("SELECT \(big), 1 + 2 FROM project_logs('p')"))
        XCTAssertEqual(plan.items.map(\.name), ["'" + String(repeating: "x", count: 60) + "...", "1 + 2"])
    }
}
