// Package llm is the LLM-driven planner: an agent.Planner that runs a
// tool-calling loop against any OpenAI-compatible chat completions endpoint
// (OpenAI, Azure OpenAI's v1 endpoint, vLLM, Ollama, llama.cpp server) with
// github.com/sashabaranov/go-openai.
//
// The loop sends the system prompt (package prompts, versioned) and a case
// opening message, offers the typed tools of the case's tools.Registry
// (strict JSON schemas) plus submit_case, executes the tool calls of one
// model turn concurrently (bounded by Config.Parallelism) and returns the
// results in the order the model asked. The model finishes by calling
// submit_case; ParseSubmission validates it (taxonomy class, action types
// and arguments via connectors.Action.CheckArgs) and a bad submission goes
// back to the model as a tool error. The planner only proposes: the
// Investigator runs the policy guard on every proposed action and the
// model's words never set an outcome.
//
// Everything sent to the model passes through a Redactor (emails, IDN and
// address-literal ones included, and phone numbers in the shapes people
// write them), and untrusted source text (order notes, carrier event
// descriptions, questions) reaches the model JSON-encoded inside
// <untrusted_data> fences. JSON (tool results) is redacted string by
// string, decoded (Redactor.RedactJSON), and questions before they are
// encoded, so what the model gets stays valid JSON.
//
// Budgets per case (round trips, tokens, wall time, tool errors, submit
// retries) and endpoint failures (429 and 5xx after retries with backoff
// honouring Retry-After, timeouts, empty or refused answers) make Plan
// return an error wrapping ErrBudget, ErrEndpoint or ErrNoAnswer together
// with a partial Draft carrying the usage so far; the Investigator then
// falls back to the playbook planner and keeps that usage.
//
// Recorder records model exchanges as go-vcr cassettes and replays them
// with no network; a replay miss wraps ErrReplayMiss (and agent.ErrHarness,
// so the Investigator does not fall back and an eval run stops).
package llm
