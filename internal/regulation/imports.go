package regulation

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/trade"
)

// The import templates' columns, in order: each table is imported from
// and exported to CSV or XLSX in these columns, Spanish as the staff's
// spreadsheets are. Lists within a cell are separated by ";".
var (
	NormColumns = []string{"codigo", "tipo", "numero", "titulo", "emisor", "publicacion", "vigencia", "estado", "modifica",
		"deroga", "reglamenta", "resumen", "temas", "especies", "actividades", "texto_url", "fuente", "borrador"}
	ProcedureColumns = []string{"codigo", "nombre", "institucion", "dias_habiles", "silencio", "tasa_soles", "requisitos",
		"anio_tasa", "pasos", "base_legal", "actividades", "fuente", "borrador"}
	CaseColumns        = []string{"procedimiento", "ruc", "presentado", "resuelto", "resultado", "expediente", "solicitante", "observado", "nota"}
	RequirementColumns = []string{"codigo", "producto", "mercado", "tipo", "documento", "documento_en", "emisor", "procedimiento",
		"normas", "acuerdo", "arancel", "anio", "descripcion", "descripcion_en", "fuente", "borrador"}
)

// The columns each file must have; the others may be left out.
var (
	normRequired        = []string{"tipo", "numero", "titulo"}
	procedureRequired   = ProcedureColumns[:7]
	caseRequired        = CaseColumns[:5]
	requirementRequired = RequirementColumns[:4]
)

// Templates are the import templates by the name the command line uses
// (sriim import NAME FILE).
var Templates = map[string][]string{"norms": NormColumns, "procedures": ProcedureColumns,
	"procedure-cases": CaseColumns, "requirements": RequirementColumns}

// WriteTemplate writes the blank template of a table ("csv" or "xlsx").
func WriteTemplate(w io.Writer, table, format string) error {
	header, ok := Templates[table]
	if !ok {
		return errs.E(errs.NotFound, "no template %s", table)
	}
	if format == "csv" {
		return importer.WriteCSV(w, header, nil)
	}
	return importer.WriteXLSX(w, table, header, nil, nil)
}

// Columns of each JSON field, to report a record's problems by column.
var (
	normField = map[string]string{"code": "codigo", "kind": "tipo", "number": "numero", "title": "titulo", "issuer": "emisor",
		"published": "publicacion", "in_force_from": "vigencia", "status": "estado", "relations": "modifica", "summary": "resumen",
		"topics": "temas", "species": "especies", "activities": "actividades", "text.url": "texto_url", "source": "fuente"}
	procedureField = map[string]string{"code": "codigo", "name": "nombre", "authority": "institucion", "legal_days": "dias_habiles",
		"silence": "silencio", "fee_pen": "tasa_soles", "fee_year": "anio_tasa", "legal_basis": "base_legal", "activities": "actividades"}
	caseField = map[string]string{"procedure": "procedimiento", "applicant_ruc": "ruc", "filed": "presentado", "resolved": "resuelto",
		"outcome": "resultado", "file_number": "expediente", "observed": "observado"}
	requirementField = map[string]string{"code": "codigo", "product": "producto", "market": "mercado", "kind": "tipo",
		"document": "documento", "procedure": "procedimiento", "norms": "normas", "agreement": "acuerdo", "rate_pct": "arancel",
		"valid_year": "anio"}
)

// report adds a record's problems (by JSON field) to a file's, by column.
func report(list *importer.Problems, line int, problems, column map[string]string) {
	for f, msg := range problems {
		list.Add(line, column[f], "%s", msg)
	}
}

// whole reads an optional whole number cell.
func whole(s string) (int, bool) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// forbiddenErr turns the rows p may not write into the import's error.
func forbiddenErr(rows importer.Problems) error {
	return rows.Err().(*errs.Error).Reword(errs.Forbidden, "you may not change some of these records; nothing was imported")
}

// keyed is a record kept by an institution and imported by code.
type keyed[T any] interface {
	record[T]
	keep(institution int64)
}

// writeAll is the write phase of an import by code, once every row is
// checked: a record not recorded yet (find gives none) is added, kept by
// p's institution; a recorded one is left as it is when it says the same,
// and otherwise changed, when p may change it. Rows p may not write make
// the whole import Forbidden, naming them; what names the records in the
// message for a row p may not add (a message itself: "norms").
func writeAll[T any, P keyed[T]](p auth.Principal, t *importer.Table, list []T, what errs.Msg, rep *ImportReport,
	find func(T) ([]T, error), same func(a, b T) bool, write func(before *T, v T) error) error {
	var forbidden importer.Problems
	for i := range list {
		v, line := list[i], t.Rows[i].Line
		existing, err := find(v)
		if err != nil {
			return err
		}
		if len(existing) == 0 {
			P(&v).keep(institutionFor(p))
			if !auth.Can(p, P(&v).Owner()) {
				forbidden.Add(line, "", "you may not add %s", what)
				continue
			}
			if err := write(nil, v); err != nil {
				return err
			}
			rep.Created++
			continue
		}
		before := existing[0]
		if same(before, v) {
			rep.Unchanged++
			continue
		}
		if !auth.Can(p, P(&before).Owner()) {
			forbidden.Add(line, "", "another institution keeps this record")
			continue
		}
		P(&v).keep(P(&before).Owner().Institution)
		if err := write(&before, v); err != nil {
			return err
		}
		rep.Updated++
	}
	if forbidden.Len() > 0 {
		return forbiddenErr(forbidden)
	}
	return nil
}

// ImportNorms reads a norms file (NormColumns) and writes all of it or
// nothing: every problem is reported by row and column. A norm already
// recorded (by code, which a Peruvian norm's kind and number give when
// the file leaves it out) is updated; relations may name norms of the same
// file. New norms are kept by p's institution.
func (s *Service) ImportNorms(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, normRequired)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(t.Rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := loadNormKnown(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		norms := make([]Norm, len(t.Rows))
		first := map[string]int{}
		for i, row := range t.Rows {
			n := normFromRow(row)
			if kind, ok := NormKinds.Parse(n.Kind); ok && normalCode(n.Code) == "" {
				n.Code = DeriveCode(kind, n.Number)
			}
			n.Code = normalCode(n.Code)
			if line, dup := first[n.Code]; dup && n.Code != "" {
				problems.Add(row.Line, "codigo", "repeats the norm of row %d", line)
			}
			first[n.Code] = row.Line
			norms[i] = n
		}
		// Relations may point at norms this file adds.
		for code := range first {
			if _, ok := k.codes[code]; !ok && code != "" {
				k.codes[code] = -1
			}
		}
		for i := range norms {
			if _, ok := yesNo(t.Rows[i].Get("borrador")); !ok {
				problems.Add(t.Rows[i].Line, "borrador", "si or no")
			}
			report(&problems, t.Rows[i].Line, norms[i].normalize(k), normField)
		}
		if err := problems.Err(); err != nil {
			return err
		}
		type written struct {
			before *Norm
			out    Norm
		}
		var done []written
		// The templates carry a norm's text as a link: a stored file stays.
		keepFile := func(before Norm, n *Norm) { n.Text.SHA256, n.Text.Name = before.Text.SHA256, before.Text.Name }
		err = writeAll(p, t, norms, errs.Msg{Format: "norms"}, &rep,
			func(n Norm) ([]Norm, error) {
				return loadNorms(ctx, tx, "SELECT "+normColumns+" FROM norms WHERE code = $1", n.Code)
			},
			func(before, n Norm) bool { keepFile(before, &n); return sameNorm(before, n) },
			func(before *Norm, n Norm) error {
				out, err := s.writeNorm(ctx, tx, before, n)
				done = append(done, written{before, out})
				return err
			})
		if err != nil {
			return err
		}
		codes, err := normCodes(ctx, tx)
		if err != nil {
			return err
		}
		for _, w := range done {
			if err := s.finishNorm(ctx, tx, p, w.before, w.out, codes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

func normFromRow(row importer.Row) Norm {
	n := Norm{Code: row.Get("codigo"), Kind: row.Get("tipo"), Number: row.Get("numero"), Title: row.Get("titulo"),
		Issuer: row.Get("emisor"), Published: row.Get("publicacion"), InForceFrom: row.Get("vigencia"), Status: row.Get("estado"),
		Summary: row.Get("resumen"), Topics: splitList(row.Get("temas")), Species: splitList(row.Get("especies")),
		Activities: splitList(row.Get("actividades")), Text: Text{URL: row.Get("texto_url")}, Source: row.Get("fuente")}
	n.Draft, _ = yesNo(row.Get("borrador"))
	for _, kind := range RelationKinds {
		for _, code := range splitList(row.Get(kind.ES)) {
			n.Relations = append(n.Relations, Relation{Kind: kind.Code, Norm: code})
		}
	}
	return n
}

// ExportNorms returns the norms p may see in the template's columns.
func (s *Service) ExportNorms(ctx context.Context, p auth.Principal) ([]string, [][]string, error) {
	list, err := loadNorms(ctx, s.db.Read(), "SELECT "+normColumns+" FROM norms ORDER BY code")
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for _, n := range list {
		if !shown(p, n.Draft, n.Owner()) {
			continue
		}
		rel := map[string][]string{}
		for _, r := range n.Relations {
			rel[r.Kind] = append(rel[r.Kind], r.Norm)
		}
		rows = append(rows, []string{n.Code, NormKinds.Spanish(n.Kind), n.Number, n.Title, n.Issuer, n.Published, n.InForceFrom,
			NormStatuses.Spanish(n.Status), strings.Join(rel["amends"], "; "), strings.Join(rel["repeals"], "; "),
			strings.Join(rel["regulates"], "; "), n.Summary, strings.Join(n.Topics, "; "), strings.Join(n.Species, "; "),
			strings.Join(n.Activities, "; "), n.Text.URL, n.Source, yesNoCell(n.Draft)})
	}
	return NormColumns, rows, nil
}

// ImportProcedures reads a procedures file (ProcedureColumns; requisitos
// and pasos separated by ";") and writes all of it or nothing; a procedure
// already recorded (by code) is updated. New procedures are kept by p's
// institution; a fee without its year is of the current year.
func (s *Service) ImportProcedures(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, procedureRequired)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(t.Rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := loadProcedureKnown(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		list := make([]Procedure, len(t.Rows))
		first := map[string]int{}
		for i, row := range t.Rows {
			c := Procedure{Code: row.Get("codigo"), Name: row.Get("nombre"), Authority: row.Get("institucion"), Silence: row.Get("silencio"),
				Requirements: splitList(row.Get("requisitos")), Steps: splitList(row.Get("pasos")),
				LegalBasis: splitList(row.Get("base_legal")), Activities: splitList(row.Get("actividades")), Source: row.Get("fuente")}
			var ok bool
			if c.LegalDays, ok = whole(row.Get("dias_habiles")); !ok || row.Get("dias_habiles") == "" {
				problems.Add(row.Line, "dias_habiles", "the legal term, a whole number of business days")
			}
			if v := row.Get("tasa_soles"); v != "" {
				fee, ok := parseAmount(v)
				if strings.EqualFold(v, "gratuito") {
					fee, ok = 0, true
				}
				if !ok {
					problems.Add(row.Line, "tasa_soles", "an amount in soles, such as 362.60 (empty when not known, 0 when free)")
				}
				c.FeePEN = &fee
			}
			if c.FeeYear, ok = whole(row.Get("anio_tasa")); !ok {
				problems.Add(row.Line, "anio_tasa", "a year")
			}
			if c.Draft, ok = yesNo(row.Get("borrador")); !ok {
				problems.Add(row.Line, "borrador", "si or no")
			}
			report(&problems, row.Line, c.normalize(k, s.Now().Year()), procedureField)
			if line, dup := first[c.Code]; dup {
				problems.Add(row.Line, "codigo", "repeats the procedure of row %d", line)
			}
			first[c.Code] = row.Line
			list[i] = c
		}
		if err := problems.Err(); err != nil {
			return err
		}
		return writeAll(p, t, list, errs.Msg{Format: "procedures"}, &rep,
			func(c Procedure) ([]Procedure, error) { return loadProcedures(ctx, tx, " WHERE c.code = $1", c.Code) },
			sameProcedure, func(before *Procedure, c Procedure) error {
				_, err := s.writeProcedure(ctx, tx, p, before, c, k)
				return err
			})
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// ExportProcedures returns the procedures p may see in the template's columns.
func (s *Service) ExportProcedures(ctx context.Context, p auth.Principal) ([]string, [][]string, error) {
	list, err := loadProcedures(ctx, s.db.Read(), "")
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for _, c := range list {
		if !shown(p, c.Draft, c.Owner()) {
			continue
		}
		fee, year := "", ""
		if c.FeePEN != nil {
			fee, year = strconv.FormatFloat(*c.FeePEN, 'f', -1, 64), strconv.Itoa(c.FeeYear)
		}
		rows = append(rows, []string{c.Code, c.Name, c.Authority, strconv.Itoa(c.LegalDays), Silences.Spanish(c.Silence), fee,
			strings.Join(c.Requirements, "; "), year, strings.Join(c.Steps, "; "), strings.Join(c.LegalBasis, "; "),
			strings.Join(c.Activities, "; "), c.Source, yesNoCell(c.Draft)})
	}
	return ProcedureColumns, rows, nil
}

// ImportCases reads a file of cases (CaseColumns) and writes all of it or
// nothing. A case is the one of the same procedure with the same
// expediente, or, without one, with the same RUC and filing day: importing
// it again updates it (a case later resolved gets its resolution). A case
// without a resolution day is still open.
func (s *Service) ImportCases(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, caseRequired)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(t.Rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := s.loadCaseKnown(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		list := make([]Case, len(t.Rows))
		first := map[string]int{}
		for i, row := range t.Rows {
			c := Case{Procedure: row.Get("procedimiento"), ApplicantRUC: row.Get("ruc"), Filed: row.Get("presentado"),
				Resolved: row.Get("resuelto"), Outcome: row.Get("resultado"), FileNumber: row.Get("expediente"),
				ApplicantName: row.Get("solicitante"), Observed: row.Get("observado"), Note: row.Get("nota")}
			pr := c.normalize(k)
			report(&problems, row.Line, pr, caseField)
			if len(pr) == 0 {
				key := caseKey(c)
				if line, dup := first[key]; dup {
					problems.Add(row.Line, "", "repeats the case of row %d (the same procedure and expediente, or RUC and filing day)", line)
				}
				first[key] = row.Line
			}
			list[i] = c
		}
		if err := problems.Err(); err != nil {
			return err
		}
		var forbidden importer.Problems
		for i, c := range list {
			line := t.Rows[i].Line
			proc := k.procedures[c.Procedure]
			if !auth.Can(p, proc.Owner()) {
				forbidden.Add(line, "procedimiento", "the procedure is kept by another institution")
				continue
			}
			where, args := " WHERE c.procedure_id = $1 AND c.file_number = $2", []any{proc.ID, c.FileNumber}
			if c.FileNumber == "" {
				where, args = " WHERE c.procedure_id = $1 AND c.file_number = '' AND c.applicant_ruc = $2 AND c.filed = $3",
					[]any{proc.ID, c.ApplicantRUC, c.Filed}
			}
			existing, err := loadCases(ctx, tx, where, args...)
			if err != nil {
				return err
			}
			switch {
			case len(existing) == 0:
				if _, err := s.writeCase(ctx, tx, p, nil, c, k); err != nil {
					return err
				}
				rep.Created++
			case len(existing) > 1:
				problems.Add(line, "expediente", "%d cases of this applicant were filed that day: give each its expediente", len(existing))
			case sameCase(existing[0], c):
				rep.Unchanged++
			default:
				if _, err := s.writeCase(ctx, tx, p, &existing[0], c, k); err != nil {
					return err
				}
				rep.Updated++
			}
		}
		if forbidden.Len() > 0 {
			return forbiddenErr(forbidden)
		}
		return problems.Err()
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

func caseKey(c Case) string {
	if c.FileNumber != "" {
		return c.Procedure + "|#" + c.FileNumber
	}
	return c.Procedure + "|" + c.ApplicantRUC + "|" + c.Filed
}

// ExportCases returns the cases p may read, of every procedure p may see,
// in the template's columns.
func (s *Service) ExportCases(ctx context.Context, p auth.Principal) ([]string, [][]string, error) {
	procs, err := loadProcedures(ctx, s.db.Read(), "")
	if err != nil {
		return nil, nil, err
	}
	visible := map[string]bool{}
	for _, c := range procs {
		visible[c.Code] = shown(p, c.Draft, c.Owner())
	}
	list, err := loadCases(ctx, s.db.Read(), "")
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for _, c := range list {
		if !visible[c.Procedure] || !c.shownTo(p) {
			continue
		}
		rows = append(rows, []string{c.Procedure, c.ApplicantRUC, c.Filed, c.Resolved, Outcomes.Spanish(c.Outcome), c.FileNumber,
			c.ApplicantName, c.Observed, c.Note})
	}
	return CaseColumns, rows, nil
}

// ImportRequirements reads a requirements file (RequirementColumns) and
// writes all of it or nothing; a requirement already recorded (by code) is
// updated. A row is a document (tipo certificado_sanitario, …, with its
// documento) or a tariff (arancel_nmf or arancel_preferencial, with its
// arancel in percent, its anio and, if preferential, the acuerdo's code).
func (s *Service) ImportRequirements(ctx context.Context, p auth.Principal, r io.Reader, filename string) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	t, err := importer.Read(r, filename, requirementRequired)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(t.Rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		k, err := loadRequirementKnown(ctx, tx)
		if err != nil {
			return err
		}
		var problems importer.Problems
		list := make([]Requirement, len(t.Rows))
		first := map[string]int{}
		for i, row := range t.Rows {
			q := Requirement{Code: row.Get("codigo"), Product: row.Get("producto"), Kind: row.Get("tipo"), Document: row.Get("documento"),
				DocumentEN: row.Get("documento_en"), Issuer: row.Get("emisor"), Procedure: row.Get("procedimiento"),
				Norms: splitList(row.Get("normas")), Agreement: row.Get("acuerdo"), Description: row.Get("descripcion"),
				DescriptionEN: row.Get("descripcion_en"), Source: row.Get("fuente")}
			var ok bool
			if q.Market, ok = ParseMarket(row.Get("mercado")); !ok {
				q.Market = -1
			}
			if v := row.Get("arancel"); v != "" {
				rate, ok := parseAmount(strings.TrimSuffix(v, "%"))
				if !ok {
					problems.Add(row.Line, "arancel", "a rate in percent, such as 10 or 7.5")
				}
				q.RatePct = &rate
			}
			if q.ValidYear, ok = whole(row.Get("anio")); !ok {
				problems.Add(row.Line, "anio", "a year")
			}
			if q.Draft, ok = yesNo(row.Get("borrador")); !ok {
				problems.Add(row.Line, "borrador", "si or no")
			}
			report(&problems, row.Line, q.normalize(k), requirementField)
			if line, dup := first[q.Code]; dup {
				problems.Add(row.Line, "codigo", "repeats the requirement of row %d", line)
			}
			first[q.Code] = row.Line
			list[i] = q
		}
		if err := problems.Err(); err != nil {
			return err
		}
		return writeAll(p, t, list, errs.Msg{Format: "export requirements"}, &rep,
			func(q Requirement) ([]Requirement, error) {
				return loadRequirements(ctx, tx, " WHERE r.code = $1", q.Code)
			},
			sameRequirement, func(before *Requirement, q Requirement) error {
				_, err := s.writeRequirement(ctx, tx, p, before, q)
				return err
			})
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// ExportRequirements returns the requirements p may see in the template's columns.
func (s *Service) ExportRequirements(ctx context.Context, p auth.Principal) ([]string, [][]string, error) {
	list, err := loadRequirements(ctx, s.db.Read(), "")
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for _, q := range list {
		if !shown(p, q.Draft, q.Owner()) {
			continue
		}
		rate, year := "", ""
		if q.RatePct != nil {
			rate = strconv.FormatFloat(*q.RatePct, 'f', -1, 64)
		}
		if q.ValidYear != 0 {
			year = strconv.Itoa(q.ValidYear)
		}
		market := strconv.Itoa(q.Market)
		if mp, ok := trade.PartnerByCode(q.Market); ok && mp.ISO != "" {
			market = mp.ISO
		}
		rows = append(rows, []string{q.Code, q.Product, market, RequirementKinds.Spanish(q.Kind), q.Document, q.DocumentEN, q.Issuer,
			q.Procedure, strings.Join(q.Norms, "; "), q.Agreement, rate, year, q.Description, q.DescriptionEN, q.Source, yesNoCell(q.Draft)})
	}
	return RequirementColumns, rows, nil
}
