-- Cases, case events, proposals, executions and the audit log.
-- Times are Unix microseconds (UTC).

CREATE TABLE cases (
	id             TEXT PRIMARY KEY,
	order_id       TEXT NOT NULL,
	customer_id    TEXT NOT NULL DEFAULT '',
	class          TEXT NOT NULL DEFAULT '',
	also_detected  TEXT NOT NULL DEFAULT '[]',
	severity       TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL,
	planner        TEXT NOT NULL DEFAULT '',
	prompt_version TEXT NOT NULL DEFAULT '',
	model          TEXT NOT NULL DEFAULT '',
	policy_version TEXT NOT NULL DEFAULT '',
	summary        TEXT NOT NULL DEFAULT '',
	document       TEXT NOT NULL DEFAULT 'null',
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	resolved_at    INTEGER,
	resolution     TEXT NOT NULL DEFAULT '',
	resolved_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cases_order ON cases (order_id, created_at);
CREATE INDEX cases_status ON cases (status, created_at);
CREATE INDEX cases_customer ON cases (customer_id, created_at);

CREATE TABLE case_events (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id  TEXT NOT NULL REFERENCES cases (id),
	event_id TEXT,
	at       INTEGER NOT NULL,
	kind     TEXT NOT NULL,
	actor    TEXT NOT NULL DEFAULT '',
	data     TEXT NOT NULL DEFAULT 'null'
);
CREATE INDEX case_events_case ON case_events (case_id, seq);
CREATE UNIQUE INDEX case_events_event_id ON case_events (event_id) WHERE event_id IS NOT NULL;

CREATE TABLE proposals (
	id            TEXT PRIMARY KEY,
	case_id       TEXT NOT NULL REFERENCES cases (id),
	order_id      TEXT NOT NULL DEFAULT '',
	rank          INTEGER NOT NULL,
	action_type   TEXT NOT NULL,
	action        TEXT NOT NULL,
	outcome       TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL DEFAULT '',
	rule          TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL CHECK (state IN ('pending','approved','rejected','expired','executed','failed')),
	decided_by    TEXT NOT NULL DEFAULT '',
	decided_at    INTEGER,
	note          TEXT NOT NULL DEFAULT '',
	slack_channel TEXT NOT NULL DEFAULT '',
	slack_ts      TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
CREATE INDEX proposals_case ON proposals (case_id, rank);
CREATE INDEX proposals_pending ON proposals (created_at) WHERE state = 'pending';

-- One execution per proposal: the primary key is what makes a second
-- execution impossible.
CREATE TABLE executions (
	proposal_id TEXT PRIMARY KEY REFERENCES proposals (id),
	case_id     TEXT NOT NULL,
	action      TEXT NOT NULL,
	executed_by TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	result      TEXT NOT NULL DEFAULT 'null',
	error       TEXT NOT NULL DEFAULT '',
	started_at  INTEGER NOT NULL,
	finished_at INTEGER
);

-- The audit log is append-only and hash-chained; audit_head holds the last
-- row's seq and hash and serialises appends.
CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	kind        TEXT NOT NULL,
	case_id     TEXT NOT NULL DEFAULT '',
	proposal_id TEXT NOT NULL DEFAULT '',
	rule        TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL DEFAULT '',
	data        TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, seq);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
