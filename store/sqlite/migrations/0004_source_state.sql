-- Source state: the latest state source events reported about shipments
-- and inbound supply (store.SourceState). The merged record is kept as
-- JSON; the key columns and the event time are columns.

CREATE TABLE shipment_state (
	shipment_id     TEXT NOT NULL DEFAULT '',
	tracking_number TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL,
	at              INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (shipment_id, tracking_number),
	CHECK (shipment_id <> '' OR tracking_number <> '')
);
CREATE INDEX shipment_state_tracking ON shipment_state (tracking_number);

CREATE TABLE inbound_state (
	sku        TEXT NOT NULL,
	ref        TEXT NOT NULL,
	state      TEXT NOT NULL,
	at         INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (sku, ref)
);
