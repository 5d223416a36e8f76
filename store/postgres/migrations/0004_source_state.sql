-- Source state: the latest state source events reported about shipments
-- and inbound supply (store.SourceState). The merged record is kept as
-- jsonb; the key columns and the event time are columns.

CREATE TABLE shipment_state (
	shipment_id     text NOT NULL DEFAULT '',
	tracking_number text NOT NULL DEFAULT '',
	state           jsonb NOT NULL,
	at              timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (shipment_id, tracking_number),
	CHECK (shipment_id <> '' OR tracking_number <> '')
);
CREATE INDEX shipment_state_tracking ON shipment_state (tracking_number);

CREATE TABLE inbound_state (
	sku        text NOT NULL,
	ref        text NOT NULL,
	state      jsonb NOT NULL,
	at         timestamptz NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (sku, ref)
);
