// Package compose opens the systems a command reads from a --connectors
// spec: one source for every system (sim, recorded:PATH, rest:URL) or one
// per system (erp=sap:URL,inventory=rest:URL,carriers=rest:URL[,tasks=…]
// [,erp-extra=rest:URL]). Actions are routed to the system that owns them
// (REST.md, Writes): holds, prices, cancellation, rescheduling,
// substitution and partial shipment to the ERP; allocation to inventory;
// expedite and rebook to carriers; task actions to tasks (default: the
// ERP's source).
//
// Secrets never come from the spec; they come from the lookup the caller
// passes (the environment, read by cmd): EXDESK_<SYSTEM>_TOKEN, or OAuth
// 2.0 client credentials EXDESK_<SYSTEM>_CLIENT_ID, _CLIENT_SECRET,
// _TOKEN_URL (and optional _SCOPES), for SYSTEM in ERP, INVENTORY,
// CARRIERS, TASKS, ERP_EXTRA; SAP also takes basic authentication
// EXDESK_ERP_USER and EXDESK_ERP_PASSWORD. SAP's customising comes from
// EXDESK_SAP_CLIENT, EXDESK_SAP_HOLDS, EXDESK_SAP_TIERS, EXDESK_SAP_REGIONS,
// EXDESK_SAP_CREDIT_SEGMENT and EXDESK_SAP_PLANTS.
package compose
