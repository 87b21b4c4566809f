package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/workdays"
)

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// formVersion is the version a form page was read at.
func formVersion(t *testing.T, page string) string {
	t.Helper()
	m := versionField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the form has no version")
	}
	return m[1]
}

// TestCalendarFormsAreTheAdministrators: an administrator adds, changes
// and removes a holiday and a year's UIT from forms, each audited, with
// field errors in the page's language; an editor may not.
func TestCalendarFormsAreTheAdministrators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		if status, _, _ := editor.get("/normas/feriados/nuevo"); status != http.StatusForbidden {
			t.Errorf("an editor's holiday form: %d", status)
		}
		_, _, token := editor.get("/normas/feriados")
		if res, _ := editor.send("/normas/feriados", url.Values{"csrf_token": {token}, "day": {"2026-09-24"}, "name": {"Día"},
			"kind": {"regional"}, "source": {"Ordenanza"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("an editor saves a holiday: %d", res.StatusCode)
		}
		if res, _ := editor.send("/normas/uit/2026/borrar", url.Values{"csrf_token": {token}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("an editor deletes a UIT: %d", res.StatusCode)
		}

		admin := site.browser()
		admin.login("admin@example.org", testPassword)
		_, page, token := admin.get("/normas/feriados?anio=2026")
		for _, link := range []string{`href="/normas/feriados/nuevo"`, `href="/normas/uit/nuevo"`, `href="/normas/feriados/2026-07-28/editar"`, `href="/normas/uit/2026/editar"`} {
			if !strings.Contains(page, link) {
				t.Errorf("the administrator's calendar page lacks %s", link)
			}
		}
		// Field errors, in Spanish by default and in English when asked.
		bad := url.Values{"csrf_token": {token}, "day": {"mañana"}, "name": {""}, "kind": {"regional"}, "source": {"Ordenanza Regional 001-2026"}}
		res, body := admin.send("/normas/feriados", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="day-error"`) || !strings.Contains(body, `id="name-error"`) ||
			strings.Contains(body, "a date (YYYY-MM-DD)") {
			t.Errorf("a bad holiday in Spanish: %d\n%s", res.StatusCode, body)
		}
		if res, body = admin.send("/normas/feriados?lang=en", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "a date (YYYY-MM-DD)") {
			t.Errorf("a bad holiday in English: %d\n%s", res.StatusCode, body)
		}
		res, _ = admin.send("/normas/feriados", url.Values{"csrf_token": {token}, "day": {"24/09/2026"}, "name": {"Día de la prueba"},
			"kind": {"regional"}, "source": {"Ordenanza Regional 001-2026"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/normas/feriados?anio=2026&ok=saved" {
			t.Fatalf("add a holiday: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, page, _ = admin.get("/normas/feriados/2026-09-24/editar")
		v := formVersion(t, page)
		if res, _ = admin.send("/normas/feriados", url.Values{"csrf_token": {token}, "version": {v}, "day": {"2026-09-24"},
			"name": {"Día regional de la prueba"}, "kind": {"regional"}, "source": {"Ordenanza Regional 001-2026"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("change a holiday: %d", res.StatusCode)
		}
		if res, _ = admin.send("/normas/feriados", url.Values{"csrf_token": {token}, "version": {v}, "day": {"2026-09-24"},
			"name": {"Otro nombre"}, "kind": {"regional"}, "source": {"Ordenanza"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("a change over a newer version: %d", res.StatusCode)
		}
		days, _ := site.srv.Workdays.Holidays(context.Background(), 2026)
		if !strings.Contains(holidayNames(days), "Día regional de la prueba") {
			t.Errorf("the holiday is not in the calendar: %s", holidayNames(days))
		}
		_, page, _ = admin.get("/normas/feriados/2026-09-24/editar")
		if res, _ = admin.send("/normas/feriados/2026-09-24/borrar", url.Values{"csrf_token": {token}, "version": {formVersion(t, page)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("delete a holiday: %d", res.StatusCode)
		}
		if days, _ = site.srv.Workdays.Holidays(context.Background(), 2026); strings.Contains(holidayNames(days), "prueba") {
			t.Errorf("the deleted holiday stays: %s", holidayNames(days))
		}

		// The UIT of a year.
		if res, body = admin.send("/normas/uit?lang=en", url.Values{"csrf_token": {token}, "year": {"2031"}, "value_pen": {"mucho"}, "source": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="value-error"`) {
			t.Errorf("a bad UIT: %d\n%s", res.StatusCode, body)
		}
		if res, _ = admin.send("/normas/uit", url.Values{"csrf_token": {token}, "year": {"2031"}, "value_pen": {"5.900,50"},
			"source": {"Decreto Supremo de prueba"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a UIT: %d", res.StatusCode)
		}
		if u, err := site.srv.Regulation.UIT(context.Background(), 2031); err != nil || u.ValuePEN != 5900.5 {
			t.Errorf("the UIT of 2031: %+v %v", u, err)
		}
		_, page, _ = admin.get("/normas/uit/2031/editar")
		v = formVersion(t, page)
		if res, _ = admin.send("/normas/uit", url.Values{"csrf_token": {token}, "version": {v}, "year": {"2031"}, "value_pen": {"6000"},
			"source": {"Decreto Supremo de prueba"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("change a UIT: %d", res.StatusCode)
		}
		_, page, _ = admin.get("/normas/uit/2031/editar")
		if res, _ = admin.send("/normas/uit/2031/borrar", url.Values{"csrf_token": {token}, "version": {formVersion(t, page)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("delete a UIT: %d", res.StatusCode)
		}
		if _, err := site.srv.Regulation.UIT(context.Background(), 2031); err == nil {
			t.Error("the deleted UIT stays")
		}
		for entity, want := range map[string]string{"holiday": "Día regional de la prueba", "uit_value": "Decreto Supremo de prueba"} {
			_, body := site.apiCall("admin", "GET", "/api/v1/audit?entity="+entity, nil)
			if strings.Count(body, `"action":"`) < 3 || !strings.Contains(body, want) {
				t.Errorf("the %s audit: %.400s", entity, body)
			}
		}
	})
}

func holidayNames(days []workdays.Holiday) string {
	var names []string
	for _, h := range days {
		names = append(names, h.Name)
	}
	return strings.Join(names, "; ")
}

// TestRequirementForms: an editor adds, changes and removes an export
// requirement from forms, each audited, with field errors; another
// institution's editor may not change it.
func TestRequirementForms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newSite(t, d, false)
		editor := site.browser()
		editor.login("editor@example.org", testPassword)
		status, _, token := editor.get("/normas/requisitos/nuevo")
		if status != http.StatusOK {
			t.Fatalf("the requirement form: %d", status)
		}
		form := url.Values{"csrf_token": {token}, "code": {"JP-PRUEBA-SAN"}, "product": {"loco_congelado"}, "market": {"392"},
			"kind": {"sanitary_certificate"}, "document": {"Certificado sanitario de prueba"}, "issuer": {"SANIPES"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("market", "Japón")
		bad.Set("document", "")
		res, body := editor.send("/normas/requisitos?lang=en", bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "whole number") {
			t.Errorf("a bad requirement: %d\n%s", res.StatusCode, body)
		}
		bad.Set("market", "392")
		if res, body = editor.send("/normas/requisitos?lang=en", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "the document") {
			t.Errorf("a requirement without its document: %d\n%s", res.StatusCode, body)
		}
		res, _ = editor.send("/normas/requisitos", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/normas/requisitos?mercado=392&producto=loco_congelado&ok=saved" {
			t.Fatalf("add a requirement: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, page, _ := editor.get("/normas/requisitos?producto=loco_congelado&mercado=JPN")
		if !strings.Contains(page, "Certificado sanitario de prueba") || !strings.Contains(page, `href="/normas/requisitos/JP-PRUEBA-SAN/editar"`) {
			t.Errorf("the requirements page lacks the new one or its edit link")
		}
		other := site.browser()
		other.login("granted@example.org", testPassword)
		if status, _, _ := other.get("/normas/requisitos/JP-PRUEBA-SAN/editar"); status != http.StatusForbidden {
			t.Errorf("another institution's editor opens the form: %d", status)
		}
		if _, page, _ = other.get("/normas/requisitos?producto=loco_congelado&mercado=JPN"); strings.Contains(page, "/normas/requisitos/JP-PRUEBA-SAN/editar") {
			t.Errorf("another institution's editor is offered the edit link")
		}
		_, page, _ = editor.get("/normas/requisitos/JP-PRUEBA-SAN/editar")
		form.Set("version", formVersion(t, page))
		form.Set("document", "Certificado sanitario (prueba)")
		if res, _ = editor.send("/normas/requisitos/JP-PRUEBA-SAN", form); res.StatusCode != http.StatusSeeOther {
			t.Errorf("change a requirement: %d", res.StatusCode)
		}
		if res, _ = editor.send("/normas/requisitos/JP-PRUEBA-SAN", form); res.StatusCode != http.StatusConflict {
			t.Errorf("a change over a newer version: %d", res.StatusCode)
		}
		_, _, otherToken := other.get("/normas/requisitos")
		if res, _ = other.send("/normas/requisitos/JP-PRUEBA-SAN/borrar", url.Values{"csrf_token": {otherToken}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("another institution's editor deletes it: %d", res.StatusCode)
		}
		_, page, _ = editor.get("/normas/requisitos/JP-PRUEBA-SAN/editar")
		if res, _ = editor.send("/normas/requisitos/JP-PRUEBA-SAN/borrar", url.Values{"csrf_token": {token}, "version": {formVersion(t, page)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("delete a requirement: %d", res.StatusCode)
		}
		if status, _ := site.getAs("editor", "/api/v1/requirements/JP-PRUEBA-SAN"); status != http.StatusNotFound {
			t.Errorf("the deleted requirement: %d", status)
		}
		_, body = site.apiCall("editor", "GET", "/api/v1/audit?entity=export_requirement", nil)
		if strings.Count(body, "JP-PRUEBA-SAN") < 3 {
			t.Errorf("the requirement's audit: %.400s", body)
		}
	})
}
