package connectors

import (
	"fmt"
	"strings"
)

// RoleWords names a role of the policy for people: "logistics_supervisor"
// → "logistics supervisor", "cs_supervisor" → "customer-service
// supervisor". Roles are the policy's; a role it does not know is said
// with its underscores as spaces.
func RoleWords(role string) string {
	words := strings.Fields(strings.ReplaceAll(strings.TrimSpace(role), "_", " "))
	for i, w := range words {
		switch strings.ToLower(w) {
		case "cs":
			words[i] = "customer-service"
		case "ar":
			words[i] = "AR"
		}
	}
	return strings.Join(words, " ")
}

// FieldWords names a data field for people: "postal_code" → "postal code",
// "un_number" → "UN number", "uom" → "unit of measure"; the field's own
// name is kept where people know it by that name (line1).
func FieldWords(field string) string {
	switch field {
	case "uom":
		return "unit of measure"
	case "un_number":
		return "UN number"
	case "sku":
		return "item"
	case "line1":
		return "street address (line1)"
	}
	return strings.ReplaceAll(field, "_", " ")
}

// StatusWords says a status value for people: "in_transit" → "in transit".
func StatusWords(status string) string { return strings.ReplaceAll(status, "_", " ") }

// TaskDetail says what executing a task action did (request_*,
// notify_customer, escalate: actions that open a task or send a message
// and change no system of record), in words:
// "task opened for the logistics supervisor: assign carrier SWX instead of
// HZT", "prepayment of $356.80 requested from the customer". For other
// action types it returns the action as written.
func TaskDetail(a Action) string {
	switch a.Type {
	case ActEscalate:
		return fmt.Sprintf("task opened for the %s: %s", RoleWords(a.Str("role")), a.Str("note"))
	case ActRequestPrepayment:
		return fmt.Sprintf("prepayment of %s requested from the customer", FormatUSD(Cents(a.Money("amount"))))
	case ActRequestCreditReview:
		return "credit review requested: " + a.Str("note")
	case ActRequestDocuments:
		return fmt.Sprintf("customer asked for a current %s", a.Str("document_type"))
	case ActRequestDataFix:
		return fmt.Sprintf("data-stewardship task opened: fix the %s of %s", FieldWords(a.Str("field")), a.Str("entity"))
	case ActNotifyCustomer:
		return fmt.Sprintf("customer notified: “%s”", a.Str("message"))
	}
	return a.String()
}
