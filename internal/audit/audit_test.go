package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

func TestRecordCommitsAndRollsBackWithTheChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithRequestID(context.Background(), "req-1")
		p := auth.Principal{UserID: 0, Email: "ana@example.org", Role: auth.Admin}
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := audit.Record(ctx, tx, p, audit.Create, "thing", 1, nil, map[string]string{"name": "a"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if got, _ := audit.List(ctx, d, audit.Filter{}); len(got) != 0 {
			t.Fatalf("rolled-back change left %d audit rows", len(got))
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Record(ctx, tx, p, audit.Update, "thing", 1, map[string]string{"name": "a"}, map[string]string{"name": "b"})
		}); err != nil {
			t.Fatal(err)
		}
		got, err := audit.List(ctx, d, audit.Filter{Entity: "thing", EntityID: "1", From: time.Now().Add(-time.Minute)})
		if err != nil || len(got) != 1 {
			t.Fatalf("entries %v, %v", got, err)
		}
		e := got[0]
		if e.UserEmail != "ana@example.org" || e.Action != audit.Update || string(e.Before) != `{"name":"a"}` || string(e.After) != `{"name":"b"}` || e.RequestID != "req-1" {
			t.Fatalf("entry %+v", e)
		}
		var buf bytes.Buffer
		if err := audit.WriteCSV(&buf, got); err != nil || !strings.Contains(buf.String(), `"{""name"":""b""}"`) {
			t.Fatalf("csv %q %v", buf.String(), err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Record(ctx, tx, auth.System, audit.Create, "thing", 1, nil, "x")
		}); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{"UPDATE audit_log SET user_email = 'forged'", "DELETE FROM audit_log"} {
			err := d.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, stmt); return err })
			if err == nil {
				t.Errorf("%s succeeded", stmt)
			}
		}
		if got, _ := audit.List(ctx, d, audit.Filter{}); len(got) != 1 || got[0].UserEmail != "system" {
			t.Fatalf("audit log changed: %+v", got)
		}
	})
}

// TestShownReadsOnUntilTheLimit: entries the reader may not see are left
// out, and the list still fills up to its limit from older entries.
func TestShownReadsOnUntilTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 1; i <= 9; i++ {
			entity := "thing"
			if i%3 != 0 {
				entity = "secret"
			}
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				return audit.Record(ctx, tx, auth.Principal{UserID: 7, Email: "ana@example.org", Role: auth.Admin}, audit.Create, entity, i, nil, "x")
			}); err != nil {
				t.Fatal(err)
			}
		}
		shown := func(e *audit.Entry) (bool, error) {
			e.UserEmail = ""
			return e.Entity == "thing", nil
		}
		got, err := audit.List(ctx, d, audit.Filter{Limit: 2, Shown: shown})
		if err != nil || len(got) != 2 || got[0].EntityID != "9" || got[1].EntityID != "6" || got[0].UserEmail != "" {
			t.Fatalf("first page: %+v %v", got, err)
		}
		got, err = audit.List(ctx, d, audit.Filter{Limit: 2, Shown: shown, BeforeID: got[1].ID})
		if err != nil || len(got) != 1 || got[0].EntityID != "3" {
			t.Fatalf("second page: %+v %v", got, err)
		}
	})
}
