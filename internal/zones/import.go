package zones

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/geo"
	"sriim/internal/geo/geofile"
	"sriim/internal/vocab"
)

// ImportReport says what an import did.
type ImportReport struct {
	Features  int       `json:"features"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Warnings  []Warning `json:"warnings,omitempty"`
}

// Warning is something imported that a person should look at.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// problems collects what is wrong with a file, by feature and attribute:
// "feature 2, attribute kind", a key i18n.FieldName words in the
// page's language, as the message (English text of a catalogue id).
type problems map[string]string

func (p problems) add(where, attribute, format string, args ...any) {
	key := where
	if attribute != "" {
		key += ", attribute " + attribute
	}
	msg := errs.Msg{Format: format, Args: args}.String()
	if old, ok := p[key]; ok {
		msg = old + "; " + msg
	}
	p[key] = msg
}

func (p problems) err(features int) error {
	if len(p) == 0 {
		return nil
	}
	return errs.Fields(fmt.Sprintf("%d of %d features have problems; nothing was imported", p.features(), features), p)
}

// features counts the features named in the problems.
func (p problems) features() int {
	seen := map[string]bool{}
	for k := range p {
		if i := bytes.Index([]byte(k), []byte(", attribute")); i >= 0 {
			k = k[:i]
		}
		seen[k] = true
	}
	return len(seen)
}

// CanImport reports whether p may import zones.
func CanImport(p auth.Principal) bool {
	return auth.Can(p, Feature{InstitutionID: institutionFor(p)}.Owner())
}

// institutionFor is the institution that will keep what p creates: the
// first of p's institutions.
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// Import reads a GeoJSON, zipped Shapefile or KML file into a layer, all
// of it or nothing: every problem is reported by feature and attribute. A
// feature whose code the layer has already updates it, so importing a file
// again changes only what changed. srs, when not 0, is the coordinate
// system of a file that does not declare one.
func (s *Service) Import(ctx context.Context, p auth.Principal, layer string, r io.Reader, filename string, srs geo.SRS) (ImportReport, error) {
	if p.Anonymous() {
		return ImportReport{}, errs.E(errs.Unauthenticated, "log in to import")
	}
	if l, ok := LayerByID(layer); !ok || l.ID == Closures {
		return ImportReport{}, errs.E(errs.Invalid, "%q is not a layer: use aquaculture-rights, production-areas, natural-banks, landing-sites or suitable-zones", layer)
	}
	file, err := geofile.Read(r, filename)
	var fe *errs.Error
	if errors.As(err, &fe) && fe.Kind == errs.Invalid {
		return ImportReport{}, errs.Fields("the file cannot be read; nothing was imported", map[string]string{"file": fe.Message}).Because(fe.Err)
	}
	if err != nil {
		return ImportReport{}, errs.Wrap(err, "read the file")
	}
	switch {
	case file.SRS != 0 && srs != 0 && file.SRS != srs:
		return ImportReport{}, errs.Fields("the file's coordinate system is not the one given; nothing was imported",
			map[string]string{"srs": fmt.Sprintf("the file declares %s, the import was told %s", file.SRS, srs)})
	case file.SRS == 0 && srs != 0:
		file.SRS = srs
	case file.SRS == 0:
		file.SRS = geo.WGS84 // RFC 7946; a projected file without a .prj fails the extent check
	}
	return s.importFile(ctx, p, layer, file, institutionFor(p))
}

// draft is a feature read from a file, before it is stored.
type draft struct {
	Feature
	where string // the feature as problems name it
}

func (s *Service) importFile(ctx context.Context, p auth.Principal, layer string, file *geofile.File, institution int64) (ImportReport, error) {
	rep := ImportReport{Features: len(file.Features)}
	if len(file.Features) == 0 {
		return rep, errs.Fields("the file has no features; nothing was imported", map[string]string{"file": "no features"})
	}
	known, err := s.speciesCodes(ctx)
	if err != nil {
		return rep, err
	}
	probs := problems{}
	drafts := make([]draft, 0, len(file.Features))
	first := map[string]string{}
	for _, ff := range file.Features {
		d := draft{where: ff.Label()}
		d.Layer, d.InstitutionID = layer, institution
		code, _ := get(ff.Properties, "code")
		if code == "" {
			code = ff.ID
		}
		if code != "" {
			d.where = fmt.Sprintf("feature %d (%s)", ff.Number, code)
		}
		d.Code = code
		d.attributes(ff.Properties, known, probs)
		if prev, dup := first[code]; dup && code != "" {
			probs.add(d.where, "code", "repeats the code of %s", prev)
		}
		first[code] = d.where
		if bad := d.setGeometry(ff.Geometry, file.SRS); bad != nil {
			if bad.Kind != errs.Invalid {
				return rep, bad
			}
			probs.add(d.where, "geometry", bad.Msg.Format, bad.Msg.Args...)
		}
		drafts = append(drafts, d)
	}
	if err := probs.err(len(file.Features)); err != nil {
		return rep, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		forbidden := problems{}
		for _, d := range drafts {
			existing, err := feature(ctx, tx, "z.layer = $1 AND z.code = $2", layer, d.Code)
			switch {
			case errs.Is(err, errs.NotFound):
				if !auth.Can(p, d.Owner()) {
					forbidden.add(d.where, "", "you may not add features")
					continue
				}
				if _, err := s.insert(ctx, tx, p, d.Feature); err != nil {
					return err
				}
				rep.Created++
			case err != nil:
				return err
			case existing.same(d.Feature):
				rep.Unchanged++
			default:
				if !auth.Can(p, existing.Owner()) {
					forbidden.add(d.where, "", "the feature is kept by another institution")
					continue
				}
				d.InstitutionID = existing.InstitutionID
				if _, err := s.update(ctx, tx, p, existing, d.Feature); err != nil {
					return err
				}
				rep.Updated++
			}
			if gap, warn := d.HectaresGap(); warn {
				rep.Warnings = append(rep.Warnings, Warning{Code: d.Code, Message: fmt.Sprintf(
					"%s: %.2f ha declared, the geometry gives %.2f ha (%+.1f %%)", d.Code, *d.HectaresDeclared, *d.Hectares, gap*100)})
			}
		}
		if len(forbidden) > 0 {
			return forbidden.err(len(drafts)).(*errs.Error).Reword(errs.Forbidden, "you may not change some of these features; nothing was imported")
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// attributes reads the layer's attributes from a file's properties.
func (d *draft) attributes(props map[string]string, known map[string]bool, probs problems) {
	text := func(field string) string { v, _ := get(props, field); return v }
	date := func(field string) string {
		v, name := get(props, field)
		out, bad := parseDate(v)
		if bad != nil {
			probs.add(d.where, name, bad.Msg.Format, bad.Msg.Args...)
		}
		return out
	}
	if d.Code == "" {
		probs.add(d.where, "code", "required")
	} else if len(d.Code) > 64 {
		probs.add(d.where, "code", "longer than 64 characters")
	}
	d.Name = text("name")
	d.ValidFrom, d.ValidTo = date("valid_from"), date("valid_to")
	if d.ValidFrom != "" && d.ValidTo != "" && d.ValidTo < d.ValidFrom {
		probs.add(d.where, "valid_to", "ends (%s) before it starts (%s)", d.ValidTo, d.ValidFrom)
	}
	if d.Layer != LandingSites {
		v, name := get(props, "species")
		sp, bad := parseSpecies(v, known)
		if bad != nil {
			probs.add(d.where, name, bad.Msg.Format, bad.Msg.Args...)
		}
		d.Species = sp
	} else {
		d.Species = []string{}
	}
	d.Notes, d.DataSource = text("notes"), text("source")
	term := func(field string, v vocab.List, required bool) string {
		s, name := get(props, field)
		if s == "" {
			if required {
				probs.add(d.where, name, "required")
			}
			return ""
		}
		code, bad := parseTerm(v, s)
		if bad != nil {
			probs.add(d.where, name, bad.Msg.Format, bad.Msg.Args...)
		}
		return code
	}
	switch d.Layer {
	case Rights:
		d.Kind = term("kind", Kinds, true)
		d.Status = term("status", Statuses, false)
		if d.Holder = text("holder"); d.Holder == "" {
			_, name := get(props, "holder")
			probs.add(d.where, name, "required")
		}
		if ruc, name := get(props, "holder_ruc"); ruc != "" {
			if bad := actors.ValidRUC(ruc); bad != nil {
				probs.add(d.where, name, bad.Msg.Format, bad.Msg.Args...)
			}
			d.HolderRUC = ruc
		}
		d.Resolution = text("resolution")
		d.ResolutionDate = date("resolution_date")
		if v, name := get(props, "hectares_declared"); v != "" {
			h, bad := parseNumber(v)
			if bad == nil && h <= 0 {
				bad = errs.E(errs.Invalid, "must be more than 0")
			}
			if bad != nil {
				probs.add(d.where, name, bad.Msg.Format, bad.Msg.Args...)
			}
			d.HectaresDeclared = &h
		}
	case ProductionArea:
		if v, name := get(props, "class"); v != "" {
			code, bad := parseTerm(Classes, v)
			if bad != nil {
				probs.add(d.where, name, "%q is not a sanitary class: use A, B, C or no clasificada", v)
			}
			d.Class = code
		}
		d.ClassDate = date("class_date")
		d.Resolution = text("resolution")
	case LandingSites:
		d.District, d.Operator = text("district"), text("operator")
		for field, dst := range map[string]**int64{"vessels": &d.Vessels, "fishers": &d.Fishers} {
			if v, name := get(props, field); v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					probs.add(d.where, name, "%q is not a whole number", v)
				}
				*dst = &n
			}
		}
	}
}

// setGeometry converts a file's geometry to WGS84 and checks it: the
// layer's kind, valid rings, inside Peru's sea and coast.
// A problem with the geometry is an Invalid error; any other is a fault.
func (d *draft) setGeometry(g orb.Geometry, srs geo.SRS) *errs.Error {
	if g == nil {
		return errs.E(errs.Invalid, "the feature has no geometry")
	}
	l, _ := LayerByID(d.Layer)
	switch g.(type) {
	case orb.Point:
		if !l.Points {
			return errs.E(errs.Invalid, "a point is not accepted in %s: draw a polygon", d.Layer)
		}
	case orb.Polygon, orb.MultiPolygon:
		if l.Points {
			return errs.E(errs.Invalid, "a %s is not accepted in %s: give a point", g.GeoJSONType(), d.Layer)
		}
	}
	if bad := geo.Check(g); bad != nil {
		return bad
	}
	wgs := srs.ToWGS84Geometry(g)
	if bad := geo.InPeru(wgs); bad != nil {
		return bad
	}
	var err error
	if d.Geometry, err = json.Marshal(geojson.NewGeometry(wgs)); err != nil {
		return errs.E(errs.Internal, "encode the geometry").Because(err)
	}
	if d.SourceGeometry, err = json.Marshal(geojson.NewGeometry(g)); err != nil {
		return errs.E(errs.Internal, "encode the geometry").Because(err)
	}
	d.SourceSRS = srs.String()
	d.Bound = wgs.Bound()
	if !l.Points {
		h := geo.Hectares(wgs)
		d.Hectares = &h
	}
	return nil
}

// same reports whether storing f over stored would change nothing.
func (stored Feature) same(f Feature) bool {
	a, b := stored, f
	for _, x := range []*Feature{&a, &b} {
		x.ID, x.HolderActorID, x.InstitutionID, x.Version = 0, 0, 0, 0
		x.CreatedAt, x.UpdatedAt, x.Bound = time.Time{}, time.Time{}, orb.Bound{}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// speciesCodes are the species SRIIM knows.
func (s *Service) speciesCodes(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT code FROM species")
	if err != nil {
		return nil, errs.Wrap(err, "read species")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, errs.Wrap(err, "read species")
		}
		out[c] = true
	}
	return out, errs.Wrap(rows.Err(), "read species")
}

func nullFloat(v *float64) sql.NullFloat64 {
	if v == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *v, Valid: true}
}

func nullInt(v *int64) sql.NullInt64 {
	if v == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *v, Valid: true}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// LoadSeed imports the seed's landing sites as the system, kept by institution.
func (s *Service) LoadSeed(ctx context.Context, r io.Reader, institution int64) (int, error) {
	file, err := geofile.Read(r, "zones-landing-sites.geojson")
	if err != nil {
		return 0, err
	}
	file.SRS = geo.WGS84
	rep, err := s.importFile(ctx, auth.System, LandingSites, file, institution)
	return rep.Created, err
}
