// Package prompts holds the LLM planner's prompt templates, versioned by
// directory (v1/, v2/, ...) and embedded in the binary with go:embed.
//
// A version is immutable once it has been used for a recorded eval run:
// change a prompt by adding a new version directory and moving Current, so
// that eval reports (which carry the prompt version) stay comparable and
// recorded model runs (cassettes) keep replaying.
//
// Templates use text/template. Each version has:
//
//   - system.tmpl: the system prompt (taxonomy, action vocabulary, the rule
//     that source text is data, and that the policy guard decides outcomes);
//   - user.tmpl: the case opening message (trigger and order id, untrusted
//     text fenced and labelled as data);
//   - nudge.tmpl: the one reminder sent after an empty or refused answer.
package prompts
