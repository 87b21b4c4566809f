// Package offer is the exportable offer of Moquegua's mollusc exporters
// (seed activity 2.3.2): the products each exporter offers, with their
// descriptions in Spanish and English and photos, and the messages buyers
// send them.
//
// Photos are resized with disintegration/imaging and encoded as WebP with
// gen2brain/webp (libwebp compiled to WebAssembly, so no C toolchain):
// small files with known dimensions for slow connections.
package offer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"image"
	_ "image/jpeg" // photos arrive as JPEG or PNG
	_ "image/png"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	"github.com/gen2brain/webp"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/ratelimit"
)

// Service is the exportable-offer module.
type Service struct {
	db    *db.DB
	files string // where photos are kept, by content hash
	Now   func() time.Time
}

// New returns the offer service; photos go under filesDir.
func New(d *db.DB, filesDir string) *Service {
	return &Service{db: d, files: filesDir, Now: func() time.Time { return time.Now().UTC() }}
}

// Product is a product an exporter offers.
type Product struct {
	ID            int64     `json:"id"`
	ActorID       int64     `json:"actor_id"`
	Species       string    `json:"species"`
	Presentation  string    `json:"presentation"`
	HSCode        string    `json:"hs_code,omitempty"`
	NameES        string    `json:"name_es,omitempty"`
	NameEN        string    `json:"name_en,omitempty"`
	DescriptionES string    `json:"description_es,omitempty"`
	DescriptionEN string    `json:"description_en,omitempty"`
	Capacity      *float64  `json:"capacity_t_year,omitempty"`
	Seasons       string    `json:"seasons,omitempty"`
	Markets       []string  `json:"markets"` // ISO alpha-3
	Photo         string    `json:"photo,omitempty"`
	PhotoWidth    int       `json:"photo_width,omitempty"`
	PhotoHeight   int       `json:"photo_height,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Version rises by one with every change; a change names the version it
	// was based on, and is refused when the product has moved on since.
	Version int64 `json:"version"`
}

// Text is a field in the reader's language, or in the other one when it is
// missing there (Fallback says so, for the page to mark it).
type Text struct {
	Value    string
	Fallback bool
	Lang     string // the language Value is in
}

// Localized picks es or en, falling back visibly to the other.
func Localized(es, en, lang string) Text {
	want, other, otherLang := es, en, "en"
	if lang == "en" {
		want, other, otherLang = en, es, "es"
	}
	if want == "" && other != "" {
		return Text{Value: other, Fallback: true, Lang: otherLang}
	}
	return Text{Value: want, Lang: lang}
}

// Presentations a product may have.
var Presentations = []string{"fresh", "frozen", "canned", "dried_salted"}

const columns = `id, actor_id, species, presentation, hs_code, name_es, name_en, description_es, description_en, capacity_t_year,
	seasons, markets, photo, photo_width, photo_height, created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var capacity sql.NullFloat64
	var markets string
	err := row.Scan(&p.ID, &p.ActorID, &p.Species, &p.Presentation, &p.HSCode, &p.NameES, &p.NameEN, &p.DescriptionES, &p.DescriptionEN,
		&capacity, &p.Seasons, &markets, &p.Photo, &p.PhotoWidth, &p.PhotoHeight, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if capacity.Valid {
		p.Capacity = &capacity.Float64
	}
	p.Markets = []string{}
	for _, m := range strings.Split(markets, ",") {
		if m = strings.TrimSpace(m); m != "" {
			p.Markets = append(p.Markets, m)
		}
	}
	return p, err
}

// Filter selects products of the catalogue; zero fields select everything.
type Filter struct {
	Species, Presentation, Certification, Market string
	ActorID                                      int64
}

// Products lists the products of active exporters that the filter selects.
func (s *Service) Products(ctx context.Context, f Filter) ([]Product, error) {
	cond := []string{"a.active = $1", "EXISTS (SELECT 1 FROM actor_kinds k WHERE k.actor_id = a.id AND k.kind = 'exporter')"}
	args := []any{true}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Species != "" {
		cond = append(cond, "p.species = "+arg(f.Species))
	}
	if f.Presentation != "" {
		cond = append(cond, "p.presentation = "+arg(f.Presentation))
	}
	if f.Market != "" {
		cond = append(cond, "(',' || p.markets || ',') LIKE "+arg("%,"+strings.ToUpper(f.Market)+",%"))
	}
	if f.ActorID != 0 {
		cond = append(cond, "p.actor_id = "+arg(f.ActorID))
	}
	if f.Certification != "" {
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_certifications c WHERE c.actor_id = a.id AND c.kind = "+arg(f.Certification)+
			" AND (c.valid_to = '' OR c.valid_to >= "+arg(s.Now().Format("2006-01-02"))+"))")
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+prefixed()+" FROM offer_products p JOIN actors a ON a.id = p.actor_id WHERE "+
		strings.Join(cond, " AND ")+" ORDER BY lower(a.name), p.species, p.presentation, p.id", args...)
	if err != nil {
		return nil, errs.Wrap(err, "list products")
	}
	defer rows.Close()
	out := []Product{}
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list products")
		}
		out = append(out, p)
	}
	return out, errs.Wrap(rows.Err(), "list products")
}

func prefixed() string {
	cols := strings.Split(strings.ReplaceAll(columns, "\n\t", " "), ",")
	for i, c := range cols {
		cols[i] = "p." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// Product returns one product.
func (s *Service) Product(ctx context.Context, id int64) (Product, error) {
	p, err := scan(s.db.Read().QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no product %d", id)
	}
	return p, errs.Wrap(err, "read product")
}

// owner is who may change an exporter's offer: its maintaining institution
// and its own members.
func (s *Service) owner(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, actorID int64) (auth.Owner, error) {
	var inst sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT institution_id FROM actors WHERE id = $1", actorID).Scan(&inst)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Owner{}, errs.E(errs.NotFound, "no actor %d", actorID)
	}
	return auth.Owner{Institution: inst.Int64, Actor: actorID}, errs.Wrap(err, "read actor")
}

func (p *Product) validate(species map[string]bool) map[string]string {
	problems := map[string]string{}
	if !species[p.Species] {
		problems["species"] = "a code of the species list"
	}
	if !slices.Contains(Presentations, p.Presentation) {
		problems["presentation"] = "fresh, frozen, canned or dried_salted"
	}
	if p.HSCode = strings.TrimSpace(p.HSCode); p.HSCode != "" && strings.Trim(p.HSCode, "0123456789.") != "" {
		problems["hs_code"] = "digits"
	}
	if p.Capacity != nil && *p.Capacity < 0 {
		problems["capacity_t_year"] = "not negative"
	}
	for i, m := range p.Markets {
		m = strings.ToUpper(strings.TrimSpace(m))
		if len(m) != 3 || strings.Trim(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			problems["markets"] = "ISO alpha-3 codes (JPN, TWN, USA)"
		}
		p.Markets[i] = m
	}
	return problems
}

// Save creates (p.ID 0) or changes a product of an exporter; the exporter's
// institution and its own members may. p.Version is the version a change is
// based on: when the product has changed since, Save refuses with a Conflict
// that lists what changed (0 skips this check; forms and the API always give it).
func (s *Service) Save(ctx context.Context, who auth.Principal, p Product) (Product, error) {
	var out Product
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var before *Product
		if p.ID != 0 {
			b, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", p.ID))
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.NotFound, "no product %d", p.ID)
			}
			if err != nil {
				return errs.Wrap(err, "read product")
			}
			before, p.ActorID, p.Photo, p.PhotoWidth, p.PhotoHeight = &b, b.ActorID, b.Photo, b.PhotoWidth, b.PhotoHeight
		}
		owner, err := s.owner(ctx, tx, p.ActorID)
		if err != nil {
			return err
		}
		if err := auth.Authorize(who, owner); err != nil {
			return err
		}
		if before != nil && p.Version != 0 && p.Version != before.Version {
			return stale(ctx, tx, p.ID, p.Version)
		}
		species := map[string]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT code FROM species")
		if err != nil {
			return errs.Wrap(err, "read species")
		}
		for rows.Next() {
			var c string
			_ = rows.Scan(&c)
			species[c] = true
		}
		rows.Close()
		if problems := p.validate(species); len(problems) > 0 {
			return errs.Fields("the product has invalid fields", problems)
		}
		now := s.Now()
		args := []any{p.ActorID, p.Species, p.Presentation, p.HSCode, strings.TrimSpace(p.NameES), strings.TrimSpace(p.NameEN),
			strings.TrimSpace(p.DescriptionES), strings.TrimSpace(p.DescriptionEN), p.Capacity, strings.TrimSpace(p.Seasons),
			strings.Join(p.Markets, ","), p.Photo, p.PhotoWidth, p.PhotoHeight, now}
		if before == nil {
			err = tx.QueryRowContext(ctx, `INSERT INTO offer_products (actor_id, species, presentation, hs_code, name_es, name_en,
				description_es, description_en, capacity_t_year, seasons, markets, photo, photo_width, photo_height, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`, args...).Scan(&p.ID)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE offer_products SET actor_id = $1, species = $2, presentation = $3, hs_code = $4,
				name_es = $5, name_en = $6, description_es = $7, description_en = $8, capacity_t_year = $9, seasons = $10, markets = $11,
				photo = $12, photo_width = $13, photo_height = $14, updated_at = $15, version = version + 1
				WHERE id = $16 AND version = $17`, append(args, p.ID, before.Version)...)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return stale(ctx, tx, p.ID, before.Version)
				}
			}
		}
		if err != nil {
			return errs.Wrap(err, "save product")
		}
		if out, err = scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", p.ID)); err != nil {
			return errs.Wrap(err, "save product")
		}
		if before == nil {
			return audit.Record(ctx, tx, who, audit.Create, "offer_product", out.ID, nil, out)
		}
		return audit.Record(ctx, tx, who, audit.Update, "offer_product", out.ID, *before, out)
	})
	return out, err
}

// stale is the Conflict of a change based on version read of product id.
func stale(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "no product %d", id)
	}
	if err != nil {
		return errs.Wrap(err, "read product")
	}
	return audit.Stale(ctx, tx, "offer_product", id, read, current.Version, current)
}

// Delete removes a product; version, when not 0, is the version the
// deletion is based on, as for Save.
func (s *Service) Delete(ctx context.Context, who auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		b, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no product %d", id)
		}
		if err != nil {
			return errs.Wrap(err, "read product")
		}
		owner, err := s.owner(ctx, tx, b.ActorID)
		if err != nil {
			return err
		}
		if err := auth.Authorize(who, owner); err != nil {
			return err
		}
		if version != 0 && version != b.Version {
			return stale(ctx, tx, id, version)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM offer_products WHERE id = $1 AND version = $2", id, b.Version)
		if err != nil {
			return errs.Wrap(err, "delete product")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return stale(ctx, tx, id, b.Version)
		}
		return audit.Record(ctx, tx, who, audit.Delete, "offer_product", id, b, nil)
	})
}

// Photo sizes: at most this wide, and small enough for a slow phone. An
// upload may have at most MaxPhotoBytes and MaxPhotoPixels (a 24-megapixel
// camera's photo): decoding costs up to eight bytes a pixel.
const (
	PhotoMaxWidth  = 800
	MaxPhotoBytes  = 12 << 20
	MaxPhotoPixels = 25_000_000
)

// SetPhoto resizes an uploaded JPEG or PNG to at most PhotoMaxWidth pixels
// wide, encodes it as WebP and attaches it to a product.
func (s *Service) SetPhoto(ctx context.Context, who auth.Principal, id int64, r io.Reader) (Product, error) {
	p, err := s.Product(ctx, id)
	if err != nil {
		return p, err
	}
	owner, err := s.owner(ctx, s.db.Read(), p.ActorID)
	if err != nil {
		return p, err
	}
	if err := auth.Authorize(who, owner); err != nil {
		return p, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return p, errs.Wrap(err, "read photo")
	}
	if len(data) > MaxPhotoBytes {
		return p, errs.E(errs.TooLarge, "the photo is larger than the limit of %d MiB", MaxPhotoBytes>>20)
	}
	// The header says how large the image is before any pixel is decoded.
	unreadable := errs.Fields("the photo cannot be read", map[string]string{"photo": "a JPEG or PNG image"})
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return p, unreadable
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return p, errs.E(errs.Invalid, "the photo has %d×%d pixels, more than the limit of %d million", cfg.Width, cfg.Height, MaxPhotoPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return p, unreadable
	}
	if img.Bounds().Dx() > PhotoMaxWidth {
		img = imaging.Resize(img, PhotoMaxWidth, 0, imaging.Lanczos)
	}
	var buf bytes.Buffer
	if err := webp.Encode(&buf, img, webp.Options{Quality: 75}); err != nil {
		return p, errs.Wrap(err, "encode photo")
	}
	sum := sha256.Sum256(buf.Bytes())
	name := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(s.files, 0o750); err != nil {
		return p, errs.Wrap(err, "store photo")
	}
	if err := os.WriteFile(filepath.Join(s.files, name+".webp"), buf.Bytes(), 0o640); err != nil {
		return p, errs.Wrap(err, "store photo")
	}
	var out Product
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM offer_products WHERE id = $1", id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no product %d", id)
		}
		if err != nil {
			return errs.Wrap(err, "read product")
		}
		// The photo is part of the product: a form read before it came is stale.
		if out, err = scan(tx.QueryRowContext(ctx, `UPDATE offer_products SET photo = $1, photo_width = $2, photo_height = $3, updated_at = $4,
			version = version + 1 WHERE id = $5 RETURNING `+columns, name, img.Bounds().Dx(), img.Bounds().Dy(), s.Now(), id)); err != nil {
			return errs.Wrap(err, "save photo")
		}
		return audit.Record(ctx, tx, who, audit.Update, "offer_product", id, before, out)
	})
	return out, err
}

// PhotoPath is where a photo is kept; names are content hashes.
func (s *Service) PhotoPath(name string) (string, error) {
	if len(name) != 64 || strings.Trim(name, "0123456789abcdef") != "" {
		return "", errs.E(errs.NotFound, "no such photo")
	}
	return filepath.Join(s.files, name+".webp"), nil
}

// Message is a buyer's message to an exporter.
type Message struct {
	ID        int64     `json:"id"`
	ActorID   int64     `json:"actor_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Company   string    `json:"company,omitempty"`
	Country   string    `json:"country,omitempty"`
	Message   string    `json:"message"`
	Lang      string    `json:"lang"`
	Delivered bool      `json:"delivered"`
	CreatedAt time.Time `json:"created_at"`
}

// Limits on messages per clock hour: per sender address and per exporter.
const (
	MaxMessagesPerAddress = 5
	MaxMessagesPerActor   = 50
)

// ErrSpam is returned when the form's trap field was filled: the caller
// answers as if the message had been sent.
var ErrSpam = errors.New("spam trap")

// Deliverer sends a message to an exporter's private address; it is nil
// when no email is configured.
type Deliverer func(ctx context.Context, to string, m Message) error

// Contact stores a message for an exporter and, when it can, delivers it to
// the exporter's private email, which the sender never sees. trap is the
// hidden field people leave empty.
func (s *Service) Contact(ctx context.Context, m Message, address, trap string, deliver Deliverer) (Message, error) {
	if strings.TrimSpace(trap) != "" {
		return m, ErrSpam
	}
	m.Name, m.Email, m.Message = strings.TrimSpace(m.Name), strings.TrimSpace(m.Email), strings.TrimSpace(m.Message)
	problems := map[string]string{}
	if m.Name == "" {
		problems["name"] = "required"
	}
	if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
		problems["email"] = "a valid email address"
	}
	if len(m.Message) < 10 || len(m.Message) > 5000 {
		problems["message"] = "10 to 5000 characters"
	}
	if len(problems) > 0 {
		return m, errs.Fields("the message has invalid fields", problems)
	}
	var email string
	var active bool
	err := s.db.Read().QueryRowContext(ctx, "SELECT email, active FROM actors WHERE id = $1", m.ActorID).Scan(&email, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return m, errs.E(errs.NotFound, "no such exporter")
	}
	if err != nil {
		return m, errs.Wrap(err, "read exporter")
	}
	m.CreatedAt = s.Now()
	// The message is counted against both limits and stored in one
	// transaction, so parallel posts cannot all pass the check; a refused
	// message rolls its counts back.
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, lim := range []struct {
			key string
			max int
		}{
			{"contact:ip:" + ratelimit.Client(address), MaxMessagesPerAddress},
			{"contact:actor:" + strconv.FormatInt(m.ActorID, 10), MaxMessagesPerActor},
		} {
			n, err := ratelimit.Hit(ctx, tx, lim.key, time.Hour, m.CreatedAt)
			if err != nil {
				return err
			}
			if n > lim.max {
				return errs.E(errs.TooManyRequests, "too many messages; try again in an hour")
			}
		}
		return errs.Wrap(tx.QueryRowContext(ctx, `INSERT INTO offer_messages (actor_id, name, email, company, country, message, lang, address, delivered, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, m.ActorID, m.Name, m.Email, m.Company, m.Country, m.Message, m.Lang,
			address, false, m.CreatedAt).Scan(&m.ID), "store message")
	})
	if err != nil || deliver == nil || email == "" {
		return m, err
	}
	// Delivered after it is stored (an SMTP server is not waited for inside
	// a transaction); the message waits for the exporter's members either way.
	if deliver(ctx, email, m) == nil {
		m.Delivered = true
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE offer_messages SET delivered = $1 WHERE id = $2", true, m.ID)
			return errs.Wrap(err, "mark message delivered")
		})
	}
	return m, err
}

// Messages lists the messages buyers sent an exporter; its own members and
// its institution's editors may read them.
func (s *Service) Messages(ctx context.Context, who auth.Principal, actorID int64) ([]Message, error) {
	owner, err := s.owner(ctx, s.db.Read(), actorID)
	if err != nil {
		return nil, err
	}
	if err := auth.Authorize(who, owner); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, actor_id, name, email, company, country, message, lang, delivered, created_at
		FROM offer_messages WHERE actor_id = $1 ORDER BY id DESC`, actorID)
	if err != nil {
		return nil, errs.Wrap(err, "list messages")
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.ActorID, &m.Name, &m.Email, &m.Company, &m.Country, &m.Message, &m.Lang, &m.Delivered, &m.CreatedAt); err != nil {
			return nil, errs.Wrap(err, "list messages")
		}
		out = append(out, m)
	}
	return out, errs.Wrap(rows.Err(), "list messages")
}

// Summary are the key figures of the offer for the home page.
type Summary struct {
	Exporters       int `json:"exporters"`
	CertifiedPlants int `json:"certified_plants"` // plants with a plant licence in force
	Products        int `json:"products"`
}

// KeyFigures counts the registry's exporters and certified plants and the offer's products.
func (s *Service) KeyFigures(ctx context.Context) (Summary, error) {
	var out Summary
	today := s.Now().Format("2006-01-02")
	err := s.db.Read().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM actors a WHERE a.active = $1 AND EXISTS (SELECT 1 FROM actor_kinds k WHERE k.actor_id = a.id AND k.kind = 'exporter')),
		(SELECT count(*) FROM actors a WHERE a.active = $1 AND EXISTS (SELECT 1 FROM actor_certifications c WHERE c.actor_id = a.id
			AND c.kind = 'plant_licence' AND (c.valid_to = '' OR c.valid_to >= $2))),
		(SELECT count(*) FROM offer_products)`, true, today).Scan(&out.Exporters, &out.CertifiedPlants, &out.Products)
	return out, errs.Wrap(err, "count the offer")
}
