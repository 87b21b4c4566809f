package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestMarketReportsNameTheirAuthorOnlyToAdminsAndTheAuthor: a published
// report is public, its author's e-mail is not: the list, the page, its PDF
// and the API show it to administrators and to the author only.
func TestMarketReportsNameTheirAuthorOnlyToAdminsAndTheAuthor(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	author := site.users["granted"]
	rep, err := site.srv.Trade.BuildReport(context.Background(), author.Principal(), "2005-S2", "es", nil)
	if err != nil {
		t.Fatal(err)
	}
	read := func(path, as string) string {
		t.Helper()
		status, body := site.apiCall(as, "GET", path, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s as %q: %d", path, as, status)
		}
		return body
	}
	paths := []string{
		"/mercados/informes",
		fmt.Sprintf("/mercados/informes/%d", rep.ID),
		"/api/v1/markets/reports",
		fmt.Sprintf("/api/v1/markets/reports/%d", rep.ID),
	}
	for _, path := range paths {
		for as, shown := range map[string]bool{"": false, "member": false, "editor": false, "granted": true, "admin": true} {
			if got := strings.Contains(read(path, as), author.Email); got != shown {
				t.Errorf("%s as %q: author's e-mail shown %v, want %v", path, as, got, shown)
			}
		}
	}
	if page := read(fmt.Sprintf("/mercados/informes/%d", rep.ID), ""); !strings.Contains(page, "Elaborado el ") {
		t.Error("the anonymous page does not say when the report was made")
	}
}
