package ratelimit_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/ratelimit"
)

func TestHitUndoExceededAndForget(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 12, 0, 10, 0, time.UTC)
		hit := func(key string, now time.Time) int {
			t.Helper()
			var n int
			if err := d.Tx(ctx, func(tx *sql.Tx) (err error) { n, err = ratelimit.Hit(ctx, tx, key, time.Minute, now); return err }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for want := 1; want <= 3; want++ {
			if n := hit("a", at.Add(time.Duration(want)*time.Second)); n != want {
				t.Fatalf("hit %d counted %d", want, n)
			}
		}
		if n := hit("b", at); n != 1 {
			t.Fatalf("another key counted %d", n)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return ratelimit.Undo(ctx, tx, "a", time.Minute, at) }); err != nil {
			t.Fatal(err)
		}
		if n := hit("a", at.Add(40*time.Second)); n != 3 {
			t.Fatalf("after an undo: %d, want 3", n)
		}
		if n := hit("a", at.Add(time.Minute)); n != 1 {
			t.Fatalf("the next minute starts at %d, want 1", n)
		}
		for max, want := range map[int]bool{2: true, 3: false} {
			if got, err := ratelimit.Exceeded(ctx, d.Read(), "a", max, at.Add(-time.Hour)); err != nil || got != want {
				t.Errorf("Exceeded(max %d) = %v, %v", max, got, err)
			}
		}
		// A day later a new window forgets the old ones.
		hit("c", at.Add(ratelimit.Keep+2*time.Minute))
		if got, _ := ratelimit.Exceeded(ctx, d.Read(), "a", 0, time.Time{}); got {
			t.Error("counts older than Keep are still there")
		}
	})
}

// An IPv6 client is counted by its /64, so that one with a /64 does not get
// a fresh count for each of its addresses; IPv4 stays per address.
func TestClient(t *testing.T) {
	tests := []struct{ addr, key string }{
		{"198.51.100.7", "198.51.100.7"},
		{"198.51.100.8", "198.51.100.8"},
		{"198.51.100.7:5000", "198.51.100.7"},
		{"::ffff:198.51.100.7", "198.51.100.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::7]:5000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::8]", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"@unix", "@unix"}, // no address: as it came
		{"", ""},
	}
	for _, tt := range tests {
		if got := ratelimit.Client(tt.addr); got != tt.key {
			t.Errorf("%q: key %q, want %q", tt.addr, got, tt.key)
		}
	}
}
