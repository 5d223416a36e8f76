package agent

import (
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/connectors"
)

// Describe says what an action would do, in a short phrase for people.
func Describe(a connectors.Action) string {
	on := ""
	if a.OrderID != "" {
		on = " on " + a.OrderID
	}
	switch a.Type {
	case connectors.ActReleaseHold:
		return fmt.Sprintf("release the %s hold%s", a.Str("hold_code"), on)
	case connectors.ActAllocateFromSite:
		return fmt.Sprintf("ship line%s %s from %s", plural(len(a.Ints("lines"))), joinInts(a.Ints("lines")), a.Str("site"))
	case connectors.ActSubstituteItem:
		return fmt.Sprintf("substitute %s on line %d", a.Str("sku"), a.Int("line"))
	case connectors.ActPartialShip:
		return "ship what is available now and backorder the rest"
	case connectors.ActRescheduleOrder:
		return fmt.Sprintf("move the ship date to %s", a.Str("new_ship_date"))
	case connectors.ActExpediteShipment:
		return fmt.Sprintf("upgrade shipment %s to %s", a.Str("shipment_id"), a.Str("service_level"))
	case connectors.ActRebookCarrier:
		return fmt.Sprintf("rebook shipment %s to carrier %s", a.Str("shipment_id"), a.Str("carrier"))
	case connectors.ActCorrectPrice:
		return fmt.Sprintf("set line %d's price to %s", a.Int("line"), connectors.FormatUSD(connectors.Cents(a.Money("price"))))
	case connectors.ActCancelOrder:
		if d := a.Str("duplicate_of"); d != "" {
			return fmt.Sprintf("cancel %s as a duplicate of %s", a.OrderID, d)
		}
		return fmt.Sprintf("cancel %s", a.OrderID)
	case connectors.ActRequestCreditReview:
		return "ask credit to review the account"
	case connectors.ActRequestPrepayment:
		return fmt.Sprintf("ask the customer to prepay %s", connectors.FormatUSD(connectors.Cents(a.Money("amount"))))
	case connectors.ActRequestDocuments:
		return fmt.Sprintf("ask the customer for a current %s", a.Str("document_type"))
	case connectors.ActRequestDataFix:
		return fmt.Sprintf("ask data stewardship to fix the %s of %s", connectors.FieldWords(a.Str("field")), a.Str("entity"))
	case connectors.ActNotifyCustomer:
		return "send the customer an update"
	case connectors.ActEscalate:
		// The note is what the task says; its execution repeats it ("task
		// opened for the logistics supervisor: …"), so it is not said here.
		return "hand the case to " + RoleWords(a.Str("role"))
	}
	return a.String()
}

// RoleWords names a role of the policy for people, with its article: "a
// logistics supervisor", "a customer-service supervisor".
func RoleWords(role string) string {
	w := connectors.RoleWords(role)
	if w == "" {
		return "a person"
	}
	return article(w) + " " + w
}

// article is "an" before a vowel sound, "a" otherwise.
func article(w string) string {
	if strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
