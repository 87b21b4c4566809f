package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"hash"
	"html/template"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/offer"
	"sriim/internal/render"
	"sriim/internal/render/reports"
)

//go:embed templates static
var embedded embed.FS

// asset is a static file with the hash that goes into its URL.
type asset struct {
	hash  string
	body  []byte
	ctype string
}

// assets serves /static/{hash}/{name}. A URL with the current hash is
// cached for a year; the hash changes when the file does. A directory under
// static/ (a vendored library: leaflet/) is one bundle: its files share
// one hash, of all of them, so that the relative addresses between them
// (leaflet.css → images/layers.png) get the long caching too.
type assets map[string]asset

func loadAssets() (assets, error) {
	a := assets{}
	bundles := map[string]hash.Hash{}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		if name == "app.css" {
			// The pages' style begins with the one they share with the
			// documents (a standalone market report carries it inside).
			body = append([]byte(reports.DocumentCSS), body...)
		}
		sum := sha256.Sum256(body)
		if dir, _, ok := strings.Cut(name, "/"); ok {
			if bundles[dir] == nil {
				bundles[dir] = sha256.New()
			}
			// WalkDir goes in lexical order: the bundle's hash is stable.
			bundles[dir].Write([]byte(name))
			bundles[dir].Write(sum[:])
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8" // a bundle's LICENSE
		}
		a[name] = asset{hash: hex.EncodeToString(sum[:6]), body: body, ctype: ctype}
		return nil
	})
	for name, f := range a {
		if dir, _, ok := strings.Cut(name, "/"); ok {
			f.hash = hex.EncodeToString(bundles[dir].Sum(nil)[:6])
			a[name] = f
		}
	}
	return a, err
}

// url gives the content-hashed address of a static file.
func (a assets) url(name string) (string, error) {
	f, ok := a[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + f.hash + "/" + name, nil
}

func (a assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.PathValue("hash") == f.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old hash after an upgrade: serve the current file, briefly cached.
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", `"`+f.hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+f.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.body)
}

func (a assets) favicon(w http.ResponseWriter, r *http.Request) {
	u, _ := a.url("favicon.svg")
	http.Redirect(w, r, u, http.StatusMovedPermanently)
}

// pages holds each page template parsed together with the layout.
type pages map[string]*template.Template

// templateFuncs are the functions every template may call.
func templateFuncs(a assets) template.FuncMap {
	return template.FuncMap{
		"static":         a.url,
		"num":            render.FormatNumber,
		"list":           func(s ...string) []string { return s },
		"add":            func(a, b int) int { return a + b },
		"deref":          func(f *float64) float64 { return *f },
		"timelineHeight": render.TimelineHeight,
		"hasString":      func(list []string, s string) bool { return slices.Contains(list, s) },
		"localized":      offer.Localized,
		"thousands":      render.Thousands,
		"sub":            func(a, b int) int { return a - b },
		"withQuery":      withQuery,
		"span":           render.GrowthSpan,
		"pct":            render.Percent,
		"inOrder":        inOrder,
		// owner names an ownership that is not a record's, for edit controls.
		"owner": func(kind string) auth.Owner {
			if kind == "reference" {
				return auth.Owner{Reference: true}
			}
			return auth.Owner{AdminOnly: true}
		},
	}
}

// problem is one entry of an import's problems: where, and what is wrong.
type problem struct{ Where, What string }

// inOrder gives an import's problems (keyed "fila 3, columna tipo") in the
// order of the file: by the numbers in the key, not as text, so row 10
// comes after row 9 and not before row 2.
func inOrder(problems map[string]string) []problem {
	out := make([]problem, 0, len(problems))
	for k, v := range problems {
		out = append(out, problem{k, v})
	}
	slices.SortFunc(out, func(a, b problem) int { return importer.CompareKeys(a.Where, b.Where) })
	return out
}

// withQuery is path with the query q, where pairs (key, value, …) replace
// q's values (an empty value removes the key). Every link that carries a
// selection is built with it: html/template escapes a string interpolated
// after "?" as one opaque value ("?a%3d1%26b%3d2"), so a query must reach a
// template as a URL made here, from values, never as a string.
func withQuery(path string, q url.Values, pairs ...any) (template.URL, error) {
	if len(pairs)%2 != 0 {
		return "", fmt.Errorf("withQuery %s: odd number of pairs", path)
	}
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	for i := 0; i < len(pairs); i += 2 {
		k, v := fmt.Sprint(pairs[i]), fmt.Sprint(pairs[i+1])
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
	}
	if len(out) == 0 {
		return template.URL(path), nil
	}
	// The path comes from a template and the query is encoded: a safe URL.
	return template.URL(path + "?" + out.Encode()), nil
}

func loadPages(a assets) (pages, error) {
	funcs := templateFuncs(a)
	names, err := fs.Glob(embedded, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// The layout and partials are parsed once and each page is parsed into
	// a copy of them: parsing them again per page was most of a start's work.
	shared, err := template.New("layout.html").Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	p := pages{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		c, err := shared.Clone()
		if err != nil {
			return nil, err
		}
		t, err := c.New(base).ParseFS(embedded, name)
		if err != nil {
			return nil, err
		}
		p[base] = t
	}
	return p, nil
}

// Page is what every template receives.
type Page struct {
	Lang    i18n.Lang
	Title   string
	Path    string
	Query   url.Values
	Modules []Module
	Data    any
	// User is the logged-in user (nil for visitors).
	User *accounts.User
	// CSRF is the hidden form field every state-changing form must carry.
	CSRF template.HTML
	// Flash is a one-line confirmation after a change ("saved").
	Flash string
	// Pending counts the submitted reports waiting for review, for reviewers' navigation.
	Pending int
	// Demo says that the demonstration dataset is loaded: every page shows a banner.
	Demo bool
	// Invalid holds the problems of a filter form's values by field, in the
	// page's language; the form shows each by its field.
	Invalid map[string]string
	// Base is the site's address as the visitor reached it, for absolute links.
	Base string
	// Canonical is the page's canonical absolute address.
	Canonical string
	// Description, Image and LD describe public pages for search engines and
	// link previews (Open Graph, schema.org JSON-LD).
	Description string
	Image       string
	LD          any
}

// AbsLangURL is this page's absolute address in a language: its canonical
// address in that language, for hreflang links and search engines.
func (p Page) AbsLangURL(lang i18n.Lang) string { return p.Base + p.LangURL(lang) }

// Can reports whether the page's user may change a record with this owner,
// so that templates show edit controls only to those who may use them.
func (p Page) Can(o auth.Owner) bool {
	if p.User == nil {
		return false
	}
	return auth.Can(p.User.Principal(), o)
}

// Has reports whether the page's user holds a permission.
func (p Page) Has(perm string) bool {
	return p.User != nil && p.User.Principal().Has(auth.Permission(perm))
}

// T translates key into the page's language.
func (p Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// In marks an element whose text exists only in lang: ` lang="es"` on a
// page in another language, nothing on a page in lang.
func (p Page) In(lang string) template.HTMLAttr {
	if lang == string(p.Lang) {
		return ""
	}
	return template.HTMLAttr(` lang="` + template.HTMLEscapeString(lang) + `"`)
}

// OnlyIn is the visible note that goes with In: " (in Spanish only)", in the
// page's language, on a page in another language than lang.
func (p Page) OnlyIn(lang string) template.HTML {
	if lang == string(p.Lang) {
		return ""
	}
	return template.HTML(` <small class="fallback" lang="` + string(p.Lang) + `">(` +
		template.HTMLEscapeString(p.T("lang.only_"+lang)) + `)</small>`)
}

// Selection is the page's query without the filter values it could not use
// (Invalid), for the links that carry the page's selection (charts, downloads).
func (p Page) Selection() url.Values {
	q := url.Values{}
	for k, v := range p.Query {
		if _, bad := p.Invalid[k]; !bad {
			q[k] = v
		}
	}
	return q
}

// LangURL is this page's address in another language.
func (p Page) LangURL(lang i18n.Lang) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("lang", string(lang))
	return p.Path + "?" + q.Encode()
}

// Langs lists the interface languages for the switcher.
func (p Page) Langs() []i18n.Lang { return i18n.Supported }

// errorPage shows an error the kernel answers with (httpkit.Fail) as a page.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, kind errs.Kind, message string, fields map[string]string) {
	s.render(w, r, status, "error.html", i18n.T(httpkit.Lang(r), "error.title"), struct {
		Kind    errs.Kind
		Message string
		Fields  []fieldProblem
	}{kind, message, fieldProblems(httpkit.Lang(r), fields)})
}

// fieldProblem is a problem the error page lists, under the label of its
// field ("" for none).
type fieldProblem struct{ Label, Problem string }

// formFieldName is a form field's or a parameter's name ("document_id"),
// as opposed to a place in a file ("fila 3, columna ruc"), which is
// already in the page's words.
var formFieldName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// fieldProblems are an error's problems for the error page, which has no
// form to put them next to: a field's name is the visitor's label for it,
// or left out when it has none (a name like "document_id" is no word of
// the page's language); a place in a file stays as it is.
func fieldProblems(lang i18n.Lang, fields map[string]string) []fieldProblem {
	keys := slices.Sorted(maps.Keys(fields))
	out := make([]fieldProblem, 0, len(keys))
	for _, k := range keys {
		label := k
		if formFieldName.MatchString(k) {
			label = ""
			if i18n.Has("field." + k) {
				label = i18n.T(lang, "field."+k)
			}
		}
		out = append(out, fieldProblem{Label: label, Problem: fields[k]})
	}
	return out
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	s.renderPage(w, r, status, page, Page{Title: title, Data: data})
}

// renderPublic renders a public page with its description, preview image
// and structured data.
func (s *Server) renderPublic(w http.ResponseWriter, r *http.Request, page, title, description string, data, ld any, image string) {
	s.renderPage(w, r, http.StatusOK, page, Page{Title: title, Data: data, Description: description, LD: ld, Image: image})
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, page string, p Page) {
	t, ok := s.pages[page]
	if !ok {
		s.k.Fail(w, r, fmt.Errorf("no template %q", page))
		return
	}
	q := r.URL.Query()
	q.Del("lang")
	q.Del("ok")
	p.Lang, p.Path, p.Query, p.Modules, p.User, p.CSRF, p.Base = httpkit.Lang(r), r.URL.Path, q, navigation, httpkit.CurrentUser(r), httpkit.CSRFField(r), httpkit.BaseURL(r)
	// The canonical address is the page's own: with ?lang= when the visitor
	// chose the language in the address, without it when it was negotiated
	// (that address is also the x-default alternate).
	switch {
	case r.URL.Query().Has("lang"):
		p.Canonical = p.AbsLangURL(p.Lang)
	case len(q) > 0:
		p.Canonical = p.Base + p.Path + "?" + q.Encode()
	default:
		p.Canonical = p.Base + p.Path
	}
	if p.Description == "" {
		p.Description = i18n.T(p.Lang, "site.long") + " — " + i18n.T(p.Lang, "site.region")
	}
	if s.Demo != nil {
		var err error
		if p.Demo, err = s.Demo(r.Context()); err != nil {
			s.Logger.ErrorContext(r.Context(), "read whether demo data is loaded", "err", err)
		}
	}
	if p.Has(string(auth.ApproveReports)) {
		n, err := s.Planning.CountPendingReview(r.Context(), httpkit.Principal(r))
		if err != nil {
			s.Logger.ErrorContext(r.Context(), "count reports to review", "err", err)
		}
		p.Pending = n
	}
	// A link's ok=… names what was done; a made-up one shows nothing, not
	// its key.
	if f := r.URL.Query().Get("ok"); f != "" && i18n.Has("flash."+f) {
		p.Flash = i18n.T(p.Lang, "flash."+f)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.ErrorContext(r.Context(), "render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	httpkit.WriteWithETag(w, r, status, buf.Bytes())
}
