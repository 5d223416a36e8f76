-- One case lifecycle: one open case per order, superseded proposals,
-- business-effect keys on executions, and the outbox of case messages.
-- Times are Unix microseconds (UTC).

-- An order has at most one open case. Earlier versions could leave two;
-- all but the newest are closed before the index is built.
UPDATE cases SET status = 'closed'
 WHERE status = 'open' AND EXISTS (
	SELECT 1 FROM cases d WHERE d.status = 'open' AND d.order_id = cases.order_id
	   AND (d.created_at > cases.created_at OR (d.created_at = cases.created_at AND d.id > cases.id)));
CREATE UNIQUE INDEX cases_one_open_per_order ON cases (order_id) WHERE status = 'open';

ALTER TABLE proposals ADD COLUMN action_key TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN superseded_by TEXT NOT NULL DEFAULT '';

ALTER TABLE executions ADD COLUMN order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN action_key TEXT NOT NULL DEFAULT '';
UPDATE executions SET order_id = COALESCE((SELECT p.order_id FROM proposals p WHERE p.id = executions.proposal_id), '');
CREATE INDEX executions_order ON executions (order_id, started_at);
-- Within one case the same business effect runs once, whatever proposal
-- carries it (a failed attempt does not count).
CREATE UNIQUE INDEX executions_effect_once ON executions (case_id, action_key)
	WHERE status <> 'failed' AND action_key <> '';

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	data       TEXT NOT NULL DEFAULT 'null',
	created_at INTEGER NOT NULL,
	next_at    INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	error      TEXT NOT NULL DEFAULT '',
	owner      TEXT NOT NULL DEFAULT '',
	lease_end  INTEGER,
	sent_at    INTEGER
);
CREATE INDEX outbox_unsent ON outbox (case_id, id) WHERE sent_at IS NULL;
