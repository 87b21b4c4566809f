// Package filestore keeps uploaded files under DATA-DIR/files, each named by
// the SHA-256 of its content: the same file uploaded twice is stored once,
// a stored file never changes, and a record points to its file by hash.
// The plan's evidence and the archive's documents share it.
package filestore

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"

	"sriim/internal/errs"
)

// Store is a directory of files named by content hash.
type Store struct{ dir string }

// New returns the store kept in dir (created on the first Put).
func New(dir string) *Store { return &Store{dir: dir} }

// Put writes what r holds, up to max bytes, under its content hash and
// returns the hash and the size. A file larger than max is refused
// (Invalid) and nothing is kept.
func (s *Store) Put(r io.Reader, max int64) (sum string, size int64, err error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return "", 0, errs.Wrap(err, "create file store")
	}
	tmp, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	if n > max {
		return "", 0, errs.E(errs.Invalid, "the file is larger than %d MB", max>>20)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(tmp.Name(), s.Path(sum)); err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	return sum, n, nil
}

// Path is where the file with hash sum is kept. sum must be a hash this
// store gave (never a name from a request).
func (s *Store) Path(sum string) string { return filepath.Join(s.dir, sum) }

// Open opens the file with hash sum.
func (s *Store) Open(sum string) (*os.File, error) {
	if !validSum(sum) {
		return nil, errs.E(errs.NotFound, "no such file")
	}
	f, err := os.Open(s.Path(sum))
	if os.IsNotExist(err) {
		return nil, errs.E(errs.NotFound, "no such file")
	}
	return f, errs.Wrap(err, "open file")
}

// validSum reports whether sum looks like a SHA-256 in hex, so that no
// other name reaches the file system.
func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for _, c := range sum {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
