package regulation

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/trade"
	"sriim/internal/vocab"
)

// Requirement is what a market asks of a product: a document (a
// certificate, a label, the registration of the plant) or a tariff.
type Requirement struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	// Product is a product line key (loco_congelado) or HS / national code
	// digits, which cover the codes they begin ("0307" covers 030792).
	Product string `json:"product"`
	Market  int    `json:"market"` // a trade partner code (392 Japan; 97 the European Union)
	Kind    string `json:"kind"`
	// A document's name, who issues it, and the procedure that gives it.
	Document   string `json:"document"`
	DocumentEN string `json:"document_en"`
	Issuer     string `json:"issuer"`
	Procedure  string `json:"procedure"` // a procedure's code, or ""
	// A tariff's rate (percent ad valorem), the trade agreement it is
	// granted under (a norm's code; "" for the MFN rate) and the year it
	// is valid for.
	Agreement     string   `json:"agreement"`
	RatePct       *float64 `json:"rate_pct"`
	ValidYear     int      `json:"valid_year"`
	Description   string   `json:"description"`
	DescriptionEN string   `json:"description_en"`
	Norms         []string `json:"norms"` // the norms behind it
	Source        string   `json:"source"`
	Draft         bool     `json:"draft"`
	// InstitutionID is the institution that keeps the record.
	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Owner is who may change the requirement: the institution that keeps it.
func (r Requirement) Owner() auth.Owner { return keeper(r.InstitutionID) }

func (r Requirement) stamp() (id, version int64) { return r.ID, r.Version }

func (r *Requirement) keep(institution int64) { r.InstitutionID = institution }

// Tariff reports whether the requirement is a tariff.
func (r Requirement) Tariff() bool { return strings.HasPrefix(r.Kind, "tariff_") }

// RequirementKinds are the kinds of requirement, in the order pages list them.
var RequirementKinds = vocab.List{{Code: "sanitary_certificate", ES: "certificado_sanitario"},
	{Code: "origin_certificate", ES: "certificado_origen"}, {Code: "catch_certificate", ES: "certificado_captura"},
	{Code: "labelling", ES: "etiquetado"}, {Code: "plant_registration", ES: "registro_planta"}, {Code: "other", ES: "otro"},
	{Code: "tariff_mfn", ES: "arancel_nmf"}, {Code: "tariff_preferential", ES: "arancel_preferencial"}}

// EuropeanUnion is the market code of the European Union (Comtrade's).
const EuropeanUnion = 97

// euMembers are the European Union's members (ISO 3166 alpha-3): a
// requirement for the Union applies to each.
var euMembers = []string{"AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
	"ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"}

// markets is a market with the unions whose requirements apply to it.
func markets(code int) []int {
	out := []int{code}
	for _, iso := range euMembers {
		if c, ok := trade.PartnerByISO(iso); ok && c == code {
			out = append(out, EuropeanUnion)
		}
	}
	return out
}

// ParseMarket reads a market as spreadsheets give it: a trade partner code
// (392), an ISO 3166 code (JPN or JP) or a name in Spanish or English
// (Japón, Japan, Unión Europea).
func ParseMarket(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if _, ok := trade.PartnerByCode(n); ok {
			return n, true
		}
		return 0, false
	}
	up := strings.ToUpper(s)
	if c, ok := trade.PartnerByISO(up); ok {
		return c, true
	}
	if r, err := language.ParseRegion(up); err == nil && len(up) == 2 {
		if c, ok := trade.PartnerByISO(r.ISO3()); ok {
			return c, true
		}
	}
	if up == "UE" || up == "EU" {
		return EuropeanUnion, true
	}
	folded := vocab.Fold(s)
	for _, p := range trade.Partners() {
		if vocab.Fold(p.NameES) == folded || vocab.Fold(p.NameEN) == folded {
			return p.Code, true
		}
	}
	return 0, false
}

var digits = regexp.MustCompile(`^\d{2,10}$`)

// productCodes is the codes a product stands for: a product line's codes in
// every classification, or the digits given.
func productCodes(product string) ([]string, bool) {
	if l, ok := trade.ProductLine(product); ok {
		var out []string
		for _, c := range l.Codes {
			if !slices.Contains(out, c.Commodity) {
				out = append(out, c.Commodity)
			}
		}
		return out, true
	}
	if digits.MatchString(product) {
		return []string{product}, true
	}
	return nil, false
}

// covers reports whether a requirement's product applies to a product
// asked about: the same line, or codes of which one begins the other (a
// heading covers its subheadings, and a line asked about shows what its
// national lines need).
func covers(reqCodes, askedCodes []string) bool {
	for _, r := range reqCodes {
		for _, a := range askedCodes {
			if strings.HasPrefix(a, r) || strings.HasPrefix(r, a) {
				return true
			}
		}
	}
	return false
}

// requirementKnown is what validating a requirement checks against.
type requirementKnown struct {
	norms      map[string]Norm
	procedures map[string]bool
}

func loadRequirementKnown(ctx context.Context, q querier) (requirementKnown, error) {
	k := requirementKnown{norms: map[string]Norm{}}
	rows, err := q.QueryContext(ctx, "SELECT "+normColumns+" FROM norms")
	if err != nil {
		return k, errs.Wrap(err, "read norms")
	}
	for rows.Next() {
		n, err := scanNorm(rows)
		if err != nil {
			rows.Close()
			return k, errs.Wrap(err, "read norms")
		}
		k.norms[n.Code] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return k, errs.Wrap(err, "read norms")
	}
	k.procedures, err = stringSet(ctx, q, "SELECT code FROM procedures")
	return k, err
}

// normalize puts a requirement in its stored form and returns the problems
// by JSON field.
func (r *Requirement) normalize(k requirementKnown) map[string]string {
	p := map[string]string{}
	r.Code, r.Product = normalCode(r.Code), strings.TrimSpace(r.Product)
	for _, s := range []*string{&r.Document, &r.DocumentEN, &r.Issuer, &r.Description, &r.DescriptionEN, &r.Source} {
		*s = strings.TrimSpace(*s)
	}
	if msg := checkCode(r.Code); msg != "" {
		p["code"] = msg
	}
	if _, ok := productCodes(r.Product); !ok {
		p["product"] = "a product line (loco_fresco, loco_congelado, loco_conserva…) or HS / national code digits (0307, 030792, 0307992000)"
	}
	if _, ok := trade.PartnerByCode(r.Market); !ok || r.Market == 0 {
		p["market"] = "a country or union: its code (392), ISO code (JPN) or name"
	}
	var ok bool
	if r.Kind, ok = RequirementKinds.Parse(r.Kind); !ok {
		p["kind"] = "one of " + RequirementKinds.Words()
	}
	r.Procedure, r.Agreement = normalCode(r.Procedure), normalCode(r.Agreement)
	if r.Procedure != "" && !k.procedures[r.Procedure] {
		p["procedure"] = "the code of a recorded procedure"
	}
	r.Norms = sortedSet(r.Norms, normalCode)
	for _, code := range r.Norms {
		if _, ok := k.norms[code]; !ok {
			p["norms"] = "unknown norm " + code + ": give the codes of recorded norms"
		}
	}
	if r.Tariff() {
		if r.RatePct == nil || *r.RatePct < 0 || *r.RatePct > 1000 {
			p["rate_pct"] = "a tariff's rate, in percent (0 for duty free)"
		}
		if r.ValidYear < 1990 || r.ValidYear > 2100 {
			p["valid_year"] = "the year the rate is valid for"
		}
		switch {
		case r.Kind == "tariff_mfn" && r.Agreement != "":
			p["agreement"] = "the MFN rate is under no agreement: leave it empty, or make the tariff preferential"
		case r.Kind == "tariff_preferential" && r.Agreement == "":
			p["agreement"] = "required: the code of the trade agreement that grants the rate"
		case r.Agreement != "" && k.norms[r.Agreement].Kind != "trade_agreement":
			p["agreement"] = "the code of a recorded norm of kind acuerdo_comercial"
		}
	} else {
		if r.Document == "" && p["kind"] == "" {
			p["document"] = "required: the document's name"
		}
		if r.Agreement != "" || r.RatePct != nil {
			p["agreement"] = "only tariffs have an agreement and a rate"
		}
		if r.ValidYear != 0 && (r.ValidYear < 1990 || r.ValidYear > 2100) {
			p["valid_year"] = "a year between 1990 and 2100"
		}
	}
	return p
}

const requirementColumns = `r.id, r.code, r.product, r.market, r.kind, r.document, r.document_en, r.issuer, COALESCE(c.code, ''),
	COALESCE(n.code, ''), r.rate_pct, r.valid_year, r.description, r.description_en, r.source, r.draft, r.institution_id,
	r.created_at, r.updated_at, r.version`

const requirementFrom = ` FROM export_requirements r LEFT JOIN procedures c ON c.id = r.procedure_id
	LEFT JOIN norms n ON n.id = r.agreement_id`

func scanRequirement(row interface{ Scan(...any) error }) (Requirement, error) {
	var r Requirement
	var rate sql.NullFloat64
	var year, inst sql.NullInt64
	err := row.Scan(&r.ID, &r.Code, &r.Product, &r.Market, &r.Kind, &r.Document, &r.DocumentEN, &r.Issuer, &r.Procedure,
		&r.Agreement, &rate, &year, &r.Description, &r.DescriptionEN, &r.Source, &r.Draft, &inst, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	if rate.Valid {
		r.RatePct = &rate.Float64
	}
	r.ValidYear, r.InstitutionID, r.Norms = int(year.Int64), inst.Int64, []string{}
	return r, err
}

func loadRequirements(ctx context.Context, q querier, where string, args ...any) ([]Requirement, error) {
	out, at, err := readRecords(ctx, q, "SELECT "+requirementColumns+requirementFrom+where+" ORDER BY r.code", args, scanRequirement)
	if err != nil || len(out) == 0 {
		return out, err
	}
	filter, fargs := "", []any{}
	if len(out) == 1 {
		filter, fargs = " WHERE x.requirement_id = $1", []any{out[0].ID}
	}
	err = eachPair(ctx, q, "SELECT x.requirement_id, n.code FROM export_requirement_norms x JOIN norms n ON n.id = x.norm_id"+
		filter+" ORDER BY n.code", fargs, func(id int64, code string) {
		if i, ok := at[id]; ok {
			out[i].Norms = append(out[i].Norms, code)
		}
	})
	return out, err
}

func requirement(ctx context.Context, q querier, code string) (Requirement, error) {
	list, err := loadRequirements(ctx, q, " WHERE r.code = $1", normalCode(code))
	if err != nil {
		return Requirement{}, err
	}
	if len(list) == 0 {
		return Requirement{}, errs.E(errs.NotFound, "no export requirement %s", code)
	}
	return list[0], nil
}

// Product is what a requirements view is about: a product line or codes.
type Product struct {
	Key    string   `json:"key"`
	NameES string   `json:"name_es,omitempty"`
	NameEN string   `json:"name_en,omitempty"`
	Codes  []string `json:"codes"`
}

// DocumentView is a document a market asks for, with the norms behind it
// and, when a procedure gives it, that procedure's term, fee and observed
// durations.
type DocumentView struct {
	Requirement
	MarketName      [2]string       `json:"market_name"` // Spanish, English
	NormRefs        []NormRef       `json:"norm_refs"`
	ProcedureFigure *ProcedureStats `json:"procedure_figures,omitempty"`
}

// TariffView is a tariff with the agreement that grants it named.
type TariffView struct {
	Requirement
	MarketName   [2]string `json:"market_name"`
	AgreementRef *NormRef  `json:"agreement_ref,omitempty"`
}

// RequirementsView is what a market asks of a product: what to do (the
// documents, with what their procedures take and cost) and what tariff
// applies (MFN and each agreement's preferential rate, for the latest year
// recorded up to the one asked about).
type RequirementsView struct {
	Product   Product        `json:"product"`
	Market    trade.Partner  `json:"market"`
	Year      int            `json:"year,omitempty"`
	Documents []DocumentView `json:"documents"`
	Tariffs   []TariffView   `json:"tariffs"`
}

// Requirements is what market asks of product (a product line key or HS /
// national code digits) as p may see it; year picks the tariffs valid for
// it (0: the latest recorded). A member state of the European Union also
// gets the Union's requirements.
func (s *Service) Requirements(ctx context.Context, p auth.Principal, product string, market, year int) (RequirementsView, error) {
	product = strings.TrimSpace(product)
	asked, ok := productCodes(product)
	if !ok {
		return RequirementsView{}, errs.Fields("unknown product", map[string]string{"product": "a product line or HS code digits"})
	}
	partner, ok := trade.PartnerByCode(market)
	if !ok {
		return RequirementsView{}, errs.Fields("unknown market", map[string]string{"market": "a trade partner code"})
	}
	v := RequirementsView{Product: Product{Key: product, Codes: asked}, Market: partner, Year: year,
		Documents: []DocumentView{}, Tariffs: []TariffView{}}
	if l, ok := trade.ProductLine(product); ok {
		v.Product.NameES, v.Product.NameEN = l.NameES, l.NameEN
	}
	ms := markets(market)
	args := make([]any, len(ms))
	ph := make([]string, len(ms))
	for i, m := range ms {
		args[i], ph[i] = m, "$"+strconv.Itoa(i+1)
	}
	list, err := loadRequirements(ctx, s.db.Read(), " WHERE r.market IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return v, err
	}
	g, err := loadGraph(ctx, s.db.Read())
	if err != nil {
		return v, err
	}
	latest := map[string]TariffView{}
	for _, r := range list {
		codes, _ := productCodes(r.Product)
		if !shown(p, r.Draft, r.Owner()) || !covers(codes, asked) {
			continue
		}
		mp, _ := trade.PartnerByCode(r.Market)
		name := [2]string{mp.NameES, mp.NameEN}
		if r.Tariff() {
			if year != 0 && r.ValidYear > year {
				continue
			}
			key := r.Kind + "|" + r.Agreement + "|" + r.Product
			if prev, ok := latest[key]; !ok || r.ValidYear > prev.ValidYear {
				t := TariffView{Requirement: r, MarketName: name}
				if r.Agreement != "" {
					ref := g.ref(r.Agreement)
					t.AgreementRef = &ref
				}
				latest[key] = t
			}
			continue
		}
		d := DocumentView{Requirement: r, MarketName: name, NormRefs: []NormRef{}}
		for _, code := range r.Norms {
			if n := g.byCode[code]; shown(p, n.Draft, n.Owner()) {
				d.NormRefs = append(d.NormRefs, g.ref(code))
			}
		}
		if r.Procedure != "" {
			st, err := s.ProcedureStats(ctx, p, r.Procedure, 0)
			switch {
			case err == nil:
				d.ProcedureFigure = &st
			case !errs.Is(err, errs.NotFound): // a draft procedure p may not see is left out
				return v, err
			}
		}
		v.Documents = append(v.Documents, d)
	}
	order := func(kind string) int {
		return slices.IndexFunc(RequirementKinds, func(t vocab.Term) bool { return t.Code == kind })
	}
	slices.SortFunc(v.Documents, func(a, b DocumentView) int {
		if c := order(a.Kind) - order(b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	for _, t := range latest {
		v.Tariffs = append(v.Tariffs, t)
	}
	slices.SortFunc(v.Tariffs, func(a, b TariffView) int {
		if c := order(a.Kind) - order(b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.Agreement+a.Product, b.Agreement+b.Product)
	})
	return v, nil
}

// RequirementMarkets lists the markets that have requirements p may see
// for product (a product line key or HS / national code digits), by
// Spanish name: where a page about a product links to each market's
// requirements. The European Union is listed as itself.
func (s *Service) RequirementMarkets(ctx context.Context, p auth.Principal, product string) ([]trade.Partner, error) {
	asked, ok := productCodes(strings.TrimSpace(product))
	if !ok {
		return nil, errs.Fields("unknown product", map[string]string{"product": "a product line or HS code digits"})
	}
	list, err := loadRequirements(ctx, s.db.Read(), "")
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	out := []trade.Partner{}
	for _, r := range list {
		codes, _ := productCodes(r.Product)
		if seen[r.Market] || !shown(p, r.Draft, r.Owner()) || !covers(codes, asked) {
			continue
		}
		seen[r.Market] = true
		mp, _ := trade.PartnerByCode(r.Market)
		out = append(out, mp)
	}
	slices.SortFunc(out, func(a, b trade.Partner) int { return strings.Compare(vocab.Fold(a.NameES), vocab.Fold(b.NameES)) })
	return out, nil
}

// ExportRequirement returns one requirement as p may see it.
func (s *Service) ExportRequirement(ctx context.Context, p auth.Principal, code string) (Requirement, error) {
	r, err := requirement(ctx, s.db.Read(), code)
	if err != nil {
		return r, err
	}
	if !shown(p, r.Draft, r.Owner()) {
		return Requirement{}, errs.E(errs.NotFound, "no export requirement %s", code)
	}
	return r, nil
}

// CreateRequirement adds a requirement, kept by p's institution.
func (s *Service) CreateRequirement(ctx context.Context, p auth.Principal, r Requirement) (Requirement, error) {
	return s.saveRequirement(ctx, p, "", r)
}

// UpdateRequirement changes the requirement code; r.Version is the version
// the change is based on (0 skips the check).
func (s *Service) UpdateRequirement(ctx context.Context, p auth.Principal, code string, r Requirement) (Requirement, error) {
	return s.saveRequirement(ctx, p, code, r)
}

// saveRequirement adds r (code "") or writes it over the requirement code.
func (s *Service) saveRequirement(ctx context.Context, p auth.Principal, code string, r Requirement) (Requirement, error) {
	var out Requirement
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := keptBefore(ctx, tx, p, "export_requirement", code, &r, func() (Requirement, error) { return requirement(ctx, tx, code) })
		if err != nil {
			return err
		}
		k, err := loadRequirementKnown(ctx, tx)
		if err != nil {
			return err
		}
		if problems := r.normalize(k); len(problems) > 0 {
			return errs.Fields("the requirement has invalid fields", problems)
		}
		out, err = s.writeRequirement(ctx, tx, p, before, r)
		return err
	})
	return out, err
}

// DeleteRequirement removes a requirement; version, when not 0, is the
// version the deletion is based on.
func (s *Service) DeleteRequirement(ctx context.Context, p auth.Principal, code string, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := requirement(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := changeable(ctx, tx, p, "export_requirement", before, version); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM export_requirements WHERE id = $1 AND version = $2", before.ID, before.Version)
		if err != nil {
			return errs.Wrap(err, "delete requirement")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleRequirement(ctx, tx, before)
		}
		if err := s.unindex(ctx, tx, "requirement", before.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Delete, "export_requirement", before.ID, before, nil)
	})
}

func staleRequirement(ctx context.Context, tx *sql.Tx, before Requirement) error {
	return stale(ctx, tx, "export_requirement", before, func() (Requirement, error) { return requirement(ctx, tx, before.Code) })
}

// writeRequirement adds r (before nil) or writes it over before, with its
// norms, index and audit entry.
func (s *Service) writeRequirement(ctx context.Context, tx *sql.Tx, p auth.Principal, before *Requirement, r Requirement) (Requirement, error) {
	ref := func(table, code string) (sql.NullInt64, error) {
		if code == "" {
			return sql.NullInt64{}, nil
		}
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE code = $1", code).Scan(&id)
		return sql.NullInt64{Int64: id, Valid: true}, errs.Wrap(err, "read %s", table)
	}
	procID, err := ref("procedures", r.Procedure)
	if err != nil {
		return r, err
	}
	agreementID, err := ref("norms", r.Agreement)
	if err != nil {
		return r, err
	}
	var id int64
	if before == nil {
		now := s.Now()
		err = tx.QueryRowContext(ctx, `INSERT INTO export_requirements (code, product, market, kind, document, document_en, issuer,
			procedure_id, agreement_id, rate_pct, valid_year, description, description_en, source, draft, institution_id, created_at,
			updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
			r.Code, r.Product, r.Market, r.Kind, r.Document, r.DocumentEN, r.Issuer, procID, agreementID, r.RatePct, nullYear(r.ValidYear),
			r.Description, r.DescriptionEN, r.Source, r.Draft, nullID(r.InstitutionID), now).Scan(&id)
	} else {
		err = tx.QueryRowContext(ctx, `UPDATE export_requirements SET code = $1, product = $2, market = $3, kind = $4, document = $5,
			document_en = $6, issuer = $7, procedure_id = $8, agreement_id = $9, rate_pct = $10, valid_year = $11, description = $12,
			description_en = $13, source = $14, draft = $15, updated_at = $16, version = version + 1
			WHERE id = $17 AND version = $18 RETURNING id`,
			r.Code, r.Product, r.Market, r.Kind, r.Document, r.DocumentEN, r.Issuer, procID, agreementID, r.RatePct, nullYear(r.ValidYear),
			r.Description, r.DescriptionEN, r.Source, r.Draft, s.Now(), before.ID, before.Version).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return r, staleRequirement(ctx, tx, *before)
		}
	}
	if db.IsUniqueViolation(err) {
		return r, errs.Fields("another requirement has this code", map[string]string{"code": "taken by another requirement: edit that one instead"})
	}
	if err != nil {
		return r, errs.Wrap(err, "write requirement")
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM export_requirement_norms WHERE requirement_id = $1", id); err != nil {
		return r, errs.Wrap(err, "write requirement")
	}
	for _, code := range r.Norms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO export_requirement_norms (requirement_id, norm_id)
			SELECT $1, id FROM norms WHERE code = $2`, id, code); err != nil {
			return r, errs.Wrap(err, "write requirement")
		}
	}
	out, err := requirement(ctx, tx, r.Code)
	if err != nil {
		return out, err
	}
	mp, _ := trade.PartnerByCode(out.Market)
	if err := s.index(ctx, tx, "requirement", out.ID, field{out.Document + " " + out.DocumentEN, weightTitle},
		field{strings.Join([]string{out.Code, out.Issuer, out.Description, out.DescriptionEN, mp.NameES, mp.NameEN,
			RequirementKinds.Spanish(out.Kind), productWords(out.Product)}, " "), weightBody}); err != nil {
		return out, err
	}
	if before == nil {
		return out, audit.Record(ctx, tx, p, audit.Create, "export_requirement", out.ID, nil, out)
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "export_requirement", out.ID, *before, out)
}

// productWords is what a search finds a product by: its line's names, or its code.
func productWords(product string) string {
	if l, ok := trade.ProductLine(product); ok {
		return l.NameES + " " + l.NameEN
	}
	return product
}

// sameRequirement reports whether two requirements say the same.
func sameRequirement(a, b Requirement) bool {
	for _, r := range []*Requirement{&a, &b} {
		r.ID, r.CreatedAt, r.UpdatedAt, r.Version, r.InstitutionID = 0, time.Time{}, time.Time{}, 0, 0
	}
	return reflect.DeepEqual(a, b)
}
