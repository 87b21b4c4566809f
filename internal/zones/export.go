package zones

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"sriim/internal/atom"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// exportColumns are each layer's attribute table, in the Spanish column
// names its import reads back.
var exportColumns = map[string][]string{
	Rights: {"codigo", "tipo", "titular", "ruc", "resolucion", "fecha_resolucion", "especies", "hectareas",
		"hectareas_calculadas", "desde", "hasta", "estado"},
	ProductionArea: {"codigo", "nombre", "clase", "fecha_clase", "resolucion", "especies", "hectareas_calculadas", "desde", "hasta"},
	NaturalBanks:   {"codigo", "nombre", "especies", "hectareas_calculadas", "desde", "hasta", "notas"},
	SuitableZones:  {"codigo", "nombre", "especies", "hectareas_calculadas", "desde", "hasta", "notas"},
	LandingSites:   {"codigo", "nombre", "distrito", "administrador", "embarcaciones", "pescadores", "longitud", "latitud", "notas", "fuente"},
	Closures:       ClosureColumns,
}

func num(v *float64, places int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(round(*v, places), 'f', -1, 64)
}

func whole(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// Export returns a layer's attribute table (header and rows, in code order)
// for CSV and XLSX downloads; statuses are today's.
func (s *Service) Export(ctx context.Context, layer string) ([]string, [][]string, error) {
	header, ok := exportColumns[layer]
	if !ok {
		return nil, nil, errs.E(errs.NotFound, "no layer %q", layer)
	}
	var out [][]string
	if layer == Closures {
		list, err := closures(ctx, s.db.Read(), "1 = 1")
		if err != nil {
			return nil, nil, err
		}
		for _, c := range list {
			out = append(out, []string{c.AreaCode, Reasons.Spanish(c.Reason), c.From, c.To, c.Resolution, c.Notes})
		}
		return header, out, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM zones z WHERE z.layer = $1 ORDER BY z.code", layer)
	if err != nil {
		return nil, nil, errs.Wrap(err, "export %s", layer)
	}
	defer rows.Close()
	today := s.Today()
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, nil, errs.Wrap(err, "export %s", layer)
		}
		species := strings.Join(f.Species, ",")
		switch layer {
		case Rights:
			out = append(out, []string{f.Code, Kinds.Spanish(f.Kind), f.Holder, f.HolderRUC, f.Resolution, f.ResolutionDate, species,
				num(f.HectaresDeclared, 4), num(f.Hectares, 4), f.ValidFrom, f.ValidTo, Statuses.Spanish(f.StatusOn(today))})
		case ProductionArea:
			out = append(out, []string{f.Code, f.Name, f.Class, f.ClassDate, f.Resolution, species, num(f.Hectares, 4), f.ValidFrom, f.ValidTo})
		case LandingSites:
			var lon, lat string
			if g, err := f.Geom(); err == nil {
				if p, ok := g.(orb.Point); ok {
					lon, lat = strconv.FormatFloat(p[0], 'f', -1, 64), strconv.FormatFloat(p[1], 'f', -1, 64)
				}
			}
			out = append(out, []string{f.Code, f.Name, f.District, f.Operator, whole(f.Vessels), whole(f.Fishers), lon, lat, f.Notes, f.DataSource})
		default:
			out = append(out, []string{f.Code, f.Name, species, num(f.Hectares, 4), f.ValidFrom, f.ValidTo, f.Notes})
		}
	}
	return header, out, errs.Wrap(rows.Err(), "export %s", layer)
}

// RightsOfHolder lists the aquaculture rights whose holder has the RUC of
// an actor of the registry (what the actor's page lists).
func (s *Service) RightsOfHolder(ctx context.Context, ruc string) ([]Feature, error) {
	if ruc == "" {
		return []Feature{}, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM zones z WHERE z.layer = $1 AND z.holder_ruc = $2 ORDER BY z.code", Rights, ruc)
	if err != nil {
		return nil, errs.Wrap(err, "read rights")
	}
	defer rows.Close()
	out := []Feature{}
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read rights")
		}
		out = append(out, f)
	}
	return out, errs.Wrap(rows.Err(), "read rights")
}

// ClosuresFeedPath is the address of the closures' Atom feed.
const ClosuresFeedPath = "/zonas/cierres.atom"

// ClosuresFeed is the Atom feed of the latest closures (at most limit, the
// latest changed first), in lang. base is the site's address (the links are
// absolute, as feed readers need); areaHref gives an area's page path.
func (s *Service) ClosuresFeed(ctx context.Context, base string, lang i18n.Lang, limit int, areaHref func(code string) string) (atom.Feed, error) {
	base = strings.TrimSuffix(base, "/")
	list, err := closures(ctx, s.db.Read(), "1 = 1")
	if err != nil {
		return atom.Feed{}, err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].UpdatedAt.After(list[j].UpdatedAt) })
	if len(list) > limit {
		list = list[:limit]
	}
	feed := atom.Feed{Lang: string(lang), ID: base + ClosuresFeedPath, Title: i18n.T(lang, "zones.feed.title"),
		Links:  []atom.Link{{Rel: "self", Href: base + ClosuresFeedPath, Type: "application/atom+xml"}, {Rel: "alternate", Href: base + "/zonas", Type: "text/html"}},
		Author: &atom.Person{Name: "SRIIM"}, Updated: atom.Time(time.Unix(0, 0)), Generator: "SRIIM"}
	for i, c := range list {
		if i == 0 {
			feed.Updated = atom.Time(c.UpdatedAt)
		}
		name := c.AreaCode
		if c.AreaName != "" {
			name += " (" + c.AreaName + ")"
		}
		title := i18n.T(lang, "zones.feed.closed", name, c.From)
		if c.To != "" {
			title = i18n.T(lang, "zones.feed.closed_until", name, c.From, c.To)
		}
		feed.Entries = append(feed.Entries, atom.Entry{
			ID:    "tag:sriim,2026:zone-closure/" + strconv.FormatInt(c.ID, 10) + "/" + strconv.FormatInt(c.Version, 10),
			Title: title, Updated: atom.Time(c.UpdatedAt),
			Links:      []atom.Link{{Href: base + areaHref(c.AreaCode), Rel: "alternate", Type: "text/html"}},
			Categories: []atom.Category{{Term: c.Reason, Label: i18n.T(lang, "zones.reason."+c.Reason)}},
			Summary:    &atom.Text{Body: strings.TrimSpace(i18n.T(lang, "zones.reason."+c.Reason) + ". " + c.Resolution + " " + c.Notes)},
		})
	}
	return feed, nil
}
