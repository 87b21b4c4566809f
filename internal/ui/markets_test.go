package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/httpkit"
	"sriim/internal/trade"
)

func TestMarketsAPIShapesAndCuadro3(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	status, body := site.apiCall("", "GET", "/api/v1/markets/destinations?reporter=604&hs=1605901000&from=2000&to=2005", nil)
	var dest struct {
		Rows []struct {
			Partner struct {
				Code int
				ISO  string
			}
			Values map[string]float64
			Share  *float64
		}
	}
	if err := json.Unmarshal([]byte(body), &dest); status != 200 || err != nil {
		t.Fatalf("%d %v %s", status, err, body)
	}
	want := map[string]float64{"JPN": 42, "TWN": 24, "HKG": 24, "CHN": 8}
	for _, r := range dest.Rows {
		if w, ok := want[r.Partner.ISO]; ok && (r.Share == nil || math.Round(*r.Share) != w) {
			t.Errorf("%s: share %v, want %v", r.Partner.ISO, r.Share, w)
		}
	}
	if dest.Rows[0].Partner.ISO != "JPN" || dest.Rows[0].Values["2000"] != 2853e3 {
		t.Errorf("first destination: %+v", dest.Rows[0])
	}
	// Importers: the shape the issue names.
	f, _ := os.Open("../trade/testdata/comtrade-legacy.csv")
	defer f.Close()
	req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format=comtrade-legacy&name=jpn.csv", f)
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	res, err := site.http.Client().Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("import: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	status, body = site.apiCall("", "GET", "/api/v1/markets/importers?hs=030799&flow=import&from=2000&to=2004&top=20", nil)
	var imp struct {
		Rows []struct {
			Reporter struct {
				Code int
				ISO  string
				Name string
			}
			Values      map[string]float64
			Share, CAGR *float64
			Trend       *float64 `json:"trend_growth"`
		}
		World struct {
			Values map[string]float64
			CAGR   *float64
		}
	}
	if err := json.Unmarshal([]byte(body), &imp); status != 200 || err != nil || len(imp.Rows) != 3 {
		t.Fatalf("importers: %d %v %s", status, err, body)
	}
	jp := imp.Rows[0]
	if jp.Reporter.Code != 392 || jp.Reporter.ISO != "JPN" || jp.Values["2004"] != 99.69e6 || jp.Share == nil || jp.CAGR == nil || jp.Trend == nil || imp.World.Values["2004"] == 0 {
		t.Errorf("Japan: %+v", jp)
	}
	status, body = site.apiCall("", "GET", "/api/v1/markets/suppliers?hs=030799&market=392&year=2004&top=10", nil)
	if status != 200 || !strings.Contains(body, `"iso":"THA"`) {
		t.Errorf("suppliers: %d %s", status, body)
	}
	for _, path := range []string{"/mercados?hs=030799&from=2000&to=2004", "/mercados/importadores.svg?hs=030799&from=2000&to=2004", "/mercados/importadores.xlsx?hs=030799", "/mercados/destinos.csv"} {
		res, err := site.http.Client().Get(site.http.URL + path)
		if err != nil || res.StatusCode != 200 {
			t.Errorf("%s: %v %v", path, res.StatusCode, err)
		}
		res.Body.Close()
	}
}

func TestTradeUploadShowsProgressAndProblems(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	b := site.browser()
	b.login("admin@example.org", testPassword)
	upload := func(file string) string {
		_, _, token := b.get("/mercados/importar")
		data, _ := os.ReadFile("../trade/testdata/" + file)
		res, _ := b.upload("/mercados/importar", url.Values{"csrf_token": {token}, "format": {"comtrade-legacy"}}, "archivo", file, data)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %v", res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	waitFor := func(page string) string {
		for i := 0; i < 100; i++ {
			res, _ := b.client.Get(site.http.URL + page)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.Header.Get("Refresh") == "" {
				return string(body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the import did not end")
		return ""
	}
	if page := waitFor(upload("comtrade-legacy.csv")); !strings.Contains(page, "50 filas guardadas") {
		t.Fatalf("done page: %s", page)
	}
	failed := upload("comtrade-legacy-bad.csv")
	page := waitFor(failed)
	if !strings.Contains(page, "fila 5, columna Trade Value (US$)") {
		t.Fatalf("failed page lacks the problem: %s", page)
	}
	// It says what happened: the rows read, none stored; and offers to remove it.
	if !strings.Contains(page, "7 filas leídas, ninguna guardada") || strings.Contains(page, "filas guardadas") || !strings.Contains(page, failed+"/eliminar") {
		t.Fatalf("failed page: %s", page)
	}
	if _, list, _ := b.get("/mercados"); !strings.Contains(list, "7 filas leídas, ninguna guardada") || strings.Contains(list, "7 filas, con errores") {
		t.Fatalf("the list of imports misreports the failed one")
	}
	// Removing it takes the page's CSRF token; anonymous visitors see no button.
	if res := b.post(failed+"/eliminar", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("removed without a CSRF token: %d", res.StatusCode)
	}
	res, err := http.Get(site.http.URL + failed) // no cookie: anonymous
	if err != nil {
		t.Fatal(err)
	}
	anon, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(anon), "/eliminar") {
		t.Fatal("an anonymous visitor is offered to remove an import")
	}
	_, _, token := b.get(failed)
	if res := b.post(failed+"/eliminar", url.Values{"csrf_token": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if status, _, _ := b.get(failed); status != http.StatusNotFound {
		t.Fatalf("the removed import answers %d", status)
	}
}

// TestTradeImportRemovalAPI: DELETE /api/v1/markets/imports/{id} removes a
// failed import, for who may import only; a finished one stays.
func TestTradeImportRemovalAPI(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format=comtrade-legacy&name=bad.csv", strings.NewReader("Year\n2004\n"))
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	res, err := site.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var list struct{ Imports []trade.Batch }
	_, body := site.apiCall("", "GET", "/api/v1/markets/imports", nil)
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != http.StatusUnprocessableEntity || list.Imports[0].State != "failed" {
		t.Fatalf("the bad file: %d %s", res.StatusCode, body)
	}
	failed := list.Imports[0]
	path := "/api/v1/markets/imports/" + strconv.FormatInt(failed.ID, 10)
	for as, want := range map[string]int{"": http.StatusUnauthorized, "editor": http.StatusForbidden} {
		if status, body := site.apiCall(as, "DELETE", path, nil); status != want {
			t.Errorf("%q removed the import: %d %s", as, status, body)
		}
	}
	if status, body := site.apiCall("granted", "DELETE", "/api/v1/markets/imports/1", nil); status != http.StatusConflict {
		t.Errorf("the seed's import (finished) was removed: %d %s", status, body)
	}
	if status, body := site.apiCall("granted", "DELETE", path, nil); status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", status, body)
	}
	if status, _ := site.apiCall("", "GET", path, nil); status != http.StatusNotFound {
		t.Fatalf("the removed import answers %d", status)
	}
}

func TestMarketReportPagesAndFiles(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	if status, _ := site.apiCall("editor", "POST", "/api/v1/markets/reports", map[string]any{"period": "2006-S1", "lang": "en"}); status != http.StatusForbidden {
		t.Fatalf("an editor without the reference grant made a report: %d", status)
	}
	status, body := site.apiCall("granted", "POST", "/api/v1/markets/reports", map[string]any{"period": "2006-S1", "lang": "en", "lines": []string{"loco_conserva"}})
	if status != http.StatusCreated || !strings.Contains(body, `"batches":[1]`) {
		t.Fatalf("report: %d %s", status, body)
	}
	b := site.browser()
	for path, ctype := range map[string]string{"/mercados/informes": "text/html", "/mercados/informes/1": "text/html",
		"/mercados/informes/1/informe.pdf": "application/pdf", "/mercados/informes/1/anexo.xlsx": "application/vnd.openxmlformats"} {
		res, err := b.client.Get(site.http.URL + path)
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %v %v", path, res.StatusCode, err)
		}
		res.Body.Close()
	}
	// The report shows in its own language, whatever the visitor's.
	if _, page, _ := b.get("/mercados/informes/1"); !strings.Contains(page, "Market-intelligence report 2006-S1") || !strings.Contains(page, "Japan") {
		t.Error("the English report is not in English")
	}
}

// TestTradeBatchPageShowsItsStage: a running import's page says how many
// rows were read, then that the file is read and the rows are being stored.
func TestTradeBatchPageShowsItsStage(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	for _, tt := range []struct {
		storing bool
		want    string
	}{{false, "1200 filas leídas"}, {true, "archivo leído (1200 filas); guardando las filas"}} {
		rec := httptest.NewRecorder()
		s.render(rec, httptest.NewRequest(http.MethodGet, "/mercados/importaciones/1", nil), http.StatusOK, "trade_batch.html", "",
			tradeBatchView{Batch: trade.Batch{ID: 1, Name: "f.csv", State: "running", Read: 1200, Storing: tt.storing}})
		if page := rec.Body.String(); !strings.Contains(page, tt.want) {
			t.Errorf("storing %v: the page lacks %q", tt.storing, tt.want)
		}
	}
}

func TestTradeBatchPageSaysHowTheFileIsClassified(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	upload := func(format, file string) string {
		f, err := os.Open("../trade/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format="+format+"&name="+file, f)
		req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
		res, err := site.http.Client().Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("import %s: %v %v", file, res, err)
		}
		var b trade.Batch
		_ = json.NewDecoder(res.Body).Decode(&b)
		res.Body.Close()
		_, page, _ := site.browser().get("/mercados/importaciones/" + strconv.FormatInt(b.ID, 10) + "?lang=en")
		return page
	}
	page := upload("comtrade-v1", "comtrade-v1-hs.json")
	for _, want := range []string{`<table id="revisions">`, "<td>HS2012 (H4)</td><td>2016, 2017</td>", "<td>HS2017 (H5)</td><td>2017</td>"} {
		if !strings.Contains(page, want) {
			t.Errorf("v1 batch page lacks %s", want)
		}
	}
	if page := upload("comtrade-legacy", "comtrade-legacy-hs.csv"); !strings.Contains(page, `id="as-reported"`) {
		t.Error("the legacy batch page does not say its figures are HS as reported")
	}
}

// A trade file larger than what a form keeps in memory waits in a temporary
// file while the import runs after the request; the file goes when it ends.
func TestLargeTradeUploadIsImportedAndItsFileRemoved(t *testing.T) {
	dbtest.EachInTurn(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		var file bytes.Buffer
		file.WriteString("Classification,Year,Period,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,Trade Value (US$),Flag\n")
		const rows = 36000
		for i := range rows {
			fmt.Fprintf(&file, "H2,%d,%d,1,392,%d,030799,%d,0\n", 1970+i/900, 1970+i/900, i%900, 1000+i)
		}
		if file.Len() <= httpkit.MultipartMemory {
			t.Fatalf("the file has only %d bytes", file.Len())
		}
		b := site.browser()
		b.login("admin@example.org", testPassword)
		_, _, token := b.get("/mercados/importar")
		res, _ := b.upload("/mercados/importar", url.Values{"csrf_token": {token}, "format": {"comtrade-legacy"}}, "archivo", "grande.csv", file.Bytes())
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %v", res.StatusCode)
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/mercados/importaciones/"), 10, 64)
		var batch trade.Batch
		for range 600 {
			if batch, _ = site.srv.Trade.Batch(context.Background(), id); batch.State != "running" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if batch.State != "done" || batch.Rows != rows {
			t.Fatalf("batch %+v", batch)
		}
		if left := emptyDir(tmp); left != nil {
			t.Fatalf("the upload left %v", left)
		}
	})
}
