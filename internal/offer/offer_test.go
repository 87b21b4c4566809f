package offer

import (
	"bytes"
	"compress/zlib"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"testing"
	"time"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
)

func TestLocalized(t *testing.T) {
	for _, c := range []struct {
		es, en, lang string
		want         Text
	}{
		{"Loco", "Loco (false abalone)", "en", Text{"Loco (false abalone)", false, "en"}},
		{"Loco", "Loco (false abalone)", "es", Text{"Loco", false, "es"}},
		{"Loco", "", "en", Text{"Loco", true, "es"}},
		{"", "Loco (false abalone)", "es", Text{"Loco (false abalone)", true, "en"}},
		{"", "", "en", Text{"", false, "en"}},
	} {
		if got := Localized(c.es, c.en, c.lang); got != c.want {
			t.Errorf("Localized(%q, %q, %s) = %+v, want %+v", c.es, c.en, c.lang, got, c.want)
		}
	}
}

func TestProductValidation(t *testing.T) {
	species := map[string]bool{"SNE": true}
	for _, c := range []struct {
		name string
		p    Product
		bad  []string
	}{
		{"complete", Product{Species: "SNE", Presentation: "canned", HSCode: "1605.57", Markets: []string{"jpn", " TWN"}}, nil},
		{"unknown species", Product{Species: "XXX", Presentation: "canned"}, []string{"species"}},
		{"unknown presentation", Product{Species: "SNE", Presentation: "smoked"}, []string{"presentation"}},
		{"HS code with letters", Product{Species: "SNE", Presentation: "fresh", HSCode: "03O7"}, []string{"hs_code"}},
		{"negative capacity", Product{Species: "SNE", Presentation: "fresh", Capacity: new(-1.0)}, []string{"capacity_t_year"}},
		{"country names as markets", Product{Species: "SNE", Presentation: "fresh", Markets: []string{"Japan"}}, []string{"markets"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := c.p.validate(species)
			if len(problems) != len(c.bad) {
				t.Fatalf("problems %v, want %v", problems, c.bad)
			}
			for _, f := range c.bad {
				if problems[f] == "" {
					t.Errorf("no problem reported for %s: %v", f, problems)
				}
			}
		})
	}
}

func TestContactLimitsPerExporter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _, err := actors.New(d).Create(ctx, auth.Principal{Email: "seed", Role: auth.Admin}, actors.Actor{Name: "Exportadora", Kinds: []string{"exporter"}})
		if err != nil {
			t.Fatal(err)
		}
		withEmail, _, err := actors.New(d).Create(ctx, auth.Principal{Email: "seed", Role: auth.Admin},
			actors.Actor{Name: "Exportadora con correo", Kinds: []string{"exporter"}, Email: "ventas@exportadora.example"})
		if err != nil {
			t.Fatal(err)
		}
		s := New(d, t.TempDir())
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		msg := Message{ActorID: a.ID, Name: "Buyer", Email: "buyer@example.com", Message: "Please send a quotation."}
		for i := 0; i < MaxMessagesPerActor; i++ {
			if _, err := s.Contact(ctx, msg, fmt.Sprintf("192.0.2.%d", i), "", nil); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
		if _, err := s.Contact(ctx, msg, "198.51.100.1", "", nil); errs.KindOf(err) != errs.TooManyRequests {
			t.Fatalf("message past the exporter's limit: %v", err)
		}
		now = now.Add(61 * time.Minute) // an hour later the exporter hears again
		if _, err := s.Contact(ctx, msg, "198.51.100.1", "", nil); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
		if _, err := s.Contact(ctx, msg, "198.51.100.2", "filled by a bot", nil); !errors.Is(err, ErrSpam) {
			t.Fatalf("trap: %v", err)
		}
		delivered := ""
		m, err := s.Contact(ctx, msg, "198.51.100.3", "", func(_ context.Context, to string, _ Message) error { delivered = to; return nil })
		if err != nil || m.Delivered || delivered != "" {
			t.Fatalf("an exporter without email got a delivery: %v %v %q", err, m.Delivered, delivered)
		}
		m, err = s.Contact(ctx, Message{ActorID: withEmail.ID, Name: "Buyer", Email: "buyer@example.com", Message: "Please send a quotation."},
			"198.51.100.3", "", func(_ context.Context, to string, _ Message) error { delivered = to; return nil })
		if err != nil || !m.Delivered || delivered != "ventas@exportadora.example" {
			t.Fatalf("delivery: %v %v %q", err, m.Delivered, delivered)
		}
	})
}

// TestParallelMessagesKeepTheLimit posts many messages from one address at
// once: only MaxMessagesPerAddress are stored.
func TestParallelMessagesKeepTheLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _, err := actors.New(d).Create(ctx, auth.Principal{Email: "seed", Role: auth.Admin}, actors.Actor{Name: "Exportadora", Kinds: []string{"exporter"}})
		if err != nil {
			t.Fatal(err)
		}
		s := New(d, t.TempDir())
		now := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		msg := Message{ActorID: a.ID, Name: "Buyer", Email: "buyer@example.com", Message: "Please send a quotation."}
		var wg sync.WaitGroup
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Contact(ctx, msg, "203.0.113.7", "", nil); err != nil && !errs.Is(err, errs.TooManyRequests) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var n int
		if err := d.Read().QueryRowContext(ctx, "SELECT count(*) FROM offer_messages").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != MaxMessagesPerAddress {
			t.Fatalf("30 parallel messages from one address stored %d, want %d", n, MaxMessagesPerAddress)
		}
	})
}

// pngHeader is the start of a PNG image of width×height grey pixels: its
// header and a few rows, as much as a hostile upload needs.
func pngHeader(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, width), height)
	chunk("IHDR", append(ihdr, 8, 0, 0, 0, 0)) // 8-bit grey, no interlace
	var rows bytes.Buffer
	zw := zlib.NewWriter(&rows)
	_, _ = zw.Write(make([]byte, 10*(int(width)+1)))
	_ = zw.Close()
	chunk("IDAT", rows.Bytes())
	return b.Bytes()
}

func TestHugePhotoIsRefusedBeforeDecoding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		admin := auth.Principal{Email: "seed", Role: auth.Admin}
		a, _, err := actors.New(d).Create(ctx, admin, actors.Actor{Name: "Exportadora", Kinds: []string{"exporter"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO species (code, kind, name_es) VALUES ('SNE', 'species', 'Loco')")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s := New(d, t.TempDir())
		p, err := s.Save(ctx, admin, Product{ActorID: a.ID, Species: "SNE", Presentation: "frozen"})
		if err != nil {
			t.Fatal(err)
		}
		// Ten thousand pixels square: a few hundred bytes that decode to 100 MB.
		huge := pngHeader(10000, 10000)
		if _, err := s.SetPhoto(ctx, admin, p.ID, bytes.NewReader(huge)); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "limit of 25 million") {
			t.Fatalf("a %d-byte photo of 10000×10000 pixels: %v", len(huge), err)
		}
		if _, err := s.SetPhoto(ctx, admin, p.ID, bytes.NewReader(make([]byte, MaxPhotoBytes+1))); !errs.Is(err, errs.TooLarge) {
			t.Fatalf("a photo of 12 MiB and a byte: %v", err)
		}
	})
}
