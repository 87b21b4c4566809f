package archive

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sriim/internal/atom"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// The addresses of the archive's pages, files and feeds, relative to the
// site's public address: the feeds, the mails and the sitemap link to them,
// and the web layer serves them.
const (
	NewsFeedPath      = "/noticias.atom"
	DocumentsFeedPath = "/archivo.atom"
)

// DocumentPath is the address of a document's page.
func DocumentPath(id int64) string { return "/archivo/" + strconv.FormatInt(id, 10) }

// FilePath is the stable address of a file version's download.
func FilePath(fileID int64) string { return "/archivo/archivos/" + strconv.FormatInt(fileID, 10) }

// NewsPath is the address of a news item's page.
func NewsPath(id int64) string { return "/noticias/" + strconv.FormatInt(id, 10) }

// FeedEntries is how many entries a feed holds.
const FeedEntries = 30

// NewsFeed is the Atom feed of the latest published news and press notes
// (in the order of the news page: by their date, then publication),
// in lang (an item not written in lang is given in the other language, and
// says so with its hreflang). base is the site's public address.
func (s *Service) NewsFeed(ctx context.Context, base string, lang i18n.Lang) (atom.Feed, error) {
	base = strings.TrimSuffix(base, "/")
	items, err := s.NewsList(ctx, auth.Principal{}, NewsFilter{Limit: FeedEntries})
	if err != nil {
		return atom.Feed{}, err
	}
	f := s.newFeed(base, NewsFeedPath, lang, i18n.T(lang, "feed.news"), i18n.T(lang, "feed.news_subtitle"))
	for _, n := range items {
		t, _ := n.Text(string(lang))
		textLang := string(lang)
		if _, ok := n.Texts[textLang]; !ok {
			for l := range n.Texts {
				textLang = l
			}
		}
		body, err := RenderMarkdown(t.Body)
		if err != nil {
			return f, err
		}
		e := atom.Entry{
			// The entry in each language is its own (another title and
			// text), so its id names the language; an item written in one
			// language only is the same entry in both feeds.
			ID: base + NewsPath(n.ID) + "?lang=" + textLang, Title: t.Title, Updated: atom.Time(n.UpdatedAt),
			Links:      []atom.Link{{Href: base + NewsPath(n.ID) + "?lang=" + textLang, Rel: "alternate", Type: "text/html", Hreflang: textLang}},
			Categories: []atom.Category{{Term: n.Kind, Label: i18n.T(lang, "news.kind."+n.Kind)}},
			Content:    &atom.Text{Type: "html", Base: base + "/", Body: string(body)},
		}
		if n.PublishedAt != nil {
			p := atom.Time(*n.PublishedAt)
			e.Published = &p
		}
		if t.Summary != "" {
			e.Summary = &atom.Text{Body: t.Summary}
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = latest(f)
	return f, nil
}

// DocumentsFeed is the Atom feed of the documents newest in the archive —
// public ones only: a feed is read by anyone.
func (s *Service) DocumentsFeed(ctx context.Context, base string, lang i18n.Lang) (atom.Feed, error) {
	base = strings.TrimSuffix(base, "/")
	docs, err := s.Latest(ctx, auth.Principal{}, time.Time{}, FeedEntries)
	if err != nil {
		return atom.Feed{}, err
	}
	f := s.newFeed(base, DocumentsFeedPath, lang, i18n.T(lang, "feed.documents"), i18n.T(lang, "feed.documents_subtitle"))
	for _, d := range docs {
		// A document has one title and text in both feeds: one entry,
		// one id.
		e := atom.Entry{
			ID: base + DocumentPath(d.ID), Title: d.Title, Updated: atom.Time(d.UpdatedAt),
			Links:      []atom.Link{{Href: base + DocumentPath(d.ID), Rel: "alternate", Type: "text/html", Hreflang: d.Language}},
			Categories: []atom.Category{{Term: d.Kind, Label: i18n.T(lang, "archive.kind."+d.Kind)}},
		}
		published := atom.Time(d.CreatedAt)
		e.Published = &published
		for _, a := range d.Authors {
			e.Authors = append(e.Authors, atom.Person{Name: a})
		}
		if len(e.Authors) == 0 {
			for _, i := range d.Institutions {
				e.Authors = append(e.Authors, atom.Person{Name: i.Name})
			}
		}
		for _, sp := range d.Species {
			e.Categories = append(e.Categories, atom.Category{Term: sp})
		}
		for _, file := range d.Files {
			e.Links = append(e.Links, atom.Link{Href: base + FilePath(file.ID), Rel: "enclosure", Type: file.MediaType, Title: file.Name, Length: file.Size})
		}
		if d.Abstract != "" {
			e.Summary = &atom.Text{Body: d.Abstract}
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = latest(f)
	return f, nil
}

func (s *Service) newFeed(base, path string, lang i18n.Lang, title, subtitle string) atom.Feed {
	// Each language's feed is a feed of its own (a reader that took them
	// for one would mix their entries): its id is its self address.
	self := base + path + "?lang=" + string(lang)
	return atom.Feed{
		Lang: string(lang), ID: self, Title: title, Subtitle: subtitle, Updated: atom.Time(s.Now()),
		Links: []atom.Link{
			{Href: self, Rel: "self", Type: "application/atom+xml"},
			{Href: base + strings.TrimSuffix(path, ".atom"), Rel: "alternate", Type: "text/html"},
		},
		Author: &atom.Person{Name: "SRIIM", URI: base + "/"}, Generator: "SRIIM",
	}
}

// latest is the time of the feed's newest change.
func latest(f atom.Feed) atom.Time {
	if len(f.Entries) == 0 {
		return f.Updated
	}
	t := time.Time(f.Entries[0].Updated)
	for _, e := range f.Entries[1:] {
		if u := time.Time(e.Updated); u.After(t) {
			t = u
		}
	}
	return atom.Time(t)
}

// SitemapEntry is a public page of the archive and when it last changed.
type SitemapEntry struct {
	Path    string
	Updated time.Time
}

// Sitemap lists the archive's public pages: public documents and published
// news (nothing kept for the signed-in or for an institution).
func (s *Service) Sitemap(ctx context.Context) ([]SitemapEntry, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT 'd', id, updated_at FROM archive_documents WHERE access = 'public'
		UNION ALL SELECT 'n', id, updated_at FROM news_items WHERE state = 'published' ORDER BY 1, 2`)
	if err != nil {
		return nil, errs.Wrap(err, "list pages")
	}
	defer rows.Close()
	var out []SitemapEntry
	for rows.Next() {
		var kind string
		var id int64
		var e SitemapEntry
		if err := rows.Scan(&kind, &id, &e.Updated); err != nil {
			return nil, errs.Wrap(err, "list pages")
		}
		e.Path = DocumentPath(id)
		if kind == "n" {
			e.Path = NewsPath(id)
		}
		out = append(out, e)
	}
	return out, errs.Wrap(rows.Err(), "list pages")
}
