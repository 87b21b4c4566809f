package e2e

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/planning"
)

// writerName names the writer's n-th actor; the numbers sort as the names do.
const writerName = "Escritor de respaldo %04d"

var writerMark = regexp.MustCompile(`Escritor de respaldo (\d{4})`)

// TestBackupUnderLoadRestoresEveryList backs a running SRIIM up with the
// real binary while a goroutine keeps writing through the service layer,
// restores the archive into a new data directory (and database), starts
// SRIIM on it and compares every list of the API (each GET endpoint of the
// OpenAPI document without a path parameter) with the original as of the
// snapshot: the original's lists less what the writer added after it. The
// writer's rows in the copy must be a prefix of what it wrote (nothing
// half-seen), and the uploaded files must be there.
func TestBackupUnderLoadRestoresEveryList(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			if dialect == db.Postgres {
				if _, err := exec.LookPath("pg_dump"); err != nil {
					t.Skip("pg_dump is not on PATH")
				}
			}
			ctx := context.Background()
			orig := start(t, dialect)
			d, err := db.Open(ctx, orig.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			token := adminWithEvidence(t, d, orig.DataDir)

			// The writer: one actor at a time until told to stop.
			var written atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var stopOnce sync.Once
			stopWriter := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
			defer stopWriter() // before the database closes, also when the test fails
			wg.Add(1)
			go func() {
				defer wg.Done()
				reg := actors.New(d)
				for n := 1; n <= 200; n++ {
					select {
					case <-stop:
						return
					default:
					}
					if _, _, err := reg.Create(ctx, auth.System, actors.Actor{Name: fmt.Sprintf(writerName, n), Kinds: []string{"broker"}}); err != nil {
						t.Errorf("writer: %v", err)
						return
					}
					written.Store(int64(n))
					time.Sleep(10 * time.Millisecond)
				}
			}()
			for written.Load() < 3 {
				time.Sleep(5 * time.Millisecond)
			}
			archive := filepath.Join(t.TempDir(), "sriim-backup.tar.gz")
			out, err := exec.Command(binary, "backup", "--db", orig.DSN, "--data-dir", orig.DataDir, "--out", archive).CombinedOutput()
			if err != nil {
				t.Fatalf("backup: %v: %s", err, out)
			}
			during := written.Load()
			for written.Load() < during+3 { // writes after the snapshot, which the copy must not have
				time.Sleep(5 * time.Millisecond)
			}
			stopWriter()

			dsn, dataDir := restoreTarget(t, dialect, orig.DSN), filepath.Join(t.TempDir(), "restored")
			if out, err := exec.Command(binary, "restore", archive, "--db", dsn, "--data-dir", dataDir).CombinedOutput(); err != nil {
				t.Fatalf("restore: %v: %s", err, out)
			}
			if out, err := exec.Command(binary, "restore", archive, "--db", dsn, "--data-dir", dataDir).CombinedOutput(); err == nil || !strings.Contains(string(out), "empty") {
				t.Fatalf("a second restore into the same target: %v: %s", err, out)
			}
			restored := startOn(t, dsn, dataDir)

			k := snapshotWrites(t, restored, token)
			if k < 3 || k >= written.Load() {
				t.Fatalf("the copy holds the writer's first %d actors of %d: want those before the backup, not the later ones", k, written.Load())
			}
			paths := listEndpoints(t, orig)
			for _, p := range paths {
				want := normalize(t, fetchAll(t, orig, p, token), k)
				got := normalize(t, fetchAll(t, restored, p, token), k)
				if !reflect.DeepEqual(want, got) {
					w, _ := json.Marshal(want)
					g, _ := json.Marshal(got)
					t.Errorf("%s differs after restore:\noriginal: %.2000s\nrestored: %.2000s", p, w, g)
				}
			}
			if len(paths) < 20 {
				t.Errorf("only %d list endpoints compared: %v", len(paths), paths)
			}
			if a, b := fileSums(t, filepath.Join(orig.DataDir, "files")), fileSums(t, filepath.Join(dataDir, "files")); len(a) == 0 || !reflect.DeepEqual(a, b) {
				t.Errorf("uploaded files: original %v, restored %v", a, b)
			}
		})
	}
}

// adminWithEvidence makes an administrator with an API token, and a
// progress report with an uploaded file (under DATA-DIR/files).
func adminWithEvidence(t *testing.T, d *db.DB, dataDir string) string {
	t.Helper()
	ctx := context.Background()
	acc := accounts.New(d)
	admin, err := acc.CreateUser(ctx, auth.System, accounts.UserInput{Email: "mesa@example.org", Name: "Mesa", Role: auth.Admin, Password: "una clave larga de prueba"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := acc.CreateToken(ctx, admin.Principal(), "respaldo")
	if err != nil {
		t.Fatal(err)
	}
	plans := planning.New(d, filepath.Join(dataDir, "files"))
	list, err := plans.Plans(ctx)
	if err != nil || len(list) == 0 {
		t.Fatalf("plans: %v %v", list, err)
	}
	a, err := plans.Activity(ctx, list[0].ID, "1.1.1", 2008)
	if err != nil {
		t.Fatal(err)
	}
	r, err := plans.SaveReport(ctx, admin.Principal(), a.ID, planning.ReportInput{Period: "2008", Status: "in_progress", Narrative: "Base de datos en construcción"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plans.AddEvidence(ctx, admin.Principal(), r.ID, "acta.pdf", "", "application/pdf", strings.NewReader("%PDF-1.4 acta de la Mesa")); err != nil {
		t.Fatal(err)
	}
	return token
}

// restoreTarget is an empty database to restore into: a new SQLite file,
// or a new PostgreSQL database with the original's schema on its search path.
func restoreTarget(t *testing.T, dialect db.Dialect, origDSN string) string {
	t.Helper()
	if dialect == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "restored", "sriim.db")
	}
	u, err := url.Parse(origDSN)
	if err != nil {
		t.Fatal(err)
	}
	name := "sriim_restore_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	admin, err := sql.Open("pgx", os.Getenv("SRIIM_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create the database to restore into: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// snapshotWrites returns how many of the writer's actors the copy holds,
// checking that they are its first ones, without a gap.
func snapshotWrites(t *testing.T, in *instance, token string) int64 {
	t.Helper()
	var page struct{ Actors []struct{ Name string } }
	if err := json.Unmarshal(fetch(t, in, "/api/v1/actors?per_page=200", token), &page); err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, a := range page.Actors {
		if m := writerMark.FindStringSubmatch(a.Name); m != nil {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	for i, n := range nums {
		if n != i+1 {
			t.Fatalf("the copy holds the writer's actors %v: not a prefix of what it wrote", nums)
		}
	}
	return int64(len(nums))
}

// listEndpoints lists the API's GET paths without path parameters.
func listEndpoints(t *testing.T, in *instance) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(fetch(t, in, "/api/v1/openapi.json", ""), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for p, ops := range doc.Paths {
		get, ok := ops["get"]
		if !ok || strings.Contains(p, "{") || p == "/" || p == "/openapi.json" {
			continue
		}
		// A query that needs parameters (a point: /zones/at) lists nothing.
		var op struct{ Parameters []struct{ Required bool } }
		_ = json.Unmarshal(get, &op)
		if !slices.ContainsFunc(op.Parameters, func(p struct{ Required bool }) bool { return p.Required }) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func fetch(t *testing.T, in *instance, path, token string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, in.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return b
}

// fetchAll returns an API list whole: every page of the actors, every
// audit entry (older pages through ?before=).
func fetchAll(t *testing.T, in *instance, path, token string) any {
	t.Helper()
	api := "/api/v1" + path
	switch path {
	case "/actors":
		api += "?per_page=200"
	case "/audit":
		var all []any
		before := ""
		for {
			var page struct{ Entries []map[string]any }
			if err := json.Unmarshal(fetch(t, in, api+before, token), &page); err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Entries {
				all = append(all, e)
			}
			if len(page.Entries) == 0 {
				return map[string]any{"entries": all}
			}
			before = fmt.Sprintf("?before=%v", page.Entries[len(page.Entries)-1]["id"])
		}
	}
	var v any
	if err := json.Unmarshal(fetch(t, in, api, token), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// normalize takes out of a list what the writer added after the snapshot
// (its actors after the k-th, and everything about them), adjusting the
// totals, and the tokens' time of last use, which the comparison itself
// changes.
func normalize(t *testing.T, v any, k int64) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		dropped := 0
		out := map[string]any{}
		for key, val := range x {
			if key == "last_used_at" {
				continue
			}
			if list, ok := val.([]any); ok {
				kept := []any{}
				for _, e := range list {
					if afterSnapshot(e, k) {
						dropped++
						continue
					}
					kept = append(kept, normalize(t, e, k))
				}
				out[key] = kept
				continue
			}
			out[key] = normalize(t, val, k)
		}
		if total, ok := out["total"].(float64); ok {
			out["total"] = total - float64(dropped)
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			if !afterSnapshot(e, k) {
				out = append(out, normalize(t, e, k))
			}
		}
		return out
	}
	return v
}

// afterSnapshot reports whether a list item is about one of the writer's
// actors after the k-th.
func afterSnapshot(item any, k int64) bool {
	b, _ := json.Marshal(item)
	for _, m := range writerMark.FindAllSubmatch(b, -1) {
		if n, _ := strconv.ParseInt(string(m[1]), 10, 64); n > k {
			return true
		}
	}
	return false
}

// fileSums maps each file under dir to its SHA-256.
func fileSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
