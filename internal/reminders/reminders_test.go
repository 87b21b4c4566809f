package reminders_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	sriimmail "sriim/internal/mail"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/reminders"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

// inbox is a local SMTP server (emersion/go-smtp) that keeps what it receives.
type inbox struct {
	mu       sync.Mutex
	messages []*mail.Message
	to       []string
	refuse   string // a recipient refused once
}

type session struct {
	in *inbox
	to string
}

func (s *session) Reset()                                      {}
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	if to == s.in.refuse {
		s.in.refuse = ""
		return errors.New("mailbox busy")
	}
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	m.Body = strings.NewReader(string(body))
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.in.messages = append(s.in.messages, m)
	s.in.to = append(s.in.to, s.to)
	return nil
}

func startInbox(t *testing.T) (*inbox, string) {
	t.Helper()
	in := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return in, "smtp://" + ln.Addr().String() + "?from=sriim@example.org"
}

func (in *inbox) take() ([]*mail.Message, []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	m, to := in.messages, in.to
	in.messages, in.to = nil, nil
	return m, to
}

// TestRemindersSentOnce: before the due date each editor of an institution
// that owes reports gets one reminder, in their language; running again
// sends none; after the due date one "late" reminder each; a mail the
// server refused goes on the next run.
func TestRemindersSentOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		acc := accounts.New(d)
		acc.BcryptCost = 4
		plans := planning.New(d, t.TempDir())
		if err := seeding.Load(ctx, d, seeding.Services{Accounts: acc, Reference: reference.New(d), Production: production.New(d), Planning: plans, Trade: trade.New(d)},
			slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		direpro, _ := acc.InstitutionByCode(ctx, "DIREPRO-ILO")
		imarpe, _ := acc.InstitutionByCode(ctx, "IMARPE")
		for _, u := range []accounts.UserInput{
			{Email: "ana@direpro.example", Lang: "es", Institutions: []int64{direpro.ID}},
			{Email: "bob@direpro.example", Lang: "en", Institutions: []int64{direpro.ID}},
			{Email: "eva@imarpe.example", Lang: "es", Institutions: []int64{imarpe.ID}},
		} {
			u.Name, u.Password, u.Role, u.Active = "x", "a long password here", auth.Editor, true
			if _, err := acc.CreateUser(ctx, auth.System, u); err != nil {
				t.Fatal(err)
			}
		}
		in, url := startInbox(t)
		sender, err := sriimmail.NewSMTP(url)
		if err != nil {
			t.Fatal(err)
		}
		rem := reminders.New(d, plans, acc, sender)
		rem.PublicURL = "https://sriim.example.org"
		now := time.Date(2009, 1, 20, 8, 0, 0, 0, time.UTC) // 11 days before 2009-01-31
		rem.Now = func() time.Time { return now }
		plans.Now = rem.Now

		in.refuse = "eva@imarpe.example"
		res, err := rem.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs, to := in.take()
		if res.Sent != 2 || res.Failed != 1 || len(msgs) != 2 {
			t.Fatalf("first run: %+v, %d mails to %v", res, len(msgs), to)
		}
		for i, m := range msgs {
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			body, _ := io.ReadAll(m.Body)
			want := "vencen el 2009-01-31"
			if to[i] == "bob@direpro.example" {
				want = "are due on 2009-01-31"
			}
			if !strings.Contains(subject, want) || !strings.Contains(string(body), "1.1.1") ||
				!strings.Contains(string(body), "https://sriim.example.org/plan/") {
				t.Errorf("mail to %s: %q\n%s", to[i], subject, body)
			}
		}
		res, err = rem.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs, to = in.take()
		if res.Sent != 1 || res.Skipped != 2 || len(msgs) != 1 || to[0] != "eva@imarpe.example" {
			t.Fatalf("second run: %+v to %v: only the refused one goes again", res, to)
		}
		if res, _ = rem.Run(ctx); res.Sent != 0 || res.Skipped != 3 {
			t.Fatalf("third run: %+v, want nothing sent twice", res)
		}
		now = time.Date(2009, 2, 3, 8, 0, 0, 0, time.UTC)
		if res, _ = rem.Run(ctx); res.Sent != 3 {
			t.Fatalf("after the due date: %+v, want a late reminder each", res)
		}
		msgs, _ = in.take()
		subject, _ := new(mime.WordDecoder).DecodeHeader(msgs[0].Header.Get("Subject"))
		if !strings.Contains(subject, "2008") || !(strings.Contains(subject, "atrasados") || strings.Contains(subject, "late")) {
			t.Errorf("late reminder: %q", subject)
		}
		if res, _ = rem.Run(ctx); res.Sent != 0 {
			t.Fatalf("late reminders sent twice: %+v", res)
		}
	})
}
