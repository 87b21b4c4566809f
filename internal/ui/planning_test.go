package ui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/importer"
	"sriim/internal/planning"
)

func TestPlanPagesAndExports(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	ctx := context.Background()
	plans, _ := site.srv.Planning.Plans(ctx)
	id := plans[0].ID
	a, _ := site.srv.Planning.Activity(ctx, id, "1.1.1", 2008)
	ed, mesa := site.users["editor"].Principal(), site.users["admin"].Principal()
	r, err := site.srv.Planning.SaveReport(ctx, ed, a.ID, planning.ReportInput{Period: "2008", Status: "done", Values: map[int64]float64{a.Indicators[1].ID: 35}})
	if err != nil {
		t.Fatal(err)
	}
	site.srv.Planning.Submit(ctx, ed, r.ID)
	site.srv.Planning.Review(ctx, mesa, r.ID, true, "")
	b := site.browser()
	get := func(path string) (int, string, []byte) {
		res, err := b.client.Get(site.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	for path, want := range map[string]string{
		"/plan/1?anio=2008":            "text/html",
		"/plan/1/cronograma.svg":       "image/svg+xml",
		"/plan/1/plan.pdf?anio=2008":   "application/pdf",
		"/plan/1/actividades/1.1.1":    "text/html",
		"/plan-reportes/1/reporte.pdf": "application/pdf",
		"/plan/1/poa?anio=2008":        "text/html",
	} {
		status, ctype, body := get(path)
		if status != 200 || !strings.HasPrefix(ctype, want) {
			t.Errorf("%s: %d %s", path, status, ctype)
		}
		if want == "application/pdf" && !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Errorf("%s is not a PDF", path)
		}
	}
	_, _, page := get("/plan/1?anio=2008")
	if !strings.Contains(string(page), `id="a-1.1.1"`) || !strings.Contains(string(page), "Cumplida") {
		t.Error("the plan page does not show 1.1.1 done in 2008")
	}
	_, _, act := get("/plan/1/actividades/1.1.1")
	if !strings.Contains(string(act), "/indicadores/") {
		t.Error("the activity page lacks its indicator chart")
	}
	// 1.2.5's targets state percentages; its one measurable indicator is compared with them.
	b2, _ := site.srv.Planning.Activity(ctx, id, "1.2.5", 2009)
	r2, err := site.srv.Planning.SaveReport(ctx, mesa, b2.ID, planning.ReportInput{Period: "2008", Status: "in_progress", Values: map[int64]float64{b2.Indicators[0].ID: 25}})
	if err != nil {
		t.Fatal(err)
	}
	site.srv.Planning.Submit(ctx, mesa, r2.ID)
	site.srv.Planning.Review(ctx, mesa, r2.ID, true, "")
	if _, _, page := get("/plan/1/actividades/1.2.5?anio=2009"); !strings.Contains(string(page), "Alcanzada") {
		t.Error("the 2008 target of 20 % with 25 reported is not shown as met")
	}
	status, ctype, chart := get("/plan/1/actividades/1.1.1/indicadores/" + strconv.FormatInt(a.Indicators[1].ID, 10))
	if status != 200 || ctype != "image/svg+xml" || !bytes.Contains(chart, []byte("2008")) {
		t.Errorf("indicator chart: %d %s", status, ctype)
	}
	status, _, xlsx := get("/plan/1/plan.xlsx?anio=2008")
	tbl, err := importer.Read(bytes.NewReader(xlsx), "plan.xlsx", []string{"actividad", "semaforo_2008"})
	if status != 200 || err != nil || len(tbl.Rows) != 61 || tbl.Rows[0].Get("semaforo_2008") != "Cumplida" {
		t.Fatalf("plan.xlsx: %d rows, %v", len(tbl.Rows), err)
	}
}

func TestPlanImportThroughTheWeb(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	plan := `{"code":"POP-PALTA","title":"Plan Operativo de Palta","start_year":2010,"end_year":2012,"institution_aliases":{"DR Agricultura":["GORE-MOQUEGUA"]},
	  "objectives":[{"code":"1","statement":"Exportar palta","strategies":[{"code":"1.1","title":"Información","activities":[
	  {"code":"1.1.1","title":"Base de datos de productores","period":"2010-2011","start_year":2010,"end_year":2011,"targets":["Al 2011 el 50% registrados"],"indicators":["Número de productores"],"institutions":["DR Agricultura"]}]}]}]}`
	upload := func(who string) int {
		b := site.browser()
		b.login(who+"@example.org", testPassword)
		_, _, token := b.get("/actores") // any page gives the form token
		res, _ := b.upload("/plan/importar", url.Values{"csrf_token": {token}}, "archivo", "palta.json", []byte(plan))
		return res.StatusCode
	}
	if status := upload("editor"); status != http.StatusForbidden {
		t.Fatalf("an editor imported a plan: %d", status)
	}
	if status := upload("admin"); status != http.StatusSeeOther {
		t.Fatalf("import: %d", status)
	}
	plans, _ := site.srv.Planning.Plans(context.Background())
	if len(plans) != 2 || plans[1].Code != "POP-PALTA" || plans[1].Activities != 1 {
		t.Fatalf("plans: %+v", plans)
	}
	if status := upload("admin"); status != http.StatusConflict {
		t.Fatalf("the same plan again: %d", status)
	}
}

func TestReviewQueueApprovesAndReturnsWithANote(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		ctx := context.Background()
		plans, _ := site.srv.Planning.Plans(ctx)
		ed := site.users["editor"].Principal()
		var ids []int64
		for _, code := range []string{"1.1.1", "1.2.3"} {
			a, _ := site.srv.Planning.Activity(ctx, plans[0].ID, code, 2008)
			r, err := site.srv.Planning.SaveReport(ctx, ed, a.ID, planning.ReportInput{Period: "2008", Status: "done", Narrative: "Informe " + code})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := site.srv.Planning.Submit(ctx, ed, r.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		if status, page, _ := editor.get("/admin/revision"); status != http.StatusForbidden || strings.Contains(page, `id="nav-revision"`) {
			t.Errorf("an editor reaches the review queue (%d) or sees its link", status)
		}
		mesa := site.browser()
		mesa.login("admin@example.org", testPassword)
		_, page, token := mesa.get("/cuenta")
		if !strings.Contains(page, `<a href="/admin/revision" id="nav-revision">Reportes por revisar <span class="count">(2)</span></a>`) {
			t.Errorf("the administrators' navigation does not link the queue with its count")
		}
		_, queue, _ := mesa.get("/admin/revision")
		for _, want := range []string{"1.1.1 ", "1.2.3 ", "Informe 1.2.3", `action="/plan-reportes/` + strconv.FormatInt(ids[0], 10) + `/aprobar"`, `name="note" rows="2" required`} {
			if !strings.Contains(queue, want) {
				t.Errorf("the queue lacks %q", want)
			}
		}
		back := func(rid int64, action, note string) (*http.Response, string) {
			form := url.Values{"csrf_token": {token}, "volver": {"/admin/revision"}, "note": {note}}
			req, _ := http.NewRequest(http.MethodPost, site.http.URL+"/plan-reportes/"+strconv.FormatInt(rid, 10)+"/"+action, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", site.http.URL)
			res, err := mesa.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		// Returning without a note shows the queue again, the error by the note, in the page's language.
		res, page := back(ids[0], "devolver", " ")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Escriba qué debe corregir la institución") || !strings.Contains(page, "Informe 1.1.1") {
			t.Fatalf("return without a note: %d\n%s", res.StatusCode, page)
		}
		// From the activity's page, that page again.
		form := url.Values{"csrf_token": {token}, "note": {""}}
		req, _ := http.NewRequest(http.MethodPost, site.http.URL+"/plan-reportes/"+strconv.FormatInt(ids[0], 10)+"/devolver", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", site.http.URL)
		if res, err := mesa.client.Do(req); err != nil || res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("return without a note from the activity page: %v %v", res.StatusCode, err)
		} else {
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(page), `id="nota-error-`+strconv.FormatInt(ids[0], 10)+`">Escriba qué debe corregir`) || !strings.Contains(string(page), "<h1>1.1.1 ") {
				t.Errorf("the activity page does not show the error by the note:\n%s", page)
			}
		}
		if res, _ := back(ids[0], "devolver", "Falta el acta de entrega"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/revision?ok=report_return" {
			t.Fatalf("return: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := back(ids[1], "aprobar", ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		for i, want := range []string{"returned", "approved"} {
			r, _, err := site.srv.Planning.Report(ctx, ed, ids[i])
			if err != nil || r.State != want {
				t.Errorf("report %d: %s, want %s (%v)", ids[i], r.State, want, err)
			}
		}
		if _, page, _ := mesa.get("/admin/revision?ok=report_approve"); !strings.Contains(page, "No hay reportes esperando revisión") || !strings.Contains(page, `<span class="count">(0)</span>`) {
			t.Error("the emptied queue does not say so")
		}
	})
}
