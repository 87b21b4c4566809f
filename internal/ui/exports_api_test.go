package ui

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
)

// importDeclarations imports the exports module's test file through the
// API as the administrator.
func (s *testSite) importDeclarations() {
	s.t.Helper()
	f, err := os.Open("../exports/testdata/declaraciones.csv")
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	if b := s.importDeclarationsFrom("declaraciones.csv", f); b.Rows != 9 || b.Exporters != 3 {
		s.t.Fatalf("import: %+v", b)
	}
}

// importedBatch is what the API answers an import of declarations.
type importedBatch struct {
	State     string
	Rows      int
	Exporters int
}

// importDeclarationsFrom imports a file of declarations through the API, as
// the administrator.
func (s *testSite) importDeclarationsFrom(name string, f io.Reader) importedBatch {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.http.URL+"/api/v1/exports/imports?name="+url.QueryEscape(name)+"&source=SUNAT", f)
	req.Header.Set("Authorization", "Bearer "+s.tokens["admin"])
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var b importedBatch
	if err := json.NewDecoder(res.Body).Decode(&b); err != nil || res.StatusCode != 200 || b.State != "done" {
		s.t.Fatalf("import %s: %d %+v %v", name, res.StatusCode, b, err)
	}
	return b
}

// addExporter registers an exporter with a RUC, as the registry keeps it.
func (s *testSite) addExporter(name, ruc string) int64 {
	s.t.Helper()
	var id int64
	now := time.Now().UTC()
	if err := s.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `INSERT INTO actors (key, name, ruc, search_text, registered_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id`, "x-"+ruc, name, ruc, strings.ToLower(name), now).Scan(&id)
	}); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// TestRegionalExportsAPI: GET /api/v1/exports/regional answers each by=
// in the shape, as each caller may see it.
func TestRegionalExportsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		site.importDeclarations()
		type row struct {
			Key struct {
				ISO, RUC, Line, Region, Name string
				Others                       int
			}
			Values map[string]float64
			Share  *float64
			CAGR   *float64
		}
		var res struct {
			Rows  []row
			Total struct{ Values map[string]float64 }
		}
		read := func(as, query string) {
			t.Helper()
			status, body := site.apiCall(as, "GET", "/api/v1/exports/regional?"+query, nil)
			res.Rows, res.Total.Values = nil, nil
			if err := json.Unmarshal([]byte(body), &res); status != 200 || err != nil {
				t.Fatalf("%s: %d %v %s", query, status, err, body)
			}
			if !strings.HasPrefix(body, `{"rows":[{"key":{`) || !strings.Contains(body, `"total":{"values":{`) {
				t.Errorf("%s: not the issue's shape: %s", query, body)
			}
		}
		want := map[string]map[string]float64{
			"year":        {"PE-MOQ": 20400},
			"destination": {"JPN": 14400, "CHN": 6000},
			"exporter":    {"20000000010": 14400, "20000000028": 6000},
			"line":        {"loco_congelado": 14400, "loco_conserva": 6000},
		}
		for by, rows := range want {
			read("editor", "region=PE-MOQ&from=2004&to=2006&by="+by)
			got := map[string]float64{}
			for _, r := range res.Rows {
				got[r.Key.ISO+r.Key.RUC+r.Key.Line+r.Key.Region] = r.Values["2006"]
			}
			for k, v := range rows {
				if got[k] != v {
					t.Errorf("by=%s: %s in 2006 = %v; want %v (all %v)", by, k, got[k], v, got)
				}
			}
			if res.Total.Values["2004"] != 20000 || res.Total.Values["2006"] != 20400 {
				t.Errorf("by=%s: total %v", by, res.Total.Values)
			}
		}
		// An anonymous caller sees the exporters that did not publish summed.
		read("", "from=2004&to=2006&by=exporter")
		if len(res.Rows) != 1 || res.Rows[0].Key.Others != 2 || res.Rows[0].Key.RUC != "" {
			t.Errorf("anonymous by=exporter: %+v", res.Rows)
		}
		// Months, and the default span (the region's last years with exports).
		read("", "from=2004-01&to=2004-12")
		if res.Total.Values["2004-03"] != 10000 {
			t.Errorf("by month: %v", res.Total.Values)
		}
		read("", "")
		if res.Total.Values["2006"] != 20400 || res.Total.Values["2004"] != 20000 {
			t.Errorf("default span: %v", res.Total.Values)
		}
		for query, field := range map[string]string{"by=country": "by", "from=2004-13": "from", "region=PE-XXX&from=2004&to=2005": "region", "measure=tons": "measure"} {
			status, body := site.apiCall("", "GET", "/api/v1/exports/regional?"+query, nil)
			var e httpkit.ErrorBody
			if err := json.Unmarshal([]byte(body), &e); status != 422 || err != nil || e.Error.Fields[field] == "" {
				t.Errorf("%s: %d %s; want 422 naming %s", query, status, body, field)
			}
		}
		// Leads are the registry's work list: editors only.
		if status, _ := site.apiCall("", "GET", "/api/v1/exports/leads", nil); status != 401 {
			t.Errorf("anonymous leads: %d", status)
		}
		status, body := site.apiCall("editor", "GET", "/api/v1/exports/leads?region=PE-MOQ", nil)
		if status != 200 || !strings.Contains(body, `"name":"Mariscos del Pacífico E.I.R.L."`) {
			t.Errorf("leads: %d %s", status, body)
		}
	})
}

// TestExporterMarketsAPI: an exporter's exports by market are its own
// members' and editors' until it chooses to show them to everyone.
func TestExporterMarketsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		sur := site.addExporter("Pesquera Sur", "20000000010")
		site.importDeclarations()
		path := "/api/v1/exports/exporters/" + strconv.FormatInt(sur, 10) + "/markets?from=2004&to=2006"
		if status, _ := site.apiCall("", "GET", path, nil); status != 401 {
			t.Errorf("anonymous, before it chose: %d", status)
		}
		if status, _ := site.apiCall("member", "GET", path, nil); status != 403 {
			t.Errorf("another exporter's member: %d", status)
		}
		status, body := site.apiCall("editor", "GET", path, nil)
		if status != 200 || !strings.Contains(body, `"iso":"JPN"`) || !strings.Contains(body, `"2006":14400`) {
			t.Fatalf("editor: %d %s", status, body)
		}
		vis := "/api/v1/exports/exporters/" + strconv.FormatInt(sur, 10) + "/visibility"
		if status, body := site.apiCall("member", "PUT", vis, map[string]any{"public": true, "version": 0}); status != 403 {
			t.Errorf("another exporter's member publishes: %d %s", status, body)
		}
		if status, body := site.apiCall("admin", "PUT", vis, map[string]any{"public": true, "version": 0}); status != 200 || !strings.Contains(body, `"public":true`) {
			t.Fatalf("publish: %d %s", status, body)
		}
		if status, _ := site.apiCall("", "GET", path, nil); status != 200 {
			t.Errorf("anonymous after it chose to publish: %d", status)
		}
		if status, body := site.apiCall("admin", "PUT", vis, map[string]any{"public": false, "version": 7}); status != 409 {
			t.Errorf("a choice based on another version: %d %s", status, body)
		}
	})
}
