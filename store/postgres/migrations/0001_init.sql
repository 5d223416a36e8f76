-- Cases, case events, proposals, executions and the audit log.

CREATE TABLE cases (
	id             text PRIMARY KEY,
	order_id       text NOT NULL,
	customer_id    text NOT NULL DEFAULT '',
	class          text NOT NULL DEFAULT '',
	also_detected  text[] NOT NULL DEFAULT '{}',
	severity       text NOT NULL DEFAULT '',
	status         text NOT NULL,
	planner        text NOT NULL DEFAULT '',
	prompt_version text NOT NULL DEFAULT '',
	model          text NOT NULL DEFAULT '',
	policy_version text NOT NULL DEFAULT '',
	summary        text NOT NULL DEFAULT '',
	document       jsonb NOT NULL DEFAULT 'null',
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL,
	resolved_at    timestamptz,
	resolution     text NOT NULL DEFAULT '',
	resolved_by    text NOT NULL DEFAULT ''
);
CREATE INDEX cases_order ON cases (order_id, created_at);
CREATE INDEX cases_open ON cases (created_at) WHERE status = 'open';
CREATE INDEX cases_customer ON cases (customer_id, created_at);

CREATE TABLE case_events (
	seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id  text NOT NULL REFERENCES cases (id),
	event_id text UNIQUE,
	at       timestamptz NOT NULL,
	kind     text NOT NULL,
	actor    text NOT NULL DEFAULT '',
	data     jsonb NOT NULL DEFAULT 'null'
);
CREATE INDEX case_events_case ON case_events (case_id, seq);

CREATE TABLE proposals (
	id            text PRIMARY KEY,
	case_id       text NOT NULL REFERENCES cases (id),
	order_id      text NOT NULL DEFAULT '',
	rank          integer NOT NULL,
	action_type   text NOT NULL,
	action        jsonb NOT NULL,
	outcome       text NOT NULL DEFAULT '',
	role          text NOT NULL DEFAULT '',
	rule          text NOT NULL DEFAULT '',
	reason        text NOT NULL DEFAULT '',
	state         text NOT NULL CHECK (state IN ('pending','approved','rejected','expired','executed','failed')),
	decided_by    text NOT NULL DEFAULT '',
	decided_at    timestamptz,
	note          text NOT NULL DEFAULT '',
	slack_channel text NOT NULL DEFAULT '',
	slack_ts      text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL
);
CREATE INDEX proposals_case ON proposals (case_id, rank);
CREATE INDEX proposals_pending ON proposals (created_at) WHERE state = 'pending';

-- One execution per proposal: the primary key is what makes a second
-- execution impossible, across replicas too.
CREATE TABLE executions (
	proposal_id text PRIMARY KEY REFERENCES proposals (id),
	case_id     text NOT NULL,
	action      jsonb NOT NULL,
	executed_by text NOT NULL DEFAULT '',
	status      text NOT NULL,
	result      jsonb NOT NULL DEFAULT 'null',
	error       text NOT NULL DEFAULT '',
	started_at  timestamptz NOT NULL,
	finished_at timestamptz
);

-- The audit log is append-only and hash-chained. data is json (not jsonb)
-- so the hashed canonical text is kept byte for byte. audit_head holds the
-- last row's seq and hash; appends lock it (SELECT ... FOR UPDATE), which
-- serialises them across replicas.
CREATE TABLE audit_log (
	seq         bigint PRIMARY KEY,
	at          timestamptz NOT NULL,
	actor       text NOT NULL,
	kind        text NOT NULL,
	case_id     text NOT NULL DEFAULT '',
	proposal_id text NOT NULL DEFAULT '',
	rule        text NOT NULL DEFAULT '',
	outcome     text NOT NULL DEFAULT '',
	data        json NOT NULL,
	prev_hash   text NOT NULL,
	hash        text NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, seq);

CREATE TABLE audit_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint NOT NULL,
	hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
