// Package policy is exdesk's deterministic guard: it decides whether a
// proposed action runs automatically (auto), needs a named role's approval
// (approval), or may never run (blocked), and explains why in one sentence.
//
// Rules live in a YAML file (default.yaml, embedded; EXDESK_POLICY names an
// override) whose conditions are CEL expressions over Facts, compiled once
// when the file is loaded. The file's params section names each threshold
// once (credit_auto_max_total: usd(2500)); conditions and reason templates
// read it as params.NAME, so a reason always states the threshold in force,
// and Engine.Warnings lists any reason that writes an amount or threshold
// itself. Load rejects a file that does not compile with a *CompileError
// naming file:line:column (from the YAML node and the CEL error's location),
// the rule and field, and a "did you mean" for a misspelt fact, parameter,
// function, role or field (the facts' names come from the Facts type).
// Engine.Rules and Engine.Params list the compiled policy.
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
// lazy activation over the Facts value); Engine.Explain decides the same
// and names the facts the rules read. RunTests runs policy test cases
// written in YAML against an Engine, like `opa test`; default_test.yaml
// covers every row and boundary of the default matrix.
package policy
