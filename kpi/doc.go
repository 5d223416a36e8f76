// Package kpi computes the numbers the business runs the desk by, from
// the store, over a window of time, and renders them as text, JSON, HTML
// with server-side SVG charts, and a PNG chart for Slack.
//
//	store.Reports ── WindowCases, CaseProposals, CaseExecutions
//	      │
//	      ▼
//	Compute(window) ─► Report
//	      │  exceptions by class per day; touchless rate; resolution cycle
//	      │  time p50/p95 per class; approval latency per role; backlog and
//	      │  aging buckets; rejection and override rate per rule and class;
//	      │  blocked actions per rule; expedite spend; margin protected by
//	      │  price corrections; LLM tokens per case
//	      ▼
//	WriteText · json · WriteHTML / Fragment (SVG charts) · ChartPNG
//
// Definitions (the README repeats them):
//   - a case counts in the window it was created in; resolution figures
//     count cases resolved in the window;
//   - a human decision is a proposal approved, rejected, executed or
//     failed by someone other than the policy or exdesk (store.HumanDecision);
//     touchless = resolved with no human decision;
//   - an override is a person approving an action that was not the
//     case's top-ranked one: they chose other than what exdesk recommended;
//   - expedite spend and margin protected are the money the guard's own
//     facts gave for each executed expedite_shipment and correct_price
//     (casework.Effect), never a planner's figure.
//
// Charts carry their numbers as text and distinguish series by pattern
// and label, so they read without colour; they need no network.
package kpi
