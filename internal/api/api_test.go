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
	"sriim/internal/db"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/modules"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/portal"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/trade"
)

// newTestServer is the API alone on a kernel (the pages' tests in
// internal/ui drive both).
func newTestServer(t testing.TB, d *db.DB) http.Handler {
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
	plans, prod, tr, off := planning.New(d, t.TempDir()), production.New(d), trade.New(d), offer.New(d, t.TempDir())
	set := modules.Set{Accounts: acc, Reference: reference.New(d), Production: prod, Actors: actors.New(d),
		Planning: plans, Trade: tr, Offer: off, Facts: facts.New(d),
		Portal: portal.New(d, portal.Modules{Planning: plans, Production: prod, Trade: tr, Offer: off}, defaults)}
	if err := Register(k, Deps{DB: d, Logger: log, Version: "test", Set: set}); err != nil {
		t.Fatal(err)
	}
	return k
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
