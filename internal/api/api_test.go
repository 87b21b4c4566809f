package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/modules"
	"sriim/internal/network"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/portal"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/trade"
	"sriim/internal/workdays"
	"sriim/internal/zones"
)

// newTestServer is the API alone on a kernel (the pages' tests in
// internal/ui drive both).
func newTestServer(t testing.TB, d *db.DB) http.Handler {
	t.Helper()
	h, _ := newTestServerWithArchive(t, d)
	return h
}

// newTestServerWithArchive is newTestServer with its archive, for tests
// that add documents.
func newTestServerWithArchive(t testing.TB, d *db.DB) (http.Handler, *archive.Service) {
	t.Helper()
	acc := accounts.New(d)
	acc.BcryptCost = bcrypt.MinCost
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := httpkit.New(httpkit.Options{DB: d, Logger: log, Sessions: acc, CSRFKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := portal.ReadDefaults(seed.Files, "portal.json")
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	plans, prod, tr, off, docs := planning.New(d, files), production.New(d), trade.New(d), offer.New(d, t.TempDir()), archive.New(d, files)
	plans.Documents = docs
	set := modules.Set{Accounts: acc, Reference: reference.New(d), Production: prod, Actors: actors.New(d),
		Planning: plans, Trade: tr, Offer: off, Facts: facts.New(d),
		Portal: portal.New(d, portal.Modules{Planning: plans, Production: prod, Trade: tr, Offer: off}, defaults),
		Zones:  zones.New(d), Regulation: regulation.New(d, workdays.New(d)), Workdays: workdays.New(d), Archive: docs, Network: network.New(d, nil, "")}
	if err := Register(k, Deps{DB: d, Logger: log, Version: "test", Set: set}); err != nil {
		t.Fatal(err)
	}
	return k, docs
}

func get(t *testing.T, h http.Handler, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
