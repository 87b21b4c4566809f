package prices

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/trade"
	"sriim/internal/vocab"
)

const columns = `id, species, presentation, level, place, year, month, day, currency, unit, price, price_to, quantity_kg,
	source, source_ref, note, institution_id, created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (Price, error) {
	var p Price
	var to, qty sql.NullFloat64
	var inst sql.NullInt64
	err := row.Scan(&p.ID, &p.Species, &p.Presentation, &p.Level, &p.Place, &p.Year, &p.Month, &p.Day, &p.Currency, &p.Unit,
		&p.Price, &to, &qty, &p.Source, &p.SourceRef, &p.Note, &inst, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if to.Valid {
		p.PriceTo = &to.Float64
	}
	if qty.Valid {
		p.QuantityKg = &qty.Float64
	}
	p.Institution = inst.Int64
	return p, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Presentations of a price (as the production module's).
var Presentations = vocab.List{{Code: "", ES: ""}, {Code: "fresh", ES: "fresco"}, {Code: "frozen", ES: "congelado"},
	{Code: "canned", ES: "conservas"}, {Code: "dried_salted", ES: "seco_salado"}}

// known holds the codes a price may name.
type known struct{ species, places map[string]bool }

func readKnown(ctx context.Context, q querier) (known, error) {
	k := known{species: map[string]bool{}, places: map[string]bool{}}
	for table, set := range map[string]map[string]bool{"species": k.species, "places": k.places} {
		rows, err := q.QueryContext(ctx, "SELECT code FROM "+table)
		if err != nil {
			return k, errs.Wrap(err, "read %s", table)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return k, errs.Wrap(err, "read %s", table)
			}
			set[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return k, errs.Wrap(err, "read %s", table)
		}
	}
	return k, nil
}

// validate returns each wrong field (by its JSON name) and why.
func (p *Price) validate(k known) map[string]string {
	bad := map[string]string{}
	if !k.species[p.Species] {
		bad["species"] = "a species' code (SNE)"
	}
	if _, ok := Presentations.Parse(p.Presentation); !ok {
		bad["presentation"] = "fresh, frozen, canned, dried_salted or empty"
	}
	if lv, ok := Levels.Parse(p.Level); ok {
		p.Level = lv
	} else {
		bad["level"] = "beach (playa), wholesale, retail or export_fob"
	}
	if _, country := trade.PartnerByISO(p.Place); !k.places[p.Place] && !country {
		bad["place"] = "a place's code (DPA-ILO) or a country's ISO code (JPN)"
	}
	if p.Year < 1990 || p.Year > 2100 || p.Month < 0 || p.Month > 12 || p.Day < 0 || p.Day > 31 || p.Month == 0 && p.Day != 0 {
		bad["year"] = "a day, a month or a year"
	}
	if p.Currency != "PEN" && p.Currency != "USD" {
		bad["currency"] = "PEN or USD"
	}
	if p.Unit == "" {
		p.Unit = "kg"
	}
	if p.Unit != "kg" {
		bad["unit"] = "kg"
	}
	if !(p.Price > 0) {
		bad["price"] = "a price above zero"
	}
	if p.PriceTo != nil && !(*p.PriceTo >= p.Price) {
		bad["price_to"] = "empty, or the upper end of the range (not below price)"
	}
	if p.QuantityKg != nil && !(*p.QuantityKg >= 0) {
		bad["quantity_kg"] = "empty, or a quantity that is not negative"
	}
	if strings.TrimSpace(p.Source) == "" {
		bad["source"] = "required"
	}
	return bad
}

// institutionFor is the institution that keeps what p records.
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// CanCreate reports whether p may record prices.
func CanCreate(p auth.Principal) bool { return auth.Can(p, auth.Owner{Institution: institutionFor(p)}) }

// Price returns one price.
func (s *Service) Price(ctx context.Context, id int64) (Price, error) {
	return get(ctx, s.db.Read(), id)
}

func get(ctx context.Context, q querier, id int64) (Price, error) {
	p, err := scan(q.QueryRowContext(ctx, "SELECT "+columns+" FROM prices WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no price %d", id)
	}
	return p, errs.Wrap(err, "read price")
}

// Create records a price, kept by the user's institution; the alerts it
// sets off are sent once it is stored.
func (s *Service) Create(ctx context.Context, p auth.Principal, pr Price) (Price, error) {
	pr.Institution = institutionFor(p)
	if err := auth.Authorize(p, pr.Owner()); err != nil {
		return pr, err
	}
	var out Price
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := readKnown(ctx, tx)
		if err != nil {
			return err
		}
		if bad := pr.validate(k); len(bad) > 0 {
			return errs.Fields("the price has invalid fields", bad)
		}
		out, err = s.insert(ctx, tx, p, pr)
		return err
	})
	if err == nil {
		s.alert(ctx, []Price{out})
	}
	return out, err
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, p auth.Principal, pr Price) (Price, error) {
	now := s.Now()
	out, err := scan(tx.QueryRowContext(ctx, `INSERT INTO prices (species, presentation, level, place, year, month, day, currency, unit,
		price, price_to, quantity_kg, source, source_ref, note, institution_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING `+columns,
		pr.Species, pr.Presentation, pr.Level, pr.Place, pr.Year, pr.Month, pr.Day, pr.Currency, pr.Unit, pr.Price, pr.PriceTo,
		pr.QuantityKg, pr.Source, pr.SourceRef, pr.Note, nullID(pr.Institution), now))
	if db.IsUniqueViolation(err) {
		return out, errs.E(errs.Conflict, "this price (species, presentation, level, place, date, currency, source and reference) is already recorded: edit it instead")
	}
	if err != nil {
		return out, errs.Wrap(err, "record price")
	}
	return out, audit.Record(ctx, tx, p, audit.Create, "price", out.ID, nil, out)
}

// Update changes a price. pr.Version is the version the change is based on:
// when the price changed since, Update refuses with a Conflict listing what
// changed (0 skips the check).
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, pr Price) (Price, error) {
	var out Price
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, before.Owner()); err != nil {
			return err
		}
		if pr.Version != 0 && pr.Version != before.Version {
			return audit.Stale(ctx, tx, "price", id, pr.Version, before.Version, before)
		}
		k, err := readKnown(ctx, tx)
		if err != nil {
			return err
		}
		if bad := pr.validate(k); len(bad) > 0 {
			return errs.Fields("the price has invalid fields", bad)
		}
		pr.Institution = before.Institution
		out, err = s.update(ctx, tx, p, before, pr)
		return err
	})
	if err == nil {
		s.alert(ctx, []Price{out})
	}
	return out, err
}

func (s *Service) update(ctx context.Context, tx *sql.Tx, p auth.Principal, before, pr Price) (Price, error) {
	out, err := scan(tx.QueryRowContext(ctx, `UPDATE prices SET species = $1, presentation = $2, level = $3, place = $4, year = $5,
		month = $6, day = $7, currency = $8, unit = $9, price = $10, price_to = $11, quantity_kg = $12, source = $13, source_ref = $14,
		note = $15, updated_at = $16, version = version + 1 WHERE id = $17 AND version = $18 RETURNING `+columns,
		pr.Species, pr.Presentation, pr.Level, pr.Place, pr.Year, pr.Month, pr.Day, pr.Currency, pr.Unit, pr.Price, pr.PriceTo,
		pr.QuantityKg, pr.Source, pr.SourceRef, pr.Note, s.Now(), before.ID, before.Version))
	if errors.Is(err, sql.ErrNoRows) {
		current, gerr := get(ctx, tx, before.ID)
		if gerr != nil {
			return out, gerr
		}
		return out, audit.Stale(ctx, tx, "price", before.ID, before.Version, current.Version, current)
	}
	if db.IsUniqueViolation(err) {
		return out, errs.E(errs.Conflict, "another price already records this observation")
	}
	if err != nil {
		return out, errs.Wrap(err, "update price")
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "price", out.ID, before, out)
}

// Delete removes a price; version, when not 0, is the version the deletion
// is based on.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, before.Owner()); err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "price", id, version, before.Version, before)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM prices WHERE id = $1 AND version = $2", id, before.Version); err != nil {
			return errs.Wrap(err, "delete price")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "price", id, before, nil)
	})
}

// Columns are the import's and export's columns (the template's header).
var Columns = []string{"especie", "presentacion", "nivel", "lugar", "fecha", "moneda", "precio", "precio_hasta", "cantidad_kg",
	"fuente", "referencia", "nota"}

var requiredColumns = []string{"especie", "nivel", "lugar", "fecha", "moneda", "precio", "fuente"}

// jsonField names each column's field in error messages of the API.
var columnField = map[string]string{"species": "especie", "presentation": "presentacion", "level": "nivel", "place": "lugar",
	"year": "fecha", "currency": "moneda", "unit": "moneda", "price": "precio", "price_to": "precio_hasta",
	"quantity_kg": "cantidad_kg", "source": "fuente"}

// fromRow reads a row of the template.
func fromRow(get func(string) string) (Price, map[string]string) {
	bad := map[string]string{}
	pr := Price{Species: strings.ToUpper(get("especie")), Place: get("lugar"), Level: get("nivel"), Source: get("fuente"),
		SourceRef: get("referencia"), Note: get("nota"), Unit: "kg"}
	if c, ok := Presentations.Parse(get("presentacion")); ok {
		pr.Presentation = c
	} else {
		bad["presentacion"] = "fresco, congelado, conservas, seco_salado or empty"
	}
	var ok bool
	if pr.Year, pr.Month, pr.Day, ok = parseDate(get("fecha")); !ok {
		bad["fecha"] = "dd/mm/yyyy, yyyy-mm-dd, yyyy-mm or yyyy"
	}
	cur := vocab.Fold(get("moneda"))
	if pr.Currency = Currencies[cur]; pr.Currency == "" {
		bad["moneda"] = "S/ (PEN) or US$ (USD)"
	}
	if v, err := importer.ParseNumber(get("precio")); err == nil {
		pr.Price = v
	} else {
		bad["precio"] = "a number"
	}
	for col, dst := range map[string]**float64{"precio_hasta": &pr.PriceTo, "cantidad_kg": &pr.QuantityKg} {
		if raw := get(col); raw != "" {
			if v, err := importer.ParseNumber(raw); err == nil {
				*dst = &v
			} else {
				bad[col] = "a number, or empty"
			}
		}
	}
	return pr, bad
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Import reads a CSV or XLSX file in the template's format and writes all
// of it or nothing; a row whose price is recorded already (same species,
// presentation, level, place, date, currency, source and reference)
// updates it, so importing a file again adds nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if !CanCreate(p) {
		return ImportReport{}, auth.Authorize(p, auth.Owner{Institution: institutionFor(p)})
	}
	t, err := importer.Read(r, filename, requiredColumns)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(t.Rows)}
	var touched []Price
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := readKnown(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		list := make([]Price, len(t.Rows))
		for i, row := range t.Rows {
			pr, bad := fromRow(row.Get)
			if len(bad) == 0 {
				for field, msg := range pr.validate(k) {
					bad[columnField[field]] = msg
				}
			}
			for col, msg := range bad {
				problems.Add(row.Line, col, "%s", msg)
			}
			pr.Institution = institutionFor(p)
			list[i] = pr
		}
		if problems.Len() > 0 {
			return problems.Err()
		}
		for i, pr := range list {
			existing, err := scan(tx.QueryRowContext(ctx, "SELECT "+columns+` FROM prices WHERE species = $1 AND presentation = $2
				AND level = $3 AND place = $4 AND year = $5 AND month = $6 AND day = $7 AND currency = $8 AND source = $9 AND source_ref = $10`,
				pr.Species, pr.Presentation, pr.Level, pr.Place, pr.Year, pr.Month, pr.Day, pr.Currency, pr.Source, pr.SourceRef))
			var out Price
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if out, err = s.insert(ctx, tx, p, pr); err != nil {
					return err
				}
				rep.Created++
			case err != nil:
				return errs.Wrap(err, "look up price")
			case existing.same(pr):
				rep.Unchanged++
				continue
			default:
				if !auth.Can(p, existing.Owner()) {
					return errs.E(errs.Forbidden, "row %d: the price is kept by another institution; nothing was imported", t.Rows[i].Line)
				}
				if out, err = s.update(ctx, tx, p, existing, pr); err != nil {
					return err
				}
				rep.Updated++
			}
			touched = append(touched, out)
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	s.alert(ctx, touched)
	return rep, nil
}

// same reports whether o records the same values as p.
func (p Price) same(o Price) bool {
	eq := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	return p.Price == o.Price && eq(p.PriceTo, o.PriceTo) && eq(p.QuantityKg, o.QuantityKg) && p.Note == o.Note && p.Unit == o.Unit
}

// Export returns the template's header and every price as rows.
func (s *Service) Export(ctx context.Context) ([]string, [][]string, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM prices ORDER BY species, level, place, year, month, day, id")
	if err != nil {
		return nil, nil, errs.Wrap(err, "export prices")
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, nil, errs.Wrap(err, "export prices")
		}
		out = append(out, p.Row())
	}
	return Columns, out, errs.Wrap(rows.Err(), "export prices")
}

// Row is the price as a row of the template (Columns), as an import and a
// form read it back.
func (p Price) Row() []string {
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return formatNumber(*v)
	}
	return []string{p.Species, Presentations.Spanish(p.Presentation), Levels.Spanish(p.Level), p.Place, p.Date(),
		p.Currency, formatNumber(p.Price), num(p.PriceTo), num(p.QuantityKg), p.Source, p.SourceRef, p.Note}
}

// LoadSeed imports the seed's prices (data/seed/prices.csv) as the system,
// kept by institution.
func (s *Service) LoadSeed(ctx context.Context, r io.Reader, institution int64) (int, error) {
	p := auth.System
	p.Institutions = []int64{institution}
	rep, err := s.Import(ctx, p, r, "prices.csv")
	return rep.Created, err
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
