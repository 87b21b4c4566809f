// Package network is the mollusc information network (seed activity
// 1.1.3): anyone may subscribe with an e-mail address — no account — to the
// news, the archive's new documents, the market reports and the closures,
// for all species or some; a weekly digest goes to every subscriber, and an
// immediate mail for what they mark urgent.
//
// Subscriptions are confirmed by a link mailed to the address (double
// opt-in), whose page asks before confirming (ToConfirm, then Confirm);
// every mail carries a one-click unsubscribe link, also in the
// List-Unsubscribe and List-Unsubscribe-Post headers (RFC 2369, RFC 8058),
// and a link to the subscriber's page, where it changes what it follows.
// Both links carry the subscriber's standing token, which stops working
// when the address unsubscribes.
// Without SMTP, subscriptions are stored and their confirmations wait until
// mail is configured (MailOn says so).
//
// What is announced comes from Sources that internal/app wires (the
// archive's news and documents, the market reports, the closures): this
// package reads no other module.
package network

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	sriimmail "sriim/internal/mail"
	"sriim/internal/ratelimit"
)

// Topics a subscriber may follow.
var Topics = []string{"news", "documents", "market_reports", "closures"}

// Subscription is a topic followed, for one species or all (""); urgent
// ones are mailed at once, besides the weekly digest.
type Subscription struct {
	Topic   string `json:"topic"`
	Species string `json:"species,omitempty"`
	Urgent  bool   `json:"urgent,omitempty"`
}

// matches reports whether an item of a topic, about species, is one the
// subscription follows.
func (s Subscription) matches(it Item) bool {
	return s.Topic == it.Topic && (s.Species == "" || slices.Contains(it.Species, s.Species))
}

// Subscriber is an address of the network.
type Subscriber struct {
	ID    int64  `json:"id"`
	Email string `json:"-"`
	Lang  string `json:"lang"`
	// PendingLang is the language a request waiting for confirmation asks
	// for, when it differs from a member's: it takes effect only when the
	// address confirms.
	PendingLang   string         `json:"pending_lang,omitempty"`
	State         string         `json:"state"` // pending, active, unsubscribed
	Subscriptions []Subscription `json:"subscriptions"`
	Pending       []Subscription `json:"pending,omitempty"` // asked for, not confirmed yet
	Digest        bool           `json:"digest"`            // gets the weekly digest (urgent mails go anyway)
	CreatedAt     time.Time      `json:"created_at"`
	ConfirmedAt   *time.Time     `json:"confirmed_at,omitempty"`
	Version       int64          `json:"version"`
	// Token is the standing token of the subscriber's links (its page and
	// unsubscribing); only Confirm and Manage fill it, for the page's links.
	Token string `json:"-"`
}

// Item is something the network announces: a news item, a new document, a
// market report, a closure.
type Item struct {
	Ref     string    // unique across topics: "news:12", "document:7"
	Topic   string    // one of Topics
	Species []string  // the species it is about (none: about all)
	Title   string    // in the language asked for
	Summary string    // in the language asked for
	Path    string    // its page, relative to the public address
	At      time.Time // when it was published
}

// Source lists the items of a topic published in [from, to), public ones
// only, with their text in lang.
type Source func(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]Item, error)

// Service is the information network.
type Service struct {
	db      *db.DB
	mailer  sriimmail.MessageSender
	base    string
	sources map[string]Source
	Log     *slog.Logger
	Now     func() time.Time
}

// New returns the network service. mailer is nil when no SMTP is
// configured; publicURL is the address links in mails are built on.
func New(d *db.DB, mailer sriimmail.MessageSender, publicURL string) *Service {
	return &Service{db: d, mailer: mailer, base: strings.TrimSuffix(publicURL, "/"), sources: map[string]Source{},
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Now().UTC() }}
}

// AddSource gives the network what to announce for a topic.
func (s *Service) AddSource(topic string, src Source) { s.sources[topic] = src }

// MailOn reports whether the network can mail: an SMTP server and the
// public address for the links are configured. Without it, subscriptions
// are stored and wait.
func (s *Service) MailOn() bool { return s.mailer != nil && s.base != "" }

// The addresses of the network's pages (served by the web layer), relative
// to the public address.
const (
	ConfirmPath     = "/red/confirmar"
	UnsubscribePath = "/red/baja"
	ManagePath      = "/red/suscripcion"
)

// Limits on subscribing: per address subscribed and per client address, an hour.
const (
	MaxPerEmail  = 3
	MaxPerClient = 20
)

// MaxSpecies bounds the species a subscriber names (the region has a few
// dozen): whoever wants more follows every species, by naming none. The
// message of a subscription beyond it says the number.
const MaxSpecies = 50

// maxCode bounds a species code (FAO 3-alpha codes; the catalogue's
// longest is shorter), so that nothing longer reaches the database.
const maxCode = 16

// MaxEmail bounds an address (RFC 5321's path of 256 octets, less its
// angle brackets).
const MaxEmail = 254

// ConfirmFor is how long a confirmation link works.
const ConfirmFor = 7 * 24 * time.Hour

func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

const subscriberColumns = "id, email, lang, pending_lang, state, pending, digest, created_at, confirmed_at, version"

func scanSubscriber(row interface{ Scan(...any) error }) (Subscriber, error) {
	var sub Subscriber
	var pending string
	var confirmed sql.NullTime
	err := row.Scan(&sub.ID, &sub.Email, &sub.Lang, &sub.PendingLang, &sub.State, &pending, &sub.Digest, &sub.CreatedAt, &confirmed, &sub.Version)
	if confirmed.Valid {
		t := confirmed.Time.UTC()
		sub.ConfirmedAt = &t
	}
	if pending != "" {
		_ = json.Unmarshal([]byte(pending), &sub.Pending)
	}
	sub.Subscriptions = []Subscription{}
	return sub, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func subscriptions(ctx context.Context, q querier, sub *Subscriber) error {
	rows, err := q.QueryContext(ctx, "SELECT topic, species, urgent FROM network_subscriptions WHERE subscriber_id = $1 ORDER BY topic, species", sub.ID)
	if err != nil {
		return errs.Wrap(err, "read subscriptions")
	}
	defer rows.Close()
	for rows.Next() {
		var x Subscription
		if err := rows.Scan(&x.Topic, &x.Species, &x.Urgent); err != nil {
			return errs.Wrap(err, "read subscriptions")
		}
		sub.Subscriptions = append(sub.Subscriptions, x)
	}
	return errs.Wrap(rows.Err(), "read subscriptions")
}

// Subscribe asks to subscribe email to subs, in lang; client is the
// requester's address (for the limits). Nothing is mailed but the
// confirmation until the link in it is followed; an address subscribed
// already keeps what it follows, and the language of its mails (that of
// the confirmation too), until then: anyone may type a member's address. The answer is the same whether
// the address was known or not.
func (s *Service) Subscribe(ctx context.Context, email, lang string, subs []Subscription, client string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	problems := map[string]string{}
	if len(email) > MaxEmail {
		problems["email"] = "a valid e-mail address, of at most 254 characters"
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || strings.HasSuffix(email, ".invalid") || strings.HasSuffix(email, "@invalid") {
		// .invalid (RFC 2606) is no one's: unsubscribing rewrites an
		// address to one there, which nobody may subscribe again.
		problems["email"] = "a valid e-mail address"
	}
	if _, ok := i18n.Parse(lang); !ok || (lang != "es" && lang != "en") {
		lang = "es"
	}
	clean, err := s.checkSubscriptions(ctx, subs)
	if err != nil {
		return err
	}
	if len(clean) == 0 {
		problems["topics"] = "follow at least one topic"
	}
	if len(problems) > 0 {
		return errs.Fields("the subscription has invalid fields", problems)
	}
	pending, _ := json.Marshal(clean)
	now := s.Now()
	var send *Subscriber
	var tok string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, lim := range []struct {
			key string
			max int
		}{{"network:email:" + hash(email), MaxPerEmail}, {"network:client:" + ratelimit.Client(client), MaxPerClient}} {
			n, err := ratelimit.Hit(ctx, tx, lim.key, time.Hour, now)
			if err != nil {
				return err
			}
			if n > lim.max {
				return errs.E(errs.TooManyRequests, "too many subscription requests; try again in an hour")
			}
		}
		before, err := scanSubscriber(tx.QueryRowContext(ctx, "SELECT "+subscriberColumns+" FROM network_subscribers WHERE email = $1", email))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return errs.Wrap(err, "read subscriber")
		}
		confirmHash, expires := "", sql.NullTime{}
		if s.MailOn() {
			tok = token()
			confirmHash, expires = hash(tok), sql.NullTime{Time: now.Add(ConfirmFor), Valid: true}
		}
		var id int64
		action := audit.Update
		if errors.Is(err, sql.ErrNoRows) {
			action = audit.Create
			err = tx.QueryRowContext(ctx, `INSERT INTO network_subscribers (email, lang, state, confirm_hash, pending, confirm_expires, unsubscribe_token, created_at)
				VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7) RETURNING id`, email, lang, confirmHash, string(pending), expires, token(), now).Scan(&id)
		} else {
			id = before.ID
			// A member's language waits for the confirmation; an address never
			// confirmed has no language of its own yet to keep.
			current, asked := lang, ""
			if before.State == "active" {
				current = before.Lang
				if lang != before.Lang {
					asked = lang
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE network_subscribers SET lang = $1, pending_lang = $2, confirm_hash = $3, pending = $4, confirm_expires = $5,
				version = version + 1 WHERE id = $6`, current, asked, confirmHash, string(pending), expires, id)
		}
		if err != nil {
			return errs.Wrap(err, "save subscription")
		}
		after, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		send = &after
		var b any
		if action == audit.Update {
			b = before
		}
		// Anonymous, and the address left out: the log is kept for ever.
		return audit.Record(ctx, tx, auth.Principal{}, action, "network_subscriber", id, b, after)
	})
	if err != nil || !s.MailOn() {
		return err
	}
	return s.sendConfirmation(ctx, *send, tok)
}

// checkSubscriptions validates the topics and species asked for, drops
// those asked twice, and checks the species in one query.
func (s *Service) checkSubscriptions(ctx context.Context, subs []Subscription) ([]Subscription, error) {
	type key struct{ topic, species string }
	seen := map[key]bool{}
	var out []Subscription
	var codes []string
	for _, x := range subs {
		x.Species = strings.ToUpper(strings.TrimSpace(x.Species))
		if !slices.Contains(Topics, x.Topic) {
			return nil, errs.Fields("the subscription has invalid fields", map[string]string{"topics": "news, documents, market_reports or closures"})
		}
		if seen[key{x.Topic, x.Species}] {
			continue
		}
		seen[key{x.Topic, x.Species}] = true
		if x.Species != "" && !slices.Contains(codes, x.Species) {
			if len(codes) == MaxSpecies {
				return nil, errs.Fields("the subscription has invalid fields", map[string]string{"species": "at most 50 species; to follow every species, mark none"})
			}
			if len(x.Species) > maxCode {
				return nil, errs.Fields("the subscription has invalid fields", map[string]string{"species": "a species code (SNE, SCQ…)"})
			}
			codes = append(codes, x.Species)
		}
		out = append(out, x)
	}
	if len(codes) == 0 {
		return out, nil
	}
	marks := make([]string, len(codes))
	args := make([]any, len(codes))
	for i, c := range codes {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), c
	}
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM species WHERE code IN ("+strings.Join(marks, ", ")+")", args...).Scan(&n); err != nil {
		return nil, errs.Wrap(err, "read species")
	}
	if n != len(codes) {
		return nil, errs.Fields("the subscription has invalid fields", map[string]string{"species": "a species code (SNE, SCQ…)"})
	}
	return out, nil
}

func (s *Service) get(ctx context.Context, q querier, id int64) (Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRowContext(ctx, "SELECT "+subscriberColumns+" FROM network_subscribers WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, errs.E(errs.NotFound, "no subscriber %d", id)
	}
	if err != nil {
		return sub, errs.Wrap(err, "read subscriber")
	}
	return sub, subscriptions(ctx, q, &sub)
}

// maxToken bounds a token read from a link: those made here are 64
// characters; anything longer is not looked up.
const maxToken = 128

// confirming reads the subscriber a confirmation token is for, while the
// token is valid.
func (s *Service) confirming(ctx context.Context, q querier, tok string) (Subscriber, error) {
	var id int64
	var expires sql.NullTime
	err := sql.ErrNoRows
	if tok != "" && len(tok) <= maxToken {
		err = q.QueryRowContext(ctx, "SELECT id, confirm_expires FROM network_subscribers WHERE confirm_hash = $1 AND confirm_hash <> ''",
			hash(tok)).Scan(&id, &expires)
	}
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!expires.Valid || !s.Now().Before(expires.Time))) {
		return Subscriber{}, errs.E(errs.NotFound, "this confirmation link is not valid (any more): subscribe again")
	}
	if err != nil {
		return Subscriber{}, errs.Wrap(err, "read subscriber")
	}
	return s.get(ctx, q, id)
}

// ToConfirm reads what a confirmation link would confirm, changing
// nothing: opening the link (a mail scanner does) only asks, and the
// page's button confirms (Confirm).
func (s *Service) ToConfirm(ctx context.Context, tok string) (Subscriber, error) {
	return s.confirming(ctx, s.db.Read(), tok)
}

// Confirm follows a confirmation link: the address becomes (or stays) a
// member, following what it last asked for, in the language it asked for.
func (s *Service) Confirm(ctx context.Context, tok string) (Subscriber, error) {
	var out Subscriber
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.confirming(ctx, tx, tok)
		if err != nil {
			return err
		}
		id := before.ID
		var standing string
		if err := tx.QueryRowContext(ctx, "SELECT unsubscribe_token FROM network_subscribers WHERE id = $1", id).Scan(&standing); err != nil {
			return errs.Wrap(err, "read subscriber")
		}
		confirmed := sql.NullTime{Time: s.Now(), Valid: true}
		if before.ConfirmedAt != nil && before.State == "active" {
			confirmed.Time = *before.ConfirmedAt
		}
		// Claimed by spending the token first: of two clicks at once (or a
		// new request meanwhile), one confirms and the other finds it spent.
		lang := before.Lang
		if before.PendingLang != "" {
			lang = before.PendingLang
		}
		res, err := tx.ExecContext(ctx, `UPDATE network_subscribers SET state = 'active', lang = $1, pending_lang = '', confirm_hash = '', confirm_expires = NULL,
			pending = '', confirmed_at = $2, version = version + 1 WHERE id = $3 AND confirm_hash = $4`, lang, confirmed, id, hash(tok))
		if err != nil {
			return errs.Wrap(err, "save subscription")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.NotFound, "this confirmation link is not valid (any more): subscribe again")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM network_subscriptions WHERE subscriber_id = $1", id); err != nil {
			return errs.Wrap(err, "save subscription")
		}
		for _, x := range before.Pending {
			if _, err := tx.ExecContext(ctx, "INSERT INTO network_subscriptions (subscriber_id, topic, species, urgent) VALUES ($1, $2, $3, $4)",
				id, x.Topic, x.Species, x.Urgent); err != nil {
				return errs.Wrap(err, "save subscription")
			}
		}
		if out, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		out.Token = standing
		return audit.Record(ctx, tx, auth.Principal{}, audit.Update, "network_subscriber", id, before, out)
	})
	return out, err
}

// byToken reads the subscriber whose standing token (that of the links in
// its mails) is tok; an address that unsubscribed has none any more.
func (s *Service) byToken(ctx context.Context, q querier, tok string) (Subscriber, error) {
	if tok == "" || len(tok) > maxToken {
		return Subscriber{}, errs.E(errs.NotFound, "this link to a subscription is not valid: open the whole link of one of our mails")
	}
	sub, err := scanSubscriber(q.QueryRowContext(ctx, "SELECT "+subscriberColumns+" FROM network_subscribers WHERE unsubscribe_token = $1", tok))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, errs.E(errs.NotFound, "this link to a subscription is not valid: open the whole link of one of our mails")
	}
	if err != nil {
		return sub, errs.Wrap(err, "read subscriber")
	}
	if sub.State == "unsubscribed" {
		return sub, errs.E(errs.NotFound, "this link no longer works: the address was unsubscribed; subscribe again to receive our mails")
	}
	sub.Token = tok
	return sub, subscriptions(ctx, q, &sub)
}

// Manage reads the subscription the link of a mail (its token) leads to,
// for the subscriber's page.
func (s *Service) Manage(ctx context.Context, tok string) (Subscriber, error) {
	return s.byToken(ctx, s.db.Read(), tok)
}

// Update replaces what the subscriber of tok follows, whether it gets the
// weekly digest, and the language of its mails (lang "es" or "en"; anything
// else keeps it). Following the link of a mail proves the address, so an
// address not confirmed yet becomes a member, and a request to change that
// waits for its confirmation is dropped: the latest choice wins.
func (s *Service) Update(ctx context.Context, tok string, subs []Subscription, digest bool, lang string) (Subscriber, error) {
	clean, err := s.checkSubscriptions(ctx, subs)
	if err != nil {
		return Subscriber{}, err
	}
	if len(clean) == 0 {
		return Subscriber{}, errs.Fields("the subscription has invalid fields", map[string]string{"topics": "follow at least one topic, or unsubscribe"})
	}
	var out Subscriber
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.byToken(ctx, tx, tok)
		if err != nil {
			return err
		}
		confirmed := s.Now()
		if before.ConfirmedAt != nil {
			confirmed = *before.ConfirmedAt
		}
		if lang != "es" && lang != "en" {
			lang = before.Lang
		}
		// The subscriber's row first: it is the lock that orders two saves
		// (or a save and an unsubscribe) at once, so that the second replaces
		// the first's subscriptions, or finds the address gone.
		res, err := tx.ExecContext(ctx, `UPDATE network_subscribers SET state = 'active', digest = $1, lang = $2, pending_lang = '', confirmed_at = $3,
			confirm_hash = '', confirm_expires = NULL, pending = '', version = version + 1 WHERE id = $4 AND state <> 'unsubscribed'`, digest, lang, confirmed, before.ID)
		if err != nil {
			return errs.Wrap(err, "save subscription")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.NotFound, "this link no longer works: the address was unsubscribed; subscribe again to receive our mails")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM network_subscriptions WHERE subscriber_id = $1", before.ID); err != nil {
			return errs.Wrap(err, "save subscription")
		}
		for _, x := range clean {
			if _, err := tx.ExecContext(ctx, "INSERT INTO network_subscriptions (subscriber_id, topic, species, urgent) VALUES ($1, $2, $3, $4)",
				before.ID, x.Topic, x.Species, x.Urgent); err != nil {
				return errs.Wrap(err, "save subscription")
			}
		}
		if out, err = s.get(ctx, tx, before.ID); err != nil {
			return err
		}
		out.Token = tok
		return audit.Record(ctx, tx, auth.Principal{}, audit.Update, "network_subscriber", before.ID, before, out)
	})
	return out, err
}

// Unsubscribe follows an unsubscribe link (or a mail client's one-click
// POST): nothing more is mailed, and the address is forgotten. Following
// it again changes nothing.
func (s *Service) Unsubscribe(ctx context.Context, tok string) error {
	if tok == "" || len(tok) > maxToken {
		return errs.E(errs.NotFound, "this unsubscribe link is not valid")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM network_subscribers WHERE unsubscribe_token = $1", tok).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "this unsubscribe link is not valid")
		}
		if err != nil {
			return errs.Wrap(err, "read subscriber")
		}
		before, err := s.get(ctx, tx, id)
		if err != nil || before.State == "unsubscribed" {
			return err
		}
		// The row first, as Update and Confirm do: of two at once, the
		// second finds the address gone.
		res, err := tx.ExecContext(ctx, `UPDATE network_subscribers SET state = 'unsubscribed', email = $1, confirm_hash = '', pending = '', pending_lang = '',
			unsubscribed_at = $2, version = version + 1 WHERE id = $3 AND state <> 'unsubscribed'`, "unsubscribed-"+strconv.FormatInt(id, 10)+"@invalid", s.Now(), id)
		if err != nil {
			return errs.Wrap(err, "unsubscribe")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM network_subscriptions WHERE subscriber_id = $1", id); err != nil {
			return errs.Wrap(err, "unsubscribe")
		}
		after, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, auth.Principal{}, audit.Update, "network_subscriber", id, before, after)
	})
}

// link is an absolute address of the site with a token in its query.
func (s *Service) link(path, tok string) string {
	return s.base + path + "?token=" + url.QueryEscape(tok)
}

// unsubscribeToken reads a subscriber's unsubscribe token.
func (s *Service) unsubscribeToken(ctx context.Context, id int64) (string, error) {
	var tok string
	err := s.db.Read().QueryRowContext(ctx, "SELECT unsubscribe_token FROM network_subscribers WHERE id = $1", id).Scan(&tok)
	return tok, errs.Wrap(err, "read subscriber")
}

// send mails a message of the network to a subscriber, with the links to
// its page and to unsubscribe in its body, and the latter in its headers.
func (s *Service) send(ctx context.Context, sub Subscriber, subject, body string) error {
	tok, err := s.unsubscribeToken(ctx, sub.ID)
	if err != nil {
		return err
	}
	lang := i18n.Lang(sub.Lang)
	unsubscribe := s.link(UnsubscribePath, tok)
	host := s.base
	if u, err := url.Parse(s.base); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	return s.mailer.SendMessage(ctx, sriimmail.Message{
		To: sub.Email, Subject: subject, Body: body + "\n\n-- \n" + i18n.T(lang, "network.footer", s.link(ManagePath, tok), unsubscribe) + "\n",
		Headers: map[string]string{
			"List-Id":               "<red." + host + ">",
			"List-Unsubscribe":      "<" + unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	})
}

// sendConfirmation mails the confirmation link.
func (s *Service) sendConfirmation(ctx context.Context, sub Subscriber, tok string) error {
	lang := i18n.Lang(sub.Lang)
	var topics []string
	for _, x := range sub.Pending {
		topics = append(topics, "• "+describe(x, lang))
	}
	body := i18n.T(lang, "network.confirm_body", strings.Join(topics, "\n"), s.link(ConfirmPath, tok), int(ConfirmFor.Hours()/24))
	return errs.Wrap(s.send(ctx, sub, i18n.T(lang, "network.confirm_subject"), body), "mail the confirmation")
}

// describe says a subscription in words.
func describe(x Subscription, lang i18n.Lang) string {
	out := i18n.T(lang, "network.topic."+x.Topic)
	if x.Species != "" {
		out += " (" + x.Species + ")"
	}
	if x.Urgent {
		out += " — " + i18n.T(lang, "network.urgent")
	}
	return out
}

// SendPendingConfirmations mails the confirmations that could not be sent
// when their addresses subscribed (mail was off), for those who asked in
// the last ConfirmFor; it returns how many it sent.
func (s *Service) SendPendingConfirmations(ctx context.Context) (int, error) {
	if !s.MailOn() {
		return 0, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT id FROM network_subscribers WHERE state = 'pending' AND confirm_hash = '' AND created_at >= $1",
		s.Now().Add(-ConfirmFor))
	if err != nil {
		return 0, errs.Wrap(err, "read subscribers")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "read subscribers")
		}
		ids = append(ids, id)
	}
	rows.Close()
	sent := 0
	for _, id := range ids {
		tok := token()
		var sub Subscriber
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			// Claimed by setting the hash, so that two instances send one confirmation.
			res, err := tx.ExecContext(ctx, "UPDATE network_subscribers SET confirm_hash = $1, confirm_expires = $2 WHERE id = $3 AND confirm_hash = ''",
				hash(tok), s.Now().Add(ConfirmFor), id)
			if err != nil {
				return errs.Wrap(err, "save subscription")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			sub, err = s.get(ctx, tx, id)
			return err
		})
		if err != nil {
			return sent, err
		}
		if sub.ID == 0 {
			continue
		}
		if err := s.sendConfirmation(ctx, sub, tok); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
