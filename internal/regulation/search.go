package regulation

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/spanish"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// The search: each norm, procedure and requirement is indexed as the terms
// of its words (regulation_terms), found by plain SQL that both backends
// answer alike. A term is a word folded (lower case, no accents) and
// stemmed with Snowball's Spanish stemmer (the one PostgreSQL's "spanish"
// configuration uses), so "exportación", "EXPORTACION" and "exportaciones"
// are one term; Spanish stop words are left out. The technical archive's
// full-text search (internal/fulltext, on its own branch) analyses words
// the same way; once it lands, terms can call it and this index can move
// into the archive's.

// Weights of where a word stands: a title counts more than a description.
const (
	weightTitle = 3
	weightBody  = 1
)

// maxTermBytes is the longest word indexed; longer runs are not words.
const maxTermBytes = 40

// reaccent gives a folded word back the accent of the Snowball suffixes
// that are only listed with one, so that a word typed without its accent
// ("exportacion") stems as the accented one does.
var reaccent = []struct{ plain, accented string }{
	{"acion", "ación"}, {"ucion", "ución"}, {"logias", "logías"}, {"logia", "logía"},
}

// terms calls fn with the term of each indexed word of text, with repeats.
func terms(text string, fn func(term string)) {
	for _, w := range strings.FieldsFunc(vocab.Fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) < 2 || len(w) > maxTermBytes || spanish.IsStopWord(w) {
			continue
		}
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			fn(w) // numbers and codes are their own terms
			continue
		}
		for _, ra := range reaccent {
			if strings.HasSuffix(w, ra.plain) {
				w = w[:len(w)-len(ra.plain)] + ra.accented
				break
			}
		}
		fn(vocab.Fold(spanish.Stem(w, true)))
	}
}

// field is a text to index with its weight.
type field struct {
	text   string
	weight int
}

// index replaces a record's terms.
func (s *Service) index(ctx context.Context, tx *sql.Tx, entity string, id int64, fields ...field) error {
	if err := s.unindex(ctx, tx, entity, id); err != nil {
		return err
	}
	weights := map[string]int{}
	for _, f := range fields {
		terms(f.text, func(t string) { weights[t] += f.weight })
	}
	list := make([]string, 0, len(weights))
	for t := range weights {
		list = append(list, t)
	}
	slices.Sort(list)
	// Fifty terms to a statement: a record has a few dozen.
	for start := 0; start < len(list); start += 50 {
		var values []string
		var args []any
		for _, t := range list[start:min(start+50, len(list))] {
			n := len(args)
			values = append(values, "($"+strconv.Itoa(n+1)+", $"+strconv.Itoa(n+2)+", $"+strconv.Itoa(n+3)+", $"+strconv.Itoa(n+4)+")")
			args = append(args, entity, id, t, weights[t])
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO regulation_terms (entity, record_id, term, weight) VALUES "+strings.Join(values, ", "),
			args...); err != nil {
			return errs.Wrap(err, "index for search")
		}
	}
	return nil
}

func (s *Service) unindex(ctx context.Context, tx *sql.Tx, entity string, id int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM regulation_terms WHERE entity = $1 AND record_id = $2", entity, id)
	return errs.Wrap(err, "index for search")
}

// indexNorm indexes a norm with the text of its file, if it has one.
func (s *Service) indexNorm(ctx context.Context, tx *sql.Tx, n Norm) error {
	text, err := storedText(ctx, tx, n)
	if err != nil {
		return err
	}
	return s.index(ctx, tx, "norm", n.ID, field{n.Citation() + " " + n.Title, weightTitle},
		field{strings.Join([]string{n.Code, n.Issuer, n.Summary, strings.Join(n.Topics, " "), NormKinds.Spanish(n.Kind), text}, " "), weightBody})
}

// Hit is a record that a search found.
type Hit struct {
	Entity string `json:"entity"` // norm, procedure or requirement
	Code   string `json:"code"`
	Title  string `json:"title"`
	Score  int    `json:"score"`
}

// maxQueryTerms bounds the words of a query that are looked up.
const maxQueryTerms = 20

// Search finds the norms, procedures and requirements p may see that hold
// every word of q (in any form: accents and endings do not matter), the
// best first: the words' weights summed, a title's counting more.
func (s *Service) Search(ctx context.Context, p auth.Principal, q string, limit int) ([]Hit, error) {
	var want []string
	terms(q, func(t string) {
		if !slices.Contains(want, t) && len(want) < maxQueryTerms {
			want = append(want, t)
		}
	})
	if len(want) == 0 {
		return []Hit{}, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	args := make([]any, len(want))
	ph := make([]string, len(want))
	for i, t := range want {
		args[i], ph[i] = t, "$"+strconv.Itoa(i+1)
	}
	args = append(args, len(want))
	rows, err := s.db.Read().QueryContext(ctx, `SELECT entity, record_id, SUM(weight) FROM regulation_terms
		WHERE term IN (`+strings.Join(ph, ", ")+`) GROUP BY entity, record_id
		HAVING COUNT(*) = $`+strconv.Itoa(len(args))+` ORDER BY SUM(weight) DESC, entity, record_id`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "search")
	}
	type found struct {
		entity string
		id     int64
		score  int
	}
	var all []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.entity, &f.id, &f.score); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "search")
		}
		all = append(all, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "search")
	}
	out := []Hit{}
	for _, f := range all {
		var query string
		switch f.entity {
		case "norm":
			query = "SELECT code, kind, number, title, draft, institution_id FROM norms WHERE id = $1"
		case "procedure":
			query = "SELECT code, '', '', name, draft, institution_id FROM procedures WHERE id = $1"
		default:
			query = "SELECT code, kind, '', document, draft, institution_id FROM export_requirements WHERE id = $1"
		}
		var h Hit
		var kind, number string
		var draft bool
		var inst sql.NullInt64
		if err := s.db.Read().QueryRowContext(ctx, query, f.id).Scan(&h.Code, &kind, &number, &h.Title, &draft, &inst); err != nil {
			return nil, errs.Wrap(err, "search")
		}
		if !shown(p, draft, keeper(inst.Int64)) {
			continue
		}
		h.Entity, h.Score = f.entity, f.score
		switch c := (Norm{Kind: kind, Number: number, Title: h.Title}).Citation(); {
		case f.entity == "norm" && c != h.Title:
			h.Title = c + " — " + h.Title
		case f.entity == "requirement" && h.Title == "": // a tariff
			h.Title = RequirementKinds.Spanish(kind)
		}
		if out = append(out, h); len(out) == limit {
			break
		}
	}
	return out, nil
}
