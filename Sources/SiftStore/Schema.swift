// Schema holds the store's tables and the migrations that build them, versioned by
// PRAGMA user_version. Tables that later capabilities fill (facets, classifications, topics, topic
// runs, scorers, scores, datasets, review items, embeddings) are designed here so those issues only
// add rows. A migration runs in one transaction: a store is always at one version or the next.

enum Schema {
    /// Migration n brings the store from version n to n + 1.
    static let migrations: [String] = [
        """
        CREATE TABLE projects (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL UNIQUE,
            created    INTEGER NOT NULL            -- microseconds since the epoch
        );

        -- One row per span. Hot fields are real columns; nested objects are JSON text.
        CREATE TABLE spans (
            row             INTEGER PRIMARY KEY,
            project_id      INTEGER NOT NULL REFERENCES projects(id),
            id              TEXT NOT NULL,
            span_id         TEXT NOT NULL,
            root_span_id    TEXT NOT NULL,
            span_parents    TEXT,                  -- JSON array, NULL for a root
            is_root         INTEGER NOT NULL,
            created         INTEGER NOT NULL,      -- microseconds since the epoch, UTC
            span_type       TEXT,
            span_name       TEXT,
            start           REAL,                  -- metrics.start, Unix seconds
            "end"           REAL,
            prompt_tokens   INTEGER,
            completion_tokens INTEGER,
            total_tokens    INTEGER,
            has_error       INTEGER NOT NULL DEFAULT 0,
            input           TEXT,
            output          TEXT,
            expected        TEXT,
            error           TEXT,
            scores          TEXT,
            metadata        TEXT,
            tags            TEXT,
            metrics         TEXT,
            span_attributes TEXT,
            extra           TEXT                   -- fields of the source record the span model does not name
        );
        CREATE UNIQUE INDEX spans_by_id ON spans(project_id, id);
        CREATE INDEX spans_by_created ON spans(project_id, created);
        CREATE INDEX spans_by_trace ON spans(project_id, root_span_id);

        -- One row per ingest of one source; records_committed moves with every committed batch.
        CREATE TABLE ingest_runs (
            id                INTEGER PRIMARY KEY,
            source            TEXT NOT NULL,
            format            TEXT NOT NULL,
            started           INTEGER NOT NULL,
            finished          INTEGER,
            records_committed INTEGER NOT NULL DEFAULT 0,
            spans_committed   INTEGER NOT NULL DEFAULT 0,
            rejected          INTEGER NOT NULL DEFAULT 0
        );

        -- Facet summaries, one per trace and facet (computed by topics, or imported with the spans).
        CREATE TABLE facets (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            trace_id   TEXT NOT NULL,
            facet      TEXT NOT NULL,
            value      TEXT,                       -- the summary; 'no_match' when excluded
            source     TEXT NOT NULL,              -- 'import', 'builtin', or a model name
            run_id     INTEGER REFERENCES topic_runs(id),
            updated    INTEGER NOT NULL,
            PRIMARY KEY (project_id, trace_id, facet)
        ) WITHOUT ROWID;

        -- Runs of the topics pipeline: when, which models, parameters, counts.
        CREATE TABLE topic_runs (
            id         INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            facet      TEXT NOT NULL,
            started    INTEGER NOT NULL,
            finished   INTEGER,
            status     TEXT NOT NULL,              -- running, done, failed
            facet_model     TEXT,
            embedding_model TEXT,
            params     TEXT,                       -- JSON
            counts     TEXT                        -- JSON
        );

        CREATE TABLE topics (
            project_id  INTEGER NOT NULL REFERENCES projects(id),
            facet       TEXT NOT NULL,
            id          TEXT NOT NULL,             -- stable across runs for a topic that persists
            label       TEXT NOT NULL,
            description TEXT,
            terms       TEXT,                      -- JSON array of distinctive terms
            centroid    BLOB,                      -- float32 vector
            size        INTEGER NOT NULL DEFAULT 0,
            status      TEXT NOT NULL DEFAULT 'active',  -- active, new, merged, retired
            merged_into TEXT,
            confirmation TEXT,                     -- from review verdicts: confirmed, rejected, NULL
            first_run   INTEGER REFERENCES topic_runs(id),
            last_run    INTEGER REFERENCES topic_runs(id),
            PRIMARY KEY (project_id, facet, id)
        ) WITHOUT ROWID;

        -- classifications.<facet>[position] of a trace.
        CREATE TABLE classifications (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            trace_id   TEXT NOT NULL,
            facet      TEXT NOT NULL,
            position   INTEGER NOT NULL,
            topic_id   TEXT,
            label      TEXT,
            confidence REAL,
            distance   REAL,
            metadata   TEXT,                       -- JSON, the element's full metadata object
            source     TEXT NOT NULL,
            run_id     INTEGER REFERENCES topic_runs(id),
            x REAL, y REAL,                        -- 2-D projection for the report's scatterplot
            PRIMARY KEY (project_id, trace_id, facet, position)
        ) WITHOUT ROWID;

        CREATE TABLE scorers (
            id         INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            name       TEXT NOT NULL,
            kind       TEXT NOT NULL,              -- filter, judge
            definition TEXT NOT NULL,              -- JSON
            created    INTEGER NOT NULL,
            UNIQUE (project_id, name)
        );

        -- scores.<scorer> on a trace's root span.
        CREATE TABLE scores (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            trace_id   TEXT NOT NULL,
            scorer     TEXT NOT NULL,
            score      REAL,
            reason     TEXT,
            metadata   TEXT,
            error      TEXT,
            created    INTEGER NOT NULL,
            PRIMARY KEY (project_id, trace_id, scorer)
        ) WITHOUT ROWID;

        CREATE TABLE datasets (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE,
            description TEXT,
            created     INTEGER NOT NULL
        );

        CREATE TABLE dataset_records (
            dataset_id     INTEGER NOT NULL REFERENCES datasets(id),
            id             TEXT NOT NULL,
            project_id     INTEGER REFERENCES projects(id),
            source_trace_id TEXT,
            input          TEXT,
            expected       TEXT,
            metadata       TEXT,
            topic          TEXT,
            created        INTEGER NOT NULL,
            PRIMARY KEY (dataset_id, id),
            UNIQUE (dataset_id, project_id, source_trace_id)
        );

        CREATE TABLE review_items (
            id         INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id),
            trace_id   TEXT NOT NULL,
            reviewer   TEXT NOT NULL,
            facet      TEXT,
            topic_id   TEXT,
            status     TEXT NOT NULL DEFAULT 'open',   -- open, done
            verdict    TEXT,                           -- confirm, reject, relabel
            new_label  TEXT,
            comment    TEXT,
            assigned   INTEGER NOT NULL,
            decided    INTEGER,
            UNIQUE (project_id, trace_id, reviewer)
        );

        -- Embedding cache by model and text hash, so re-runs embed only new text.
        CREATE TABLE embeddings (
            model     TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector    BLOB NOT NULL,                   -- float32
            PRIMARY KEY (model, text_hash)
        ) WITHOUT ROWID;
        """,
        // 2: the trace index also covers is_root and created, so loading a project's hot columns
        // reads the index instead of every page of the spans table.
        """
        DROP INDEX IF EXISTS spans_by_trace;
        CREATE INDEX spans_by_trace ON spans(project_id, root_span_id, is_root, created);
        """,
        // 3: topics keep their radius (beyond it a trace is no_match) and the embedder that made the
        // centroid; custom facet definitions live in the store.
        """
        ALTER TABLE topics ADD COLUMN radius REAL;
        ALTER TABLE topics ADD COLUMN embedding_model TEXT;
        CREATE TABLE facet_definitions (
            name       TEXT PRIMARY KEY COLLATE NOCASE,
            definition TEXT NOT NULL,                  -- JSON, as in a facet file
            created    INTEGER NOT NULL
        );
        CREATE INDEX classifications_by_topic ON classifications(project_id, facet, topic_id);
        """,
        // 4: decoded query columns kept between processes, valid for one generation of the data
        // (bumped by every transaction that writes spans, facets, classifications or scores).
        """
        CREATE TABLE store_state (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO store_state VALUES (1, 0);
        CREATE TABLE column_cache (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            key        TEXT NOT NULL,                  -- a field or JSON path, as the executor names it
            generation INTEGER NOT NULL,
            data       BLOB NOT NULL,                  -- ColumnCodec bytes
            PRIMARY KEY (project_id, key)
        );
        """,
        // 5: topics in two levels: each clustered topic names its parent topic (id and label).
        """
        ALTER TABLE topics ADD COLUMN parent TEXT;
        ALTER TABLE topics ADD COLUMN parent_label TEXT;
        """,
        // 6: columns written at ingest (ColumnChunks.swift): a project's spans in row groups, each the
        // project's rows in [first_row, last_row], with a zone map; one blob per group and column.
        // Facet and classification chunks are current while their group's trace_fields_generation
        // equals the store's (bumped by any write to those tables that does not rewrite the chunks).
        """
        CREATE TABLE row_groups (
            project_id  INTEGER NOT NULL REFERENCES projects(id),
            first_row   INTEGER NOT NULL,
            last_row    INTEGER NOT NULL,
            rows        INTEGER NOT NULL,
            min_created INTEGER NOT NULL,
            max_created INTEGER NOT NULL,
            complete    TEXT NOT NULL,             -- families whose every key has a path chunk
            trace_fields_generation INTEGER,
            PRIMARY KEY (project_id, first_row)
        ) WITHOUT ROWID;
        CREATE TABLE column_chunks (
            project_id INTEGER NOT NULL REFERENCES projects(id),
            first_row  INTEGER NOT NULL,
            key        TEXT NOT NULL,              -- a field, or path:<field>.<key>
            data       BLOB NOT NULL,              -- ColumnFormat bytes
            PRIMARY KEY (project_id, first_row, key)
        );
        ALTER TABLE store_state ADD COLUMN trace_fields_generation INTEGER NOT NULL DEFAULT 0;
        -- 0 while spans written before row groups existed are not in groups yet.
        ALTER TABLE store_state ADD COLUMN chunks_complete INTEGER NOT NULL DEFAULT 0;
        UPDATE store_state SET chunks_complete = NOT EXISTS (SELECT 1 FROM spans);
        """,
        // 7: span text stored compressed (RowPacking.swift): the Zstandard dictionaries the frames in
        // the spans' text columns name.
        """
        CREATE TABLE dictionaries (
            id      INTEGER PRIMARY KEY,           -- the id the dictionary carries and its frames name
            data    BLOB NOT NULL,
            created INTEGER NOT NULL
        );
        """,
        // 8: short texts many spans share (RowForms.swift), which their rows name by id.
        """
        CREATE TABLE short_texts (
            id   INTEGER PRIMARY KEY,
            text TEXT NOT NULL
        );
        """,
        // 9: topic sizes are counted in one pass over a facet's classifications (and added to as
        // traces are classified live), so the index by topic, a third of the table's size, goes.
        """
        DROP INDEX IF EXISTS classifications_by_topic;
        """,
    ]

    static var latestVersion: Int { migrations.count }

    /// Secondary indexes on spans that a bulk ingest drops and rebuilds (by sorting, much faster than
    /// inserting a million random keys one by one). Opening a store recreates any that are missing,
    /// so a bulk ingest killed half-way leaves a store that is only slower until it is next opened.
    static let bulkIndexes: [(name: String, sql: String)] = [
        ("spans_by_created", "CREATE INDEX IF NOT EXISTS spans_by_created ON spans(project_id, created)"),
        ("spans_by_trace", "CREATE INDEX IF NOT EXISTS spans_by_trace ON spans(project_id, root_span_id, is_root, created)"),
    ]
}
