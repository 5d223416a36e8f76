package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// PutShipmentState merges s into the kept state of its shipment: the row
// is inserted if missing, else locked (SELECT … FOR UPDATE) and merged, so
// concurrent reports of one shipment from several replicas are serialised.
func (s *Store) PutShipmentState(ctx context.Context, st connectors.ShipmentState) (bool, error) {
	if err := store.CheckShipmentState(st); err != nil {
		return false, err
	}
	doc, err := store.EncodeShipmentState(st)
	if err != nil {
		return false, err
	}
	applied := true
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO shipment_state (shipment_id, tracking_number, state, at)
			VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING`, st.ShipmentID, st.TrackingNumber, string(doc), st.At.UTC())
		if err != nil {
			return classify(err, store.ErrDuplicate)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT state FROM shipment_state WHERE shipment_id = $1 AND tracking_number = $2 FOR UPDATE`,
			st.ShipmentID, st.TrackingNumber).Scan(&raw); err != nil {
			return err
		}
		kept, err := store.DecodeShipmentState(raw)
		if err != nil {
			return err
		}
		var merged connectors.ShipmentState
		merged, applied = kept.Merge(st)
		merged.ShipmentID, merged.TrackingNumber = st.ShipmentID, st.TrackingNumber
		b, err := store.EncodeShipmentState(merged)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE shipment_state SET state = $3::jsonb, at = $4, updated_at = now()
			WHERE shipment_id = $1 AND tracking_number = $2`, st.ShipmentID, st.TrackingNumber, string(b), merged.At.UTC())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("put shipment state %s/%s: %w", st.ShipmentID, st.TrackingNumber, err)
	}
	return applied, nil
}

// ShipmentState returns the merged state kept under the id or the tracking
// number.
func (s *Store) ShipmentState(ctx context.Context, shipmentID, trackingNumber string) (connectors.ShipmentState, bool, error) {
	if shipmentID == "" && trackingNumber == "" {
		return connectors.ShipmentState{}, false, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT state FROM shipment_state
		WHERE (shipment_id = $1 AND shipment_id <> '') OR (tracking_number = $2 AND tracking_number <> '')
		ORDER BY at, shipment_id, tracking_number`, shipmentID, trackingNumber)
	if err != nil {
		return connectors.ShipmentState{}, false, fmt.Errorf("shipment state %s/%s: %w", shipmentID, trackingNumber, err)
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (connectors.ShipmentState, error) {
		var raw []byte
		if err := r.Scan(&raw); err != nil {
			return connectors.ShipmentState{}, err
		}
		return store.DecodeShipmentState(raw)
	})
	if err != nil {
		return connectors.ShipmentState{}, false, fmt.Errorf("shipment state %s/%s: %w", shipmentID, trackingNumber, err)
	}
	st, ok := store.MergeShipmentStates(recs)
	return st, ok, nil
}

// PutInboundState merges s into the kept state of its inbound receipt.
func (s *Store) PutInboundState(ctx context.Context, st connectors.InboundState) (bool, error) {
	if err := store.CheckInboundState(st); err != nil {
		return false, err
	}
	doc, err := store.EncodeInboundState(st)
	if err != nil {
		return false, err
	}
	applied := true
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO inbound_state (sku, ref, state, at) VALUES ($1, $2, $3::jsonb, $4)
			ON CONFLICT DO NOTHING`, st.SKU, st.Ref, string(doc), st.At.UTC())
		if err != nil {
			return classify(err, store.ErrDuplicate)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT state FROM inbound_state WHERE sku = $1 AND ref = $2 FOR UPDATE`, st.SKU, st.Ref).Scan(&raw); err != nil {
			return err
		}
		kept, err := store.DecodeInboundState(raw)
		if err != nil {
			return err
		}
		var merged connectors.InboundState
		merged, applied = kept.Merge(st)
		b, err := store.EncodeInboundState(merged)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE inbound_state SET state = $3::jsonb, at = $4, updated_at = now() WHERE sku = $1 AND ref = $2`,
			st.SKU, st.Ref, string(b), merged.At.UTC())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("put inbound state %s/%s: %w", st.SKU, st.Ref, err)
	}
	return applied, nil
}

// InboundStates returns the kept state of the sku's inbound receipts.
func (s *Store) InboundStates(ctx context.Context, sku string) ([]connectors.InboundState, error) {
	rows, err := s.pool.Query(ctx, `SELECT state FROM inbound_state WHERE sku = $1 ORDER BY ref`, sku)
	if err != nil {
		return nil, fmt.Errorf("inbound states of %s: %w", sku, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (connectors.InboundState, error) {
		var raw []byte
		if err := r.Scan(&raw); err != nil {
			return connectors.InboundState{}, err
		}
		return store.DecodeInboundState(raw)
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("inbound states of %s: %w", sku, err)
	}
	return out, nil
}
