package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sriim/internal/db/dbtest"
)

func TestMigrateCommand(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			dsn := dbtest.DSN(t, dialect)
			var out, errOut bytes.Buffer
			if code := Main(context.Background(), []string{"migrate", "--db", dsn}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if !strings.HasPrefix(out.String(), "schema version ") || strings.Contains(out.String(), "(0 migrations") {
				t.Fatalf("first run: %q", out.String())
			}
			out.Reset()
			if code := Main(context.Background(), []string{"migrate", "--db", dsn}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "(0 migrations applied)") {
				t.Fatalf("second run is not a no-op: %q", out.String())
			}
		})
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"fly"}, &out, &errOut); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
	if code := Main(context.Background(), []string{"migrate", "--db", "mysql://x"}, &out, &errOut); code != 1 {
		t.Errorf("bad --db: exit %d", code)
	}
	out.Reset()
	if code := Main(context.Background(), []string{"version"}, &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
}

// A real SIGTERM while a request is in flight: the request completes, then
// the server stops.
func TestSIGTERMLetsInFlightRequestFinish(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(700 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serveUntilSignal(context.Background(), ln, h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{string(b), err}
	}()
	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

func TestExportActorsImportsBackUnchanged(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			dsn, dir := dbtest.DSN(t, dialect), t.TempDir()
			run := func(args ...string) string {
				var out, errOut bytes.Buffer
				if code := Main(context.Background(), append(args, "--db", dsn), &out, &errOut); code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
				}
				return out.String()
			}
			run("import", "actors", "../actors/testdata/actores.csv")
			for _, format := range []string{"csv", "xlsx"} {
				file := filepath.Join(dir, "actores."+format)
				run("export", "actors", "--format", format, "--out", file)
				if out := run("import", "actors", file); !strings.Contains(out, "0 new, 0 updated, 5 unchanged") {
					t.Fatalf("%s: re-import of the export: %s", format, out)
				}
			}
		})
	}
}

// TestRegulationImportCommands imports procedures and their cases with the
// issue's columns, refuses a file with a bad row naming it, and imports an
// export back unchanged.
func TestRegulationImportCommands(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			dsn, dir := dbtest.DSN(t, dialect), t.TempDir()
			run := func(want int, args ...string) string {
				var out, errOut bytes.Buffer
				if code := Main(context.Background(), append(args, "--db", dsn), &out, &errOut); code != want {
					t.Fatalf("%v: exit %d, want %d: %s", args, code, want, errOut.String())
				}
				return out.String() + errOut.String()
			}
			write := func(name, text string) string {
				file := filepath.Join(dir, name)
				if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				return file
			}
			procedures := write("tupa.csv", "codigo,nombre,institucion,dias_habiles,silencio,tasa_soles,requisitos\n"+
				"HAB-PLANTA,Habilitación sanitaria de plantas,ITP,30,positivo,\"1.234,50\",Solicitud; Plano de la planta\n")
			if out := run(0, "import", "procedures", procedures); !strings.Contains(out, "1 row; 1 new") {
				t.Fatalf("import procedures: %s", out)
			}
			cases := write("casos.csv", "procedimiento,ruc,presentado,resuelto,resultado\n"+
				"HAB-PLANTA,20100000009,2025-02-03,2025-02-20,aprobado\nHAB-PLANTA,,2025-03-03,,\n")
			if out := run(0, "import", "procedure-cases", cases); !strings.Contains(out, "2 rows; 2 new") {
				t.Fatalf("import procedure-cases: %s", out)
			}
			bad := write("malo.csv", "procedimiento,ruc,presentado,resuelto,resultado\nHAB-PLANTA,,2025-02-03,2025-01-01,aprobado\n")
			if out := run(1, "import", "procedure-cases", bad, "--lang", "es"); !strings.Contains(out, "fila 2, columna resuelto: no antes del día en que se presentó") {
				t.Fatalf("a bad row: %s", out)
			}
			for _, table := range []string{"procedures", "procedure-cases", "norms", "requirements"} {
				file := filepath.Join(dir, table+".xlsx")
				run(0, "export", table, "--out", file)
				if out := run(0, "import", table, file); !strings.Contains(out, "0 new, 0 updated") {
					t.Fatalf("%s: re-import of the export: %s", table, out)
				}
			}
		})
	}
}

func TestReportMarketsCommandWritesThreeFiles(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"report", "markets", "--period", "2006-S1", "--lang", "es", "--out", dir, "--db", dbtest.DSN(t, "sqlite"), "--data-dir", t.TempDir()}
	if code := Main(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, name := range []string{"informe-mercados-2006-S1.html", "informe-mercados-2006-S1.pdf", "informe-mercados-2006-S1-anexo.xlsx"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() < 500 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFirstStartHintNamesTheCommandThatStartedSRIIM(t *testing.T) {
	tests := []struct{ exe, want string }{
		{"/home/ana/.cache/go-build/3f/3f1a9c-d/sriim", "go run ./cmd/sriim"}, // go run, Go 1.24+
		{"/tmp/go-build2741/b001/exe/sriim", "go run ./cmd/sriim"},            // go run, older Go
		{"/usr/local/bin/sriim", "sriim"},
		{"/home/ana/sriim/sriim", "sriim"},
		{"/tmp/sriim-e2e1234/sriim", "sriim"}, // built into a temporary directory, run by name
	}
	for _, tt := range tests {
		if got := commandFor(tt.exe, "/home/ana/.cache/go-build", "/tmp"); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.exe, got, tt.want)
		}
	}
}

func TestSeedDemoLoadsOnceAndRemoves(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			dsn := dbtest.DSN(t, dialect)
			dir := t.TempDir()
			seed := func(args ...string) (int, string) {
				var out, errOut bytes.Buffer
				code := Main(context.Background(), append([]string{"seed", "--db", dsn, "--data-dir", dir}, args...), &out, &errOut)
				return code, out.String() + errOut.String()
			}
			if code, out := seed(); code != 0 || strings.Contains(out, "demonstration") {
				t.Fatalf("plain seed: %d %s", code, out)
			}
			for i, want := range []string{"demonstration dataset loaded (9 new records)", "demonstration dataset loaded (0 new records)"} {
				if code, out := seed("--demo"); code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "sriim seed --demo --remove") {
					t.Fatalf("load %d: %d %s", i+1, code, out)
				}
			}
			if code, out := seed("--remove"); code != 1 || !strings.Contains(out, "--demo") {
				t.Fatalf("--remove alone: %d %s", code, out)
			}
			if code, out := seed("--demo", "--remove"); code != 0 || !strings.Contains(out, "demonstration dataset removed (9 records)") {
				t.Fatalf("remove: %d %s", code, out)
			}
		})
	}
}
