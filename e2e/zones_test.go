package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/db/dbtest"
)

// ogrinfo returns GDAL's ogrinfo. The test is skipped when it is not
// installed, unless SRIIM_TEST_OGRINFO names it (the test script sets it),
// in which case a missing one fails.
func ogrinfo(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SRIIM_TEST_OGRINFO")
	if path == "" {
		var err error
		if path, err = exec.LookPath("ogrinfo"); err != nil {
			t.Skip("no ogrinfo (Debian's gdal-bin); set SRIIM_TEST_OGRINFO to require it")
		}
	}
	return path
}

// rightsFile writes n aquaculture rights, 200 m squares in a row off Ilo.
func rightsFile(t *testing.T, n int) string {
	t.Helper()
	var features []string
	for i := range n {
		lon, lat := -71.40+float64(i%10)*0.003, -17.66+float64(i/10)*0.003
		features = append(features, fmt.Sprintf(`{"type":"Feature","properties":{"codigo":"E2E-%03d","tipo":"concesion","titular":"Titular %d",
			"especies":"SCQ","desde":"2024-01-01"},"geometry":{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}`,
			i+1, i+1, lon, lat, lon+0.002, lat, lon+0.002, lat+0.002, lon, lat+0.002, lon, lat))
	}
	path := filepath.Join(t.TempDir(), "derechos.geojson")
	if err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(features, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// GDAL's OAPIF driver reads every collection of the running binary's /ogc,
// following the next links page by page.
func TestOGCAPIReadByGDAL(t *testing.T) {
	tool := ogrinfo(t)
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			in := start(t, dialect)
			testdata := "../internal/zones/testdata/"
			in.run(t, "import", "zones", "--layer", "aquaculture-rights", rightsFile(t, 25))
			in.run(t, "import", "zones", "--layer", "production-areas", testdata+"areas-produccion.geojson")
			in.run(t, "import", "zones", "--layer", "suitable-zones", testdata+"zonas-aptas.geojson")
			in.run(t, "import", "zones", "--layer", "natural-banks", testdata+"bancos-naturales.kml")
			in.run(t, "import", "closures", testdata+"cierres.csv")
			out, err := exec.Command(tool, "-ro", "-so", "-al", "OAPIF:"+in.URL+"/ogc").CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "ERROR") {
				t.Errorf("ogrinfo reported errors:\n%s", out)
			}
			counts := map[string]int{}
			layer := ""
			for _, m := range regexp.MustCompile(`(?m)^(Layer name|Feature Count): (.+)$`).FindAllStringSubmatch(string(out), -1) {
				if m[1] == "Layer name" {
					layer = m[2]
				} else {
					counts[layer], _ = strconv.Atoi(m[2])
				}
			}
			want := map[string]int{"aquaculture-rights": 25, "production-areas": 2, "suitable-zones": 1, "natural-banks": 1,
				"landing-sites": 1, "closures": 2}
			if fmt.Sprint(counts) != fmt.Sprint(want) {
				t.Errorf("ogrinfo counted %v, want %v\n%s", counts, want, out)
			}
		})
	}
}
