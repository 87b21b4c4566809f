package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

func TestOpenAPIDocument(t *testing.T) {
	s := newTestServer(t, dbtest.Open(t, db.SQLite))
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Info    map[string]any `json:"info"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body(t, get(t, s, "/api/v1/openapi.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info["version"] != "test" || doc.Paths["/"] == nil {
		t.Fatalf("document: %+v", doc)
	}
}

// TestEveryAPIRouteIsDocumented compares the /api/v1 routes registered in
// this package's source with the OpenAPI document's paths and methods.
func TestEveryAPIRouteIsDocumented(t *testing.T) {
	doc, err := OpenAPI("test")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	route := regexp.MustCompile(`"(GET|POST|PUT|DELETE|PATCH) /api/v1(/[^"]*)"`)
	n := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		for _, m := range route.FindAllStringSubmatch(string(src), -1) {
			path := strings.TrimSuffix(m[2], "{$}")
			if ops, ok := spec.Paths[path]; !ok || ops[strings.ToLower(m[1])] == nil {
				t.Errorf("%s %s (in %s) is not in the OpenAPI document", m[1], path, f)
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("found only %d API routes; the pattern no longer matches the source", n)
	}
}
