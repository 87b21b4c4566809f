package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// GET /api/v1/documents gives the shape, best first: a title match
// above a match in the body, with a snippet that marks the word.
func TestDocumentsAPISearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		h, docs := newTestServerWithArchive(t, d)
		ctx := context.Background()
		editor := auth.System
		inBody, err := docs.Create(ctx, editor, archive.Input{Title: "Manual de buceo", Kind: "estudio", Year: 2005},
			[]archive.Upload{{Name: "buceo.txt", R: strings.NewReader("Las exportaciones de loco crecieron en la región de Moquegua.")}})
		if err != nil {
			t.Fatal(err)
		}
		title, err := docs.Create(ctx, editor, archive.Input{Title: "Exportación de moluscos", Kind: "estudio", Year: 2005}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := docs.Create(ctx, editor, archive.Input{Title: "Exportar en 2006", Kind: "estudio", Year: 2006}, nil); err != nil {
			t.Fatal(err)
		}
		res0 := get(t, h, "/api/v1/documents?q=EXPORTACIONES&kind=estudio&year=2005&limit=5")
		status, raw := res0.StatusCode, body(t, res0)
		var res struct {
			Total     int              `json:"total"`
			Documents []map[string]any `json:"documents"`
		}
		if err := json.Unmarshal([]byte(raw), &res); status != 200 || err != nil {
			t.Fatalf("%d %s", status, raw)
		}
		if res.Total != 2 || len(res.Documents) != 2 {
			t.Fatalf("found %d: %s", res.Total, raw)
		}
		first, second := res.Documents[0], res.Documents[1]
		if first["id"] != float64(title.ID) || second["id"] != float64(inBody.ID) {
			t.Errorf("order: %v then %v, want the title match first", first["title"], second["title"])
		}
		for _, k := range []string{"id", "title", "kind", "year", "snippet", "score", "url"} {
			if _, ok := first[k]; !ok {
				t.Errorf("a document lacks %q: %v", k, first)
			}
		}
		if first["score"].(float64) <= second["score"].(float64) {
			t.Errorf("scores %v, %v", first["score"], second["score"])
		}
		if s, _ := second["snippet"].(string); !strings.Contains(s, "<mark>exportaciones</mark>") {
			t.Errorf("snippet %q", s)
		}
		if u, _ := first["url"].(string); !strings.HasSuffix(u, archive.DocumentPath(title.ID)) || !strings.HasPrefix(u, "http") {
			t.Errorf("url %q", u)
		}
		// A q of only words too common (or too long) to look for lists
		// every document, and says which words were left out.
		for q, want := range map[string]string{"de": `["de"]`, "de+la+" + strings.Repeat("x", 41): `["de","la","` + strings.Repeat("x", 41) + `"]`,
			"exportaciones+de": `["de"]`, "exportaciones": `[]`} {
			res := get(t, h, "/api/v1/documents?q="+q)
			status, raw := res.StatusCode, body(t, res)
			var got struct {
				Total   int             `json:"total"`
				Ignored json.RawMessage `json:"ignored_words"`
			}
			if err := json.Unmarshal([]byte(raw), &got); status != 200 || err != nil || string(got.Ignored) != want {
				t.Errorf("q=%s: %d ignored_words %s, want %s", q, status, got.Ignored, want)
			}
			if q == "de" && got.Total != 3 {
				t.Errorf("q=de: %d documents, want all 3", got.Total)
			}
		}
		bad := get(t, h, "/api/v1/documents?year=dos&limit=1000")
		if status, raw := bad.StatusCode, body(t, bad); status != 422 || !strings.Contains(raw, `"year"`) || !strings.Contains(raw, `"limit"`) {
			t.Errorf("bad parameters: %d %s", status, raw)
		}
		one := get(t, h, fmt.Sprintf("/api/v1/documents/%d", inBody.ID))
		if status, raw := one.StatusCode, body(t, one); status != 200 || !strings.Contains(raw, `"url":"http://example.com`+archive.FilePath(inBody.Files[0].ID)+`"`) || one.Header.Get("ETag") != `"1"` {
			t.Errorf("one document: %d %s", status, raw)
		}
	})
}
