package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// PutShipmentState merges s into the kept state of its shipment, inside one
// write transaction.
func (s *Store) PutShipmentState(ctx context.Context, st connectors.ShipmentState) (bool, error) {
	if err := store.CheckShipmentState(st); err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("put shipment state: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var raw string
	err = tx.QueryRowContext(ctx, `SELECT state FROM shipment_state WHERE shipment_id = ? AND tracking_number = ?`,
		st.ShipmentID, st.TrackingNumber).Scan(&raw)
	merged, applied := st, true
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, fmt.Errorf("put shipment state: read: %w", err)
	default:
		kept, err := store.DecodeShipmentState([]byte(raw))
		if err != nil {
			return false, err
		}
		merged, applied = kept.Merge(st)
		merged.ShipmentID, merged.TrackingNumber = st.ShipmentID, st.TrackingNumber // the key stays
	}
	doc, err := store.EncodeShipmentState(merged)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO shipment_state (shipment_id, tracking_number, state, at, updated_at)
		VALUES (?,?,?,?,?) ON CONFLICT (shipment_id, tracking_number) DO UPDATE SET state = excluded.state,
		at = excluded.at, updated_at = excluded.updated_at`,
		st.ShipmentID, st.TrackingNumber, string(doc), micros(merged.At), micros(store.Now())); err != nil {
		return false, fmt.Errorf("put shipment state: %w", classify(err, store.ErrDuplicate))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("put shipment state: commit: %w", err)
	}
	return applied, nil
}

// ShipmentState returns the merged state kept under the id or the tracking
// number.
func (s *Store) ShipmentState(ctx context.Context, shipmentID, trackingNumber string) (connectors.ShipmentState, bool, error) {
	if shipmentID == "" && trackingNumber == "" {
		return connectors.ShipmentState{}, false, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT state FROM shipment_state
		WHERE (shipment_id = ? AND shipment_id <> '') OR (tracking_number = ? AND tracking_number <> '')
		ORDER BY at, shipment_id, tracking_number`, shipmentID, trackingNumber)
	if err != nil {
		return connectors.ShipmentState{}, false, fmt.Errorf("shipment state %s/%s: %w", shipmentID, trackingNumber, err)
	}
	defer rows.Close()
	var recs []connectors.ShipmentState
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return connectors.ShipmentState{}, false, fmt.Errorf("shipment state: %w", err)
		}
		r, err := store.DecodeShipmentState([]byte(raw))
		if err != nil {
			return connectors.ShipmentState{}, false, err
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return connectors.ShipmentState{}, false, fmt.Errorf("shipment state: %w", err)
	}
	st, ok := store.MergeShipmentStates(recs)
	return st, ok, nil
}

// PutInboundState merges s into the kept state of its inbound receipt.
func (s *Store) PutInboundState(ctx context.Context, st connectors.InboundState) (bool, error) {
	if err := store.CheckInboundState(st); err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("put inbound state: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var raw string
	err = tx.QueryRowContext(ctx, `SELECT state FROM inbound_state WHERE sku = ? AND ref = ?`, st.SKU, st.Ref).Scan(&raw)
	merged, applied := st, true
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, fmt.Errorf("put inbound state: read: %w", err)
	default:
		kept, err := store.DecodeInboundState([]byte(raw))
		if err != nil {
			return false, err
		}
		merged, applied = kept.Merge(st)
	}
	doc, err := store.EncodeInboundState(merged)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO inbound_state (sku, ref, state, at, updated_at) VALUES (?,?,?,?,?)
		ON CONFLICT (sku, ref) DO UPDATE SET state = excluded.state, at = excluded.at, updated_at = excluded.updated_at`,
		st.SKU, st.Ref, string(doc), micros(merged.At), micros(store.Now())); err != nil {
		return false, fmt.Errorf("put inbound state: %w", classify(err, store.ErrDuplicate))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("put inbound state: commit: %w", err)
	}
	return applied, nil
}

// InboundStates returns the kept state of the sku's inbound receipts.
func (s *Store) InboundStates(ctx context.Context, sku string) ([]connectors.InboundState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state FROM inbound_state WHERE sku = ? ORDER BY ref`, sku)
	if err != nil {
		return nil, fmt.Errorf("inbound states of %s: %w", sku, err)
	}
	defer rows.Close()
	var out []connectors.InboundState
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("inbound states of %s: %w", sku, err)
		}
		r, err := store.DecodeInboundState([]byte(raw))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbound states of %s: %w", sku, err)
	}
	return out, nil
}
