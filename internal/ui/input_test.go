package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"sriim/internal/actors"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/importer"
)

// sharedTextBomb is a small XLSX workbook whose shared texts unzip to 1.1
// million entries.
func sharedTextBomb(t *testing.T) []byte {
	t.Helper()
	var template bytes.Buffer
	if err := importer.WriteXLSX(&template, "actores", []string{"nombre", "tipos"}, [][]string{{"X", "exportador"}}, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(template.Bytes()), int64(template.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("xl/sharedStrings.xml")
	io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	chunk := strings.Repeat("<si><t>loco</t></si>", 1000)
	for range 1100 {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, `</sst>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// apiUpload posts body to an API path as the named user.
func (s *testSite) apiUpload(as, path, contentType string, body io.Reader) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.http.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+s.tokens[as])
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestMemberCannotSinkTheServerWithAZipBomb(t *testing.T) {
	dbtest.EachInTurn(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		bomb := sharedTextBomb(t)
		status, body := site.apiUpload("member", "/api/v1/actors/import?filename=actores.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes.NewReader(bomb))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "limit of 1000000 different texts") {
			t.Fatalf("a %d-byte workbook of 1.1 million texts: %d %s", len(bomb), status, body)
		}
		if left := emptyDir(tmp); left != nil {
			t.Fatalf("the import left %v", left)
		}
	})
}

func TestWindows1252CSVImportsAsText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		// As Excel saves "CSV" on a Spanish Windows: semicolons, Windows-1252.
		file := []byte("nombre;tipos;distrito;descripcion\nPesquera Pe\xf1a E.I.R.L.;exportador;Ilo;Loco \xabfresco\xbb y at\xfan\n")
		status, body := site.apiUpload("editor", "/api/v1/actors/import?filename=actores.csv", "text/csv", bytes.NewReader(file))
		if status != http.StatusOK || !strings.Contains(body, `"encoding":"windows-1252"`) {
			t.Fatalf("import: %d %s", status, body)
		}
		page, err := site.srv.Actors.List(context.Background(), site.users["editor"].Principal(), actors.Filter{Q: "peña"})
		if err != nil || page.Total != 1 || page.Actors[0].Name != "Pesquera Peña E.I.R.L." || page.Actors[0].Description != "Loco «fresco» y atún" {
			t.Fatalf("stored: %+v %v", page.Actors, err)
		}
		file = []byte("especie,presentacion,origen,lugar,medida,anio,valor,unidad,fuente\nSNE,fresco,extraccion,PE-MOQ,cantidad,1999,5,t,Direcci\xf3n Regional\n")
		status, body = site.apiUpload("editor", "/api/v1/production/import?filename=p.csv", "text/csv", bytes.NewReader(file))
		var rep struct{ Created int }
		if json.Unmarshal([]byte(body), &rep); status != http.StatusOK || rep.Created != 1 || !strings.Contains(body, `"encoding":"windows-1252"`) {
			t.Fatalf("production import: %d %s", status, body)
		}
		if status, body := site.apiCall("", "GET", "/api/v1/production/series?species=SNE&place=PE-MOQ&from=1999&to=1999&presentation=fresh", nil); status != 200 || !strings.Contains(body, "Dirección Regional") {
			t.Fatalf("series: %d %s", status, body)
		}
	})
}

func TestOrdinaryQueriesThatUsedToFail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		words := strings.Repeat("loco pulpo erizo ", 340)
		for _, path := range []string{
			"/api/v1/actors?page=92233720368547758&per_page=100",
			"/actores?pagina=92233720368547758",
			"/api/v1/actors?q=" + strings.ReplaceAll(words, " ", "+") + "x",
			"/actores?q=" + strings.Repeat("x", 60000),
		} {
			if status, body := site.apiCall("", "GET", path, nil); status != http.StatusOK {
				t.Errorf("%.80s: %d %.200s", path, status, body)
			}
		}
	})
}
