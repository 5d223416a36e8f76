package prompts

// SystemData is what system.tmpl reads.
type SystemData struct {
	// Actions is the action vocabulary (from connectors.ActionSpecs).
	Actions []Action
	// Classes are the exception classes in precedence order.
	Classes []string
	// Severities are the severity levels a case may carry.
	Severities []string
	// SubmitTool is the name of the tool that finishes a case.
	SubmitTool string
}

// Action is one action type of the vocabulary, as the prompt shows it.
type Action struct {
	Type string
	// Args lists the arguments, e.g. "site (string), lines (integer[])".
	Args string
	Doc  string
}

// UserData is what user.tmpl reads. Untrusted text is passed already
// JSON-encoded (QuestionJSON) so that it cannot break out of its fence.
type UserData struct {
	TriggerType  string
	Event        string
	OrderID      string
	QuestionJSON string
	SubmitTool   string
}

// NudgeData is what nudge.tmpl reads.
type NudgeData struct {
	OrderID    string
	SubmitTool string
}
