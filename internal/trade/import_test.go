package trade_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/trade"
)

// shuffled returns file (a CSV with a header) with its rows in a random,
// repeatable order.
func shuffled(file []byte) []byte {
	lines := strings.SplitAfter(string(file), "\n")
	head, rows := lines[0], lines[1:len(lines)-1] // the last is empty
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return []byte(head + strings.Join(rows, ""))
}

func importBytes(t *testing.T, s *trade.Service, name string, file []byte) (trade.Batch, error) {
	t.Helper()
	b, err := s.Start(context.Background(), mesa, trade.FormatLegacy, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s.Import(context.Background(), mesa, b, bytes.NewReader(file))
}

// flows lists a batch's figures as shown, in a fixed order.
func flows(t *testing.T, d *db.DB, batch int64) []string {
	t.Helper()
	rows, err := d.Read().Query(`SELECT reporter, partner, partner2, flow, classification, commodity, year, month, value_usd, value_basis,
		net_weight_kg, qty, qty_unit, flag FROM trade_flows WHERE batch_id = $1`, batch)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, 14)
		for i := range v {
			v[i] = new(any)
		}
		if err := rows.Scan(v...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, x := range v {
			fmt.Fprintf(&b, "%v|", *x.(*any))
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// TestRowOrderDoesNotChangeWhatIsStored imports the same rows sorted and in
// a random order, the second time sorted in small runs through temporary
// files: the same figures are stored; a row that repeats another far away
// in the file is named by its line.
func TestRowOrderDoesNotChangeWhatIsStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		file := legacyRows(2000)
		sorted, err := importBytes(t, s, "sorted.csv", file)
		if err != nil || sorted.Rows != 2000 {
			t.Fatalf("sorted: %+v %v", sorted, err)
		}
		want := flows(t, d, sorted.ID)
		total := count(t, d)
		s.SetSortRuns(150, 4) // 14 runs, merged four at a time
		random, err := importBytes(t, s, "shuffled.csv", shuffled(file))
		if err != nil || random.Rows != 2000 {
			t.Fatalf("shuffled: %+v %v", random, err)
		}
		if got := flows(t, d, random.ID); !slices.Equal(got, want) {
			t.Fatalf("the shuffled file stored %d figures unlike the sorted one's %d", len(got), len(want))
		}
		// The second file gave every figure again: it holds them now, and there are no more of them.
		if n := count(t, d); n != total || len(flows(t, d, sorted.ID)) != 0 {
			t.Fatalf("%d figures after the second file, want %d, none of them the first file's", n, total)
		}
		// A row that repeats the file's second row, at its end (line 2002).
		lines := strings.SplitAfter(string(file), "\n")
		_, err = importBytes(t, s, "repeated.csv", append(shuffled(file), lines[1]...))
		if e, ok := err.(*errs.Error); !ok || len(e.Fields) != 1 || e.Fields["fila 2002"] == "" {
			t.Fatalf("a repeated row far apart: %v", err)
		}
		if n := count(t, d); n != total {
			t.Fatalf("a failed import changed the figures: %d, want %d", n, total)
		}
	})
}

// japan is Japan's 2004 imports of 030799 as the ranking shows them.
func japan(t *testing.T, s *trade.Service) float64 {
	t.Helper()
	rk, err := s.Importers(context.Background(), trade.AsReported("030799"), "import", 2004, 2004, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rk.Rows {
		if r.Partner.Code == 392 {
			return r.Values[2004]
		}
	}
	return 0
}

// TestReadsSeeAWholeImportOrNothing stops an import when it has stored its
// blocks and the take-over's copies, unseen, just before it publishes them:
// reads show what was there before; once published, the whole file. An
// import killed at that point leaves nothing, seen or unseen.
func TestReadsSeeAWholeImportOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		load := func(ctx context.Context, name string, rows ...string) (trade.Batch, error) {
			b, err := s.Start(ctx, mesa, trade.FormatSRIIM, name, "test")
			if err != nil {
				t.Fatal(err)
			}
			file := "reportero,socio,socio2,flujo,clasificacion,codigo,anio,mes,valor_usd,base_valor,peso_neto_kg,cantidad,unidad,bandera\n" +
				strings.Join(rows, "\n") + "\n"
			return s.Import(ctx, mesa, b, strings.NewReader(file))
		}
		row := func(partner string, value int) string {
			return "JPN," + partner + ",,importacion,H2,030799,2004,," + fmt.Sprint(value) + ",cif,,,,"
		}
		if _, err := load(ctx, "a.csv", row("CHN", 100), row("CHL", 50), row("KOR", 5)); err != nil {
			t.Fatal(err)
		}
		figures := count(t, d)
		var unseen int
		s.SetBeforePublish(func(context.Context) {
			if n, total := count(t, d), japan(t, s); n != figures || total != 155 {
				t.Errorf("before b.csv is published, reads see %d figures and a total of %v; want %d and 155", n, total, figures)
			}
			if err := d.Read().QueryRow("SELECT count(*) FROM trade_blocks WHERE published_by IS NOT NULL OR replaced_by IS NOT NULL").Scan(&unseen); err != nil {
				t.Error(err)
			}
		})
		if _, err := load(ctx, "b.csv", row("CHL", 70), row("PER", 30)); err != nil { // takes Chile's figure over
			t.Fatal(err)
		}
		if unseen != 2 {
			t.Errorf("b.csv prepared %d copies and marks, want a.csv's block marked and its copy without Chile", unseen)
		}
		if n, total := count(t, d), japan(t, s); n != figures+1 || total != 205 {
			t.Fatalf("after b.csv: %d figures and a total of %v; want %d and 205", n, total, figures+1)
		}
		// Killed at the same point: nothing of c.csv, seen or unseen.
		killed, kill := context.WithCancel(ctx)
		s.SetBeforePublish(func(context.Context) { kill() })
		c, err := load(killed, "c.csv", row("CHN", 1), row("USA", 2))
		if err == nil || c.State != "failed" || c.Rows != 0 || c.Read != 2 {
			t.Fatalf("killed import: %+v %v", c, err)
		}
		var left int
		if err := d.Read().QueryRow("SELECT count(*) FROM trade_blocks WHERE batch_id = $1 OR published_by = $1 OR replaced_by = $1", c.ID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if n, total := count(t, d), japan(t, s); left != 0 || n != figures+1 || total != 205 {
			t.Fatalf("after the killed import: %d blocks of it left, %d figures, a total of %v", left, n, total)
		}
		if got, _ := s.Batch(ctx, c.ID); got.State != "failed" || got.Rows != 0 || got.Read != 2 {
			t.Fatalf("the killed import reads back as %+v", got)
		}
	})
}

// TestLoginsGetThroughWhileAnImportRuns: on SQLite, one write at a time;
// an import writes in short transactions, so a login gets through while it
// reads the file and while it stores it. (On PostgreSQL, an import's rows
// block no one.)
func TestLoginsGetThroughWhileAnImportRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		acc := accounts.New(d)
		ctx := context.Background()
		if _, err := acc.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "correct horse battery", Role: auth.Admin}); err != nil {
			t.Fatal(err)
		}
		login := func() (time.Duration, error) {
			// Generous: a password hash alone takes seconds with -race on a busy machine.
			ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			start := time.Now()
			_, _, err := acc.Login(ctx, "ana@example.org", "correct horse battery", "10.0.0.1")
			return time.Since(start), err
		}

		// While the import reads: half the file is there, the rest does not come until the login is done.
		file := legacyRows(30000) // progress shows every 10 000 rows
		half := len(file)/2 + bytes.IndexByte(file[len(file)/2:], '\n') + 1
		b, err := s.Start(ctx, mesa, trade.FormatLegacy, "slow.csv", "test")
		if err != nil {
			t.Fatal(err)
		}
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.CloseWithError(errors.New("the test ended")) })
		result := make(chan error, 1)
		go func() {
			_, err := s.Import(ctx, mesa, b, pr)
			result <- err
		}()
		if _, err := pw.Write(file[:half]); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for got, _ := s.Batch(ctx, b.ID); got.Read == 0; got, _ = s.Batch(ctx, b.ID) {
			if time.Now().After(deadline) {
				t.Fatal("the import read nothing")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if wait, err := login(); err != nil {
			t.Fatalf("a login while the import reads its file: %v after %v", err, wait)
		}
		_, _ = pw.Write(file[half:])
		pw.Close()
		if err := <-result; err != nil {
			t.Fatal(err)
		}

		// While a larger import reads and stores, logins one after another.
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, err := importBytes(t, s, "large.csv", legacyRows(100000))
			done <- err
		}()
		var longest time.Duration
		logins := 0
		for running := true; running; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				running = false
			default:
				wait, err := login()
				if err != nil {
					t.Fatalf("a login during the import: %v after %v", err, wait)
				}
				longest, logins = max(longest, wait), logins+1
			}
		}
		took := time.Since(start)
		// The import's longest write transaction: what a write waits for at
		// most. Under a second, or (on a machine too busy to tell) a small
		// part of the import.
		held := s.LongestWrite()
		t.Logf("%v import; longest write transaction %v; %d logins, the longest %v", took, held, logins, longest)
		if d.Dialect == db.SQLite && held > time.Second && held > took/8 {
			t.Fatalf("the import held a write transaction for %v of its %v", held, took)
		}
	})
}

// TestAbandonedImportsAreFailed: an import whose process is gone (on this
// host) or whose heartbeat stopped (on any) is failed, with what it left
// unseen and the import lock it held; another live instance's import is
// left alone. A failed import can be removed, by an editor of reference
// data only.
func TestAbandonedImportsAreFailed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		now := time.Now().UTC()
		// A process of this host that has ended.
		ended := exec.Command("true")
		if err := ended.Run(); err != nil {
			t.Skip("cannot run a process:", err)
		}
		host := strings.SplitN(trade.Runner(), "/", 2)[0]
		batch := func(name, runner string, heartbeat time.Time) int64 {
			b, err := s.Start(ctx, mesa, trade.FormatLegacy, name, "test")
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE trade_batches SET runner = $1, heartbeat_at = $2, rows_read = 7 WHERE id = $3", runner, heartbeat, b.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return b.ID
		}
		other := trade.New(d) // another service: these batches are not its own jobs
		killed := batch("killed.csv", fmt.Sprintf("%s/%d/", host, ended.Process.Pid), now)
		silent := batch("silent.csv", "elsewhere/42/x", now.Add(-10*time.Minute))
		alive := batch("alive.csv", "elsewhere/43/x", now)
		mine := batch("mine.csv", trade.Runner(), now.Add(-5*time.Second))
		// The killed import held the import lock and left a block unseen.
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE trade_import_lock SET batch_id = $1", killed); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO trade_blocks (batch_id, commodity, flow, year, month, partner2, classification,
				first_reporter, last_reporter, value_basis, qty_unit, flag, totals, series)
				VALUES ($1, '030799', 'import', 2004, 0, 0, 'H2', 392, 392, 'cif', '', '', '[[392,null,5]]', '[[392,[[156,5,null,null]]]]')`, killed)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n, err := other.FailAbandoned(ctx)
		if err != nil || n != 2 {
			t.Fatalf("failed %d imports (%v), want the killed and the silent ones", n, err)
		}
		for id, want := range map[int64]string{killed: "failed", silent: "failed", alive: "running", mine: "running"} {
			got, err := other.Batch(ctx, id)
			if err != nil || got.State != want {
				t.Errorf("import %d: %+v %v, want %s", id, got, err, want)
			}
			if want == "failed" && (got.Read != 7 || got.Rows != 0 || !strings.Contains(got.Error, "process ended")) {
				t.Errorf("failed import %d reads %+v", id, got)
			}
		}
		var left int
		if err := d.Read().QueryRow("SELECT count(*) FROM trade_blocks WHERE batch_id = $1", killed).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d blocks of the killed import left (%v)", left, err)
		}
		// The lock is free again: an import goes through.
		if _, err := importFile(t, s, trade.FormatLegacy, "comtrade-legacy.csv", "after.csv"); err != nil {
			t.Fatal(err)
		}
		// Removing: a failed import only, by who may import, audited.
		editor := auth.Principal{UserID: 2, Email: "ed", Role: auth.Editor, Institutions: []int64{1}}
		if err := s.DeleteBatch(ctx, editor, killed); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an editor without the reference grant removed an import: %v", err)
		}
		if err := s.DeleteBatch(ctx, mesa, alive); !errs.Is(err, errs.Conflict) {
			t.Fatalf("a running import was removed: %v", err)
		}
		if err := s.DeleteBatch(ctx, mesa, killed); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Batch(ctx, killed); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the removed import is still there: %v", err)
		}
		var audited int
		if err := d.Read().QueryRow("SELECT count(*) FROM audit_log WHERE entity = 'trade_batch' AND entity_id = $1 AND action = 'delete'", fmt.Sprint(killed)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("the removal is audited %d times (%v)", audited, err)
		}
	})
}
