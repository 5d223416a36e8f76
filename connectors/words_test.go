package connectors_test

import (
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

func TestX12Words(t *testing.T) {
	tests := []struct {
		code, reason, location, description string
		want                                string
	}{
		{"SD", "AI", "near Denver", "", "shipment delayed — mechanical breakdown, near Denver"},
		{"SD", "AO", "Memphis, TN", "weather delay", "shipment delayed — weather or natural disaster, at Memphis, TN"},
		{"AP", "B1", "Boise, ID", "", "delivery not completed — consignee closed, at Boise, ID"},
		{"A7", "AG", "", "", "refused by the consignee — consignee-related"},
		{"SD", "AW", "DC-CHI", "", "shipment delayed — past cut-off time, at DC-CHI"},
		{"AF", "NS", "DC-ATL", "picked up", "departed the pick-up location, at DC-ATL"},
		{"sd", "ai", "", "", "shipment delayed — mechanical breakdown"},
		{"ZZ", "", "Lyon", "quai fermé", "quai fermé, at Lyon"},
		{"ZZ", "QQ", "", "", "status ZZ"},
	}
	for _, tt := range tests {
		e := connectors.ShipmentEvent{At: time.Now(), Code: tt.code, Reason: tt.reason, Location: tt.location, Description: tt.description}
		if got := connectors.EventWords(e); got != tt.want {
			t.Errorf("EventWords(%s/%s) = %q, want %q", tt.code, tt.reason, got, tt.want)
		}
	}
	for _, code := range []string{"SD", "A9", "A7", "AP", "A3"} {
		if !connectors.IsExceptionEvent(connectors.ShipmentEvent{Code: code}) {
			t.Errorf("%s reports a problem", code)
		}
	}
	for _, code := range []string{"AF", "X6", "X1", "D1", "", "ZZ"} {
		if connectors.IsExceptionEvent(connectors.ShipmentEvent{Code: code}) {
			t.Errorf("%q is not an exception", code)
		}
	}
	if connectors.ReasonWords("NS") != "" || connectors.ShipmentStatusWords("??") != "" {
		t.Error("normal status and unknown codes have no words")
	}
}

func TestTaskDetailAndRoleWords(t *testing.T) {
	act := func(typ string, args connectors.Args) connectors.Action {
		return connectors.Action{Type: typ, OrderID: "SO/2026/0390", Args: args}
	}
	tests := []struct {
		a    connectors.Action
		want string
	}{
		{act(connectors.ActEscalate, connectors.Args{"role": "logistics_supervisor", "note": "assign carrier SWX instead of HZT"}),
			"task opened for the logistics supervisor: assign carrier SWX instead of HZT"},
		{act(connectors.ActEscalate, connectors.Args{"role": "cs_supervisor", "note": "call the customer"}),
			"task opened for the customer-service supervisor: call the customer"},
		{act(connectors.ActRequestPrepayment, connectors.Args{"amount": 356.8}), "prepayment of $356.80 requested from the customer"},
		{act(connectors.ActRequestPrepayment, connectors.Args{"amount": 12500.0}), "prepayment of $12,500.00 requested from the customer"},
		{act(connectors.ActRequestDocuments, connectors.Args{"document_type": "dea_registration"}), "customer asked for a current dea_registration"},
		{act(connectors.ActRequestDataFix, connectors.Args{"entity": "item SKU-1", "field": "un_number"}), "data-stewardship task opened: fix the UN number of item SKU-1"},
		{act(connectors.ActNotifyCustomer, connectors.Args{"message": "Your order is late."}), "customer notified: “Your order is late.”"},
	}
	for _, tt := range tests {
		if got := connectors.TaskDetail(tt.a); got != tt.want {
			t.Errorf("TaskDetail(%s) = %q, want %q", tt.a, got, tt.want)
		}
	}
	for role, want := range map[string]string{"finance_supervisor": "finance supervisor", "cs_supervisor": "customer-service supervisor",
		"planner": "planner", "": ""} {
		if got := connectors.RoleWords(role); got != want {
			t.Errorf("RoleWords(%q) = %q, want %q", role, got, want)
		}
	}
}
