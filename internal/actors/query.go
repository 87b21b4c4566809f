package actors

import (
	"context"
	"database/sql"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/number"
	"sriim/internal/vocab"
)

// Filter selects actors for a list. Zero fields select everything.
type Filter struct {
	Kind          string
	Species       string
	District      string
	Certification string // a certification kind in force today
	Q             string // words searched in name, RUC, description and services, ignoring case and accents (see searchWords)
	Inactive      bool   // include deactivated actors (for those who maintain them)
	Sort          string // "name" (default), "registered" (newest first), "district"
	Page, PerPage int    // 1-based, at most maxPage; PerPage defaults to 25, at most 200
}

// Bounds on a list's query: each word is a condition, and SQLite refuses a
// query of a thousand (its expression depth) or a pattern of 50,000 bytes;
// an offset past the largest integer breaks PostgreSQL's.
const (
	maxSearchWords   = 20
	maxSearchWordLen = 100 // runes: a longer word matches what its start matches
	maxPage          = 100_000
)

// searchWords are q's words folded for search_text: the first
// maxSearchWords different ones, each cut to maxSearchWordLen.
func searchWords(q string) []string {
	var words []string
	for _, w := range strings.Fields(vocab.Fold(q)) {
		if r := []rune(w); len(r) > maxSearchWordLen {
			w = string(r[:maxSearchWordLen])
		}
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
		if len(words) == maxSearchWords {
			break
		}
	}
	return words
}

// Page is one page of a list.
type Page struct {
	Actors  []Actor `json:"actors"`
	Total   int     `json:"total"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
}

// Pages is the number of pages.
func (p Page) Pages() int { return (p.Total + p.PerPage - 1) / p.PerPage }

// List returns the actors the filter selects, as p may see them.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) (Page, error) {
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	f.PerPage = min(f.PerPage, 200)
	f.Page = min(max(f.Page, 1), maxPage)
	var cond []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.Inactive || !p.Has(auth.ReadPrivate) {
		cond = append(cond, "actors.active = "+arg(true))
	}
	if f.Kind != "" {
		if code, ok := Kinds.Parse(f.Kind); ok {
			f.Kind = code
		}
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_kinds k WHERE k.actor_id = actors.id AND k.kind = "+arg(f.Kind)+")")
	}
	if f.Species != "" {
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_species sp WHERE sp.actor_id = actors.id AND sp.species = "+arg(f.Species)+")")
	}
	if f.District != "" {
		cond = append(cond, "actors.district = "+arg(f.District))
	}
	if f.Certification != "" {
		if code, ok := CertificationKinds.Parse(f.Certification); ok {
			f.Certification = code
		}
		cond = append(cond, "EXISTS (SELECT 1 FROM actor_certifications c WHERE c.actor_id = actors.id AND c.kind = "+arg(f.Certification)+
			" AND (c.valid_to = '' OR c.valid_to >= "+arg(s.Now().Format("2006-01-02"))+"))")
	}
	for _, word := range searchWords(f.Q) {
		cond = append(cond, "actors.search_text LIKE "+arg("%"+escapeLike(word)+"%")+" ESCAPE '!'")
	}
	where := ""
	if len(cond) > 0 {
		where = " WHERE " + strings.Join(cond, " AND ")
	}
	page := Page{Actors: []Actor{}, Page: f.Page, PerPage: f.PerPage}
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM actors"+where, args...).Scan(&page.Total); err != nil {
		return page, errs.Wrap(err, "count actors")
	}
	order := "lower(name), id"
	switch f.Sort {
	case "registered":
		order = "registered_at DESC, id DESC"
	case "district":
		order = "district, lower(name), id"
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM actors"+where+" ORDER BY "+order+
		" LIMIT "+strconv.Itoa(f.PerPage)+" OFFSET "+strconv.Itoa((f.Page-1)*f.PerPage), args...)
	if err != nil {
		return page, errs.Wrap(err, "list actors")
	}
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			rows.Close()
			return page, errs.Wrap(err, "list actors")
		}
		page.Actors = append(page.Actors, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, errs.Wrap(err, "list actors")
	}
	if err := details(ctx, s.db.Read(), page.Actors); err != nil {
		return page, err
	}
	for i := range page.Actors {
		page.Actors[i] = page.Actors[i].VisibleTo(p)
	}
	return page, nil
}

// escapeLike escapes LIKE's wildcards with '!', which needs no quoting in
// either dialect's string literals (a backslash does).
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// Indicator is a plan indicator computed from the registry.
type Indicator struct {
	Activity string      `json:"activity"` // the seed plan's activity
	Name     string      `json:"name"`
	Kinds    []string    `json:"kinds"`
	Total    int         `json:"total"`
	ByYear   map[int]int `json:"by_year"` // actors registered each year
}

// indicatorDefs are the registry counts the seed plan uses as indicators.
var indicatorDefs = []Indicator{
	{Activity: "1.1.1", Name: "producers", Kinds: []string{"extractor", "producer_org", "mariculturist_small", "mariculturist_large"}},
	{Activity: "1.1.1", Name: "processors", Kinds: []string{"processor"}},
	{Activity: "3.3.1", Name: "financing_sources", Kinds: []string{"financing_source"}},
	{Activity: "3.1.1", Name: "institutions", Kinds: []string{"public_institution"}},
	{Activity: "2.1.2", Name: "market_information_sources", Kinds: []string{"market_info_source"}},
}

// Indicators counts the active actors of each indicator's kinds, in all and
// by year of registration (an actor of several kinds counts once).
func (s *Service) Indicators(ctx context.Context) ([]Indicator, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT a.id, a.registered_at, k.kind FROM actors a
		JOIN actor_kinds k ON k.actor_id = a.id WHERE a.active = $1`, true)
	if err != nil {
		return nil, errs.Wrap(err, "count actors")
	}
	defer rows.Close()
	out := make([]Indicator, len(indicatorDefs))
	counted := make([]map[int64]bool, len(indicatorDefs))
	for i, d := range indicatorDefs {
		out[i] = d
		out[i].ByYear = map[int]int{}
		counted[i] = map[int64]bool{}
	}
	for rows.Next() {
		var id int64
		var at sql.NullTime
		var kind string
		if err := rows.Scan(&id, &at, &kind); err != nil {
			return nil, errs.Wrap(err, "count actors")
		}
		for i, d := range indicatorDefs {
			if counted[i][id] || !contains(d.Kinds, kind) {
				continue
			}
			counted[i][id] = true
			out[i].Total++
			out[i].ByYear[at.Time.Year()]++
		}
	}
	return out, errs.Wrap(rows.Err(), "count actors")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Columns are the import template's columns, in order.
var Columns = []string{"clave", "nombre", "ruc", "tipos", "distrito", "direccion", "latitud", "longitud", "descripcion",
	"descripcion_en", "sitio_web", "contacto", "contacto_publico", "correo", "correo_publico", "telefono", "telefono_publico",
	"especies", "presentaciones", "servicios", "financiamiento_tipo", "financiamiento_beneficiarios",
	"financiamiento_requisitos", "financiamiento_montos", "certificaciones", "activo"}

// jsonField maps problems' JSON field names to template columns.
var jsonField = map[string]string{"key": "clave", "name": "nombre", "ruc": "ruc", "kinds": "tipos", "district": "distrito",
	"latitude": "latitud", "longitude": "longitud", "email": "correo", "website": "sitio_web", "species": "especies",
	"presentations": "presentaciones", "financing_type": "financiamiento_tipo", "certifications": "certificaciones"}

func yesNo(b bool) string {
	if b {
		return "si"
	}
	return "no"
}

func parseYesNo(s string) (bool, bool) {
	switch vocab.Fold(s) {
	case "si", "s", "yes", "y", "true", "1", "x":
		return true, true
	case "no", "n", "false", "0", "":
		return false, true
	}
	return false, false
}

// Row is the spreadsheet row of an actor, in Columns order.
func (a Actor) Row() []string {
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	kinds := make([]string, len(a.Kinds))
	for i, k := range a.Kinds {
		kinds[i] = Kinds.Spanish(k)
	}
	pres := make([]string, len(a.Presentations))
	for i, p := range a.Presentations {
		pres[i] = Presentations.Spanish(p)
	}
	certs := make([]string, len(a.Certifications))
	for i, c := range a.Certifications {
		certs[i] = strings.Join([]string{CertificationKinds.Spanish(c.Kind), c.Number, c.Issuer, c.ValidTo}, "|")
	}
	return []string{a.Key, a.Name, a.RUC, strings.Join(kinds, "; "), a.District, a.Address, coord(a.Latitude), coord(a.Longitude),
		a.Description, a.DescriptionEN, a.Website, a.ContactName, yesNo(a.ContactNamePublic), a.Email, yesNo(a.EmailPublic),
		a.Phone, yesNo(a.PhonePublic), strings.Join(a.Species, "; "), strings.Join(pres, "; "), a.Services,
		FinancingTypes.Spanish(a.FinancingType), a.FinancingEligible, a.FinancingRequirements, a.FinancingAmounts,
		strings.Join(certs, "; "), yesNo(a.Active)}
}

// FromCells reads an actor from cells named by Columns (a form's fields use
// the same names); problems are keyed by column.
func FromCells(get func(string) string) (Actor, map[string]string) { return fromRow(get) }

// FormProblems renames problems from JSON field names to template columns.
func FormProblems(fields map[string]string) map[string]string {
	out := map[string]string{}
	for field, msg := range fields {
		if col, ok := jsonField[field]; ok {
			out[col] = msg
		} else {
			out[field] = msg
		}
	}
	return out
}

// fromRow reads an actor from an import row; problems are keyed by column.
func fromRow(get func(string) string) (Actor, map[string]string) {
	p := map[string]string{}
	a := Actor{Key: get("clave"), Name: get("nombre"), RUC: get("ruc"), Kinds: splitList(get("tipos"), ";"),
		District: get("distrito"), Address: get("direccion"), Description: get("descripcion"), DescriptionEN: get("descripcion_en"),
		Website: get("sitio_web"), ContactName: get("contacto"), Email: get("correo"), Phone: get("telefono"),
		Species: splitList(get("especies"), ";"), Presentations: splitList(get("presentaciones"), ";"), Services: get("servicios"),
		FinancingType: get("financiamiento_tipo"), FinancingEligible: get("financiamiento_beneficiarios"),
		FinancingRequirements: get("financiamiento_requisitos"), FinancingAmounts: get("financiamiento_montos"),
		Certifications: []Certification{}, Active: true}
	for col, dst := range map[string]**float64{"latitud": &a.Latitude, "longitud": &a.Longitude} {
		if v := get(col); v != "" {
			f, err := number.Parse(v)
			if err != nil {
				p[col] = number.Hint
			}
			*dst = &f
		}
	}
	for col, dst := range map[string]*bool{"contacto_publico": &a.ContactNamePublic, "correo_publico": &a.EmailPublic,
		"telefono_publico": &a.PhonePublic, "activo": &a.Active} {
		v := get(col)
		if v == "" && col == "activo" {
			continue
		}
		b, ok := parseYesNo(v)
		if !ok {
			p[col] = "si or no"
		}
		*dst = b
	}
	for _, c := range splitList(get("certificaciones"), ";") {
		parts := strings.Split(c, "|")
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		a.Certifications = append(a.Certifications, Certification{Kind: strings.TrimSpace(parts[0]), Number: strings.TrimSpace(parts[1]),
			Issuer: strings.TrimSpace(parts[2]), ValidTo: strings.TrimSpace(parts[3])})
	}
	return a, p
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows      int       `json:"rows"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Warnings  []Warning `json:"warnings,omitempty"`
	// Encoding is "windows-1252" when a CSV file was read as such (it was not UTF-8).
	Encoding string `json:"encoding,omitempty"`
}

// Import reads a CSV or XLSX file in the template's format and writes all
// of it or nothing; each problem is reported with its row and column. A row
// matches a registered actor by RUC, else by its key (the "clave" column,
// or the name and district when it is empty), and updates it: importing the
// same file twice changes nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	var rep ImportReport
	if p.Anonymous() {
		return rep, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, []string{"nombre", "tipos"})
	if err != nil {
		return rep, err
	}
	rep.Rows, rep.Encoding = len(t.Rows), t.Encoding
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := s.reference(ctx, tx)
		if err != nil {
			return err
		}
		var problems, forbidden importer.Problems
		rows := make([]Actor, len(t.Rows))
		seen := map[string]int{}
		for i, row := range t.Rows {
			a, pr := fromRow(row.Get)
			for field, msg := range a.normalize(ref) {
				pr[jsonField[field]] = msg
			}
			for col, msg := range pr {
				problems.Add(row.Line, col, "%s", msg)
			}
			for _, k := range []string{"ruc:" + a.RUC, "key:" + a.Key} {
				if k == "ruc:" {
					continue
				}
				if line, dup := seen[k]; dup {
					problems.Add(row.Line, "", "the same actor as row %d", line)
				}
				seen[k] = row.Line
			}
			rows[i] = a
		}
		if problems.Len() > 0 {
			return problems.Err()
		}
		for i, a := range rows {
			line := t.Rows[i].Line
			existing, err := getActor(ctx, tx, "key = $1", a.Key)
			if a.RUC != "" {
				if byRUC, rerr := getActor(ctx, tx, "ruc = $1", a.RUC); rerr == nil {
					existing, err = byRUC, nil
				}
			}
			switch {
			case errs.Is(err, errs.NotFound):
				a.InstitutionID = institutionFor(p)
				if !auth.Can(p, auth.Owner{Institution: a.InstitutionID}) {
					forbidden.Add(line, "", "you may not register actors")
					continue
				}
				w, err := duplicates(ctx, tx, a)
				if err != nil {
					return err
				}
				rep.Warnings = append(rep.Warnings, w...)
				if _, err := s.write(ctx, tx, p, a, nil); err != nil {
					return err
				}
				rep.Created++
			case err != nil:
				return err
			default:
				a.ID, a.InstitutionID = existing.ID, existing.InstitutionID
				if sameRecord(existing, a) {
					rep.Unchanged++
					continue
				}
				if !auth.Can(p, existing.Owner()) {
					forbidden.Add(line, "", "the actor is maintained by another institution")
					continue
				}
				if _, err := s.write(ctx, tx, p, a, &existing); err != nil {
					return err
				}
				rep.Updated++
			}
		}
		if forbidden.Len() > 0 {
			return forbidden.Err().(*errs.Error).Reword(errs.Forbidden, "you may not change some of these actors; nothing was imported")
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// sameRecord reports whether an import row says nothing new about an actor.
func sameRecord(existing, row Actor) bool {
	a, b := existing.Row(), row.Row()
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Export returns the template's header and every actor (active or not) as
// rows, with all contact fields: for administrators and the command line.
// What it writes imports back unchanged.
func (s *Service) Export(ctx context.Context, p auth.Principal) ([]string, [][]string, error) {
	page, err := s.List(ctx, p, Filter{Inactive: true, PerPage: 200})
	if err != nil {
		return nil, nil, err
	}
	all := page.Actors
	for n := 2; n <= page.Pages(); n++ {
		next, err := s.List(ctx, p, Filter{Inactive: true, PerPage: 200, Page: n})
		if err != nil {
			return nil, nil, err
		}
		all = append(all, next.Actors...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	rows := make([][]string, len(all))
	for i, a := range all {
		rows[i] = a.Row()
	}
	return Columns, rows, nil
}
