package exports

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// exporter is what the registry and the files say about a RUC.
type exporter struct {
	name    string // the registry's name, else the file's
	actorID int64
	public  bool // the exporter shows its exports to everyone
}

// exporters looks up RUCs in the files' names and the registry.
func (s *Service) exporters(ctx context.Context, rucs []string) (map[string]exporter, error) {
	out := make(map[string]exporter, len(rucs))
	const page = 500
	for start := 0; start < len(rucs); start += page {
		part := rucs[start:min(start+page, len(rucs))]
		ph := make([]string, len(part))
		args := make([]any, len(part))
		for i, r := range part {
			ph[i], args[i] = "$"+strconv.Itoa(i+1), r
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT e.ruc, COALESCE(a.name, e.name), COALESCE(a.id, 0), COALESCE(v.public, FALSE)
			FROM export_exporters e LEFT JOIN actors a ON a.ruc = e.ruc LEFT JOIN export_visibility v ON v.actor_id = a.id
			WHERE e.ruc IN (`+strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return nil, errs.Wrap(err, "read exporters")
		}
		for rows.Next() {
			var ruc string
			var e exporter
			if err := rows.Scan(&ruc, &e.name, &e.actorID, &e.public); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "read exporters")
			}
			out[ruc] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "read exporters")
		}
	}
	return out, nil
}

// CanSeeExporter reports whether p may see one exporter's figures: its own
// members and editors may; everyone when the exporter chose to show them.
func CanSeeExporter(p auth.Principal, actorID int64, public bool) bool {
	return public || p.Has(auth.ReadPrivate) || actorID != 0 && p.ActorID == actorID
}

// exporterGroups names the exporters' rows, with their number of markets,
// and sums those p may not see one by one in one row.
func (s *Service) exporterGroups(ctx context.Context, p auth.Principal, groups []*group, markets map[string]map[int]bool) ([]*group, error) {
	var rucs []string
	for _, g := range groups {
		if g.key.RUC != "" {
			rucs = append(rucs, g.key.RUC)
		}
	}
	info, err := s.exporters(ctx, rucs)
	if err != nil {
		return nil, err
	}
	others := &group{cells: map[Period]*cell{}}
	othersMarkets := map[int]bool{}
	var out []*group
	for _, g := range groups {
		if g.key.RUC == "" {
			out = append(out, g)
			continue
		}
		e := info[g.key.RUC]
		if !CanSeeExporter(p, e.actorID, e.public) {
			others.key.Others++
			for per, c := range g.cells {
				others.add(per, c.fob, c.kg)
			}
			for dest := range markets[g.key.RUC] {
				othersMarkets[dest] = true
			}
			continue
		}
		g.key.Name, g.key.ActorID, g.key.Markets = e.name, e.actorID, len(markets[g.key.RUC])
		out = append(out, g)
	}
	if others.key.Others > 0 {
		others.key.Markets = len(othersMarkets)
		out = append(out, others)
	}
	return out, nil
}

// Visibility is whether an exporter shows its exports by market to everyone.
type Visibility struct {
	ActorID   int64     `json:"actor_id"`
	Public    bool      `json:"public"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Version   int64     `json:"version"`
}

// actorOwner is who may change an actor's settings: its institution's
// editors and its own members.
func actorOwner(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, actorID int64) (auth.Owner, string, error) {
	var inst sql.NullInt64
	var ruc sql.NullString
	err := q.QueryRowContext(ctx, "SELECT institution_id, ruc FROM actors WHERE id = $1", actorID).Scan(&inst, &ruc)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Owner{}, "", errs.E(errs.NotFound, "no such actor")
	}
	if err != nil {
		return auth.Owner{}, "", errs.Wrap(err, "read actor")
	}
	return auth.Owner{Institution: inst.Int64, Actor: actorID}, ruc.String, nil
}

// Visibility returns an exporter's choice (private until it chooses).
func (s *Service) Visibility(ctx context.Context, actorID int64) (Visibility, error) {
	v := Visibility{ActorID: actorID}
	err := s.db.Read().QueryRowContext(ctx, "SELECT public, updated_at, version FROM export_visibility WHERE actor_id = $1", actorID).
		Scan(&v.Public, &v.UpdatedAt, &v.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	return v, errs.Wrap(err, "read visibility")
}

// SetVisibility records whether an exporter shows its exports by market to
// everyone; its members and its institution's editors choose. version is
// the version the choice is based on (0: none read yet, or no check).
func (s *Service) SetVisibility(ctx context.Context, p auth.Principal, actorID int64, public bool, version int64) (Visibility, error) {
	var out Visibility
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		owner, _, err := actorOwner(ctx, tx, actorID)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, owner); err != nil {
			return err
		}
		before := Visibility{ActorID: actorID}
		err = tx.QueryRowContext(ctx, "SELECT public, updated_at, version FROM export_visibility WHERE actor_id = $1", actorID).
			Scan(&before.Public, &before.UpdatedAt, &before.Version)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return errs.Wrap(err, "read visibility")
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "export_visibility", actorID, version, before.Version, before)
		}
		out = Visibility{ActorID: actorID, Public: public, UpdatedAt: s.Now(), Version: before.Version + 1}
		if exists {
			res, err := tx.ExecContext(ctx, "UPDATE export_visibility SET public = $1, updated_at = $2, version = version + 1 WHERE actor_id = $3 AND version = $4",
				public, out.UpdatedAt, actorID, before.Version)
			if err != nil {
				return errs.Wrap(err, "save visibility")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.E(errs.Conflict, "someone else changed this setting at the same time: try again")
			}
			return audit.Record(ctx, tx, p, audit.Update, "export_visibility", actorID, before, out)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO export_visibility (actor_id, public, updated_at) VALUES ($1, $2, $3)", actorID, public, out.UpdatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.E(errs.Conflict, "someone else changed this setting at the same time: try again")
			}
			return errs.Wrap(err, "save visibility")
		}
		return audit.Record(ctx, tx, p, audit.Create, "export_visibility", actorID, nil, out)
	})
	return out, err
}

// ExporterMarkets is an exporter's exports by destination (from every
// department unless q.Region names one), to its own members and editors,
// and to everyone when it chose so (SetVisibility).
func (s *Service) ExporterMarkets(ctx context.Context, p auth.Principal, actorID int64, q Query) (Result, error) {
	ruc, err := s.exporterRUC(ctx, p, actorID)
	if err != nil {
		return Result{}, err
	}
	if q.Region == "" {
		q.Region = "PE"
	}
	q.By = ByDestination
	if ruc == "" {
		q.RUC = "-" // an actor without a RUC has no declarations
	} else {
		q.RUC = ruc
	}
	return s.Regional(ctx, p, q)
}

// ExporterLastYear is the last year an exporter has declarations in (0:
// none), to whoever may see its figures (ExporterMarkets): its own pages
// show the years up to it, not up to the last year any exporter exported.
func (s *Service) ExporterLastYear(ctx context.Context, p auth.Principal, actorID int64) (int, error) {
	ruc, err := s.exporterRUC(ctx, p, actorID)
	if err != nil || ruc == "" {
		return 0, err
	}
	var last sql.NullInt64
	err = s.db.Read().QueryRowContext(ctx, `SELECT MAX(y.year) FROM export_years y
		JOIN export_batches b ON b.id = y.batch_id AND b.state = 'done' WHERE y.ruc = $1`, ruc).Scan(&last)
	return int(last.Int64), errs.Wrap(err, "read the years of exports")
}

// exporterRUC is an exporter's RUC ("" when it has none), when p may see
// its figures: its own members and editors, and everyone when it chose so.
func (s *Service) exporterRUC(ctx context.Context, p auth.Principal, actorID int64) (string, error) {
	_, ruc, err := actorOwner(ctx, s.db.Read(), actorID)
	if err != nil {
		return "", err
	}
	vis, err := s.Visibility(ctx, actorID)
	if err != nil {
		return "", err
	}
	if !CanSeeExporter(p, actorID, vis.Public) {
		if p.Anonymous() {
			return "", errs.E(errs.Unauthenticated, "this exporter shows its exports to its members and to editors: log in")
		}
		return "", errs.E(errs.Forbidden, "this exporter shows its exports only to its members and to editors")
	}
	return ruc, nil
}

// exporterRanking is groups for the ranking of all exporters by year: it
// reads the sums by exporter (export_exporter_years), a tenth of the rows.
func (s *Service) exporterRanking(ctx context.Context, p auth.Principal, q Query, batches []int64) ([]*group, error) {
	args := []any{}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT t.ruc, t.year, t.fob_usd, t.net_kg, t.destinations FROM export_exporter_years t WHERE "+
		q.where(&args, batches), args...)
	if err != nil {
		return nil, errs.Wrap(err, "rank exporters")
	}
	defer rows.Close()
	byRUC := map[string]*group{}
	var order []*group
	markets := map[string]map[int]bool{}
	for rows.Next() {
		var ruc, dests string
		var year int
		var fob, kg float64
		if err := rows.Scan(&ruc, &year, &fob, &kg, &dests); err != nil {
			return nil, errs.Wrap(err, "rank exporters")
		}
		g := byRUC[ruc]
		if g == nil {
			g = &group{key: Key{RUC: ruc}, cells: map[Period]*cell{}}
			byRUC[ruc] = g
			order = append(order, g)
			markets[ruc] = map[int]bool{}
		}
		g.add(Period{Year: year}, fob, kg)
		for _, d := range strings.Split(strings.Trim(dests, "[]"), ",") {
			if code, err := strconv.Atoi(d); err == nil {
				markets[ruc][code] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "rank exporters")
	}
	pub, err := s.publishedGroups(ctx, q, batches, map[string]*group{})
	if err != nil {
		return nil, err
	}
	return s.exporterGroups(ctx, p, append(order, pub...), markets)
}
