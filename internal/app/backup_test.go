package app

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewrite copies a backup archive entry by entry through edit, which may
// change an entry's body or name, or add entries (returned after it).
func rewrite(t *testing.T, src, dst string, edit func(h *tar.Header, body []byte) ([]byte, []*tar.Header, [][]byte)) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body, extra, bodies := edit(h, body)
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
		for i, x := range extra {
			x.Size = int64(len(bodies[i]))
			tw.WriteHeader(x)
			tw.Write(bodies[i])
		}
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(dst, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreChecksTheArchiveAndTheTarget backs a SQLite installation up
// and restores it; a damaged or tampered archive, or a target that is not
// empty, is refused and leaves the target as it was.
func TestRestoreChecksTheArchiveAndTheTarget(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	var out, errOut bytes.Buffer
	if code := Main(ctx, []string{"seed", "--data-dir", src}, &out, &errOut); code != 0 {
		t.Fatalf("seed: %s", errOut.String())
	}
	if err := os.MkdirAll(filepath.Join(src, "files", "ab"), 0o750); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "files", "ab", "cdef"), []byte("evidencia"), 0o600)
	archive := filepath.Join(dir, "backup.tar.gz")
	if code := Main(ctx, []string{"backup", "--data-dir", src, "--out", archive}, &out, &errOut); code != 0 {
		t.Fatalf("backup: %s", errOut.String())
	}
	restore := func(file, target string) (int, string) {
		errOut.Reset()
		code := Main(ctx, []string{"restore", file, "--data-dir", target}, io.Discard, &errOut)
		return code, errOut.String()
	}
	if code, msg := restore(archive, filepath.Join(dir, "ok")); code != 0 {
		t.Fatalf("restore: %s", msg)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "ok", "files", "ab", "cdef")); err != nil || string(b) != "evidencia" {
		t.Fatalf("restored file: %q %v", b, err)
	}
	if code, msg := restore(archive, filepath.Join(dir, "ok")); code == 0 || !strings.Contains(msg, "not empty") {
		t.Errorf("restore into a non-empty data directory: %d %s", code, msg)
	}

	for name, tc := range map[string]struct {
		edit func(h *tar.Header, body []byte) ([]byte, []*tar.Header, [][]byte)
		want string
	}{
		"a changed file": {func(h *tar.Header, b []byte) ([]byte, []*tar.Header, [][]byte) {
			if h.Name == "files/ab/cdef" {
				b = []byte("EVIDENCIA")
			}
			return b, nil, nil
		}, "does not match the manifest"},
		"an entry outside": {func(h *tar.Header, b []byte) ([]byte, []*tar.Header, [][]byte) {
			if h.Name == "files/ab/cdef" {
				return b, []*tar.Header{{Name: "files/../../evil", Mode: 0o600, Typeflag: tar.TypeReg}}, [][]byte{[]byte("x")}
			}
			return b, nil, nil
		}, "unexpected entry"},
		"a link": {func(h *tar.Header, b []byte) ([]byte, []*tar.Header, [][]byte) {
			if h.Name == "files/ab/cdef" {
				return b, []*tar.Header{{Name: "files/link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}}, [][]byte{nil}
			}
			return b, nil, nil
		}, "unexpected entry"},
		"an entry not in the manifest": {func(h *tar.Header, b []byte) ([]byte, []*tar.Header, [][]byte) {
			if h.Name == "files/ab/cdef" {
				return b, []*tar.Header{{Name: "files/extra", Mode: 0o600, Typeflag: tar.TypeReg}}, [][]byte{[]byte("x")}
			}
			return b, nil, nil
		}, "not in its manifest"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".tar.gz")
			rewrite(t, archive, bad, tc.edit)
			target := filepath.Join(dir, "target-"+strings.ReplaceAll(name, " ", "-"))
			if code, msg := restore(bad, target); code == 0 || !strings.Contains(msg, tc.want) {
				t.Errorf("exit %d: %s; want %q", code, msg, tc.want)
			}
			if err := requireEmptyDir(target); err != nil {
				t.Errorf("a refused restore left the target: %v", err)
			}
		})
	}
}
