package regulation

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// Norm is a legal norm, technical standard, foreign rule or trade agreement.
type Norm struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Kind        string `json:"kind"`
	Number      string `json:"number"`
	Title       string `json:"title"`
	Issuer      string `json:"issuer"`
	Published   string `json:"published"`     // YYYY-MM-DD, "" when not known
	InForceFrom string `json:"in_force_from"` // YYYY-MM-DD
	// Status is the status recorded for the norm; NormView.EffectiveStatus
	// also reads what other norms do to it.
	Status     string     `json:"status"`
	Summary    string     `json:"summary"`
	Topics     []string   `json:"topics"`
	Species    []string   `json:"species"`
	Activities []string   `json:"activities"` // plan activity codes (3.1.3)
	Relations  []Relation `json:"relations"`  // what this norm does to others
	Text       Text       `json:"text"`
	Source     string     `json:"source"` // where this record's facts come from
	Draft      bool       `json:"draft"`
	// InstitutionID is the institution that keeps the record.
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Relation is what a norm does to another: amends, repeals or regulates it.
type Relation struct {
	Kind string `json:"kind"`
	Norm string `json:"norm"` // the other norm's code
}

// Text is where a norm's full text is: a link, or a file kept by the file
// store under its SHA-256 (with the name it was uploaded with).
type Text struct {
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Owner is who may change the norm: the institution that keeps it.
func (n Norm) Owner() auth.Owner { return keeper(n.InstitutionID) }

func (n Norm) stamp() (id, version int64) { return n.ID, n.Version }

func (n *Norm) keep(institution int64) { n.InstitutionID = institution }

// The vocabularies of norms (codes, with the Spanish words spreadsheets use).
var (
	NormKinds = vocab.List{{Code: "law", ES: "ley"}, {Code: "decree_law", ES: "decreto_ley"},
		{Code: "legislative_decree", ES: "decreto_legislativo"}, {Code: "supreme_decree", ES: "decreto_supremo"},
		{Code: "ministerial_resolution", ES: "resolucion_ministerial"}, {Code: "directorial_resolution", ES: "resolucion_directoral"},
		{Code: "regional_ordinance", ES: "ordenanza_regional"}, {Code: "technical_standard", ES: "norma_tecnica_peruana"},
		{Code: "foreign_norm", ES: "norma_extranjera"}, {Code: "trade_agreement", ES: "acuerdo_comercial"}}
	NormStatuses  = vocab.List{{Code: "in_force", ES: "vigente"}, {Code: "amended", ES: "modificada"}, {Code: "repealed", ES: "derogada"}}
	RelationKinds = vocab.List{{Code: "amends", ES: "modifica"}, {Code: "repeals", ES: "deroga"}, {Code: "regulates", ES: "reglamenta"}}
)

// kindAbbrev is how each kind of Peruvian norm is cited ("R.M. N° …") and
// the prefix of the codes made from it ("RM-…"); foreign norms and trade
// agreements have neither: their number or title says what they are.
var kindAbbrev = map[string][2]string{
	"law": {"Ley", "LEY"}, "decree_law": {"D.L.", "DL"}, "legislative_decree": {"D. Leg.", "DLEG"},
	"supreme_decree": {"D.S.", "DS"}, "ministerial_resolution": {"R.M.", "RM"}, "directorial_resolution": {"R.D.", "RD"},
	"regional_ordinance": {"O.R.", "OR"}, "technical_standard": {"NTP", "NTP"},
}

// Citation is how the norm is cited: "R.M. N° 383-2004-PRODUCE", "NTP
// 204.001", a foreign norm's number, an agreement's title.
func (n Norm) Citation() string {
	switch n.Kind {
	case "trade_agreement":
		return n.Title
	case "technical_standard":
		return "NTP " + n.Number
	}
	if a, ok := kindAbbrev[n.Kind]; ok {
		return a[0] + " N° " + n.Number
	}
	return n.Number
}

var codeJunk = regexp.MustCompile(`[^A-Z0-9._-]+`)

// DeriveCode is the code of a Peruvian norm that a spreadsheet gives
// without one: the kind's prefix and the number ("RM-383-2004-PRODUCE");
// "" for kinds that have no prefix.
func DeriveCode(kind, number string) string {
	a, ok := kindAbbrev[kind]
	if !ok {
		return ""
	}
	num := strings.ToUpper(vocab.Fold(number))
	num = strings.TrimPrefix(strings.TrimPrefix(num, "N°"), "Nº")
	num = strings.Trim(codeJunk.ReplaceAllString(num, "-"), "-")
	if num == "" {
		return ""
	}
	return a[1] + "-" + num
}

// normKnown is what validating a norm checks against.
type normKnown struct {
	species, activities map[string]bool
	codes               map[string]int64 // norm code → id
}

func loadNormKnown(ctx context.Context, q querier) (normKnown, error) {
	var k normKnown
	var err error
	if k.species, err = stringSet(ctx, q, "SELECT code FROM species"); err != nil {
		return k, err
	}
	if k.activities, err = stringSet(ctx, q, "SELECT DISTINCT code FROM plan_activities"); err != nil {
		return k, err
	}
	k.codes, err = normCodes(ctx, q)
	return k, err
}

// normCodes maps every norm's code to its id.
func normCodes(ctx context.Context, q querier) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT code, id FROM norms")
	if err != nil {
		return nil, errs.Wrap(err, "read norms")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, errs.Wrap(err, "read norms")
		}
		out[code] = id
	}
	return out, errs.Wrap(rows.Err(), "read norms")
}

// normalize puts a norm given by a form, the API or a spreadsheet in its
// stored form (codes for vocabulary fields, sorted lists) and returns the
// problems by JSON field. Relations are checked against k.codes, which must
// hold the norms being imported with it.
func (n *Norm) normalize(k normKnown) map[string]string {
	p := map[string]string{}
	n.Title, n.Number, n.Issuer = strings.TrimSpace(n.Title), strings.TrimSpace(n.Number), strings.TrimSpace(n.Issuer)
	n.Summary, n.Source = strings.TrimSpace(n.Summary), strings.TrimSpace(n.Source)
	kind, ok := NormKinds.Parse(n.Kind)
	if ok {
		n.Kind = kind
	} else {
		p["kind"] = "one of " + NormKinds.Words()
	}
	if n.Number == "" {
		p["number"] = "required"
	}
	if n.Title == "" {
		p["title"] = "required"
	}
	n.Code = normalCode(n.Code)
	if n.Code == "" && ok {
		n.Code = DeriveCode(n.Kind, n.Number)
		if n.Code == "" && p["number"] == "" {
			p["code"] = "required for a foreign norm or a trade agreement"
		}
	}
	if msg := checkCode(n.Code); msg != "" && p["code"] == "" && n.Code != "" {
		p["code"] = msg
	}
	status := n.Status
	if strings.TrimSpace(status) == "" {
		status = "in_force"
	}
	if n.Status, ok = NormStatuses.Parse(status); !ok {
		p["status"] = "one of " + NormStatuses.Words()
	}
	var okDate bool
	if n.Published, okDate = parseDate(n.Published); !okDate {
		p["published"] = dateHint
	}
	if n.InForceFrom, okDate = parseDate(n.InForceFrom); !okDate {
		p["in_force_from"] = dateHint
	}
	n.Topics = sortedSet(n.Topics, func(s string) string { return strings.ToLower(s) })
	n.Species = sortedSet(n.Species, func(s string) string {
		if len(s) == 3 {
			return strings.ToUpper(s)
		}
		return s
	})
	for _, sp := range n.Species {
		if !k.species[sp] {
			p["species"] = "unknown species " + sp + ": use codes of the species list"
		}
	}
	n.Activities = sortedSet(n.Activities, strings.TrimSpace)
	for _, a := range n.Activities {
		if !k.activities[a] {
			p["activities"] = "unknown plan activity " + a + ": use activity codes such as 3.1.3"
		}
	}
	rels := []Relation{}
	for _, r := range n.Relations {
		kind, ok := RelationKinds.Parse(r.Kind)
		code := normalCode(r.Norm)
		switch {
		case !ok:
			p["relations"] = "a relation is one of " + RelationKinds.Words()
		case code == n.Code:
			p["relations"] = "a norm cannot refer to itself"
		case k.codes[code] == 0:
			p["relations"] = "unknown norm " + code + ": give the code of a norm that is recorded"
		default:
			if rel := (Relation{Kind: kind, Norm: code}); !slices.Contains(rels, rel) {
				rels = append(rels, rel)
			}
		}
	}
	slices.SortFunc(rels, func(a, b Relation) int { return strings.Compare(a.Kind+" "+a.Norm, b.Kind+" "+b.Norm) })
	n.Relations = rels
	n.Text.URL = strings.TrimSpace(n.Text.URL)
	if u := n.Text.URL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		p["text.url"] = "a web address (https://…)"
	}
	return p
}

const normColumns = `id, code, kind, number, title, issuer, published, in_force_from, status, summary, text_url, text_sha256,
	text_name, source, draft, institution_id, created_at, updated_at, version`

func scanNorm(row interface{ Scan(...any) error }) (Norm, error) {
	var n Norm
	var inst sql.NullInt64
	err := row.Scan(&n.ID, &n.Code, &n.Kind, &n.Number, &n.Title, &n.Issuer, &n.Published, &n.InForceFrom, &n.Status,
		&n.Summary, &n.Text.URL, &n.Text.SHA256, &n.Text.Name, &n.Source, &n.Draft, &inst, &n.CreatedAt, &n.UpdatedAt, &n.Version)
	n.InstitutionID = inst.Int64
	n.Topics, n.Species, n.Activities, n.Relations = []string{}, []string{}, []string{}, []Relation{}
	return n, err
}

// loadNorms reads the norms a query selects (its columns normColumns),
// with their lists, in the query's order.
func loadNorms(ctx context.Context, q querier, query string, args ...any) ([]Norm, error) {
	out, at, err := readRecords(ctx, q, query, args, scanNorm)
	if err != nil || len(out) == 0 {
		return out, err
	}
	// One norm's lists by its id; a list of norms reads the (small) tables whole.
	filter, fargs := "", []any{}
	if len(out) == 1 {
		filter, fargs = " WHERE norm_id = $1", []any{out[0].ID}
	}
	for _, list := range []struct {
		query string
		add   func(n *Norm, v string)
	}{
		{"SELECT norm_id, topic FROM norm_topics" + filter + " ORDER BY topic", func(n *Norm, v string) { n.Topics = append(n.Topics, v) }},
		{"SELECT norm_id, species FROM norm_species" + filter + " ORDER BY species", func(n *Norm, v string) { n.Species = append(n.Species, v) }},
		{"SELECT norm_id, activity FROM norm_activities" + filter + " ORDER BY activity", func(n *Norm, v string) { n.Activities = append(n.Activities, v) }},
		{"SELECT r.norm_id, r.kind || ' ' || t.code FROM norm_relations r JOIN norms t ON t.id = r.target_id" +
			strings.ReplaceAll(filter, "norm_id", "r.norm_id") + " ORDER BY r.kind, t.code",
			func(n *Norm, v string) {
				kind, code, _ := strings.Cut(v, " ")
				n.Relations = append(n.Relations, Relation{Kind: kind, Norm: code})
			}},
	} {
		if err := eachPair(ctx, q, list.query, fargs, func(id int64, v string) {
			if i, ok := at[id]; ok {
				list.add(&out[i], v)
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// norm reads one norm by code.
func norm(ctx context.Context, q querier, code string) (Norm, error) {
	list, err := loadNorms(ctx, q, "SELECT "+normColumns+" FROM norms WHERE code = $1", normalCode(code))
	if err != nil {
		return Norm{}, err
	}
	if len(list) == 0 {
		return Norm{}, errs.E(errs.NotFound, "no norm %s", code)
	}
	return list[0], nil
}

// NormRef names a norm where another record cites it.
type NormRef struct {
	Code            string `json:"code"`
	Citation        string `json:"citation"`
	Title           string `json:"title"`
	EffectiveStatus string `json:"effective_status"`
}

// Link is a relation as one of its two norms sees it: "amends", "repeals"
// or "regulates" the other norm (outgoing), or is amended, repealed or
// regulated by it (incoming).
type Link struct {
	Kind     string  `json:"kind"`
	Incoming bool    `json:"incoming"`
	Norm     NormRef `json:"norm"`
}

// NormView is a norm as pages show it: how it is cited, its status in
// effect, its relations both ways and what rests on it.
type NormView struct {
	Norm
	Citation string `json:"citation"`
	// EffectiveStatus is "repealed" when a published norm repeals it,
	// "amended" when one amends a norm recorded in force, and otherwise the
	// status recorded.
	EffectiveStatus string `json:"effective_status"`
	Links           []Link `json:"links"`
	Procedures      []Ref  `json:"procedures"`   // procedures whose legal basis it is
	Requirements    []Ref  `json:"requirements"` // export requirements it is behind
}

// Ref names a procedure or requirement where another record cites it.
type Ref struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// normGraph is every norm with the relations between them, for reading
// norms' effective status and their relations both ways.
type normGraph struct {
	byCode map[string]Norm
	in     map[string][]Relation // code → the relations that point at it (Norm: the source)
}

func loadGraph(ctx context.Context, q querier) (normGraph, error) {
	all, err := loadNorms(ctx, q, "SELECT "+normColumns+" FROM norms ORDER BY code")
	if err != nil {
		return normGraph{}, err
	}
	g := normGraph{byCode: map[string]Norm{}, in: map[string][]Relation{}}
	for _, n := range all {
		g.byCode[n.Code] = n
		for _, r := range n.Relations {
			g.in[r.Norm] = append(g.in[r.Norm], Relation{Kind: r.Kind, Norm: n.Code})
		}
	}
	return g, nil
}

// effectiveStatus reads what published norms do to the norm code.
func (g normGraph) effectiveStatus(code string) string {
	n := g.byCode[code]
	status := n.Status
	for _, r := range g.in[code] {
		if g.byCode[r.Norm].Draft {
			continue
		}
		switch {
		case r.Kind == "repeals":
			return "repealed"
		case r.Kind == "amends" && status == "in_force":
			status = "amended"
		}
	}
	return status
}

func (g normGraph) ref(code string) NormRef {
	n := g.byCode[code]
	return NormRef{Code: code, Citation: n.Citation(), Title: n.Title, EffectiveStatus: g.effectiveStatus(code)}
}

// view is a norm as p may see it.
func (g normGraph) view(p auth.Principal, n Norm) NormView {
	v := NormView{Norm: n, Citation: n.Citation(), EffectiveStatus: g.effectiveStatus(n.Code), Links: []Link{},
		Procedures: []Ref{}, Requirements: []Ref{}}
	for _, r := range n.Relations {
		if t := g.byCode[r.Norm]; shown(p, t.Draft, t.Owner()) {
			v.Links = append(v.Links, Link{Kind: r.Kind, Norm: g.ref(r.Norm)})
		}
	}
	for _, r := range g.in[n.Code] {
		src := g.byCode[r.Norm]
		if !shown(p, src.Draft, src.Owner()) {
			continue
		}
		v.Links = append(v.Links, Link{Kind: r.Kind, Incoming: true, Norm: g.ref(r.Norm)})
	}
	// What the norm does first, then what others do to it; by kind, then code.
	slices.SortStableFunc(v.Links, func(a, b Link) int {
		if a.Incoming != b.Incoming {
			if a.Incoming {
				return 1
			}
			return -1
		}
		if c := kindOrder(a.Kind) - kindOrder(b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Norm.Code, b.Norm.Code)
	})
	return v
}

func kindOrder(kind string) int {
	return slices.IndexFunc(RelationKinds, func(t vocab.Term) bool { return t.Code == kind })
}

// Norm returns a norm as p may see it (a draft only to who may change it),
// with its relations both ways and what rests on it.
func (s *Service) Norm(ctx context.Context, p auth.Principal, code string) (NormView, error) {
	q := s.db.Read()
	g, err := loadGraph(ctx, q)
	if err != nil {
		return NormView{}, err
	}
	n, ok := g.byCode[normalCode(code)]
	if !ok || !shown(p, n.Draft, n.Owner()) {
		return NormView{}, errs.E(errs.NotFound, "no norm %s", code)
	}
	v := g.view(p, n)
	if v.Procedures, err = s.citing(ctx, p, `SELECT c.code, c.name, c.draft, c.institution_id FROM procedures c
		JOIN procedure_norms x ON x.procedure_id = c.id WHERE x.norm_id = $1 ORDER BY c.code`, n.ID); err != nil {
		return v, err
	}
	v.Requirements, err = s.citing(ctx, p, `SELECT c.code, c.document, c.draft, c.institution_id FROM export_requirements c
		WHERE c.agreement_id = $1 OR c.id IN (SELECT requirement_id FROM export_requirement_norms WHERE norm_id = $1)
		ORDER BY c.code`, n.ID)
	return v, err
}

// citing lists the records a query selects (code, title, draft,
// institution) that p may see.
func (s *Service) citing(ctx context.Context, p auth.Principal, query string, args ...any) ([]Ref, error) {
	rows, err := s.db.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read citing records")
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		var draft bool
		var inst sql.NullInt64
		if err := rows.Scan(&r.Code, &r.Title, &draft, &inst); err != nil {
			return nil, errs.Wrap(err, "read citing records")
		}
		if shown(p, draft, keeper(inst.Int64)) {
			out = append(out, r)
		}
	}
	return out, errs.Wrap(rows.Err(), "read citing records")
}

// NormFilter selects norms; empty fields select everything.
type NormFilter struct {
	Kind, Status, Topic, Species, Activity string // Status is the effective status
}

// Norms lists the norms p may see that match f, the latest published first.
func (s *Service) Norms(ctx context.Context, p auth.Principal, f NormFilter) ([]NormView, error) {
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return nil, err
	}
	out := []NormView{}
	for _, n := range g.byCode {
		if !shown(p, n.Draft, n.Owner()) ||
			(f.Kind != "" && n.Kind != f.Kind) ||
			(f.Topic != "" && !slices.Contains(n.Topics, strings.ToLower(f.Topic))) ||
			(f.Species != "" && !slices.Contains(n.Species, f.Species)) ||
			(f.Activity != "" && !slices.Contains(n.Activities, f.Activity)) {
			continue
		}
		v := g.view(p, n)
		if f.Status != "" && v.EffectiveStatus != f.Status {
			continue
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b NormView) int {
		if c := strings.Compare(b.Published, a.Published); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out, nil
}

// CreateNorm adds a norm, kept by p's institution.
func (s *Service) CreateNorm(ctx context.Context, p auth.Principal, n Norm) (Norm, error) {
	return s.saveNorm(ctx, p, "", n)
}

// UpdateNorm changes the norm code; n.Version is the version the change is
// based on (0 skips the check; forms and the API always give it).
func (s *Service) UpdateNorm(ctx context.Context, p auth.Principal, code string, n Norm) (Norm, error) {
	return s.saveNorm(ctx, p, code, n)
}

// saveNorm adds n (code "") or writes it over the norm code.
func (s *Service) saveNorm(ctx context.Context, p auth.Principal, code string, n Norm) (Norm, error) {
	var out Norm
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := keptBefore(ctx, tx, p, "norm", code, &n, func() (Norm, error) { return norm(ctx, tx, code) })
		if err != nil {
			return err
		}
		k, err := loadNormKnown(ctx, tx)
		if err != nil {
			return err
		}
		if problems := n.normalize(k); len(problems) > 0 {
			return errs.Fields("the norm has invalid fields", problems)
		}
		if out, err = s.writeNorm(ctx, tx, before, n); err != nil {
			return err
		}
		return s.finishNorm(ctx, tx, p, before, out, k.codes)
	})
	return out, err
}

// DeleteNorm removes a norm that nothing cites; version, when not 0, is
// the version the deletion is based on.
func (s *Service) DeleteNorm(ctx context.Context, p auth.Principal, code string, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := norm(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := changeable(ctx, tx, p, "norm", before, version); err != nil {
			return err
		}
		var citedBy string
		err = tx.QueryRowContext(ctx, `SELECT code FROM norms WHERE id IN (SELECT norm_id FROM norm_relations WHERE target_id = $1)
			UNION SELECT code FROM procedures WHERE id IN (SELECT procedure_id FROM procedure_norms WHERE norm_id = $1)
			UNION SELECT code FROM export_requirements WHERE agreement_id = $1
				OR id IN (SELECT requirement_id FROM export_requirement_norms WHERE norm_id = $1)`, before.ID).Scan(&citedBy)
		switch {
		case err == nil:
			return errs.E(errs.Conflict, "%s cites this norm: change it first", citedBy)
		case !errors.Is(err, sql.ErrNoRows):
			return errs.Wrap(err, "read citing records")
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM norms WHERE id = $1 AND version = $2", before.ID, before.Version)
		if err != nil {
			return errs.Wrap(err, "delete norm")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleNorm(ctx, tx, before)
		}
		if err := s.unindex(ctx, tx, "norm", before.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Delete, "norm", before.ID, before, nil)
	})
}

// staleNorm is the Conflict of a write over before that another
// transaction changed after this one read it.
func staleNorm(ctx context.Context, tx *sql.Tx, before Norm) error {
	return stale(ctx, tx, "norm", before, func() (Norm, error) {
		current, err := loadNorms(ctx, tx, "SELECT "+normColumns+" FROM norms WHERE id = $1", before.ID)
		if err == nil && len(current) == 0 {
			err = errs.E(errs.NotFound, "no norm %s", before.Code)
		}
		if err != nil {
			return Norm{}, err
		}
		return current[0], nil
	})
}

// writeNorm adds n (before nil) or writes it over before, with its topics,
// species and activities but not its relations: finishNorm adds those once
// every norm of an import is there to point at.
func (s *Service) writeNorm(ctx context.Context, tx *sql.Tx, before *Norm, n Norm) (Norm, error) {
	var out Norm
	var err error
	// A stored file is AttachText's to change: a save keeps the norm's (a
	// new norm has none), so that no one points a norm at a file someone
	// else stored.
	var kept Text
	if before != nil {
		kept = before.Text
	}
	n.Text.SHA256, n.Text.Name = kept.SHA256, kept.Name
	if before == nil {
		now := s.Now()
		out, err = scanNorm(tx.QueryRowContext(ctx, `INSERT INTO norms (code, kind, number, title, issuer, published, in_force_from,
			status, summary, text_url, text_sha256, text_name, source, draft, institution_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING `+normColumns,
			n.Code, n.Kind, n.Number, n.Title, n.Issuer, n.Published, n.InForceFrom, n.Status, n.Summary, n.Text.URL, n.Text.SHA256,
			n.Text.Name, n.Source, n.Draft, nullID(n.InstitutionID), now))
	} else {
		out, err = scanNorm(tx.QueryRowContext(ctx, `UPDATE norms SET code = $1, kind = $2, number = $3, title = $4, issuer = $5,
			published = $6, in_force_from = $7, status = $8, summary = $9, text_url = $10, text_sha256 = $11, text_name = $12,
			source = $13, draft = $14, updated_at = $15, version = version + 1 WHERE id = $16 AND version = $17 RETURNING `+normColumns,
			n.Code, n.Kind, n.Number, n.Title, n.Issuer, n.Published, n.InForceFrom, n.Status, n.Summary, n.Text.URL, n.Text.SHA256,
			n.Text.Name, n.Source, n.Draft, s.Now(), before.ID, before.Version))
		if errors.Is(err, sql.ErrNoRows) {
			return out, staleNorm(ctx, tx, *before)
		}
	}
	if db.IsUniqueViolation(err) {
		return out, errs.Fields("another norm has this code", map[string]string{"code": "taken by another norm: edit that one instead"})
	}
	if err != nil {
		return out, errs.Wrap(err, "write norm")
	}
	out.Topics, out.Species, out.Activities, out.Relations = n.Topics, n.Species, n.Activities, n.Relations
	for _, list := range []struct {
		table, column string
		values        []string
	}{{"norm_topics", "topic", out.Topics}, {"norm_species", "species", out.Species}, {"norm_activities", "activity", out.Activities}} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+list.table+" WHERE norm_id = $1", out.ID); err != nil {
			return out, errs.Wrap(err, "write norm")
		}
		for _, v := range list.values {
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+list.table+" (norm_id, "+list.column+") VALUES ($1, $2)", out.ID, v); err != nil {
				return out, errs.Wrap(err, "write norm")
			}
		}
	}
	return out, nil
}

// finishNorm stores n's relations (replacing any), indexes it for search
// and records the change: the last step of writing a norm. codes maps the
// norms' codes to ids, those written in this transaction included.
func (s *Service) finishNorm(ctx context.Context, tx *sql.Tx, p auth.Principal, before *Norm, n Norm, codes map[string]int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM norm_relations WHERE norm_id = $1", n.ID); err != nil {
		return errs.Wrap(err, "write norm relations")
	}
	for _, r := range n.Relations {
		if _, err := tx.ExecContext(ctx, "INSERT INTO norm_relations (norm_id, kind, target_id) VALUES ($1, $2, $3)",
			n.ID, r.Kind, codes[r.Norm]); err != nil {
			return errs.Wrap(err, "write norm relations")
		}
	}
	if err := s.indexNorm(ctx, tx, n); err != nil {
		return err
	}
	if before == nil {
		return audit.Record(ctx, tx, p, audit.Create, "norm", n.ID, nil, n)
	}
	return audit.Record(ctx, tx, p, audit.Update, "norm", n.ID, *before, n)
}

// sameNorm reports whether two norms say the same (nothing to change).
func sameNorm(a, b Norm) bool {
	for _, n := range []*Norm{&a, &b} {
		n.ID, n.CreatedAt, n.UpdatedAt, n.Version, n.InstitutionID = 0, time.Time{}, time.Time{}, 0, 0
	}
	return reflect.DeepEqual(a, b)
}
