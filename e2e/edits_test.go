package e2e

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"sriim/internal/db"
)

// person is a signed-in browser without JavaScript: a cookie jar that reads
// forms and sends them back as a person would.
type person struct {
	t      *testing.T
	in     *instance
	client *http.Client
}

func signIn(t *testing.T, in *instance, email, password string) *person {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &person{t: t, in: in, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	form := p.open("/entrar")
	form.Set("email", email)
	form.Set("password", password)
	if status, body := p.send("/entrar", form); status != http.StatusSeeOther {
		t.Fatalf("log in as %s: %d %s", email, status, body)
	}
	return p
}

var formTag = regexp.MustCompile(`(?s)<input[^>]*>|<textarea[^>]*>[^<]*</textarea>|<select[^>]*>.*?</select>`)

// open loads a page and returns the fields of its forms as they would be
// sent back unchanged.
func (p *person) open(path string) url.Values {
	p.t.Helper()
	res, err := p.client.Get(p.in.URL + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		p.t.Fatalf("%s: %d", path, res.StatusCode)
	}
	attr := func(tag, name string) string {
		if m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag); m != nil {
			return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'").Replace(m[1])
		}
		return ""
	}
	form := url.Values{}
	for _, tag := range formTag.FindAllString(string(body), -1) {
		name := attr(tag, "name")
		switch {
		case name == "" || strings.Contains(tag, " disabled"):
		case strings.HasPrefix(tag, "<select"):
			if m := regexp.MustCompile(`<option value="([^"]*)"[^>]*selected`).FindStringSubmatch(tag); m != nil {
				form.Add(name, m[1])
			}
		case strings.HasPrefix(tag, "<textarea"):
			form.Add(name, regexp.MustCompile(`>([^<]*)</textarea>`).FindStringSubmatch(tag)[1])
		case strings.Contains(tag, `type="checkbox"`):
			if strings.Contains(tag, " checked") {
				form.Add(name, cmp.Or(attr(tag, "value"), "on"))
			}
		case strings.Contains(tag, `type="file"`):
		default:
			if form.Get(name) == "" {
				form.Set(name, attr(tag, "value"))
			}
		}
	}
	return form
}

// send posts a form and returns the answer's status and body.
func (p *person) send(path string, form url.Values) (int, string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.in.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.in.URL)
	res, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestTwoInstancesNeverLoseAnEdit runs two servers on one PostgreSQL
// database, with an editor on each. Editing the same actor from forms read
// at the same version, the second save is refused with a page showing both
// versions; and when both save at the same moment, again and again, exactly
// one save of each pair is stored and the other is refused, never lost.
func TestTwoInstancesNeverLoseAnEdit(t *testing.T) {
	if os.Getenv("SRIIM_TEST_POSTGRES") == "" {
		t.Skip("two instances share a PostgreSQL database: set SRIIM_TEST_POSTGRES")
	}
	one := start(t, db.Postgres)
	two := one.twin(t)
	anaPW := one.addUser(t, "ana@direpro.example.org", "editor", "--name", "Ana", "--institution", "DIREPRO-ILO")
	betoPW := one.addUser(t, "beto@direpro.example.org", "editor", "--name", "Beto", "--institution", "DIREPRO-ILO")
	file := filepath.Join(t.TempDir(), "actores.csv")
	if err := os.WriteFile(file, []byte("nombre,tipos,distrito,telefono,telefono_publico\nMariscos del Sur SAC,exportador,Ilo,053-000000,si\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	one.run(t, "import", "actors", file, "--institution", "DIREPRO-ILO")
	ana, beto := signIn(t, one, "ana@direpro.example.org", anaPW), signIn(t, two, "beto@direpro.example.org", betoPW)
	const edit, save = "/actores/1/editar", "/actores/1"

	fa, fb := ana.open(edit), beto.open(edit)
	fa.Set("telefono", "053-481111")
	if status, body := ana.send(save, fa); status != http.StatusSeeOther {
		t.Fatalf("Ana's save on instance one: %d %s", status, body)
	}
	fb.Set("nombre", "Mariscos del Sur Exportadora SAC")
	status, page := beto.send(save, fb)
	if status != http.StatusConflict || !strings.Contains(page, `id="conflicto"`) || !strings.Contains(page, "053-481111") ||
		!strings.Contains(page, "Mariscos del Sur Exportadora SAC") {
		t.Fatalf("Beto's stale save on instance two: %d, or the page lacks both versions", status)
	}
	var actor struct {
		Name, Phone string
		Version     int
	}
	read := func() {
		t.Helper()
		_, body := two.get(t, "/api/v1/actors/1")
		if err := json.Unmarshal([]byte(body), &actor); err != nil {
			t.Fatal(err)
		}
	}
	if read(); actor.Phone != "053-481111" || actor.Name != "Mariscos del Sur SAC" || actor.Version != 2 {
		t.Fatalf("after the refused save: %+v", actor)
	}

	// Both save at once, from forms read at the same version, twenty times.
	const rounds = 20
	for i := 0; i < rounds; i++ {
		fa, fb := ana.open(edit), beto.open(edit)
		fa.Set("descripcion", fmt.Sprintf("Ana %d", i))
		fb.Set("descripcion", fmt.Sprintf("Beto %d", i))
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for j, save := range []func() (int, string){func() (int, string) { return ana.send("/actores/1", fa) }, func() (int, string) { return beto.send("/actores/1", fb) }} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[j], _ = save()
			}()
		}
		wg.Wait()
		saved, refused := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusSeeOther:
				saved++
			case http.StatusConflict:
				refused++
			}
		}
		if saved != 1 || refused != 1 {
			t.Fatalf("round %d: answers %v, want one save and one 409", i, statuses)
		}
	}
	if read(); actor.Version != 2+rounds || actor.Phone != "053-481111" {
		t.Fatalf("after %d rounds: %+v, want version %d", rounds, actor, 2+rounds)
	}
}
