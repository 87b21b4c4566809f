package archive

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"html/template"
	"image"
	_ "image/jpeg" // news photos arrive as JPEG or PNG
	_ "image/png"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

// NewsKinds are the kinds of news item.
var NewsKinds = []string{"news", "press"} // a news item; a press note (4.3.1)

// NewsLanguages are the languages a news item may be written in; Spanish
// is the default.
var NewsLanguages = []string{"es", "en"}

// NewsText is a news item in one language; Body is Markdown.
type NewsText struct {
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	Body    string `json:"body,omitempty"`
}

// NewsLink is what a news item is about: a document (by id), a plan
// activity (by code), a species (by code) or an actor (by id).
type NewsLink struct {
	Kind string `json:"kind"` // document, activity, species, actor
	Ref  string `json:"ref"`
}

// ID is the record a document's or an actor's link is to (0 when Ref is not
// a record's id).
func (l NewsLink) ID() int64 {
	id, err := strconv.ParseInt(l.Ref, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// Photo is a picture of a news item, with its text for who cannot see it.
type Photo struct {
	ID        int64  `json:"id"`
	SHA256    string `json:"sha256"`
	MediaType string `json:"media_type"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	AltES     string `json:"alt_es"`
	AltEN     string `json:"alt_en,omitempty"`
}

// NewsItem is a news item or press note.
type NewsItem struct {
	ID            int64               `json:"id"`
	Kind          string              `json:"kind"`
	Date          string              `json:"date"` // YYYY-MM-DD
	State         string              `json:"state"`
	InstitutionID int64               `json:"institution_id,omitempty"`
	Texts         map[string]NewsText `json:"texts"` // by language
	Links         []NewsLink          `json:"links"`
	Photos        []Photo             `json:"photos"`
	ReviewNote    string              `json:"review_note,omitempty"`
	PublishedAt   *time.Time          `json:"published_at,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	Version       int64               `json:"version"`
}

// Owner is who may write the item: its institution's editors.
func (n NewsItem) Owner() auth.Owner { return auth.Owner{Institution: n.InstitutionID} }

// visibleTo reports whether p may read the item: published items are
// public; the others are their institution's and the reviewers'.
func (n NewsItem) visibleTo(p auth.Principal) bool {
	return n.State == "published" || p.Has(auth.ApproveReports) || auth.Can(p, n.Owner())
}

// Text is the item in lang, or in the other language when it has none in
// lang (fallback says so, for the page to mark it).
func (n NewsItem) Text(lang string) (t NewsText, fallback bool) {
	if t, ok := n.Texts[lang]; ok {
		return t, false
	}
	for _, l := range NewsLanguages {
		if t, ok := n.Texts[l]; ok {
			return t, true
		}
	}
	return NewsText{}, true
}

// markdown renders CommonMark with GitHub's tables, strikethrough and
// autolinks (goldmark leaves raw HTML out); bluemonday's policy for user
// content then keeps only safe elements and attributes.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))
	safeHTML = bluemonday.UGCPolicy()
)

// RenderMarkdown turns a news body into HTML that is safe to show.
func RenderMarkdown(md string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return "", errs.Wrap(err, "render text")
	}
	return template.HTML(safeHTML.SanitizeBytes(buf.Bytes())), nil // #nosec G203 -- sanitised just above
}

// NewsInput is what an editor writes.
type NewsInput struct {
	Kind          string              `json:"kind"`
	Date          string              `json:"date"`
	InstitutionID int64               `json:"institution_id"`
	Texts         map[string]NewsText `json:"texts"`
	Links         []NewsLink          `json:"links"`
	Version       int64               `json:"version"`
}

// checkNews validates an input against the records it links to.
func (s *Service) checkNews(ctx context.Context, q querier, p auth.Principal, in *NewsInput) error {
	problems := map[string]string{}
	if !slices.Contains(NewsKinds, in.Kind) {
		problems["kind"] = "news or press"
	}
	if in.Date == "" {
		in.Date = s.Now().Format("2006-01-02")
	}
	if _, err := time.Parse("2006-01-02", in.Date); err != nil || !dateFormat.MatchString(in.Date) {
		problems["date"] = "a date as YYYY-MM-DD"
	}
	texts := map[string]NewsText{}
	for lang, t := range in.Texts {
		t = NewsText{Title: strings.TrimSpace(cleanText(t.Title)), Summary: strings.TrimSpace(cleanText(t.Summary)), Body: strings.TrimSpace(cleanText(t.Body))}
		switch {
		case !slices.Contains(NewsLanguages, lang):
			problems["texts"] = "Spanish (es) and English (en)"
		case t.Title == "" && t.Summary == "" && t.Body == "":
			continue // a language left empty
		case t.Title == "":
			problems["title_"+lang] = "a news item needs a title in each language it is written in"
		case utf8.RuneCountInString(t.Title) > 300 || utf8.RuneCountInString(t.Summary) > 2000 || len(t.Body) > 200_000:
			problems["body_"+lang] = "title up to 300 characters, summary up to 2000, body up to 200 kB"
		}
		texts[lang] = t
	}
	if len(texts) == 0 {
		problems["title_es"] = "a news item needs a title"
	}
	in.Texts = texts
	for _, l := range in.Links {
		ok := false
		switch l.Kind {
		case "document":
			if d, err := getDocument(ctx, q, l.ID()); err == nil && d.VisibleTo(p) {
				ok = true
			}
		case "activity", "species", "actor":
			query := map[string]string{"activity": "SELECT count(*) FROM plan_activities WHERE code = $1",
				"species": "SELECT count(*) FROM species WHERE code = $1", "actor": "SELECT count(*) FROM actors WHERE id = $1"}[l.Kind]
			var arg any = l.Ref
			if l.Kind == "actor" {
				arg = l.ID()
			}
			var n int
			if err := q.QueryRowContext(ctx, query, arg).Scan(&n); err != nil {
				return errs.Wrap(err, "check links")
			}
			ok = n > 0
		}
		if !ok {
			problems["links"] = "no " + l.Kind + " " + l.Ref
		}
	}
	if len(problems) > 0 {
		return errs.Fields("the news item has invalid fields", problems)
	}
	return nil
}

const newsColumns = `id, kind, date, state, institution_id, review_note, published_at, created_at, updated_at, version`

func scanNews(row interface{ Scan(...any) error }) (NewsItem, error) {
	var n NewsItem
	var inst sql.NullInt64
	var published sql.NullTime
	err := row.Scan(&n.ID, &n.Kind, &n.Date, &n.State, &inst, &n.ReviewNote, &published, &n.CreatedAt, &n.UpdatedAt, &n.Version)
	n.InstitutionID = inst.Int64
	if published.Valid {
		t := published.Time.UTC()
		n.PublishedAt = &t
	}
	n.Texts, n.Links, n.Photos = map[string]NewsText{}, []NewsLink{}, []Photo{}
	return n, err
}

// newsDetails reads the texts, links and photos of items.
func newsDetails(ctx context.Context, q querier, items []NewsItem) error {
	if len(items) == 0 {
		return nil
	}
	index := make(map[int64]int, len(items))
	args := make([]any, len(items))
	for i, n := range items {
		index[n.ID], args[i] = i, n.ID
	}
	in := "(" + placeholders(1, len(items)) + ")"
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{"SELECT news_id, lang, title, summary, body FROM news_texts WHERE news_id IN " + in, func(rows *sql.Rows) error {
			var id int64
			var lang string
			var t NewsText
			err := rows.Scan(&id, &lang, &t.Title, &t.Summary, &t.Body)
			items[index[id]].Texts[lang] = t
			return err
		}},
		{"SELECT news_id, kind, ref FROM news_links WHERE news_id IN " + in + " ORDER BY news_id, kind, ref", func(rows *sql.Rows) error {
			var id int64
			var l NewsLink
			err := rows.Scan(&id, &l.Kind, &l.Ref)
			items[index[id]].Links = append(items[index[id]].Links, l)
			return err
		}},
		{"SELECT news_id, id, sha256, media_type, width, height, alt_es, alt_en FROM news_photos WHERE news_id IN " + in + " ORDER BY news_id, id",
			func(rows *sql.Rows) error {
				var id int64
				var ph Photo
				err := rows.Scan(&id, &ph.ID, &ph.SHA256, &ph.MediaType, &ph.Width, &ph.Height, &ph.AltES, &ph.AltEN)
				items[index[id]].Photos = append(items[index[id]].Photos, ph)
				return err
			}},
	} {
		rows, err := q.QueryContext(ctx, part.query, args...)
		if err != nil {
			return errs.Wrap(err, "read news")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return errs.Wrap(err, "read news")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "read news")
		}
	}
	return nil
}

func getNews(ctx context.Context, q querier, id int64) (NewsItem, error) {
	n, err := scanNews(q.QueryRowContext(ctx, "SELECT "+newsColumns+" FROM news_items WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errs.E(errs.NotFound, "no news item %d", id)
	}
	if err != nil {
		return n, errs.Wrap(err, "read news")
	}
	items := []NewsItem{n}
	err = newsDetails(ctx, q, items)
	return items[0], err
}

// News returns a news item, if p may read it.
func (s *Service) News(ctx context.Context, p auth.Principal, id int64) (NewsItem, error) {
	n, err := getNews(ctx, s.db.Read(), id)
	if err != nil {
		return n, err
	}
	if !n.visibleTo(p) {
		return NewsItem{}, errs.E(errs.NotFound, "no news item %d", id)
	}
	return n, nil
}

// writeNewsParts replaces an item's texts and links.
func writeNewsParts(ctx context.Context, tx *sql.Tx, id int64, in NewsInput) error {
	for _, t := range []string{"news_texts", "news_links"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE news_id = $1", id); err != nil {
			return errs.Wrap(err, "save news")
		}
	}
	for _, lang := range NewsLanguages {
		t, ok := in.Texts[lang]
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO news_texts (news_id, lang, title, summary, body) VALUES ($1, $2, $3, $4, $5)",
			id, lang, t.Title, t.Summary, t.Body); err != nil {
			return errs.Wrap(err, "save news")
		}
	}
	seen := map[NewsLink]bool{}
	for _, l := range in.Links {
		if seen[l] {
			continue
		}
		seen[l] = true
		if _, err := tx.ExecContext(ctx, "INSERT INTO news_links (news_id, kind, ref) VALUES ($1, $2, $3)", id, l.Kind, l.Ref); err != nil {
			return errs.Wrap(err, "save news")
		}
	}
	return nil
}

// CreateNews starts a news item, as a draft of the editor's institution.
func (s *Service) CreateNews(ctx context.Context, p auth.Principal, in NewsInput) (NewsItem, error) {
	if in.InstitutionID == 0 && len(p.Institutions) > 0 {
		in.InstitutionID = p.Institutions[0]
	}
	if err := auth.Authorize(p, auth.Owner{Institution: in.InstitutionID}); err != nil {
		return NewsItem{}, err
	}
	if err := s.checkNews(ctx, s.db.Read(), p, &in); err != nil {
		return NewsItem{}, err
	}
	var out NewsItem
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		now := s.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO news_items (kind, date, state, institution_id, created_by, created_at, updated_at)
			VALUES ($1, $2, 'draft', $3, $4, $5, $5) RETURNING id`, in.Kind, in.Date, nullID(in.InstitutionID), p.Email, now).Scan(&id); err != nil {
			return errs.Wrap(err, "create news")
		}
		if err := writeNewsParts(ctx, tx, id, in); err != nil {
			return err
		}
		var err error
		if out, err = getNews(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Create, "news_item", id, nil, out)
	})
	return out, err
}

// UpdateNews changes a news item based on in.Version. Its editors change a
// draft or an item sent back; once published, only the Mesa de Trabajo
// corrects it; while under review, nobody.
func (s *Service) UpdateNews(ctx context.Context, p auth.Principal, id int64, in NewsInput) (NewsItem, error) {
	var out NewsItem
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.writableNews(ctx, tx, p, id)
		if err != nil {
			return err
		}
		switch {
		case before.State == "submitted":
			return errs.E(errs.Conflict, "the news item is under review: wait until it is published or sent back")
		case before.State == "published" && !p.Has(auth.ApproveReports):
			return errs.E(errs.Conflict, "the news item is published: only the Mesa de Trabajo corrects it")
		}
		in.InstitutionID = before.InstitutionID
		if err := s.checkNews(ctx, tx, p, &in); err != nil {
			return err
		}
		if in.Version != before.Version {
			return audit.Stale(ctx, tx, "news_item", id, in.Version, before.Version, before)
		}
		res, err := tx.ExecContext(ctx, `UPDATE news_items SET kind = $1, date = $2, updated_at = $3, version = version + 1
			WHERE id = $4 AND version = $5`, in.Kind, in.Date, s.Now(), id, before.Version)
		if err != nil {
			return errs.Wrap(err, "update news")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.staleNews(ctx, tx, id, before.Version)
		}
		if err := writeNewsParts(ctx, tx, id, in); err != nil {
			return err
		}
		if out, err = getNews(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Update, "news_item", id, before, out)
	})
	return out, err
}

func (s *Service) staleNews(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := getNews(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Stale(ctx, tx, "news_item", id, read, current.Version, current)
}

// writableNews reads an item p may change.
func (s *Service) writableNews(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64) (NewsItem, error) {
	n, err := getNews(ctx, tx, id)
	if err != nil {
		return n, err
	}
	if !n.visibleTo(p) {
		return NewsItem{}, errs.E(errs.NotFound, "no news item %d", id)
	}
	if !auth.Can(p, n.Owner()) && !p.Has(auth.ApproveReports) {
		return NewsItem{}, auth.Authorize(p, n.Owner())
	}
	return n, nil
}

// newsTransition moves an item from one of the states in from to state to.
func (s *Service) newsTransition(ctx context.Context, p auth.Principal, id int64, from []string, to, note string, allowed func(NewsItem) error) (NewsItem, error) {
	var out NewsItem
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getNews(ctx, tx, id)
		if err != nil {
			return err
		}
		if !before.visibleTo(p) {
			return errs.E(errs.NotFound, "no news item %d", id)
		}
		if err := allowed(before); err != nil {
			return err
		}
		if !slices.Contains(from, before.State) {
			return errs.E(errs.Conflict, "the news item is %s; it cannot become %s", before.State, to)
		}
		now := s.Now()
		published := sql.NullTime{}
		if before.PublishedAt != nil {
			published = sql.NullTime{Time: *before.PublishedAt, Valid: true}
		}
		reviewer := ""
		if to == "published" || to == "returned" {
			reviewer = p.Email
		}
		if to == "published" && !published.Valid {
			published = sql.NullTime{Time: now, Valid: true}
		}
		res, err := tx.ExecContext(ctx, `UPDATE news_items SET state = $1, review_note = $2, reviewed_by = $3, published_at = $4, updated_at = $5,
			version = version + 1 WHERE id = $6 AND version = $7`, to, note, reviewer, published, now, id, before.Version)
		if err != nil {
			return errs.Wrap(err, "update news")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.staleNews(ctx, tx, id, before.Version)
		}
		if out, err = getNews(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Update, "news_item", id, before, out)
	})
	return out, err
}

// SubmitNews sends a draft (or an item sent back) to the Mesa de Trabajo.
func (s *Service) SubmitNews(ctx context.Context, p auth.Principal, id int64) (NewsItem, error) {
	return s.newsTransition(ctx, p, id, []string{"draft", "returned"}, "submitted", "", func(n NewsItem) error {
		return auth.Authorize(p, n.Owner())
	})
}

// ReviewNews publishes a submitted item or sends it back with a note; only
// the Mesa de Trabajo (administrators) reviews, as it does progress reports.
func (s *Service) ReviewNews(ctx context.Context, p auth.Principal, id int64, publish bool, note string) (NewsItem, error) {
	to := "returned"
	if publish {
		to = "published"
	}
	return s.newsTransition(ctx, p, id, []string{"submitted"}, to, strings.TrimSpace(note), func(NewsItem) error {
		return auth.Require(p, auth.ApproveReports)
	})
}

// DeleteNews removes an item that is not published (a published one, only
// the Mesa de Trabajo).
func (s *Service) DeleteNews(ctx context.Context, p auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.writableNews(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.State == "published" && !p.Has(auth.ApproveReports) {
			return errs.E(errs.Conflict, "the news item is published: only the Mesa de Trabajo removes it")
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "news_item", id, version, before.Version, before)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM news_items WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete news")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "news_item", id, before, nil)
	})
}

// NewsFilter selects news items.
type NewsFilter struct {
	State string    // "" for published; draft, submitted, returned for those p may see
	Since time.Time // published at or after (published items only)
	Until time.Time // published before (published items only; zero: no end)
	Limit int       // default 20, at most 100
}

// NewsList lists the items p may see: published ones newest first by
// their date, then by publication; the others last changed first.
func (s *Service) NewsList(ctx context.Context, p auth.Principal, f NewsFilter) ([]NewsItem, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Limit = min(f.Limit, 100)
	state := f.State
	if state == "" {
		state = "published"
	}
	args := []any{state, f.Since.UTC()}
	query := "SELECT " + newsColumns + " FROM news_items WHERE state = $1"
	if state == "published" {
		query += " AND published_at >= $2"
		if !f.Until.IsZero() {
			args = append(args, f.Until.UTC())
			query += " AND published_at < $3"
		}
		// By the day the item reports, the date every list shows, then by
		// publication: a reader takes a list of dated items to be in date
		// order, and a back-dated note published today belongs among its
		// day's news, not above newer ones.
		query += " ORDER BY date DESC, published_at DESC, id DESC"
	} else {
		query += " AND updated_at >= $2"
		if !p.Has(auth.ApproveReports) {
			// Unpublished items are their institution's.
			if len(p.Institutions) == 0 || !p.Has(auth.WriteInstitutionOwned) {
				return []NewsItem{}, nil
			}
			query += " AND institution_id IN (" + placeholders(3, len(p.Institutions)) + ")"
			for _, id := range p.Institutions {
				args = append(args, id)
			}
		}
		query += " ORDER BY updated_at DESC, id DESC"
	}
	rows, err := s.db.Read().QueryContext(ctx, query+" LIMIT "+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, errs.Wrap(err, "list news")
	}
	out := []NewsItem{}
	for rows.Next() {
		n, err := scanNews(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list news")
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "list news")
	}
	return out, newsDetails(ctx, s.db.Read(), out)
}

// Photo limits: the largest file and the most pixels taken.
const (
	MaxPhotoBytes  = 10 << 20
	MaxPhotoPixels = 25_000_000
)

// AddPhoto adds a JPEG or PNG photo to an item p may change, with the text
// that describes it (required in Spanish).
func (s *Service) AddPhoto(ctx context.Context, p auth.Principal, id int64, r io.Reader, altES, altEN string) (NewsItem, error) {
	altES, altEN = strings.TrimSpace(cleanText(altES)), strings.TrimSpace(cleanText(altEN))
	if altES == "" {
		return NewsItem{}, errs.Fields("describe the photo for who cannot see it", map[string]string{"alt_es": "required"})
	}
	n, err := s.News(ctx, p, id)
	if err != nil {
		return NewsItem{}, err
	}
	if !auth.Can(p, n.Owner()) && !p.Has(auth.ApproveReports) {
		return NewsItem{}, auth.Authorize(p, n.Owner())
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return NewsItem{}, errs.Wrap(err, "read photo")
	}
	if len(data) > MaxPhotoBytes {
		return NewsItem{}, errs.Fields("the photo is too large", map[string]string{"photo": "at most 10 MB"})
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		return NewsItem{}, errs.Fields("the photo must be a JPEG or PNG image", map[string]string{"photo": "JPEG or PNG"})
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPhotoPixels {
		return NewsItem{}, errs.Fields("the photo is too large", map[string]string{"photo": "at most 25 megapixels"})
	}
	sum, _, err := s.files.Put(bytes.NewReader(data), MaxPhotoBytes)
	if err != nil {
		return NewsItem{}, err
	}
	var out NewsItem
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var photoID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO news_photos (news_id, sha256, media_type, width, height, alt_es, alt_en, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, id, sum, "image/"+format, cfg.Width, cfg.Height, altES, altEN, s.Now()).Scan(&photoID); err != nil {
			return errs.Wrap(err, "save photo")
		}
		var err error
		if out, err = getNews(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Create, "news_photo", photoID, nil, map[string]any{"news_id": id, "sha256": sum, "alt_es": altES, "alt_en": altEN})
	})
	return out, err
}

// PhotoFile returns a photo of an item p may read, and where its file is.
func (s *Service) PhotoFile(ctx context.Context, p auth.Principal, photoID int64) (Photo, string, error) {
	var ph Photo
	var newsID int64
	err := s.db.Read().QueryRowContext(ctx, "SELECT id, news_id, sha256, media_type, width, height, alt_es, alt_en FROM news_photos WHERE id = $1", photoID).
		Scan(&ph.ID, &newsID, &ph.SHA256, &ph.MediaType, &ph.Width, &ph.Height, &ph.AltES, &ph.AltEN)
	if errors.Is(err, sql.ErrNoRows) {
		return ph, "", errs.E(errs.NotFound, "no photo %d", photoID)
	}
	if err != nil {
		return ph, "", errs.Wrap(err, "read photo")
	}
	if _, err := s.News(ctx, p, newsID); err != nil {
		return Photo{}, "", errs.E(errs.NotFound, "no photo %d", photoID)
	}
	return ph, s.files.Path(ph.SHA256), nil
}
