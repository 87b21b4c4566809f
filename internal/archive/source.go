package archive

import (
	"context"
	"maps"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Sources are the archive as a source of the plan's indicators:
// "archive.documents" counts the public documents that serve the
// indicator's activity (every public document for the dashboard, or with
// activity=any) by their year — or, with cumulative=true, from the
// binding's first year to each year; param kind (comma-separated: estudio,
// guia…) keeps those kinds. Public only, because the value and the records
// behind it are shown to everyone.
func (s *Service) Sources() []indicators.Source {
	return []indicators.Source{indicators.SourceFunc("archive.documents", s.documentsSource)}
}

func (s *Service) documentsSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}}
	if err := indicators.Params(q, "kind", "activity"); err != nil {
		return res, err
	}
	args := []any{q.From, q.To}
	cond := []string{"d.access = 'public'", "d.year >= $1", "d.year <= $2"}
	activity := q.Activity.Code
	switch a := q.Params.Get("activity"); a {
	case "":
	case "any":
		activity = ""
	default:
		return res, errs.E(errs.Invalid, "the parameter activity takes only %q (every activity)", "any")
	}
	if activity != "" {
		args = append(args, activity)
		cond = append(cond, "EXISTS (SELECT 1 FROM archive_document_activities da WHERE da.document_id = d.id AND da.activity_code = $3)")
	}
	if kinds := q.Params.Get("kind"); kinds != "" {
		var ph []string
		for _, k := range strings.Split(kinds, ",") {
			code, ok := Kinds.Parse(k)
			if !ok {
				return res, errs.E(errs.Invalid, "%q is not a kind of document; use %s", k, Kinds.Words())
			}
			args = append(args, code)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		cond = append(cond, "d.kind IN ("+strings.Join(ph, ", ")+")")
	}
	docs, err := readDocuments(ctx, s.db.Read(), "SELECT "+documentColumns+" FROM archive_documents d WHERE "+strings.Join(cond, " AND ")+" ORDER BY d.year DESC, d.id DESC", args...)
	if err != nil {
		return res, err
	}
	for _, y := range q.Years() {
		from, to := q.Window(y)
		n := 0
		for _, d := range docs {
			if d.Year < from || d.Year > to {
				continue
			}
			n++
			if y == q.To && len(res.Records) < indicators.MaxRecords {
				res.Records = append(res.Records, indicators.Record{Entity: "document", ID: d.ID, Label: d.Title})
			}
		}
		res.Values[y] = float64(n)
	}
	var scope errs.Msg
	if activity != "" {
		scope = errs.Msg{Format: "public documents of the archive that serve activity %s", Args: []any{activity}}
	} else {
		scope = errs.Msg{Format: "public documents of the archive"}
	}
	window := errs.Msg{Format: "each year"}
	if q.Params.Get("cumulative") == "true" {
		window = errs.Msg{Format: "from %d to each year", Args: []any{q.From}}
	}
	// The scope says in words which activity counts: activity=any is not
	// repeated as a code after it.
	params := maps.Clone(q.Params)
	delete(params, "activity")
	res.Computation = indicators.Described(errs.Msg{Format: "%s, by the year of the document (%s)", Args: []any{scope, window}},
		errs.Msg{Format: "%s, by the year of the document (%s), with %s", Args: []any{scope, window}}, params)
	return res, nil
}
