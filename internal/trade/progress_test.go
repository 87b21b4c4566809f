package trade

import (
	"context"
	"testing"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestRunningImportShowsItsStage checks what the job page reads while an
// import runs: the rows read, then that the file is read and being stored.
func TestRunningImportShowsItsStage(t *testing.T) {
	s := New(dbtest.Open(t, db.SQLite))
	ctx := context.Background()
	b, err := s.Start(ctx, auth.Principal{UserID: 1, Email: "mesa", Role: auth.Admin}, FormatLegacy, "f.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.jobs.Load(b.ID)
	prog := p.(*Progress)
	prog.set(120000)
	if got, _ := s.Batch(ctx, b.ID); got.Read != 120000 || got.Storing {
		t.Fatalf("reading: %+v", got)
	}
	prog.setStoring()
	if got, _ := s.Batch(ctx, b.ID); got.Read != 120000 || !got.Storing {
		t.Fatalf("storing: %+v", got)
	}
}
