package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"testing"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestRecordAllWritesAnEntryPerItem: entries written in batches read as
// Record's, one per record, in order, past a batch's end.
func TestRecordAllWritesAnEntryPerItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithRequestID(context.Background(), "req-9")
		p := auth.Principal{UserID: 0, Email: "ana@example.org", Role: auth.Admin}
		items := make([]audit.Item, 45)
		for i := range items {
			items[i] = audit.Item{ID: "d" + strconv.Itoa(i), After: map[string]int{"n": i}}
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return audit.RecordAll(ctx, tx, p, audit.Create, "day", items) }); err != nil {
			t.Fatal(err)
		}
		got, err := audit.List(ctx, d, audit.Filter{Entity: "day"})
		if err != nil || len(got) != 45 {
			t.Fatalf("%d entries, %v", len(got), err)
		}
		for i, e := range got { // newest first
			n := 44 - i
			var after map[string]int
			if json.Unmarshal(e.After, &after) != nil || after["n"] != n || e.EntityID != "d"+strconv.Itoa(n) ||
				e.Action != audit.Create || e.UserEmail != "ana@example.org" || e.RequestID != "req-9" || e.Before != nil {
				t.Errorf("entry %d: %+v", i, e)
			}
		}
	})
}
