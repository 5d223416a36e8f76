// Package queue ranks the open cases a supervisor should look at first.
// The console's queue page, the Slack /exdesk queue command and the
// exdesk cases command all read the same ranking:
//
//	store (open cases + their proposals)
//	   └─ Rank: one Item per open case
//	        priority = customer tier + revenue exposure + SLA risk (days to
//	                   the promised date) + age
//	        status   = awaiting approval (a pending approval, with the roles
//	                   it waits on) | blocked | open
//	   └─ Filter: class, status, role, site, customer; WaitingOn: the
//	        signed-in user's roles ("waiting on me")
//
// The priority is a sum of points with a one-line explanation (Item.Why),
// so the order is never a mystery to the person reading it.
package queue
