package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportRules keeps the layers of ARCHITECTURE.md: domain packages
// import none of the delivery layer (ui, api, httpkit, query) nor render;
// only app imports ui and api; httpkit knows no page, API route or
// selection; query knows no page or API; the command line draws its
// reports with render. Test files are left out: a page's test may drive the
// API too.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-json", "sriim/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const in = "sriim/internal/"
	delivery := []string{in + "ui", in + "api", in + "httpkit", in + "query"}
	under := func(pkg string, roots ...string) bool {
		return slices.ContainsFunc(roots, func(r string) bool { return pkg == r || strings.HasPrefix(pkg, r+"/") })
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n, appRenders := 0, false
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		if p.ImportPath == in+"app" {
			appRenders = slices.Contains(p.Imports, in+"render/reports")
		}
		for _, imp := range p.Imports {
			switch {
			case under(imp, in+"ui", in+"api") && p.ImportPath != in+"app":
				t.Errorf("%s imports %s: only internal/app imports ui and api", p.ImportPath, imp)
			case under(p.ImportPath, in+"httpkit") && under(imp, in+"ui", in+"api", in+"query"):
				t.Errorf("%s imports %s: the kernel knows no page, API route or selection", p.ImportPath, imp)
			case under(p.ImportPath, in+"query") && under(imp, in+"ui", in+"api"):
				t.Errorf("%s imports %s: a selection knows no page or API", p.ImportPath, imp)
			case !under(p.ImportPath, append(delivery, in+"app", in+"render", "sriim/cmd")...) &&
				under(imp, append(delivery, in+"render")...):
				t.Errorf("%s imports %s: domain packages import none of ui, api, httpkit, query and render", p.ImportPath, imp)
			}
		}
	}
	if !appRenders {
		t.Error("internal/app does not draw the command line's reports with internal/render/reports")
	}
	if n < 20 {
		t.Fatalf("go list gave only %d packages", n)
	}
}
