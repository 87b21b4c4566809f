package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Lock takes an exclusive lock named name, held across connections and
// processes until unlock is called (or the process ends): what instances
// that start together need for work that must run once, such as loading the
// seed. On PostgreSQL it is a session advisory lock, as goose takes for
// migrations, keyed by the name and the schema (test schemas do not wait on
// each other); on SQLite, whose write transaction cannot be held while the
// locked work writes through the same database, it is an exclusive write
// transaction on a lock file beside the database (PATH-lock), which SQLite
// releases when the process dies.
func (d *DB) Lock(ctx context.Context, name string) (unlock func(), err error) {
	if d.Dialect == Postgres {
		conn, err := d.write.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		const key = "hashtext($1 || '.' || current_schema())"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")", name); err != nil {
			conn.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		return func() {
			_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock("+key+")", name)
			conn.Close()
		}, nil
	}
	// A long busy timeout: the holder may be loading the seed, which takes
	// seconds; BEGIN EXCLUSIVE waits for it.
	l, err := sql.Open("sqlite", "file:"+d.path+"-lock?_pragma=busy_timeout(600000)&_txlock=exclusive")
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	l.SetMaxOpenConns(1)
	tx, err := l.BeginTx(ctx, nil)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() {
		_ = tx.Rollback()
		l.Close()
	}, nil
}
