// Package rendertest checks PDFs the way a person looks at them: it renders
// their pages with poppler's pdftoppm and compares them, within a
// tolerance, with reference renderings kept as text in testdata (a grid of
// grey levels per page, small enough to review in a diff).
package rendertest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The reference grid: pages rendered at dpi, averaged over cells of
// cellMM millimetres, each written as a grey level from 0 (black) to f
// (white).
const (
	dpi    = 50
	cellMM = 3.0
	levels = 16
)

// Tolerance, for renderers that place a pixel differently: a cell may
// differ by tolerateLevels without counting; a page fails when more than
// maxChanged of its cells differ by more, or when any cell differs by more
// than maxLevels (a dot, a rule or a word that moved or went).
const (
	tolerateLevels = 1
	maxChanged     = 0.001
	maxLevels      = 2
)

// pdftoppm finds poppler's renderer. The test is skipped when it is not
// there, unless SRIIM_TEST_PDFTOPPM names it (the test script sets it), in
// which case a missing one fails.
func pdftoppm(t testing.TB) string {
	t.Helper()
	if path := os.Getenv("SRIIM_TEST_PDFTOPPM"); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("SRIIM_TEST_PDFTOPPM: %v", err)
		}
		return path
	}
	path, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("no pdftoppm (Debian's poppler-utils); set SRIIM_TEST_PDFTOPPM to require it")
	}
	return path
}

// Text is a PDF's text as poppler's pdftotext reads it back (from the
// fonts' character maps: a character the font cannot map reads wrong).
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(pdftoppm(t)), "pdftotext")
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Pages renders a PDF's pages in grey.
func Pages(t testing.TB, pdf []byte) []*image.Gray {
	t.Helper()
	bin := pdftoppm(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-r", fmt.Sprint(dpi), "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	// page-1.png … page-10.png: in page order, not in name order.
	sort.Slice(names, func(i, j int) bool {
		return len(names[i]) < len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
	})
	var pages []*image.Gray
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g, ok := img.(*image.Gray)
		if !ok {
			g = image.NewGray(img.Bounds())
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
				for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
					g.Set(x, y, img.At(x, y))
				}
			}
		}
		pages = append(pages, g)
		if dir := os.Getenv("SRIIM_SCREENSHOTS"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s", sanitize(t.Name()), filepath.Base(name))), b, 0o644)
		}
	}
	return pages
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

// Grid is a page reduced to grey levels per cell, a line of hex digits per row.
func Grid(page *image.Gray) []string {
	b := page.Bounds()
	cell := cellMM / 25.4 * dpi // pixels
	cols, rows := int(float64(b.Dx())/cell+0.5), int(float64(b.Dy())/cell+0.5)
	sum := make([]int, cols*rows)
	n := make([]int, cols*rows)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		r := min(int(float64(y-b.Min.Y)/cell), rows-1)
		for x := b.Min.X; x < b.Max.X; x++ {
			c := min(int(float64(x-b.Min.X)/cell), cols-1)
			sum[r*cols+c] += int(page.GrayAt(x, y).Y)
			n[r*cols+c]++
		}
	}
	out := make([]string, rows)
	for r := range rows {
		var line strings.Builder
		for c := range cols {
			level := 0
			if k := n[r*cols+c]; k > 0 {
				level = sum[r*cols+c] * levels / (256 * k)
			}
			line.WriteByte("0123456789abcdef"[min(level, levels-1)])
		}
		out[r] = line.String()
	}
	return out
}

// Compare renders pdf and compares its pages with the reference in file
// (testdata/NAME.grid); with update, it writes the reference instead.
func Compare(t testing.TB, pdf []byte, file string, update bool) {
	t.Helper()
	pages := Pages(t, pdf)
	var got strings.Builder
	fmt.Fprintf(&got, "# Pages of a PDF rendered by pdftoppm at %d dpi in grey, averaged over %g mm cells: 0 black to f white.\n", dpi, cellMM)
	fmt.Fprintf(&got, "# Written by the test with -update; compared within a tolerance.\n")
	for i, p := range pages {
		fmt.Fprintf(&got, "page %d\n%s\n", i+1, strings.Join(Grid(p), "\n"))
	}
	if update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	wantPages, gotPages := parse(string(want)), parse(got.String())
	if len(wantPages) != len(gotPages) {
		t.Fatalf("%s: %d pages, the reference has %d", file, len(gotPages), len(wantPages))
	}
	for i := range gotPages {
		changed, total, worst, first := diff(wantPages[i], gotPages[i])
		if float64(changed) > maxChanged*float64(total) || worst > maxLevels {
			t.Errorf("%s: page %d differs from the reference in %d of %d cells, by up to %d levels (first at row %d, column %d); look at it with SRIIM_SCREENSHOTS=DIR, rewrite the reference with -update",
				file, i+1, changed, total, worst, first[0]+1, first[1]+1)
		}
	}
}

func parse(s string) [][]string {
	var pages [][]string
	for _, line := range strings.Split(s, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "page "):
			pages = append(pages, nil)
		case len(pages) > 0:
			pages[len(pages)-1] = append(pages[len(pages)-1], line)
		}
	}
	return pages
}

// diff counts the cells whose levels differ by more than the tolerance
// (a cell missing on one side counts as different) and the largest change.
func diff(want, got []string) (changed, total, worst int, first [2]int) {
	first = [2]int{-1, -1}
	for r := 0; r < max(len(want), len(got)); r++ {
		var w, g string
		if r < len(want) {
			w = want[r]
		}
		if r < len(got) {
			g = got[r]
		}
		for c := 0; c < max(len(w), len(g)); c++ {
			total++
			d := levels
			if c < len(w) && c < len(g) {
				d = abs(level(w[c]) - level(g[c]))
			}
			worst = max(worst, d)
			if d > tolerateLevels {
				changed++
				if first[0] < 0 {
					first = [2]int{r, c}
				}
			}
		}
	}
	return changed, total, worst, first
}

func level(b byte) int { return strings.IndexByte("0123456789abcdef", b) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
