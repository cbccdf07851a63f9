import GRDB

/// The state database's schema, as GRDB migrations: each runs once, in order,
/// and is recorded in the file. Add a new migration for every change; never
/// edit one that has shipped.
enum StateSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: kv, runs, events, pins, score samples, deliveries") { db in
            // Per-plugin key-value state behind kv_get / kv_put / kv_delete.
            try db.execute(sql: """
                CREATE TABLE kv (
                    plugin TEXT NOT NULL,
                    key BLOB NOT NULL,
                    value BLOB NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (plugin, key)
                ) WITHOUT ROWID
                """)
            // One row per host start that archived events.
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at REAL NOT NULL,
                    pid INTEGER NOT NULL
                )
                """)
            // AUTOINCREMENT: ids are never reused after pruning, so `after` cursors stay valid.
            try db.execute(sql: """
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    sequence INTEGER NOT NULL,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    UNIQUE (run_id, sequence)
                )
                """)
            try db.execute(sql: "CREATE INDEX events_by_kind ON events(kind, id)")
            try db.execute(sql: """
                CREATE TABLE pins (
                    slot TEXT PRIMARY KEY,
                    provider TEXT NOT NULL,
                    pinned_at REAL NOT NULL
                ) WITHOUT ROWID
                """)
            try db.execute(sql: """
                CREATE TABLE score_samples (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    capability TEXT NOT NULL,
                    score REAL NOT NULL,
                    success_rate REAL NOT NULL,
                    latency REAL NOT NULL,
                    health REAL NOT NULL,
                    samples INTEGER NOT NULL,
                    breaker TEXT NOT NULL,
                    status TEXT NOT NULL,
                    in_flight INTEGER NOT NULL,
                    calls INTEGER NOT NULL,
                    failures INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX score_samples_by_capability ON score_samples(capability, id)")
            // The durable journal. `seq` orders deliveries first come, first served.
            try db.execute(sql: """
                CREATE TABLE deliveries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    target TEXT NOT NULL,
                    method TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'inFlight', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    last_error_code TEXT,
                    delivered_by TEXT,
                    failed_providers TEXT NOT NULL DEFAULT '[]',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    next_attempt_at REAL
                )
                """)
            try db.execute(sql: "CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at, seq)")
        }
        migrator.registerMigration("v2: events keep reason and details as columns") { db in
            // v1 kept each event as one JSON document; encoding it cost the writer most of its
            // time in a swap storm. Rows written by v1 are carried over.
            try db.execute(sql: """
                CREATE TABLE events_v2 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    sequence INTEGER NOT NULL,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    details TEXT NOT NULL,
                    UNIQUE (run_id, sequence)
                )
                """)
            try db.execute(sql: """
                INSERT INTO events_v2 (id, run_id, sequence, time, kind, subject, reason, details)
                SELECT id, run_id, sequence, time, kind, subject, COALESCE(json_extract(body, '$.reason'), ''),
                       COALESCE(json_extract(body, '$.details'), '{}')
                FROM events
                """)
            try db.execute(sql: "DROP TABLE events")
            try db.execute(sql: "ALTER TABLE events_v2 RENAME TO events")
            try db.execute(sql: "CREATE INDEX events_by_kind ON events(kind, id)")
        }
        migrator.registerMigration("v3: idempotency keys are scoped to a target and method") { db in
            // v1 made a key unique across the whole journal: a key reused for another
            // capability or method silently dropped that delivery. Rows are carried over.
            try db.execute(sql: """
                CREATE TABLE deliveries_v3 (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    idempotency_key TEXT NOT NULL,
                    target TEXT NOT NULL,
                    method TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'inFlight', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    last_error_code TEXT,
                    delivered_by TEXT,
                    failed_providers TEXT NOT NULL DEFAULT '[]',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    next_attempt_at REAL,
                    UNIQUE (target, method, idempotency_key)
                )
                """)
            try db.execute(sql: """
                INSERT INTO deliveries_v3 (seq, id, idempotency_key, target, method, payload, state, attempts, last_error,
                                           last_error_code, delivered_by, failed_providers, created_at, updated_at, next_attempt_at)
                SELECT seq, id, idempotency_key, target, method, payload, state, attempts, last_error,
                       last_error_code, delivered_by, failed_providers, created_at, updated_at, next_attempt_at
                FROM deliveries
                """)
            try db.execute(sql: "DROP TABLE deliveries")
            try db.execute(sql: "ALTER TABLE deliveries_v3 RENAME TO deliveries")
            try db.execute(sql: "CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at, seq)")
        }
        migrator.registerMigration("v4: workflow runs and their steps") { db in
            // One row per `caphost run`; `document` is the file as it ran.
            try db.execute(sql: """
                CREATE TABLE workflow_runs (
                    id TEXT PRIMARY KEY,
                    workflow TEXT NOT NULL,
                    file TEXT NOT NULL,
                    document TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    step_count INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
                    failure TEXT,
                    started_at REAL NOT NULL,
                    finished_at REAL
                ) WITHOUT ROWID
                """)
            try db.execute(sql: "CREATE INDEX workflow_runs_by_start ON workflow_runs(started_at)")
            // Each step as it finished (skipped and not-run steps too, at the end).
            try db.execute(sql: """
                CREATE TABLE workflow_steps (
                    run_id TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    tool TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    provider TEXT,
                    attempts INTEGER NOT NULL,
                    duration_ms REAL NOT NULL,
                    output TEXT,
                    error TEXT,
                    PRIMARY KEY (run_id, position)
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v5: delivery responses and attempt timeouts; workflow run resumes") { db in
            // A workflow's durable step reads its delivery's answer; `response` is NULL when
            // the answer was larger than durable.max_payload_bytes (`response_bytes` says how large).
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN response BLOB")
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN response_bytes INTEGER")
            // Each attempt's deadline when the caller set one (a workflow step's `timeout`).
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN attempt_timeout_ms INTEGER")
            // How often a run a stopped host left going was resumed.
            try db.execute(sql: "ALTER TABLE workflow_runs ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }()
}
