// Package e2e holds end-to-end tests: they build the real sriim binary, start
// it on a free port against a fresh database (SQLite, and PostgreSQL when
// SRIIM_TEST_POSTGRES is set) and talk to it over HTTP or through Chromium.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sriim-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sriim")
	build := exec.Command("go", "build", "-o", binary, "../cmd/sriim")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build sriim:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is a running sriim binary.
type instance struct {
	URL     string
	DataDir string
	DSN     string
	cmd     *exec.Cmd
	killed  bool
	mu      sync.Mutex
	logs    strings.Builder
}

// kill stops the binary at once, as kill -9 does.
func (in *instance) kill() {
	in.killed = true
	_ = in.cmd.Process.Kill()
	_ = in.cmd.Wait()
}

// Logs returns what the binary has logged so far.
func (in *instance) Logs() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.logs.String()
}

// start runs `sriim serve` on a free port against a fresh database of the
// given dialect and waits until it listens. It is stopped with SIGTERM when
// the test ends.
func start(t *testing.T, dialect db.Dialect, args ...string) *instance {
	t.Helper()
	return startOn(t, dbtest.DSN(t, dialect), t.TempDir(), args...)
}

// twin starts another instance on in's database and data directory, as a
// second server behind a load balancer.
func (in *instance) twin(t *testing.T, args ...string) *instance {
	t.Helper()
	return startOn(t, in.DSN, in.DataDir, args...)
}

// startOn runs `sriim serve` on a free port against the database dsn.
func startOn(t *testing.T, dsn, dataDir string, args ...string) *instance {
	t.Helper()
	in := &instance{DataDir: dataDir, DSN: dsn}
	in.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", in.DSN, "--data-dir", in.DataDir}, args...)...)
	stderr, err := in.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			in.mu.Lock()
			in.logs.WriteString(line + "\n")
			in.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		close(addr)
	}()
	t.Cleanup(func() {
		if in.killed {
			return
		}
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- in.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sriim exited with %v after SIGTERM; logs:\n%s", err, in.Logs())
			}
		case <-time.After(15 * time.Second):
			_ = in.cmd.Process.Kill()
			t.Errorf("sriim did not stop after SIGTERM")
		}
	})
	select {
	case a, ok := <-addr:
		if !ok {
			_ = in.cmd.Wait()
			t.Fatalf("sriim exited before listening; logs:\n%s", in.Logs())
		}
		in.URL = "http://" + a
	case <-time.After(3 * time.Minute): // a first start seeds the database; CI machines may be busy
		t.Fatalf("sriim did not start; logs:\n%s", in.Logs())
	}
	return in
}

// get fetches path and returns the status and body.
func (in *instance) get(t *testing.T, path string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, in.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
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
	return res.StatusCode, string(b)
}

// browser returns a chromedp context on a fresh headless Chromium, for a
// test that finishes within 90 s. The test is skipped when no Chromium is
// there, unless SRIIM_TEST_BROWSER names one (the README's test command sets
// it), in which case a missing one fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWithin(t, 90*time.Second)
}

// browserWithin is browser for a test that may take up to limit (one that
// visits every page).
func browserWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("SRIIM_TEST_BROWSER")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Skip("no chromium; set SRIIM_TEST_BROWSER to require it")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// A visitor from the region: the browser asks for Spanish.
		chromedp.Flag("lang", "es-PE"),
		chromedp.Flag("accept-lang", "es-PE,es"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshot saves a full-page PNG under SRIIM_SCREENSHOTS (if set) for people to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SRIIM_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// evaluate runs a JavaScript expression in the page (awaiting it when it
// is a promise) and decodes its result.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// run runs a sriim subcommand against the instance's database and returns its output.
func (in *instance) run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--db", in.DSN, "--data-dir", in.DataDir)...)
	cmd.Env = append(os.Environ(), "SRIIM_LANG=en") // the tests read its English messages
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sriim %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// addUser creates an account with the command line and returns its password.
func (in *instance) addUser(t *testing.T, email, role string, extra ...string) string {
	t.Helper()
	out := in.run(t, append([]string{"user", "add", "--email", email, "--role", role}, extra...)...)
	for _, line := range strings.Split(out, "\n") {
		if pw, ok := strings.CutPrefix(line, "password: "); ok {
			return pw
		}
	}
	t.Fatalf("no password in: %s", out)
	return ""
}

// loginInBrowser logs in through the login form, as a person does.
func loginInBrowser(t *testing.T, ctx context.Context, in *instance, email, password string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(in.URL+"/entrar"),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(`form[action="/salir"]`),
	); err != nil {
		t.Fatalf("log in as %s: %v", email, err)
	}
}
