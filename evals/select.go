package evals

import "regexp"

// Select returns the loaded cases whose id or title matches re (a
// malformed case is matched on the id its file name gives).
func Select(cases []Loaded, re *regexp.Regexp) []Loaded {
	var out []Loaded
	for _, l := range cases {
		if re.MatchString(idOf(l)) || (l.Case != nil && re.MatchString(l.Case.Title)) {
			out = append(out, l)
		}
	}
	return out
}

// FailingIn returns the loaded cases that failed or errored in the
// baseline report base, to rerun them. Cases the baseline does not list
// are left out.
func FailingIn(cases []Loaded, base *Report) []Loaded {
	failing := map[string]bool{}
	for _, c := range base.Cases {
		if s := caseState(c); s == "fail" || s == "error" {
			failing[c.ID] = true
		}
	}
	var out []Loaded
	for _, l := range cases {
		if failing[idOf(l)] {
			out = append(out, l)
		}
	}
	return out
}
