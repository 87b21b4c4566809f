// Package ratelimit counts events per key (an account, an address, an
// exporter) in fixed windows of time, in the database, so that a limit holds
// across parallel requests and across the instances that share a database.
//
// Each count is one statement, INSERT … ON CONFLICT DO UPDATE SET n = n + 1
// RETURNING n, which both SQLite and PostgreSQL run atomically: a caller
// counts an event first and then checks the count it got back, so no two
// requests can both see the last free place.
package ratelimit

import (
	"context"
	"database/sql"
	"net/netip"
	"strings"
	"time"

	"sriim/internal/errs"
)

// Keep is how long counts are kept after their window starts: long enough
// to tell whether an account was under attack today.
const Keep = 24 * time.Hour

// Hit counts one event for key in the window of length window that holds
// now, and returns the events counted in that window, this one included.
// Run it in the transaction whose outcome the event belongs to: when that
// rolls back, so does the count.
func Hit(ctx context.Context, tx *sql.Tx, key string, window time.Duration, now time.Time) (int, error) {
	start := now.Truncate(window).Unix()
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, n) VALUES ($1, $2, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_limits.n + 1 RETURNING n`, key, start).Scan(&n)
	if err != nil {
		return 0, errs.Wrap(err, "count %s", key)
	}
	if n == 1 {
		// A new window row: the table grows, so old rows go now.
		if _, err := tx.ExecContext(ctx, "DELETE FROM rate_limits WHERE window_start < $1", now.Add(-Keep).Unix()); err != nil {
			return 0, errs.Wrap(err, "forget old counts")
		}
	}
	return n, nil
}

// Undo takes back an event counted with Hit at the same now (an attempt
// that turned out not to count, such as a login with the right password).
func Undo(ctx context.Context, tx *sql.Tx, key string, window time.Duration, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE rate_limits SET n = n - 1 WHERE key = $1 AND window_start = $2 AND n > 0",
		key, now.Truncate(window).Unix())
	return errs.Wrap(err, "uncount %s", key)
}

// Exceeded reports whether key went over max events in a window that
// started at or after since.
func Exceeded(ctx context.Context, q *sql.DB, key string, max int, since time.Time) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM rate_limits WHERE key = $1 AND n > $2 AND window_start >= $3",
		key, max, since.Unix()).Scan(&n)
	return n > 0, errs.Wrap(err, "read counts of %s", key)
}

// Client is the part of a limit's key that names the client at addr (an
// address as text, with or without a port): all of an IPv4 address, the
// /64 of an IPv6 one, the least a network gives one client (RFC 6177), so
// that a client with a /64 cannot take a fresh address for each try. Text
// that is no address is kept as it is.
func Client(addr string) string {
	a, err := netip.ParseAddr(strings.Trim(addr, "[]"))
	if err != nil {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return addr
		}
		a = ap.Addr()
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // drops any zone
	return p.String()
}
