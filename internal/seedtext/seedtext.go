// Package seedtext finds the seed document (the 2006 operating plan as
// text) for the tests that check the data files against it. The document
// sits in shared/seed beside the repository, or beside one of the folders
// above it (a worktree's); tests skip where it is absent.
package seedtext

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Text returns the seed document, or skips the test.
func Text(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		matches, _ := filepath.Glob(filepath.Join(dir, "shared", "seed", "*.txt"))
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err == nil && strings.Contains(string(b), "MATRIZ DE PLANIFICACIÓN") {
				return string(b)
			}
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	t.Skip("the seed document is not beside the repository")
	return ""
}

var (
	spaces     = regexp.MustCompile(`\s+`)
	hyphenated = regexp.MustCompile(`(\pL)- (\pL)`) // a word broken across lines: "Procesadores-\nexportadores"
)

// Squash folds the PDF text's line breaks into single spaces.
func Squash(s string) string {
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	return hyphenated.ReplaceAllString(s, "$1-$2")
}
