package sap

import (
	"reflect"
	"slices"
	"strings"
)

// Properties lists, per SAP entity type (or complex type), every property
// and navigation property the adapter reads, selects, filters on, orders
// by or writes, named as the services' $metadata names them. Tests check
// it against SAP's published metadata.
func Properties() map[string][]string {
	out := map[string][]string{}
	add := func(entity string, names ...string) {
		for _, n := range names {
			if n != "" && !slices.Contains(out[entity], n) {
				out[entity] = append(out[entity], n)
			}
		}
	}
	fields := func(entity string, v any) { add(entity, jsonNames(reflect.TypeOf(v))...) }
	fields("A_SalesOrder", salesOrder{})
	fields("A_SalesOrder", orderHeader{})
	add("A_SalesOrder", strings.Split(orderSelect, ",")...)
	add("A_SalesOrder", "DeliveryBlockReason", "HeaderBillingBlockReason", "RequestedDeliveryDate") // PATCH
	add("A_SalesOrder", "CreationDate")                                                             // $orderby
	fields("A_SalesOrderItem", salesItem{})
	fields("A_SalesOrderScheduleLine", scheduleLine{})
	fields("A_SalesOrderHeaderPartner", orderPartner{})
	fields("A_SalesOrderPartnerAddress", partnerAddress{})
	fields("A_OutbDeliveryItem", deliveryItem{})
	fields("A_OutbDeliveryHeader", deliveryHeader{})
	fields("A_Customer", customer{})
	fields("CreditManagementAccount", creditAccount{})
	fields("A_Product", product{})
	fields("A_ProductDescription", productDescription{})
	fields("A_ProductValuation", productValuation{})
	fields("AvailabilityRecord", availabilityRecord{})
	add("A_CreditBlockedSalesDocument", "SalesDocument") // ReleaseCreditBlock's parameter
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func jsonNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || strings.HasPrefix(name, "__") {
			continue
		}
		names = append(names, name)
	}
	return names
}
