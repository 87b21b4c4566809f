package network_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sriim/internal/accounts"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	sriimmail "sriim/internal/mail"
	"sriim/internal/network"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

// mailbox is a local SMTP server that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []*mail.Message
	body []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }

type session struct{ m *mailbox }

func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, msg)
	s.m.body = append(s.m.body, strings.ReplaceAll(string(body), "\r\n", "\n"))
	return nil
}

// take returns the messages received since the last call.
func (m *mailbox) take() ([]*mail.Message, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs, body := m.msgs, m.body
	m.msgs, m.body = nil, nil
	return msgs, body
}

func startSMTP(t *testing.T) (*mailbox, *sriimmail.SMTP) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	sender, err := sriimmail.NewSMTP("smtp://" + ln.Addr().String() + "?from=red@sriim.test")
	if err != nil {
		t.Fatal(err)
	}
	return box, sender
}

var monday = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC) // a Monday, 10:00 in Lima

func setup(t *testing.T, d *db.DB) {
	t.Helper()
	if err := seeding.Load(context.Background(), d, seeding.Services{Accounts: accounts.New(d), Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, t.TempDir()), Trade: trade.New(d)}, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
}

// sources announce, in the week before monday, two documents (one about
// SNE, one about SCQ), a news item and a market report.
func sources(svc *network.Service) {
	week := monday.AddDate(0, 0, -4)
	svc.AddSource("documents", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		all := []network.Item{
			{Ref: "document:1", Species: []string{"SNE"}, Title: "Estudio del loco", Path: "/archivo/1", At: week},
			{Ref: "document:2", Species: []string{"SCQ"}, Title: "Manual de concha de abanico", Path: "/archivo/2", At: week},
		}
		var out []network.Item
		for _, it := range all {
			if !it.At.Before(from) && it.At.Before(to) {
				out = append(out, it)
			}
		}
		return out, nil
	})
	svc.AddSource("news", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		title := "Veda del pulpo"
		if lang == i18n.EN {
			title = "Octopus closure"
		}
		if week.Before(from) || !week.Before(to) {
			return nil, nil
		}
		return []network.Item{{Ref: "news:1", Title: title, Summary: "Desde el lunes.", Path: "/noticias/1", At: week}}, nil
	})
	svc.AddSource("market_reports", func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]network.Item, error) {
		return []network.Item{{Ref: "market_report:1", Title: "Informe 2026-S2", Path: "/mercados/informes/1", At: week}}, nil
	})
}

// link finds the link to path in a mail body.
func link(t *testing.T, body, path string) string {
	t.Helper()
	for _, f := range strings.Fields(body) {
		if strings.Contains(f, path+"?token=") {
			return f
		}
	}
	t.Fatalf("no link to %s in:\n%s", path, body)
	return ""
}

func tokenOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func TestSubscriptionDigestAndUnsubscribe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		box, sender := startSMTP(t)
		svc := network.New(d, sender, "https://sriim.example.org/")
		svc.Now = func() time.Time { return monday.AddDate(0, 0, -10) }
		sources(svc)

		for _, bad := range []string{"no-es-correo", "a@b.org\r\nBcc: x@y.org", "Ana <ana@example.org>"} {
			if err := svc.Subscribe(ctx, bad, "es", []network.Subscription{{Topic: "news"}}, "10.0.0.1"); !errs.Is(err, errs.Invalid) {
				t.Errorf("address %q: %v", bad, err)
			}
		}
		if err := svc.Subscribe(ctx, "ana@example.org", "es", []network.Subscription{{Topic: "poesia"}}, "10.0.0.1"); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown topic: %v", err)
		}
		subs := []network.Subscription{{Topic: "news"}, {Topic: "documents", Species: "sne", Urgent: true}}
		if err := svc.Subscribe(ctx, "Ana@Example.org", "es", subs, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		msgs, bodies := box.take()
		if len(msgs) != 1 {
			t.Fatalf("%d mails after subscribing, want the confirmation", len(msgs))
		}
		h := msgs[0].Header
		unsubscribe := link(t, bodies[0], network.UnsubscribePath)
		if h.Get("To") != "ana@example.org" || h.Get("List-Unsubscribe") != "<"+unsubscribe+">" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("confirmation headers: %v", h)
		}
		if !strings.Contains(bodies[0], "Nuevos documentos del archivo (SNE) — aviso inmediato") {
			t.Errorf("the confirmation does not say what was asked for:\n%s", bodies[0])
		}
		confirm := link(t, bodies[0], network.ConfirmPath)
		if !strings.HasPrefix(confirm, "https://sriim.example.org/red/confirmar?token=") {
			t.Errorf("confirmation link %q", confirm)
		}

		// Unconfirmed, nothing is mailed.
		svc.Now = func() time.Time { return monday }
		if rep, err := svc.Digest(ctx, monday); err != nil || rep.Sent != 0 {
			t.Fatalf("digest before confirmation: %+v %v", rep, err)
		}
		if _, err := svc.Confirm(ctx, "not-a-token"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a wrong token: %v", err)
		}
		svc.Now = func() time.Time { return monday.AddDate(0, 0, -9) }
		sub, err := svc.Confirm(ctx, tokenOf(t, confirm))
		if err != nil || sub.State != "active" || len(sub.Subscriptions) != 2 {
			t.Fatalf("confirm: %v %+v", err, sub)
		}
		if _, err := svc.Confirm(ctx, tokenOf(t, confirm)); !errs.Is(err, errs.NotFound) {
			t.Errorf("a confirmation link works twice: %v", err)
		}

		// The digest holds what the member follows: the news and the SNE
		// document, not the SCQ one nor the market report. Once.
		svc.Now = func() time.Time { return monday }
		rep, err := svc.Digest(ctx, monday)
		if err != nil || rep.Sent != 1 {
			t.Fatalf("digest: %+v %v", rep, err)
		}
		msgs, bodies = box.take()
		body := bodies[0]
		for _, want := range []string{"NOTICIAS", "Veda del pulpo", "https://sriim.example.org/noticias/1", "Estudio del loco", unsubscribe} {
			if !strings.Contains(body, want) {
				t.Errorf("digest lacks %q:\n%s", want, body)
			}
		}
		for _, not := range []string{"concha de abanico", "Informe 2026-S2"} {
			if strings.Contains(body, not) {
				t.Errorf("digest holds %q, which the member does not follow", not)
			}
		}
		if subj, _ := new(mime.WordDecoder).DecodeHeader(msgs[0].Header.Get("Subject")); subj != "SRIIM — Resumen semanal del 23/11/2026 al 29/11/2026" {
			t.Errorf("digest subject %q", subj)
		}
		if rep, _ := svc.Digest(ctx, monday.Add(time.Hour)); rep.Sent != 0 {
			t.Errorf("the digest went out twice: %+v", rep)
		}

		// Urgent: the SNE document, at once, once.
		rep, err = svc.Urgent(ctx)
		if err != nil || rep.Sent != 1 {
			t.Fatalf("urgent: %+v %v", rep, err)
		}
		_, bodies = box.take()
		if !strings.Contains(bodies[0], "Estudio del loco") || strings.Contains(bodies[0], "Veda del pulpo") {
			t.Errorf("urgent mail:\n%s", bodies[0])
		}
		if rep, _ := svc.Urgent(ctx); rep.Sent != 0 {
			t.Errorf("an urgent mail went out twice")
		}
		// A member who joins after an item was published is not sent it at once.
		if err := svc.Subscribe(ctx, "luis@example.org", "es", []network.Subscription{{Topic: "documents", Urgent: true}}, "10.0.0.4"); err != nil {
			t.Fatal(err)
		}
		_, bodies = box.take()
		if _, err := svc.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath))); err != nil {
			t.Fatal(err)
		}
		if rep, _ := svc.Urgent(ctx); rep.Sent != 0 {
			t.Errorf("urgent mails of what was published before the member joined: %+v", rep)
		}

		// The network's size by year.
		members, err := svc.MembersByYear(ctx, 2025, 2026)
		if err != nil || members[0].Subscribers != 0 || members[1].Subscribers != 2 || members[1].Institutions == 0 {
			t.Errorf("members: %+v %v", members, err)
		}

		// One click unsubscribes, and the address is forgotten; a second click changes nothing.
		svc.Now = func() time.Time { return time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC) }
		if err := svc.Unsubscribe(ctx, tokenOf(t, unsubscribe)); err != nil {
			t.Fatal(err)
		}
		if err := svc.Unsubscribe(ctx, tokenOf(t, unsubscribe)); err != nil {
			t.Errorf("unsubscribing again: %v", err)
		}
		var left int
		_ = d.Read().QueryRow("SELECT count(*) FROM network_subscribers WHERE email = 'ana@example.org'").Scan(&left)
		if left != 0 {
			t.Errorf("the address is kept after unsubscribing")
		}
		if rep, _ := svc.Digest(ctx, monday.AddDate(0, 0, 7)); rep.Sent != 0 || rep.Subscribers != 1 {
			t.Errorf("mail after unsubscribing: %+v", rep)
		}
		if members, _ := svc.MembersByYear(ctx, 2026, 2027); members[0].Subscribers != 2 || members[1].Subscribers != 1 {
			t.Errorf("members, unsubscribed in 2027: %+v", members)
		}
	})
}

func TestSubscriptionsWithoutMail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		off := network.New(d, nil, "https://sriim.example.org")
		off.Now = func() time.Time { return monday }
		if off.MailOn() {
			t.Fatal("mail on without SMTP")
		}
		if err := off.Subscribe(ctx, "luis@example.org", "en", []network.Subscription{{Topic: "closures", Species: "QDM"}}, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if rep, err := off.Digest(ctx, monday); err != nil || !rep.MailOff {
			t.Errorf("digest without mail: %+v %v", rep, err)
		}
		// Once mail is configured, the waiting confirmation goes out.
		box, sender := startSMTP(t)
		on := network.New(d, sender, "https://sriim.example.org")
		on.Now = off.Now
		if n, err := on.SendPendingConfirmations(ctx); err != nil || n != 1 {
			t.Fatalf("pending confirmations: %d %v", n, err)
		}
		if n, _ := on.SendPendingConfirmations(ctx); n != 0 {
			t.Errorf("a confirmation went out twice")
		}
		msgs, bodies := box.take()
		if len(msgs) != 1 || !strings.Contains(bodies[0], "Closures and fishing bans (QDM)") {
			t.Fatalf("confirmation in English: %v", bodies)
		}
		if _, err := on.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath))); err != nil {
			t.Fatal(err)
		}
		// Too many requests for one address.
		for i := range network.MaxPerEmail + 1 {
			err := on.Subscribe(ctx, "luis@example.org", "en", []network.Subscription{{Topic: "news"}}, "10.0.0.3")
			if i < network.MaxPerEmail-1 && err != nil {
				t.Fatal(err)
			}
			if i == network.MaxPerEmail && !errs.Is(err, errs.TooManyRequests) {
				t.Errorf("request %d: %v", i+1, err)
			}
		}
	})
}

// An IPv6 client is limited for its whole /64: a fresh address of it for
// each request does not get past MaxPerClient.
func TestClientLimitCountsTheSlash64(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		svc := network.New(d, nil, "")
		news := []network.Subscription{{Topic: "news"}}
		for i := range network.MaxPerClient {
			if err := svc.Subscribe(ctx, fmt.Sprintf("p%d@example.org", i), "es", news, fmt.Sprintf("2001:db8:5:6::%x", i+1)); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if err := svc.Subscribe(ctx, "last@example.org", "es", news, "2001:db8:5:6:ffff::1"); !errs.Is(err, errs.TooManyRequests) {
			t.Errorf("a fresh address of the same /64: %v", err)
		}
		if err := svc.Subscribe(ctx, "last@example.org", "es", news, "2001:db8:5:7::1"); err != nil {
			t.Errorf("another /64: %v", err)
		}
	})
}

// TestMembersSource: the network's members as a plan indicator, by kind of
// member, and a kind it does not know refused.
func TestMembersSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		svc := network.New(d, nil, "")
		src := svc.Source()
		if src.ID() != "archive.network_members" {
			t.Fatalf("id %q", src.ID())
		}
		members, err := svc.MembersByYear(ctx, 2026, 2026)
		if err != nil {
			t.Fatal(err)
		}
		m := members[0]
		for member, want := range map[string]int{"": m.Subscribers, "institutions": m.Institutions, "accounts": m.Accounts,
			"all": m.Subscribers + m.Institutions + m.Accounts} {
			q := indicators.Query{From: 2026, To: 2026, Params: url.Values{}}
			if member != "" {
				q.Params.Set("member", member)
			}
			res, err := src.Compute(ctx, q)
			if err != nil || res.Values[2026] != float64(want) {
				t.Errorf("member=%q: %v %v, want %d", member, res.Values, err, want)
			}
		}
		if m.Institutions == 0 {
			t.Error("the seed's institutions are not counted")
		}
		if _, err := src.Compute(ctx, indicators.Query{From: 2026, To: 2026, Params: url.Values{"member": {"fans"}}}); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown kind of member: %v", err)
		}
	})
}

// TestManageSubscription: every mail links to the subscriber's page (the
// same standing token as its unsubscribe link), where the subscriber
// changes topics, species, immediate notices and the digest, audited; a
// wrong token, or that of an address gone, is refused.
func TestManageSubscription(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		box, sender := startSMTP(t)
		svc := network.New(d, sender, "https://sriim.example.org")
		svc.Now = func() time.Time { return monday.AddDate(0, 0, -10) }
		sources(svc)
		if err := svc.Subscribe(ctx, "ana@example.org", "es", []network.Subscription{{Topic: "news"}}, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		_, bodies := box.take()
		manage, unsubscribe := link(t, bodies[0], network.ManagePath), link(t, bodies[0], network.UnsubscribePath)
		if !strings.HasPrefix(manage, "https://sriim.example.org/red/suscripcion?token=") || tokenOf(t, manage) != tokenOf(t, unsubscribe) {
			t.Fatalf("the confirmation's link to the subscriber's page: %q (unsubscribe %q)", manage, unsubscribe)
		}
		tok := tokenOf(t, manage)
		confirmed, err := svc.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath)))
		if err != nil || confirmed.Token != tok {
			t.Fatalf("confirm: %v, token %q", err, confirmed.Token)
		}

		for _, bad := range []string{"", "not-a-token", tok + "0"} {
			if _, err := svc.Manage(ctx, bad); !errs.Is(err, errs.NotFound) {
				t.Errorf("token %q: %v", bad, err)
			}
			if _, err := svc.Update(ctx, bad, []network.Subscription{{Topic: "news"}}, true, ""); !errs.Is(err, errs.NotFound) {
				t.Errorf("update with token %q: %v", bad, err)
			}
		}
		sub, err := svc.Manage(ctx, tok)
		if err != nil || sub.Email != "ana@example.org" || !sub.Digest || len(sub.Subscriptions) != 1 {
			t.Fatalf("manage: %+v %v", sub, err)
		}
		if _, err := svc.Update(ctx, tok, nil, true, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("nothing followed: %v", err)
		}
		audits := func() int {
			var n int
			if err := d.Read().QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE entity = 'network_subscriber' AND entity_id = $1", strconv.FormatInt(sub.ID, 10)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := audits()
		// Documents about SNE at once, no news, no digest.
		sub, err = svc.Update(ctx, tok, []network.Subscription{{Topic: "documents", Species: "sne", Urgent: true}}, false, "")
		if err != nil || sub.Digest || len(sub.Subscriptions) != 1 || sub.Subscriptions[0] != (network.Subscription{Topic: "documents", Species: "SNE", Urgent: true}) {
			t.Fatalf("update: %+v %v", sub, err)
		}
		if audits() != before+1 {
			t.Errorf("the change is not in the audit log")
		}
		svc.Now = func() time.Time { return monday }
		if rep, err := svc.Digest(ctx, monday); err != nil || rep.Sent != 0 {
			t.Errorf("a digest to a member who turned it off: %+v %v", rep, err)
		}
		rep, err := svc.Urgent(ctx)
		if err != nil || rep.Sent != 1 {
			t.Fatalf("urgent: %+v %v", rep, err)
		}
		_, bodies = box.take()
		if !strings.Contains(bodies[0], "Estudio del loco") || link(t, bodies[0], network.ManagePath) != manage {
			t.Errorf("urgent mail, with the link to the subscriber's page:\n%s", bodies[0])
		}
		// The digest back on: it holds the SNE document, not the news.
		if _, err := svc.Update(ctx, tok, sub.Subscriptions, true, ""); err != nil {
			t.Fatal(err)
		}
		if rep, err := svc.Digest(ctx, monday); err != nil || rep.Sent != 1 {
			t.Fatalf("digest: %+v %v", rep, err)
		}
		_, bodies = box.take()
		if !strings.Contains(bodies[0], "Estudio del loco") || strings.Contains(bodies[0], "Veda del pulpo") || link(t, bodies[0], network.ManagePath) != manage {
			t.Errorf("digest after the change:\n%s", bodies[0])
		}

		// Gone: the link no longer works.
		if err := svc.Unsubscribe(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Manage(ctx, tok); !errs.Is(err, errs.NotFound) || !strings.Contains(err.Error(), "unsubscribed") {
			t.Errorf("the page of an address gone: %v", err)
		}
		if _, err := svc.Update(ctx, tok, []network.Subscription{{Topic: "news"}}, true, ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("a change after unsubscribing: %v", err)
		}
	})
}

// A subscriber who uses the link of its confirmation mail to choose, rather
// than the confirmation link, is confirmed by it: the link proves the address.
func TestManageConfirmsAPendingAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		box, sender := startSMTP(t)
		svc := network.New(d, sender, "https://sriim.example.org")
		svc.Now = func() time.Time { return monday }
		if err := svc.Subscribe(ctx, "luis@example.org", "en", []network.Subscription{{Topic: "closures", Species: "QDM"}}, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		_, bodies := box.take()
		tok := tokenOf(t, link(t, bodies[0], network.ManagePath))
		sub, err := svc.Manage(ctx, tok)
		if err != nil || sub.State != "pending" || len(sub.Pending) != 1 {
			t.Fatalf("a pending address's page: %+v %v", sub, err)
		}
		sub, err = svc.Update(ctx, tok, []network.Subscription{{Topic: "news"}}, true, "")
		if err != nil || sub.State != "active" || sub.ConfirmedAt == nil || len(sub.Pending) != 0 || len(sub.Subscriptions) != 1 {
			t.Fatalf("update: %+v %v", sub, err)
		}
		// The confirmation link asked for the old choice: it is spent.
		if _, err := svc.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath))); !errs.Is(err, errs.NotFound) {
			t.Errorf("the confirmation link still works: %v", err)
		}
	})
}

// Anyone may type a member's address in the public form: the language it
// asks for waits, as the subscriptions do, for the address to confirm, and
// the member's mails (the confirmation too) keep their language until then.
// The member's own page changes the language at once.
func TestLanguageWaitsForConfirmation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		box, sender := startSMTP(t)
		svc := network.New(d, sender, "https://sriim.example.org")
		svc.Now = func() time.Time { return monday.AddDate(0, 0, -10) }
		sources(svc)
		subject := func(m *mail.Message) string {
			s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			return s
		}
		news := []network.Subscription{{Topic: "news"}}
		if err := svc.Subscribe(ctx, "ana@example.org", "es", news, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		_, bodies := box.take()
		tok := tokenOf(t, link(t, bodies[0], network.ManagePath))
		if _, err := svc.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath))); err != nil {
			t.Fatal(err)
		}

		// Someone else asks for English: the member's mails stay Spanish.
		svc.Now = func() time.Time { return monday.AddDate(0, 0, -1) }
		if err := svc.Subscribe(ctx, "ana@example.org", "en", news, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		msgs, bodies := box.take()
		if len(msgs) != 1 || subject(msgs[0]) != i18n.T(i18n.ES, "network.confirm_subject") {
			t.Fatalf("the confirmation of a request for English to a Spanish member: %d mails, %q", len(msgs), subject(msgs[0]))
		}
		confirm := tokenOf(t, link(t, bodies[0], network.ConfirmPath))
		sub, err := svc.Manage(ctx, tok)
		if err != nil || sub.Lang != "es" || sub.PendingLang != "en" {
			t.Fatalf("before the confirmation: lang %q, pending %q, %v", sub.Lang, sub.PendingLang, err)
		}
		svc.Now = func() time.Time { return monday }
		if rep, err := svc.Digest(ctx, monday); err != nil || rep.Sent != 1 {
			t.Fatalf("digest: %+v %v", rep, err)
		}
		msgs, bodies = box.take()
		if !strings.Contains(bodies[0], "Veda del pulpo") || !strings.HasPrefix(subject(msgs[0]), "SRIIM — Resumen semanal") {
			t.Errorf("the digest before the confirmation is not in Spanish: %q\n%s", subject(msgs[0]), bodies[0])
		}

		// The owner confirms: English from then on.
		sub, err = svc.Confirm(ctx, confirm)
		if err != nil || sub.Lang != "en" || sub.PendingLang != "" {
			t.Fatalf("confirm: lang %q, pending %q, %v", sub.Lang, sub.PendingLang, err)
		}

		// A request for Spanish, then the member's page keeps English: the
		// request's language is dropped with it. Its confirmation is in
		// English, the member's language now.
		if err := svc.Subscribe(ctx, "ana@example.org", "es", news, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		msgs, bodies = box.take()
		if len(msgs) != 1 || subject(msgs[0]) != i18n.T(i18n.EN, "network.confirm_subject") {
			t.Fatalf("the confirmation of a request for Spanish to an English member: %d mails, %q", len(msgs), subject(msgs[0]))
		}
		if sub, err = svc.Update(ctx, tok, news, true, ""); err != nil || sub.Lang != "en" || sub.PendingLang != "" {
			t.Fatalf("the page, keeping the language: lang %q, pending %q, %v", sub.Lang, sub.PendingLang, err)
		}
		if _, err := svc.Confirm(ctx, tokenOf(t, link(t, bodies[0], network.ConfirmPath))); !errs.Is(err, errs.NotFound) {
			t.Errorf("the request's confirmation still works after the page's change: %v", err)
		}
		// The member's page changes it at once; nonsense keeps it.
		if sub, err = svc.Update(ctx, tok, news, true, "es"); err != nil || sub.Lang != "es" {
			t.Fatalf("the page, to Spanish: lang %q, %v", sub.Lang, err)
		}
		if sub, err = svc.Update(ctx, tok, news, true, "fr"); err != nil || sub.Lang != "es" {
			t.Fatalf("the page, with an unknown language: lang %q, %v", sub.Lang, err)
		}

		// An address never confirmed has no language to keep: the latest
		// request's is that of its confirmation.
		if err := svc.Subscribe(ctx, "luis@example.org", "es", news, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Subscribe(ctx, "luis@example.org", "en", news, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		msgs, bodies = box.take()
		if len(msgs) != 2 || subject(msgs[1]) != i18n.T(i18n.EN, "network.confirm_subject") {
			t.Fatalf("the second confirmation of a pending address: %d mails", len(msgs))
		}
		if sub, err = svc.Confirm(ctx, tokenOf(t, link(t, bodies[1], network.ConfirmPath))); err != nil || sub.Lang != "en" {
			t.Fatalf("confirm a pending address: lang %q, %v", sub.Lang, err)
		}
	})
}

// fieldOf is the message an Invalid error gives for field.
func fieldOf(err error, field string) string {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid {
		return ""
	}
	return e.Fields[field]
}

// What one asks to follow is bounded: species beyond MaxSpecies are named as
// such (not as a wrong code), repeats are dropped, species are checked all
// at once, and an address longer than an address may be is refused before
// it is parsed; the subscriber's page takes the same bounds.
func TestSubscriptionsAreBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		svc := network.New(d, nil, "")
		svc.Now = func() time.Time { return monday }
		var many []network.Subscription
		for i := range network.MaxSpecies + 1 {
			many = append(many, network.Subscription{Topic: "news", Species: fmt.Sprintf("X%02d", i)})
		}
		err := svc.Subscribe(ctx, "ana@example.org", "es", many, "10.0.0.1")
		if got := fieldOf(err, "species"); !strings.Contains(got, "at most 50 species") {
			t.Errorf("%d species: %v (%q); want at most 50", len(many), err, got)
		}
		if network.MaxSpecies != 50 {
			t.Errorf("MaxSpecies is %d: the message says 50", network.MaxSpecies)
		}
		if got := fieldOf(svc.Subscribe(ctx, "ana@example.org", "es", many[:3], "10.0.0.1"), "species"); got != "a species code (SNE, SCQ…)" {
			t.Errorf("unknown species: %q", got)
		}
		mixed := []network.Subscription{{Topic: "news", Species: "SNE"}, {Topic: "news", Species: "sne"}, {Topic: "news", Species: "SCQ"}, {Topic: "news", Species: "X99"}}
		if got := fieldOf(svc.Subscribe(ctx, "ana@example.org", "es", mixed, "10.0.0.1"), "species"); got != "a species code (SNE, SCQ…)" {
			t.Errorf("known species and one unknown: %q", got)
		}
		var repeated []network.Subscription
		for range 1000 {
			repeated = append(repeated, network.Subscription{Topic: "closures", Species: "SNE"}, network.Subscription{Topic: "closures", Species: " sne "})
		}
		if err := svc.Subscribe(ctx, "ana@example.org", "es", repeated, "10.0.0.1"); err != nil {
			t.Fatalf("a repeated choice: %v", err)
		}
		var pending string
		if err := d.Read().QueryRowContext(ctx, "SELECT pending FROM network_subscribers WHERE email = 'ana@example.org'").Scan(&pending); err != nil ||
			pending != `[{"topic":"closures","species":"SNE"}]` {
			t.Errorf("kept %s, %v; want one subscription", pending, err)
		}
		long := strings.Repeat("a", 250) + "@example.org"
		if got := fieldOf(svc.Subscribe(ctx, long, "es", repeated[:1], "10.0.0.1"), "email"); !strings.Contains(got, "at most 254 characters") {
			t.Errorf("an address of %d characters: %q", len(long), got)
		}
		for _, bad := range []string{"ana@", "unsubscribed-1@invalid", "ana@example.invalid"} {
			if got := fieldOf(svc.Subscribe(ctx, bad, "es", repeated[:1], "10.0.0.1"), "email"); got != "a valid e-mail address" {
				t.Errorf("%s: %q", bad, got)
			}
		}

		// The subscriber's page: the same bounds.
		if err := svc.Subscribe(ctx, "luis@example.org", "es", repeated[:1], "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		var tok string
		if err := d.Read().QueryRowContext(ctx, "SELECT unsubscribe_token FROM network_subscribers WHERE email = 'luis@example.org'").Scan(&tok); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, tok, many, true, ""); !strings.Contains(fieldOf(err, "species"), "at most 50 species") {
			t.Errorf("the page, %d species: %v", len(many), err)
		}
		sub, err := svc.Update(ctx, tok, repeated, true, "")
		if err != nil || len(sub.Subscriptions) != 1 {
			t.Errorf("the page, a repeated choice: %+v %v", sub.Subscriptions, err)
		}
	})
}

// both runs f and g at once and returns their errors.
func both(f, g func() error) (error, error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	var ef, eg error
	wg.Add(2)
	go func() { defer wg.Done(); <-start; ef = f() }()
	go func() { defer wg.Done(); <-start; eg = g() }()
	close(start)
	wg.Wait()
	return ef, eg
}

// Two presses at once of the confirmation button, two saves of the
// subscriber's page, or a save and an unsubscribe, end as one of them alone
// would, never in an error of the database: each locks the subscriber's row
// before it writes its subscriptions.
func TestLinksFollowedAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		setup(t, d)
		ctx := context.Background()
		box, sender := startSMTP(t)
		svc := network.New(d, sender, "https://sriim.example.org")
		svc.Now = func() time.Time { return monday }
		for i := range 4 {
			email := fmt.Sprintf("r%d@example.org", i)
			if err := svc.Subscribe(ctx, email, "es", []network.Subscription{{Topic: "news"}, {Topic: "documents"}}, "10.1.0."+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			_, bodies := box.take()
			confirm, tok := tokenOf(t, link(t, bodies[0], network.ConfirmPath)), tokenOf(t, link(t, bodies[0], network.ManagePath))
			confirmOnce := func() error { _, err := svc.Confirm(ctx, confirm); return err }
			e1, e2 := both(confirmOnce, confirmOnce)
			if (e1 == nil) == (e2 == nil) || !errs.Is(errors.Join(e1, e2), errs.NotFound) {
				t.Fatalf("two confirmations at once: %v, %v; want one, and one spent link", e1, e2)
			}
			save := func() error {
				_, err := svc.Update(ctx, tok, []network.Subscription{{Topic: "closures", Species: "SNE"}, {Topic: "news"}}, true, "")
				return err
			}
			if e1, e2 := both(save, save); e1 != nil || e2 != nil {
				t.Fatalf("two saves at once: %v, %v", e1, e2)
			}
			if sub, err := svc.Manage(ctx, tok); err != nil || len(sub.Subscriptions) != 2 {
				t.Fatalf("after two saves: %+v %v", sub.Subscriptions, err)
			}
			e1, e2 = both(save, func() error { return svc.Unsubscribe(ctx, tok) })
			if (e1 != nil && !errs.Is(e1, errs.NotFound)) || e2 != nil {
				t.Fatalf("a save and an unsubscribe at once: %v, %v", e1, e2)
			}
			var state string
			var left int
			if err := d.Read().QueryRowContext(ctx, `SELECT s.state, (SELECT count(*) FROM network_subscriptions x WHERE x.subscriber_id = s.id)
				FROM network_subscribers s WHERE s.unsubscribe_token = $1`, tok).Scan(&state, &left); err != nil || state != "unsubscribed" || left != 0 {
				t.Fatalf("after a save and an unsubscribe: %s with %d subscriptions, %v", state, left, err)
			}
		}
	})
}
