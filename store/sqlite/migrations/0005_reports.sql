-- Reports: the KPIs read cases by when they were resolved and executions
-- by case; the queue reads open cases (cases_status).

CREATE INDEX cases_resolved_at ON cases (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX cases_created_at ON cases (created_at);
CREATE INDEX executions_case ON executions (case_id, started_at);
