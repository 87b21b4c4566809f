package filestore

import (
	"io"
	"os"
	"strings"
	"testing"

	"sriim/internal/errs"
)

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s := New(dir)
	a, n, err := s.Put(strings.NewReader("informe"), 100)
	if err != nil || n != 7 || len(a) != 64 {
		t.Fatalf("put: %q %d %v", a, n, err)
	}
	b, _, _ := s.Put(strings.NewReader("informe"), 100)
	if a != b {
		t.Errorf("the same content under two names")
	}
	f, err := s.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "informe" {
		t.Errorf("read back %q", got)
	}
	// Too large: refused, and nothing left behind.
	if _, _, err := s.Put(strings.NewReader(strings.Repeat("x", 101)), 100); !errs.Is(err, errs.Invalid) {
		t.Errorf("over the limit: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the store holds %d files, want 1", len(entries))
	}
	// Only hashes name files: no other name reaches the file system.
	for _, name := range []string{"../../etc/passwd", "", strings.ToUpper(a), a + "x"} {
		if _, err := s.Open(name); !errs.Is(err, errs.NotFound) {
			t.Errorf("Open(%q): %v", name, err)
		}
	}
}
