-- One case lifecycle: one open case per order, superseded proposals,
-- business-effect keys on executions, and the outbox of case messages.

-- An order has at most one open case. Earlier versions could leave two;
-- all but the newest are closed before the index is built.
UPDATE cases SET status = 'closed', updated_at = now()
 WHERE status = 'open' AND id NOT IN (
	SELECT DISTINCT ON (order_id) id FROM cases WHERE status = 'open' ORDER BY order_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX cases_one_open_per_order ON cases (order_id) WHERE status = 'open';

ALTER TABLE proposals ADD COLUMN action_key text NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN superseded_by text NOT NULL DEFAULT '';

ALTER TABLE executions ADD COLUMN order_id text NOT NULL DEFAULT '';
ALTER TABLE executions ADD COLUMN action_key text NOT NULL DEFAULT '';
UPDATE executions e SET order_id = p.order_id FROM proposals p WHERE p.id = e.proposal_id;
CREATE INDEX executions_order ON executions (order_id, started_at);
-- Within one case the same business effect runs once, whatever proposal
-- carries it (a failed attempt does not count).
CREATE UNIQUE INDEX executions_effect_once ON executions (case_id, action_key)
	WHERE status <> 'failed' AND action_key <> '';

CREATE TABLE outbox (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id    text NOT NULL,
	kind       text NOT NULL,
	data       jsonb NOT NULL DEFAULT 'null',
	created_at timestamptz NOT NULL,
	next_at    timestamptz NOT NULL,
	attempts   integer NOT NULL DEFAULT 0,
	error      text NOT NULL DEFAULT '',
	owner      text NOT NULL DEFAULT '',
	lease_end  timestamptz,
	sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (case_id, id) WHERE sent_at IS NULL;
