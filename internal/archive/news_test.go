package archive_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/archive"
	"sriim/internal/atom"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

func TestRenderMarkdownIsSanitised(t *testing.T) {
	for _, tc := range []struct{ md, want, not string }{
		{"**Exportaciones** de *loco*", "<strong>Exportaciones</strong> de <em>loco</em>", ""},
		{"<script>alert(1)</script>\n\nhola", "<p>hola</p>", "<script"},
		{"hola <script>alert(1)</script> y <b onclick=x()>b</b>", "hola", "<script"},
		{"[enlace](javascript:alert(1))", "enlace", "javascript:"},
		{"[DIREPRO](https://example.org/x)", `href="https://example.org/x" rel="nofollow"`, ""}, // links in news are not endorsements
		{"<img src=x onerror=alert(1)>", "", "onerror"},
		{"| especie | t |\n|---|---|\n| loco | 861 |", "<td>loco</td>", ""},
	} {
		got, err := archive.RenderMarkdown(tc.md)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), tc.want) || (tc.not != "" && strings.Contains(string(got), tc.not)) {
			t.Errorf("RenderMarkdown(%q) = %q, want %q and not %q", tc.md, got, tc.want, tc.not)
		}
	}
}

func TestNewsReviewFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		doc := f.create(t, f.direpro, archive.Input{Title: "Estudio citado"})
		in := archive.NewsInput{Kind: "press", Date: "2026-03-10",
			Texts: map[string]archive.NewsText{"es": {Title: "Récord de exportaciones de loco", Summary: "Un buen año.", Body: "El **loco** se exporta."}},
			Links: []archive.NewsLink{{Kind: "document", Ref: strconv.FormatInt(doc.ID, 10)}, {Kind: "activity", Ref: "4.3.1"}, {Kind: "species", Ref: "SNE"}}}
		n, err := f.svc.CreateNews(ctx, f.direpro, in)
		if err != nil {
			t.Fatal(err)
		}
		if n.State != "draft" || len(n.Links) != 3 {
			t.Fatalf("created %+v", n)
		}
		bad := in
		bad.Links = []archive.NewsLink{{Kind: "activity", Ref: "9.9.9"}}
		if _, err := f.svc.CreateNews(ctx, f.direpro, bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("a link to no activity: %v", err)
		}
		if _, err := f.svc.CreateNews(ctx, f.anon, in); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("anonymous news: %v", err)
		}
		// A draft is its institution's and the Mesa's.
		for who, p := range map[string]struct {
			p  auth.Principal
			ok bool
		}{"anonymous": {f.anon, false}, "IMARPE": {f.imarpe, false}, "DIREPRO": {f.direpro, true}, "Mesa": {f.mesa, true}} {
			_, err := f.svc.News(ctx, p.p, n.ID)
			if (err == nil) != p.ok {
				t.Errorf("%s reads the draft: %v", who, err)
			}
		}
		if list, _ := f.svc.NewsList(ctx, f.anon, archive.NewsFilter{}); len(list) != 0 {
			t.Errorf("the draft is listed publicly")
		}
		if list, _ := f.svc.NewsList(ctx, f.imarpe, archive.NewsFilter{State: "draft"}); len(list) != 0 {
			t.Errorf("IMARPE lists DIREPRO's drafts")
		}
		if list, _ := f.svc.NewsList(ctx, f.direpro, archive.NewsFilter{State: "draft"}); len(list) != 1 {
			t.Errorf("DIREPRO's drafts: %v", list)
		}
		// Editors add an English version, submit; the Mesa publishes.
		in.Version = n.Version
		in.Texts["en"] = archive.NewsText{Title: "Record loco exports", Body: "Loco is exported."}
		if n, err = f.svc.UpdateNews(ctx, f.direpro, n.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateNews(ctx, f.direpro, n.ID, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("a save based on the version before: %v", err)
		}
		if _, err := f.svc.ReviewNews(ctx, f.mesa, n.ID, true, ""); !errs.Is(err, errs.Conflict) {
			t.Errorf("publishing a draft that was not submitted: %v", err)
		}
		if n, err = f.svc.SubmitNews(ctx, f.direpro, n.ID); err != nil || n.State != "submitted" {
			t.Fatalf("submit: %v %+v", err, n)
		}
		in.Version = n.Version
		if _, err := f.svc.UpdateNews(ctx, f.direpro, n.ID, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("an edit under review: %v", err)
		}
		if _, err := f.svc.ReviewNews(ctx, f.direpro, n.ID, true, ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an editor publishes: %v", err)
		}
		if n, err = f.svc.ReviewNews(ctx, f.mesa, n.ID, false, "Falta la fuente"); err != nil || n.State != "returned" || n.ReviewNote != "Falta la fuente" {
			t.Fatalf("send back: %v %+v", err, n)
		}
		if n, err = f.svc.SubmitNews(ctx, f.direpro, n.ID); err != nil {
			t.Fatal(err)
		}
		if n, err = f.svc.ReviewNews(ctx, f.mesa, n.ID, true, ""); err != nil || n.State != "published" || n.PublishedAt == nil {
			t.Fatalf("publish: %v %+v", err, n)
		}
		// Published: public, and only the Mesa corrects it.
		got, err := f.svc.News(ctx, f.anon, n.ID)
		if err != nil || got.Texts["en"].Title != "Record loco exports" {
			t.Fatalf("public read: %v %+v", err, got)
		}
		if text, fallback := got.Text("en"); text.Title != "Record loco exports" || fallback {
			t.Errorf("English text: %+v %v", text, fallback)
		}
		in.Version = n.Version
		if _, err := f.svc.UpdateNews(ctx, f.direpro, n.ID, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("an editor changes a published item: %v", err)
		}
		if list, _ := f.svc.NewsList(ctx, f.anon, archive.NewsFilter{}); len(list) != 1 || list[0].ID != n.ID {
			t.Errorf("published list: %v", list)
		}
		// A photo needs its description; only images are taken.
		var img bytes.Buffer
		_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 6)))
		if _, err := f.svc.AddPhoto(ctx, f.mesa, n.ID, bytes.NewReader(img.Bytes()), "", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("photo without a description: %v", err)
		}
		if _, err := f.svc.AddPhoto(ctx, f.mesa, n.ID, strings.NewReader("<svg onload=alert(1)>"), "Buzos", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("an SVG as a photo: %v", err)
		}
		n, err = f.svc.AddPhoto(ctx, f.mesa, n.ID, bytes.NewReader(img.Bytes()), "Buzos en Ilo", "Divers in Ilo")
		if err != nil || len(n.Photos) != 1 || n.Photos[0].Width != 8 {
			t.Fatalf("photo: %v %+v", err, n.Photos)
		}
		if _, path, err := f.svc.PhotoFile(ctx, f.anon, n.Photos[0].ID); err != nil || path == "" {
			t.Errorf("photo file: %v", err)
		}
	})
}

// feed is the Atom structure a test reads back.
type feed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	IDs     []string `xml:"id"`
	Titles  []string `xml:"title"`
	Updated []string `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Author []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		IDs     []string `xml:"id"`
		Titles  []string `xml:"title"`
		Updated []string `xml:"updated"`
		Links   []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

// checkAtom parses an Atom document and checks what RFC 4287 requires of a
// feed and its entries: one id (an absolute IRI), title and updated (RFC
// 3339) each, an author for the feed, a self link.
func checkAtom(t *testing.T, f atom.Feed) feed {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration")
	}
	var got feed
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not XML in the Atom namespace: %v\n%s", err, buf.String())
	}
	one := func(what string, list []string, absolute bool) {
		t.Helper()
		if len(list) != 1 || strings.TrimSpace(list[0]) == "" {
			t.Errorf("%s: %q, want exactly one", what, list)
			return
		}
		if absolute {
			if u, err := url.Parse(list[0]); err != nil || !u.IsAbs() {
				t.Errorf("%s %q is not an absolute IRI", what, list[0])
			}
		}
	}
	stamp := func(what string, list []string) {
		t.Helper()
		one(what, list, false)
		if len(list) == 1 {
			if _, err := time.Parse(time.RFC3339, list[0]); err != nil {
				t.Errorf("%s %q is not an RFC 3339 date", what, list[0])
			}
		}
	}
	one("feed id", got.IDs, true)
	one("feed title", got.Titles, false)
	stamp("feed updated", got.Updated)
	if len(got.Author) != 1 || got.Author[0].Name == "" {
		t.Errorf("feed author: %+v", got.Author)
	}
	self := false
	for _, l := range got.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Errorf("no self link")
	}
	for i, e := range got.Entries {
		one("entry id", e.IDs, true)
		one("entry title", e.Titles, false)
		stamp("entry updated", e.Updated)
		alternate := false
		for _, l := range e.Links {
			alternate = alternate || l.Rel == "alternate"
		}
		if !alternate {
			t.Errorf("entry %d has no alternate link", i)
		}
	}
	return got
}

func TestFeedsAndSitemap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.corpus(t)
		n, _ := f.svc.CreateNews(ctx, f.direpro, archive.NewsInput{Kind: "news",
			Texts: map[string]archive.NewsText{"es": {Title: "Veda del loco & <b>más</b>", Body: "Texto con <script>x()</script> **negrita**."}}})
		n, _ = f.svc.SubmitNews(ctx, f.direpro, n.ID)
		if _, err := f.svc.ReviewNews(ctx, f.mesa, n.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateNews(ctx, f.direpro, archive.NewsInput{Kind: "news", Texts: map[string]archive.NewsText{"es": {Title: "Borrador"}}}); err != nil {
			t.Fatal(err)
		}
		base := "https://sriim.example.org/"
		news, err := f.svc.NewsFeed(ctx, base, i18n.EN)
		if err != nil {
			t.Fatal(err)
		}
		got := checkAtom(t, news)
		if got.Lang != "en" || len(got.Entries) != 1 || got.Entries[0].Titles[0] != "Veda del loco & <b>más</b>" {
			t.Fatalf("news feed: %+v", got)
		}
		if e := got.Entries[0]; e.IDs[0] != "https://sriim.example.org/noticias/"+strconv.FormatInt(n.ID, 10)+"?lang=es" ||
			e.Content.Type != "html" || !strings.Contains(e.Content.Body, "<strong>negrita</strong>") || strings.Contains(e.Content.Body, "script") {
			t.Errorf("news entry: %+v", e)
		}
		docs, err := f.svc.DocumentsFeed(ctx, base, i18n.ES)
		if err != nil {
			t.Fatal(err)
		}
		got = checkAtom(t, docs)
		if len(got.Entries) != 3 {
			t.Errorf("documents feed has %d entries, want the 3 public documents", len(got.Entries))
		}
		for _, e := range got.Entries {
			if strings.Contains(e.Titles[0], "IMARPE") || strings.Contains(e.Titles[0], "registrados") {
				t.Errorf("a document not public is in the feed: %s", e.Titles[0])
			}
		}
		pages, err := f.svc.Sitemap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) != 4 {
			t.Errorf("sitemap: %v, want 3 public documents and 1 published news item", pages)
		}
		for _, p := range pages {
			if p.Path == archive.NewsPath(n.ID+1) {
				t.Errorf("a draft is in the sitemap")
			}
		}
	})
}

// TestNewsOrderAndFeedIDs: lists and the feed give the news in the order of
// the date they show (a back-dated note published last goes among its day's
// news), and the Spanish and English feeds are two feeds, whose entries for
// an item written in both languages are two entries.
func TestNewsOrderAndFeedIDs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		publish := func(date, title string, at time.Time) archive.NewsItem {
			t.Helper()
			f.svc.Now = func() time.Time { return at }
			n, err := f.svc.CreateNews(ctx, f.direpro, archive.NewsInput{Kind: "news", Date: date,
				Texts: map[string]archive.NewsText{"es": {Title: title, Body: "x"}, "en": {Title: title + " (en)", Body: "x"}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitNews(ctx, f.direpro, n.ID); err != nil {
				t.Fatal(err)
			}
			if n, err = f.svc.ReviewNews(ctx, f.mesa, n.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			return n
		}
		day := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		publish("2026-04-20", "Abril", day)
		publish("2026-04-28", "Fin de abril", day.Add(time.Hour))
		publish("2026-03-15", "Marzo, publicada después", day.Add(2*time.Hour))
		want := []string{"Fin de abril", "Abril", "Marzo, publicada después"}
		list, err := f.svc.NewsList(ctx, auth.Principal{}, archive.NewsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, n := range list {
			titles = append(titles, n.Texts["es"].Title)
		}
		if strings.Join(titles, "|") != strings.Join(want, "|") {
			t.Errorf("news list: %q, want by date %q", titles, want)
		}
		base := "https://sriim.example.org"
		es, err := f.svc.NewsFeed(ctx, base, i18n.ES)
		if err != nil {
			t.Fatal(err)
		}
		en, err := f.svc.NewsFeed(ctx, base, i18n.EN)
		if err != nil {
			t.Fatal(err)
		}
		titles = nil
		for _, e := range es.Entries {
			titles = append(titles, e.Title)
		}
		if strings.Join(titles, "|") != strings.Join(want, "|") {
			t.Errorf("news feed: %q, want by date %q", titles, want)
		}
		if es.ID == en.ID {
			t.Errorf("the Spanish and English news feeds share the id %s", es.ID)
		}
		for i := range es.Entries {
			if es.Entries[i].ID == en.Entries[i].ID {
				t.Errorf("the Spanish and English entries of %q share the id %s", es.Entries[i].Title, es.Entries[i].ID)
			}
		}
		des, _ := f.svc.DocumentsFeed(ctx, base, i18n.ES)
		den, _ := f.svc.DocumentsFeed(ctx, base, i18n.EN)
		if des.ID == den.ID {
			t.Errorf("the Spanish and English documents feeds share the id %s", des.ID)
		}
		// The ids stay the same from one reading to the next.
		if again, _ := f.svc.NewsFeed(ctx, base+"/", i18n.EN); again.ID != en.ID || again.Entries[0].ID != en.Entries[0].ID {
			t.Errorf("the English feed's ids changed: %s %s", again.ID, en.ID)
		}
	})
}
