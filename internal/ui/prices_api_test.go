package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
)

// addBeachPrices records SNE's beach prices at Ilo in March and April 2023
// through the API: March's with quantities (a weighted mean of 11.5),
// April's one without (a plain mean of 12).
func (s *testSite) addBeachPrices() {
	s.t.Helper()
	for i, p := range []struct {
		month, day int
		price      float64
		qty        any
	}{{3, 4, 10, 100.0}, {3, 18, 12, 300.0}, {4, 2, 10, 100.0}, {4, 20, 14, nil}} {
		body := map[string]any{"species": "SNE", "level": "playa", "place": "DPA-ILO", "year": 2023, "month": p.month, "day": p.day,
			"currency": "PEN", "unit": "kg", "price": p.price, "source": "DIREPRO Ilo", "source_ref": strconv.Itoa(i)}
		if p.qty != nil {
			body["quantity_kg"] = p.qty
		}
		if status, b := s.apiCall("editor", "POST", "/api/v1/prices/records", body); status != 201 {
			s.t.Fatalf("record a price: %d %s", status, b)
		}
	}
}

// TestPriceSeriesAPI: GET /api/v1/prices gives monthly means weighted by
// quantity where quantities are given, plain means otherwise, with n; and
// constant soles beside the nominal ones.
func TestPriceSeriesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		site.addBeachPrices()
		status, body := site.apiCall("", "GET", "/api/v1/prices?species=SNE&level=playa&place=DPA-ILO&from=2023-01&to=2023-12&by=month", nil)
		if status != 200 || !strings.Contains(body, `"points":[{"period":"2023-03","mean":11.5,"n":2,"method":"weighted","quantity_kg":400,"min":10,"max":12},`+
			`{"period":"2023-04","mean":12,"n":2,"method":"plain","min":10,"max":14}]`) {
			t.Errorf("monthly means: %d %s", status, body)
		}
		var s struct {
			ConstantYear int `json:"constant_year"`
			Points       []struct {
				Period        string
				Mean, Nominal *float64
			}
		}
		status, body = site.apiCall("", "GET", "/api/v1/prices?species=SNE&place=DPA-ILO&from=2023-01&to=2023-12&constant=2020", nil)
		if err := json.Unmarshal([]byte(body), &s); status != 200 || err != nil || s.ConstantYear != 2020 || len(s.Points) != 2 {
			t.Fatalf("constant soles: %d %v %s", status, err, body)
		}
		if p := s.Points[0]; p.Nominal == nil || *p.Nominal != 11.5 || p.Mean == nil || *p.Mean >= 11.5 {
			t.Errorf("March 2023 in soles of 2020: %v (nominal %v); want less than the nominal 11.5", p.Mean, p.Nominal)
		}
		for query, field := range map[string]string{"species=SNE&level=subasta": "level", "species=SNE&from=2024-13": "from", "species=SNE&constant=dos": "constant"} {
			status, body := site.apiCall("", "GET", "/api/v1/prices?"+query, nil)
			var e httpkit.ErrorBody
			if err := json.Unmarshal([]byte(body), &e); status != 422 || err != nil || e.Error.Fields[field] == "" {
				t.Errorf("%s: %d %s; want 422 naming %s", query, status, body, field)
			}
		}
		status, body = site.apiCall("", "GET", "/api/v1/prices/records?species=SNE&level=playa&limit=1", nil)
		if status != 200 || !strings.Contains(body, `"month":4,"day":20`) {
			t.Errorf("latest price: %d %s", status, body)
		}
	})
}

// TestPriceEditsAPI: prices are written by editors, versioned, and an
// import through the API adds nothing when given again.
func TestPriceEditsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		body := map[string]any{"species": "SNE", "level": "playa", "place": "DPA-ILO", "year": 2024, "month": 5, "currency": "PEN", "unit": "kg",
			"price": 9.5, "source": "DIREPRO Ilo"}
		if status, _ := site.apiCall("member", "POST", "/api/v1/prices/records", body); status != 403 {
			t.Errorf("a member records a price: %d", status)
		}
		if status, _ := site.apiCall("", "POST", "/api/v1/prices/records", body); status != 401 {
			t.Errorf("anonymous records a price: %d", status)
		}
		before := site.auditCount()
		status, created := site.apiCall("editor", "POST", "/api/v1/prices/records", body)
		var p map[string]any
		if err := json.Unmarshal([]byte(created), &p); status != 201 || err != nil {
			t.Fatalf("create: %d %s", status, created)
		}
		if site.auditCount() != before+1 {
			t.Errorf("the price was not audited")
		}
		path := "/api/v1/prices/records/" + strconv.Itoa(int(p["id"].(float64)))
		p["price"] = 10.0
		if status, b := site.apiCall("editor", "PUT", path, p); status != 200 || !strings.Contains(b, `"version":2`) {
			t.Errorf("update: %d %s", status, b)
		}
		if status, b := site.apiCall("editor", "PUT", path, p); status != 409 {
			t.Errorf("an update based on version 1 after version 2: %d %s", status, b)
		}
		file := "especie,nivel,lugar,fecha,moneda,precio,fuente\nQDM,playa,DPA-ILO,2024-05,S/,7,DIREPRO Ilo\n"
		for i, want := range []string{`"created":1`, `"unchanged":1`} {
			req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/prices/imports?name=p.csv", strings.NewReader(file))
			req.Header.Set("Authorization", "Bearer "+site.tokens["editor"])
			res, err := site.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b := body2(t, res)
			if res.StatusCode != 200 || !strings.Contains(b, want) {
				t.Errorf("import %d: %d %s; want %s", i+1, res.StatusCode, b, want)
			}
		}
		for _, c := range []struct {
			as, series string
			status     int
		}{{"editor", "pen-usd", 403}, {"granted", "pen-usd", 200}, {"granted", "eur-usd", 404}} {
			req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/prices/indices/"+c.series, strings.NewReader("anio,mes,valor,fuente\n2024,5,3.7,BCRP\n"))
			req.Header.Set("Authorization", "Bearer "+site.tokens[c.as])
			res, err := site.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if b := body2(t, res); res.StatusCode != c.status || c.status == 200 && strings.TrimSpace(b) != `{"stored":1}` {
				t.Errorf("%s loads %s: %d %s; want %d", c.as, c.series, res.StatusCode, b, c.status)
			}
		}
		req, _ := http.NewRequest("DELETE", site.http.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+site.tokens["editor"])
		if res, err := site.http.Client().Do(req); err != nil || res.StatusCode != 204 {
			t.Errorf("delete: %v %v", res.StatusCode, err)
		}
	})
}

// TestPriceAlertsAPI: any signed-in user asks for alerts, only for themself.
func TestPriceAlertsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		alert := map[string]any{"species": "sne", "place": "DPA-ILO", "threshold_pct": 15}
		if status, _ := site.apiCall("", "POST", "/api/v1/prices/alerts", alert); status != 401 {
			t.Errorf("anonymous alert: %d", status)
		}
		status, body := site.apiCall("member", "POST", "/api/v1/prices/alerts", alert)
		var a struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &a); status != 201 || err != nil || a.ID == 0 {
			t.Fatalf("member's alert: %d %s", status, body)
		}
		if status, body := site.apiCall("member", "GET", "/api/v1/prices/alerts", nil); status != 200 || !strings.Contains(body, `"threshold_pct":15`) {
			t.Errorf("member's alerts: %d %s", status, body)
		}
		if status, body := site.apiCall("editor", "GET", "/api/v1/prices/alerts", nil); status != 200 || strings.Contains(body, "DPA-ILO") {
			t.Errorf("another user's alerts: %d %s", status, body)
		}
		path := "/api/v1/prices/alerts/" + strconv.FormatInt(a.ID, 10)
		if status, _ := site.apiCall("editor", "DELETE", path, nil); status == 204 {
			t.Errorf("another user removed the member's alert")
		}
		if status, _ := site.apiCall("member", "DELETE", path, nil); status != 204 {
			t.Errorf("remove: %d", status)
		}
		alert["place"] = "PE-MOQ"
		if status, body := site.apiCall("member", "POST", "/api/v1/prices/alerts", alert); status != 422 || !strings.Contains(body, `"place"`) {
			t.Errorf("an alert for a place that is not a landing site: %d %s", status, body)
		}
	})
}

func body2(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	return body(t, res)
}
