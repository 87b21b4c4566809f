package ui

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestCompetitorsTakeEveryExporter: each form of a list reaches the analysis whole.
func TestCompetitorsTakeEveryExporter(t *testing.T) {
	site := newSite(t, dbtest.Open(t, db.SQLite), false)
	f, _ := os.Open("../trade/testdata/comtrade-legacy.csv")
	defer f.Close()
	req, _ := http.NewRequest("POST", site.http.URL+"/api/v1/markets/imports?format=comtrade-legacy&name=jpn.csv", f)
	req.Header.Set("Authorization", "Bearer "+site.tokens["admin"])
	if res, err := site.http.Client().Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("import: %v %v", res, err)
	}
	for query, want := range map[string][]int{
		"exporters=604,152,764":                     {604, 152, 764},
		"exporters=604&exporters=152&exporters=764": {604, 152, 764},
		"exporters=764":                             {764},
		"":                                          {604, 152},
		"exporters=156,764&hs=030799&hs=030791":     {156, 764},
	} {
		status, body := site.apiCall("", "GET", "/api/v1/markets/competitors?hs=030799&from=2000&to=2004&"+query, nil)
		var got struct {
			Markets []struct {
				Competitors []struct {
					Partner struct{ Code int }
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || len(got.Markets) == 0 {
			t.Fatalf("%s: %d %v %s", query, status, err, body)
		}
		var codes []int
		for _, c := range got.Markets[0].Competitors {
			codes = append(codes, c.Partner.Code)
		}
		if !slices.Equal(codes, want) {
			t.Errorf("%s: compared %v, want %v", query, codes, want)
		}
	}
}
