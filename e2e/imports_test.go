package e2e

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// legacyFile is a Comtrade legacy CSV of n distinct rows.
func legacyFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO," +
		"Partner Code,Partner,Partner ISO,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag\n")
	for i := 0; i < n; i++ {
		partner, year, code := 1+i%800, 1992+(i/800)%25, 30000+i/800/25
		fmt.Fprintf(&b, "H4,%d,%d,%d,6,1,1,Import,392,Japan,JPN,%d,X,,0%d,Molluscs,8,kg,%d,%d,%d,0\n", year, year, year, partner, code, i, i, 1000+i)
	}
	return b.Bytes()
}

// TestKilledImportsAreFailedOnStart kills (kill -9) an import of the command
// line while it reads its file and a server while it imports an upload:
// the next start marks both failed, nothing of them is seen or left, their
// pages stop refreshing, and they can be removed.
func TestKilledImportsAreFailedOnStart(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			first := start(t, dialect)
			password := first.addUser(t, "mesa@example.org", "admin")
			ctx := context.Background()
			d, err := db.Open(ctx, first.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			count := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := d.Read().QueryRow(q, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			figures := count("SELECT count(*) FROM trade_flows")
			// waitFor waits until the count q answers is want.
			waitFor := func(what string, want int, q string, args ...any) {
				t.Helper()
				for deadline := time.Now().Add(60 * time.Second); count(q, args...) != want; time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("waited in vain for %s", what)
					}
				}
			}

			// The command line, reading its standard input: half the file, then killed.
			file := legacyFile(300000)
			cli := exec.Command(binary, "import", "trade", "--db", first.DSN, "--data-dir", first.DataDir, "--format", "comtrade-legacy", "/dev/stdin")
			stdin, err := cli.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cli.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { _, _ = stdin.Write(file[:len(file)/2]) }()
			waitFor("the command line to read rows", 1, "SELECT count(*) FROM trade_batches WHERE name = 'stdin' AND rows_read > 0")
			_ = cli.Process.Kill()
			_ = cli.Wait()

			// The server, importing an upload in the background: killed as soon as it runs.
			client := loggedIn(t, first, "mesa@example.org", password)
			token := csrfToken(t, client, first.URL+"/mercados/importar")
			var form bytes.Buffer
			mw := multipart.NewWriter(&form)
			_ = mw.WriteField("csrf_token", token)
			_ = mw.WriteField("format", "comtrade-legacy")
			fw, _ := mw.CreateFormFile("archivo", "upload.csv")
			_, _ = fw.Write(file)
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, first.URL+"/mercados/importar", &form)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Origin", first.URL)
			res, err := client.Do(req)
			if err != nil || res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %v %v", res, err)
			}
			res.Body.Close()
			first.kill()
			if n := count("SELECT count(*) FROM trade_batches WHERE state = 'running'"); n != 2 {
				t.Skipf("%d imports were still running when killed; the machine was too quick for this test", n)
			}

			// The next start: both failed, nothing of them left.
			second := start(t, dialect, "--db", first.DSN, "--data-dir", first.DataDir)
			waitFor("the killed imports to be failed", 2, "SELECT count(*) FROM trade_batches WHERE state = 'failed' AND error LIKE '%process ended%'")
			if n := count("SELECT count(*) FROM trade_flows"); n != figures {
				t.Fatalf("%d figures after the killed imports, want %d", n, figures)
			}
			waitFor("what they left to be removed", 0, "SELECT count(*) FROM trade_blocks b JOIN trade_batches t ON t.id = b.batch_id WHERE t.state = 'failed'")
			var ids []int64
			rows, err := d.Read().Query("SELECT id FROM trade_batches WHERE state = 'failed'")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				_ = rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			client = loggedIn(t, second, "mesa@example.org", password)
			for _, id := range ids {
				page := fmt.Sprintf("%s/mercados/importaciones/%d", second.URL, id)
				res, err := client.Get(page)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.Header.Get("Refresh") != "" {
					t.Fatalf("the page of failed import %d still refreshes", id)
				}
				token := csrfToken(t, client, page)
				res, err = client.PostForm(page+"/eliminar", url.Values{"csrf_token": {token}})
				if err != nil || res.StatusCode != http.StatusSeeOther {
					t.Fatalf("remove import %d: %v %v", id, res, err)
				}
				res.Body.Close()
			}
			if n := count("SELECT count(*) FROM trade_batches WHERE state <> 'done'"); n != 0 {
				t.Fatalf("%d imports left after removing the failed ones", n)
			}
		})
	}
}

// loggedIn returns a client with a session of the instance, and no redirects followed.
func loggedIn(t *testing.T, in *instance, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &originTransport{origin: in.URL}}
	token := csrfToken(t, c, in.URL+"/entrar")
	res, err := c.PostForm(in.URL+"/entrar", url.Values{"email": {email}, "password": {password}, "csrf_token": {token}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in: %v %v", res, err)
	}
	res.Body.Close()
	return c
}

// originTransport sets the Origin header a browser sends with a form.
type originTransport struct{ origin string }

func (o *originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", o.origin)
	}
	return http.DefaultTransport.RoundTrip(r)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken loads a page and returns the CSRF token of its forms.
func csrfToken(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	m := csrfInput.FindSubmatch(body.Bytes())
	if m == nil {
		t.Fatalf("no CSRF token in %s (%d)", page, res.StatusCode)
	}
	return strings.ReplaceAll(string(m[1]), "&#43;", "+")
}
