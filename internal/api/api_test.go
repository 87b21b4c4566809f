package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/db"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
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
	plans, prod := planning.New(d, t.TempDir()), production.New(d)
	if err := Register(k, Deps{DB: d, Logger: log, Version: "test", Accounts: acc, Reference: reference.New(d), Production: prod,
		Actors: actors.New(d), Planning: plans, Trade: trade.New(d), Offer: offer.New(d, t.TempDir()), Facts: facts.New(d),
		Portal: portal.New(d, plans, prod)}); err != nil {
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
