-- Settings every node of a fleet must agree on. `secrets_check`: a known text sealed under the
-- fleet's secret.key, so a node whose key differs refuses to start instead of failing tasks later.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
