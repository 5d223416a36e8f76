// Package tools holds exdesk's typed tools: functions over the ERP,
// inventory and carrier connectors with Go input and output structs, a
// name, a description, and a JSON Schema derived from the input struct.
//
// Both planners use the same tools. The LLM planner sends the schemas to the
// model (they satisfy OpenAI strict mode: every property required,
// additionalProperties false, optional values nullable) and calls tools by
// name through a Registry with JSON arguments; the playbook planner calls
// them directly with typed inputs. Every call is recorded in a Calls log and
// gets an id, so each fact in a case can cite the call it came from.
package tools
