package archive_test

import (
	"context"
	"strings"
	"testing"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// The brochure's editions are found by their key, newest first, and only
// by those who may see them; another key (or a document typed in) is not.
func TestKeptListsTheEditionsOfAKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		keep := func(key string, year int, access string) {
			t.Helper()
			_, err := f.svc.Keep(ctx, auth.System, key, archive.Input{Title: "Brochure " + key, Kind: "presentation", Year: year, Access: access},
				[]archive.Upload{{Name: "b.pdf", R: strings.NewReader("%PDF-1.4 " + key)}})
			if err != nil {
				t.Fatal(err)
			}
		}
		keep("brochure:2025", 2025, "public")
		keep("brochure:2026", 2026, "public")
		keep("brochure:2027", 2026, "signed_in")
		keep("brochureX2024", 2024, "public")
		f.create(t, f.direpro, archive.Input{Title: "brochure:typed"})
		got, err := f.svc.Kept(ctx, f.anon, "brochure:")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, doc := range got {
			keys = append(keys, doc.SourceKey)
			if len(doc.Files) != 1 {
				t.Errorf("%s: files %+v", doc.SourceKey, doc.Files)
			}
		}
		if strings.Join(keys, " ") != "brochure:2026 brochure:2025" {
			t.Errorf("editions: %v", keys)
		}
		if got, _ := f.svc.Kept(ctx, f.member, "brochure:"); len(got) != 3 {
			t.Errorf("signed in: %d editions", len(got))
		}
	})
}

// Who adds documents and news: administrators and an institution's
// editors; not an editor of no institution, a member or a visitor.
func TestCanAdd(t *testing.T) {
	for _, tc := range []struct {
		p    auth.Principal
		want bool
	}{
		{auth.Principal{Role: auth.Admin}, true},
		{auth.Principal{Role: auth.Editor, Institutions: []int64{3}}, true},
		{auth.Principal{Role: auth.Editor}, false},
		{auth.Principal{Role: auth.Member, ActorID: 7}, false},
		{auth.Principal{}, false},
	} {
		if got := archive.CanAdd(tc.p); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.p, got, tc.want)
		}
	}
}
