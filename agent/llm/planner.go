package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/prompts"
	"github.com/exdesk/exdesk/tools"
)

// RepeatLimit is how many identical calls (same tool, same arguments) the
// planner runs in one case; the next identical call gets a tool error.
const RepeatLimit = 2

// Planner is the LLM planner. It is safe for concurrent use: each Plan
// keeps its state on its own stack.
type Planner struct {
	cfg    Config
	client completer
	set    *prompts.Set
	system string
	submit openai.Tool
	redact Redactor
}

// New returns an LLM planner for cfg (zero fields take the defaults).
func New(cfg Config) (*Planner, error) {
	cfg = cfg.withDefaults()
	set, err := prompts.Load(cfg.PromptVersion)
	if err != nil {
		return nil, err
	}
	system, err := set.Execute(prompts.System, SystemData())
	if err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = cfg.HTTPClient
	p := &Planner{cfg: cfg, client: openai.NewClientWithConfig(oc), set: set, system: Redactor{}.Redact(system)}
	params, err := json.Marshal(SubmitSchema())
	if err != nil {
		return nil, fmt.Errorf("llm: submit_case schema: %w", err)
	}
	p.submit = openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
		Name: SubmitTool, Description: submitDescription, Strict: true, Parameters: json.RawMessage(params)}}
	return p, nil
}

// SystemData is the data the system prompt is rendered with: the action
// vocabulary from connectors.ActionSpecs and the taxonomy.
func SystemData() prompts.SystemData {
	d := prompts.SystemData{Classes: connectors.Classes(), Severities: severities(), SubmitTool: SubmitTool}
	for _, s := range connectors.ActionSpecs() {
		args := make([]string, len(s.Args))
		for i, a := range s.Args {
			args[i] = fmt.Sprintf("%s %s", a.Name, a.Kind)
			if a.Optional {
				args[i] += ", optional"
			}
		}
		d.Actions = append(d.Actions, prompts.Action{Type: s.Type, Args: strings.Join(args, "; "), Doc: s.Doc})
	}
	return d
}

// SystemPrompt renders the system prompt of a prompt version.
func SystemPrompt(version string) (string, error) { return prompts.Render(version, SystemData()) }

// Name implements agent.Planner.
func (p *Planner) Name() string { return "llm" }

// Model returns the model name the planner asks for.
func (p *Planner) Model() string { return p.cfg.Model }

// PromptVersion returns the prompt version the planner uses.
func (p *Planner) PromptVersion() string { return p.set.Version() }

// run is one Plan's state.
type run struct {
	req         agent.Request
	reg         *tools.Registry
	draft       *agent.Draft
	msgs        []openai.ChatCompletionMessage
	seen        map[string]int // tool name + canonical args -> calls
	toolErrors  int
	badSubmits  int
	nudged      bool
	lastSubmits string

	mu    sync.Mutex
	calls map[string]tools.Call // the model's tool call id -> the call log entry
}

// Plan implements agent.Planner. On failure it returns an error (wrapping
// ErrBudget, ErrEndpoint, ErrNoAnswer or ErrReplayMiss) together with a
// partial Draft whose Usage, Model and PromptVersion say what was spent.
func (p *Planner) Plan(ctx context.Context, req agent.Request) (*agent.Draft, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	r := &run{
		req:   req,
		reg:   req.Tools.Registry(),
		draft: &agent.Draft{Planner: p.Name(), Model: p.cfg.Model, PromptVersion: p.set.Version(), AlsoDetected: []string{}},
		seen:  map[string]int{},
		calls: map[string]tools.Call{},
	}
	toolDefs, err := p.toolDefs(r.reg)
	if err != nil {
		return r.draft, err
	}
	user, err := p.userMessage(req)
	if err != nil {
		return r.draft, err
	}
	r.msgs = []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: p.system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
	log := p.cfg.Logger.With("order", req.OrderID, "model", p.cfg.Model)
	for {
		if r.draft.Usage.RoundTrips >= p.cfg.MaxRoundTrips {
			return r.draft, fmt.Errorf("%w: %d model round trips without submit_case", ErrBudget, r.draft.Usage.RoundTrips)
		}
		creq := openai.ChatCompletionRequest{Model: p.cfg.Model, Messages: r.msgs, Tools: toolDefs, MaxTokens: p.cfg.MaxOutputTokens, Seed: p.cfg.Seed}
		resp, err := p.complete(ctx, creq)
		if err != nil {
			return r.draft, fmt.Errorf("llm round trip %d: %w", r.draft.Usage.RoundTrips+1, err)
		}
		r.draft.Usage.RoundTrips++
		r.draft.Usage.Tokens += resp.Usage.TotalTokens
		if resp.Usage.TotalTokens == 0 {
			r.draft.Usage.Tokens += resp.Usage.PromptTokens + resp.Usage.CompletionTokens
		}
		if len(resp.Choices) == 0 || len(resp.Choices[0].Message.ToolCalls) == 0 {
			if err := p.noToolCall(r, resp); err != nil {
				return r.draft, err
			}
			continue
		}
		msg := resp.Choices[0].Message
		msg.Role = openai.ChatMessageRoleAssistant
		for i := range msg.ToolCalls {
			if msg.ToolCalls[i].ID == "" {
				msg.ToolCalls[i].ID = "call_" + strconv.Itoa(r.draft.Usage.RoundTrips) + "_" + strconv.Itoa(i)
			}
			msg.ToolCalls[i].Type = openai.ToolTypeFunction
			msg.ToolCalls[i].Index = nil
		}
		r.msgs = append(r.msgs, msg)
		done, err := p.turn(ctx, r, msg.ToolCalls)
		log.Debug("llm: turn", "round_trip", r.draft.Usage.RoundTrips, "calls", len(msg.ToolCalls), "tokens", r.draft.Usage.Tokens, "tool_errors", r.toolErrors, "done", done)
		if err != nil || done {
			return r.draft, err
		}
		switch {
		case r.draft.Usage.Tokens >= p.cfg.MaxTokens:
			return r.draft, fmt.Errorf("%w: %d tokens used, budget %d", ErrBudget, r.draft.Usage.Tokens, p.cfg.MaxTokens)
		case r.toolErrors > p.cfg.MaxToolErrors:
			return r.draft, fmt.Errorf("%w: %d failed tool calls, budget %d", ErrBudget, r.toolErrors, p.cfg.MaxToolErrors)
		case r.badSubmits > p.cfg.MaxSubmitRetries:
			return r.draft, fmt.Errorf("%w: submit_case rejected %d times (last: %s)", ErrBudget, r.badSubmits, r.lastSubmits)
		}
	}
}

// noToolCall handles an answer without tool calls: the first one gets a
// reminder, the second fails the case.
func (p *Planner) noToolCall(r *run, resp openai.ChatCompletionResponse) error {
	why := "an empty answer"
	var msg openai.ChatCompletionMessage
	if len(resp.Choices) > 0 {
		c := resp.Choices[0]
		msg = c.Message
		switch {
		case msg.Refusal != "":
			why = "a refusal"
		case c.FinishReason == openai.FinishReasonContentFilter:
			why = "a content-filtered answer"
		case strings.TrimSpace(msg.Content) != "":
			why = "a text answer without a tool call"
		}
	}
	if r.nudged {
		return fmt.Errorf("%w: %s after a reminder", ErrNoAnswer, why)
	}
	r.nudged = true
	if strings.TrimSpace(msg.Content) != "" {
		r.msgs = append(r.msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: msg.Content})
	}
	nudge, err := p.set.Execute(prompts.Nudge, prompts.NudgeData{OrderID: r.req.OrderID, SubmitTool: SubmitTool})
	if err != nil {
		return err
	}
	r.msgs = append(r.msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: nudge})
	return nil
}

// turn runs one model turn's tool calls concurrently (bounded) and appends
// their results in the order the model asked. It reports done when a valid
// submit_case ended the case.
func (p *Planner) turn(ctx context.Context, r *run, calls []openai.ToolCall) (bool, error) {
	results := make([]string, len(calls))
	submitAt := -1
	var wg sync.WaitGroup
	sem := make(chan struct{}, p.cfg.Parallelism)
	for i, c := range calls {
		name := strings.TrimSpace(c.Function.Name)
		if name == SubmitTool {
			if submitAt >= 0 {
				results[i] = toolErrorJSON(SubmitTool, "duplicate", "submit_case was called more than once in one turn; only the first call counts")
				continue
			}
			submitAt = i
			continue
		}
		args := strings.TrimSpace(c.Function.Arguments)
		if args == "" {
			args = "{}"
		}
		if !json.Valid([]byte(args)) {
			results[i] = toolErrorJSON(name, tools.CodeBadArguments, "arguments are not valid JSON; send one JSON object that fits the tool's schema")
			continue
		}
		key := name + "\x00" + canonicalJSON([]byte(args))
		r.seen[key]++
		if r.seen[key] > RepeatLimit {
			results[i] = toolErrorJSON(name, "repeated_call", fmt.Sprintf("%s was already called %d times with these arguments; its result is above. Do not call it again: use the results you have and call submit_case", name, r.seen[key]-1))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i] = toolErrorJSON(name, tools.CodeFailed, "the case ran out of time")
				return
			}
			results[i] = p.callTool(ctx, r, c.ID, name, json.RawMessage(args))
		}()
	}
	wg.Wait()
	for _, res := range results {
		if strings.HasPrefix(res, `{"error":`) {
			r.toolErrors++
		}
	}
	if submitAt >= 0 {
		sub, err := ParseSubmission(calls[submitAt].Function.Arguments, r.req.OrderID)
		if err == nil {
			err = r.cite(sub)
		}
		if err == nil {
			r.draft.Class, r.draft.Summary, r.draft.Proposals = sub.Class, sub.Summary, sub.Proposals
			r.draft.AlsoDetected = sub.AlsoDetected
			TemplateFreeText(r.draft.Proposals, sub.Class, r.req.OrderID)
			return true, nil
		}
		r.badSubmits++
		r.lastSubmits = err.Error()
		results[submitAt] = toolErrorJSON(SubmitTool, tools.CodeBadArguments, err.Error())
	}
	for i, c := range calls {
		r.msgs = append(r.msgs, openai.ChatCompletionMessage{
			Role: openai.ChatMessageRoleTool, ToolCallID: c.ID, Name: strings.TrimSpace(c.Function.Name),
			Content: results[i], // redacted where it was made (callTool, toolErrorJSON)
		})
	}
	return false, nil
}

// cite turns the submission's evidence into the draft's facts, each with
// the call-log id of the tool call the model cites. A citation of a call the
// model did not make (or that failed) is a problem sent back to the model.
func (r *run) cite(sub *Submission) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var problems []string
	facts := make([]agent.Fact, 0, len(sub.Evidence))
	for i, e := range sub.Evidence {
		c, ok := r.calls[e.ToolCallID]
		if !ok {
			problems = append(problems, fmt.Sprintf("evidence[%d] cites tool call %q, which is not one of your successful tool calls in this case", i, e.ToolCallID))
			continue
		}
		facts = append(facts, agent.Fact{Text: e.Fact, Source: c.ID, Tool: c.Tool})
	}
	if len(problems) > 0 {
		return &SubmissionError{Problems: problems}
	}
	r.draft.Facts = facts
	return nil
}

// callTool runs one registry tool and renders its result for the model:
// the output fenced as untrusted data, or a tool error. A successful call
// is remembered under the model's call id so evidence can cite it.
func (p *Planner) callTool(ctx context.Context, r *run, modelCallID, name string, args json.RawMessage) string {
	logID, out, err := r.reg.Call(ctx, r.req.Calls, name, args)
	if err == nil {
		r.mu.Lock()
		r.calls[modelCallID] = tools.Call{ID: logID, Tool: name}
		r.mu.Unlock()
	}
	if err != nil {
		var te *tools.ToolError
		if errors.As(err, &te) {
			return toolErrorJSON(te.Tool, te.Code, te.Message)
		}
		return toolErrorJSON(name, tools.CodeFailed, err.Error())
	}
	b, err := json.Marshal(out)
	if err != nil {
		return toolErrorJSON(name, tools.CodeFailed, "could not encode the result")
	}
	// Redact the JSON before it is fenced: its strings, decoded, so it
	// stays valid JSON whatever the source systems wrote.
	red := p.redact.RedactJSON(string(b))
	var s strings.Builder
	s.Grow(len(red) + 160)
	// No call-log id in the fence: concurrent calls get log ids in a
	// racy order, and the request bodies must be deterministic to replay.
	fmt.Fprintf(&s, "<untrusted_data source=\"tool:%s\">\n", name)
	s.WriteString(red)
	s.WriteString("\n</untrusted_data>")
	return s.String()
}

// toolErrorJSON renders a tool error for the model, its message redacted
// (errors can quote source data). It begins with {"error": so that turn
// can count it.
func toolErrorJSON(tool, code, msg string) string {
	b, _ := json.Marshal(struct {
		Error   string `json:"error"`
		Tool    string `json:"tool"`
		Message string `json:"message"`
	}{code, tool, Redactor{}.Redact(msg)})
	return string(b)
}

func (p *Planner) toolDefs(reg *tools.Registry) ([]openai.Tool, error) {
	infos, err := reg.Infos()
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	out := make([]openai.Tool, 0, len(infos)+1)
	for _, in := range infos {
		out = append(out, openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: in.Name, Description: in.Description, Strict: true, Parameters: in.Parameters}})
	}
	return append(out, p.submit), nil
}

func (p *Planner) userMessage(req agent.Request) (string, error) {
	// Each untrusted piece is redacted decoded, before it is encoded: a
	// text pass over the rendered message would eat the tails of JSON
	// escapes (Bob <bob@x.com> is encoded as Bob \u003cbob@x.com\u003e).
	d := prompts.UserData{TriggerType: p.redact.Redact(req.Trigger.Type), Event: p.redact.Redact(req.Trigger.Event),
		OrderID: req.OrderID, SubmitTool: SubmitTool}
	if q := strings.TrimSpace(req.Trigger.Question); q != "" {
		b, err := json.Marshal(p.redact.Redact(q))
		if err != nil {
			return "", err
		}
		d.QuestionJSON = string(b)
	}
	return p.set.Execute(prompts.User, d)
}

// canonicalJSON re-encodes JSON with sorted keys and no insignificant
// space, so equal values compare equal. Invalid JSON is returned as is.
func canonicalJSON(b []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(b)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

var _ agent.Planner = (*Planner)(nil)
