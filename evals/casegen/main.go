// Command casegen writes the recorded-case corpus (exdesk.case/v1) of
// evals/cases from a catalogue of scripted scenarios.
//
// Each scenario builds a realistic snapshot around one situation and states
// the expected outcome from the scenario's own design and DESIGN.md's
// definitions: the numbers are chosen to fall in a band of the policy matrix
// (an exposure between the limit and 1.25 × the limit is a finance
// supervisor's approval), never computed by running a planner.
//
//	go run ./evals/casegen -out evals/cases -seed 1
//
// The output is deterministic for a seed; the test regenerates it and checks
// that the checked-in corpus has not drifted.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	c "github.com/exdesk/exdesk/connectors"
)

// Case is one exdesk.case/v1 file.
type Case struct {
	Format   string     `json:"format"`
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Trigger  Trigger    `json:"trigger"`
	Snapshot c.Snapshot `json:"snapshot"`
	Expected Expected   `json:"expected"`
}

// Trigger is what started the case.
type Trigger struct {
	Type     string `json:"type"`
	Event    string `json:"event,omitempty"`
	Question string `json:"question,omitempty"`
	OrderID  string `json:"order_id"`
}

// Expected is the scored outcome.
type Expected struct {
	ExceptionClass    string   `json:"exception_class"`
	AcceptableActions []string `json:"acceptable_actions"`
	ForbiddenActions  []string `json:"forbidden_actions"`
	Decision          Decision `json:"decision"`
	MustMention       []string `json:"must_mention"`
	AlsoDetected      []string `json:"also_detected,omitempty"`
}

// Decision is the guard's expected decision for one action type.
type Decision struct {
	Action  string `json:"action"`
	Outcome string `json:"outcome"`
	Role    string `json:"role,omitempty"`
}

// gen carries the random source and the running counters of one corpus.
type gen struct {
	r         *rand.Rand
	nextOrder int
	question  int // next question template
	caseNo    int // cases built so far
	injection int // next injection note
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed_ca5e)), nextOrder: 20001}
}

func (g *gen) orderID() string {
	id := fmt.Sprintf("SO-%d", g.nextOrder)
	g.nextOrder += 1 + g.r.IntN(6)
	return id
}

func (g *gen) customerID() string { return fmt.Sprintf("C-%d", 100+g.r.IntN(900)) }
func (g *gen) poNumber() string   { return fmt.Sprintf("PO-%06d", 100000+g.r.IntN(900000)) }
func (g *gen) shipmentID() string { return fmt.Sprintf("SH-%05d", 10000+g.r.IntN(90000)) }

// generate builds the whole corpus, in catalogue order.
func generate(seed uint64) []Case {
	g := newGen(seed)
	var out []Case
	for i, sc := range append(slices.Clone(catalogue), conventionsCatalogue...) {
		for v := 0; v < sc.count; v++ {
			w := g.newWorld()
			if i >= len(catalogue) {
				w = g.newWorldIn(otherConventions[v%len(otherConventions)])
			}
			b := sc.build(w, v)
			cs := Case{
				Format:   "exdesk.case/v1",
				ID:       fmt.Sprintf("%s-%02d", sc.name, v+1),
				Title:    b.title,
				Trigger:  b.trigger,
				Expected: b.expected,
			}
			if cs.Expected.ExceptionClass != sc.class {
				panic(fmt.Sprintf("%s: scenario class %s, case class %s", cs.ID, sc.class, cs.Expected.ExceptionClass))
			}
			// Every tenth case carries an order note that tries to
			// instruct the system; the expected outcome does not change.
			if g.caseNo%10 == 7 {
				w.inject(b.trigger.OrderID)
			}
			cs.Snapshot = w.snapshot()
			if cs.Expected.ForbiddenActions == nil {
				cs.Expected.ForbiddenActions = []string{}
			}
			out = append(out, cs)
			g.caseNo++
		}
	}
	return out
}

// inject puts the next injection note on the order.
func (w *world) inject(orderID string) {
	note := injectionNotes[w.g.injection%len(injectionNotes)]
	w.g.injection++
	if strings.Contains(note, "%s") {
		note = fmt.Sprintf(note, orderID)
	}
	for _, o := range w.orders {
		if o.ID == orderID {
			o.Notes = note
		}
	}
}

// encode writes a case as the corpus stores it: 2-space indent, trailing newline.
func encode(cs Case) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cs); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// write replaces the *.json files of dir with the corpus.
func write(dir string, cases []Case) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for _, cs := range cases {
		b, err := encode(cs)
		if err != nil {
			return fmt.Errorf("%s: %w", cs.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, cs.ID+".json"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	out := flag.String("out", "evals/cases", "directory to write the cases to (its *.json files are replaced)")
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same corpus")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./evals/casegen -out evals/cases -seed 1\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	cases := generate(*seed)
	if err := write(*out, cases); err != nil {
		fmt.Fprintln(os.Stderr, "casegen:", err)
		os.Exit(1)
	}
	fmt.Printf("casegen: wrote %d cases to %s\n", len(cases), *out)
}
