package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/httpkit"
	"sriim/internal/modules/modulestest"
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
	set := modulestest.New(t, d)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := httpkit.New(httpkit.Options{DB: d, Logger: log, Sessions: set.Accounts, CSRFKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(k, Deps{DB: d, Logger: log, Version: "test", Set: set}); err != nil {
		t.Fatal(err)
	}
	return k, set.Archive
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
