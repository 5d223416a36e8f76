package store

// HumanDecision reports whether a person decided p: it left pending for
// approved (then executed or failed) or rejected, decided by someone other
// than the policy, exdesk or the executor. The KPIs (touchless rate,
// approval latency) and learning from outcomes count these.
func HumanDecision(p Proposal) bool {
	switch p.DecidedBy {
	case "", "policy", "exdesk", "executor":
		return false
	}
	switch p.State {
	case Approved, Executed, Failed, Rejected:
		return true
	}
	return false
}
