// Package policy is exdesk's deterministic guard: it decides whether a
// proposed action runs automatically (auto), needs a named role's approval
// (approval), or may never run (blocked), and explains why in one sentence.
//
// Rules live in a YAML file (default.yaml, embedded; EXDESK_POLICY names an
// override) whose conditions are CEL expressions over Facts, compiled once
// when the file is loaded. Load rejects a rule that does not compile, naming
// the rule and quoting the CEL error.
//
// The Guard computes Facts itself from the connectors (order total, credit
// exposure, availability, added freight, expedite cost, contract price,
// document validity, ...). From the planner it takes only the action (type,
// order and arguments) and the planner's confidence, never a number or a
// conclusion. Free text from source systems (order notes, hold reasons,
// carrier event descriptions) is not part of Facts, so it cannot change a
// decision. An action whose arguments do not fit the order is rejected with
// an *InvalidActionError before any rule runs.
//
// Engine.Decide is pure and fast (no I/O; precompiled CEL programs and a
// lazy activation over the Facts value). RunTests runs policy test cases
// written in YAML against an Engine, like `opa test`; default_test.yaml
// covers every row and boundary of the default matrix.
package policy
