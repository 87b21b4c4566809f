// Package zones is the zones and aquaculture cadastre module (seed
// activities 1.1.1, 1.4.1, 3.1.4 and 3.1.5): aquaculture rights, production
// areas with their sanitary class and closures, natural banks, landing
// sites and suitable zones, each a layer of features with a geometry (kept
// in WGS84, and as the source gave it) and typed attributes; the point
// query, the plan's indicators, and the closures people follow by e-mail.
package zones

import (
	"encoding/json"
	"math"
	"time"

	"github.com/paulmach/orb"

	"sriim/internal/auth"
	"sriim/internal/vocab"
)

// The layers, by the id that OGC API – Features and the command line use.
const (
	Rights         = "aquaculture-rights"
	ProductionArea = "production-areas"
	NaturalBanks   = "natural-banks"
	LandingSites   = "landing-sites"
	SuitableZones  = "suitable-zones"
	Closures       = "closures" // a layer of the OGC API only: closures drawn with their area's geometry
)

// Layer describes one layer.
type Layer struct {
	ID          string
	TitleES     string
	TitleEN     string
	Description string
	Points      bool // its features are points; the others are polygons
	// Queryables are the attributes the OGC API filters on (equality;
	// "species" holds a code among the feature's).
	Queryables []string
}

// Layers lists the layers in the order the map draws them (bottom first).
var Layers = []Layer{
	{ID: SuitableZones, TitleES: "Zonas aptas para la acuicultura", TitleEN: "Zones suitable for aquaculture",
		Description: "Zones suitable for aquaculture (seed activity 1.1.1)", Queryables: []string{"code", "species"}},
	{ID: ProductionArea, TitleES: "Áreas de producción", TitleEN: "Production areas",
		Description: "Production areas of bivalve molluscs with their sanitary class (A, B, C) (seed activities 1.1.1 and 1.4.1)",
		Queryables:  []string{"code", "class", "species"}},
	{ID: NaturalBanks, TitleES: "Bancos naturales", TitleEN: "Natural banks",
		Description: "Natural banks of molluscs", Queryables: []string{"code", "species"}},
	{ID: Rights, TitleES: "Derechos acuícolas", TitleEN: "Aquaculture rights",
		Description: "Aquaculture concessions and authorisations: the aquaculture cadastre (seed activity 3.1.4)",
		Queryables:  []string{"code", "kind", "status", "holder", "holder_ruc", "species"}},
	{ID: Closures, TitleES: "Cierres de áreas de producción", TitleEN: "Closures of production areas",
		Description: "Closures of production areas for biotoxins, red tides and other causes, drawn with their area",
		Queryables:  []string{"area", "reason"}},
	{ID: LandingSites, TitleES: "Desembarcaderos", TitleEN: "Landing sites", Points: true,
		Description: "Artisanal landing sites", Queryables: []string{"code", "district"}},
}

// LayerByID returns the layer with the given id.
func LayerByID(id string) (Layer, bool) {
	for _, l := range Layers {
		if l.ID == id {
			return l, true
		}
	}
	return Layer{}, false
}

// Vocabularies, with the Spanish words files use.
var (
	Kinds    = vocab.List{{Code: "concession", ES: "concesion"}, {Code: "authorization", ES: "autorizacion"}}
	Statuses = vocab.List{{Code: "in_force", ES: "vigente"}, {Code: "expired", ES: "vencida"}, {Code: "revoked", ES: "revocada"}}
	Classes  = vocab.List{{Code: "A", ES: "a"}, {Code: "B", ES: "b"}, {Code: "C", ES: "c"}, {Code: "", ES: "no_clasificada"}}
	Reasons  = vocab.List{{Code: "psp", ES: "psp"}, {Code: "asp", ES: "asp"}, {Code: "dsp", ES: "dsp"},
		{Code: "other_biotoxin", ES: "otra_biotoxina"}, {Code: "red_tide", ES: "marea_roja"},
		{Code: "microbiology", ES: "microbiologia"}, {Code: "other", ES: "otro"}}
)

// Feature is one feature of a layer. Attributes that belong to another
// layer are empty.
type Feature struct {
	ID             int64           `json:"id"`
	Layer          string          `json:"layer"`
	Code           string          `json:"code"`
	Name           string          `json:"name,omitempty"`
	Geometry       json.RawMessage `json:"geometry"`          // GeoJSON, WGS84
	SourceGeometry json.RawMessage `json:"source_geometry"`   // GeoJSON, in SourceSRS
	SourceSRS      string          `json:"source_srs"`        // EPSG:N
	Bound          orb.Bound       `json:"-"`                 //
	Hectares       *float64        `json:"hectares_computed"` // polygons only
	ValidFrom      string          `json:"valid_from,omitempty"`
	ValidTo        string          `json:"valid_to,omitempty"`
	Species        []string        `json:"species"`
	Notes          string          `json:"notes,omitempty"`
	DataSource     string          `json:"source,omitempty"` // where the data comes from

	// aquaculture-rights
	Kind             string   `json:"kind,omitempty"`
	Holder           string   `json:"holder,omitempty"`
	HolderRUC        string   `json:"holder_ruc,omitempty"`
	HolderActorID    int64    `json:"holder_actor_id,omitempty"` // the registry's actor with that RUC
	Resolution       string   `json:"resolution,omitempty"`      // also a production area's class resolution
	ResolutionDate   string   `json:"resolution_date,omitempty"`
	HectaresDeclared *float64 `json:"hectares_declared,omitempty"`
	Status           string   `json:"status,omitempty"` // as recorded; see StatusOn

	// production-areas
	Class     string `json:"class,omitempty"`
	ClassDate string `json:"class_date,omitempty"`

	// landing-sites
	District string `json:"district,omitempty"`
	Operator string `json:"operator,omitempty"`
	Vessels  *int64 `json:"vessels,omitempty"`
	Fishers  *int64 `json:"fishers,omitempty"`

	InstitutionID int64     `json:"institution_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Owner says who may change the feature: the institution that keeps it.
func (f Feature) Owner() auth.Owner { return auth.Owner{Institution: f.InstitutionID} }

// StatusOn is a right's status on day (YYYY-MM-DD): revoked or expired as
// recorded, expired once its validity has ended, "not_yet" before it starts,
// and in force otherwise.
func (f Feature) StatusOn(day string) string {
	switch {
	case f.Status == "revoked" || f.Status == "expired":
		return f.Status
	case f.ValidTo != "" && f.ValidTo < day:
		return "expired"
	case f.ValidFrom != "" && f.ValidFrom > day:
		return "not_yet"
	}
	return "in_force"
}

// WarningThreshold is how far a right's declared hectares may differ from
// its geometry's before the right carries a warning.
const WarningThreshold = 0.05

// HectaresGap is the relative difference between a right's declared
// hectares and its geometry's (declared − computed) / computed, and whether
// it passes WarningThreshold; false when either is unknown.
func (f Feature) HectaresGap() (float64, bool) {
	if f.HectaresDeclared == nil || f.Hectares == nil || *f.Hectares == 0 {
		return 0, false
	}
	gap := (*f.HectaresDeclared - *f.Hectares) / *f.Hectares
	return gap, math.Abs(gap) > WarningThreshold
}

// Properties are the feature's attributes as the OGC API and the GeoJSON
// downloads give them, with the names of the layer list: status is the
// status on day (for a production area, "open" or "closed" that day).
func (f Feature) Properties(day string) map[string]any {
	p := map[string]any{"code": f.Code}
	set := func(k string, v any) {
		switch v := v.(type) {
		case string:
			if v == "" {
				return
			}
		case *float64:
			if v == nil {
				return
			}
			p[k] = round(*v, 4)
			return
		case *int64:
			if v == nil {
				return
			}
			p[k] = *v
			return
		}
		p[k] = v
	}
	set("name", f.Name)
	if f.Layer != LandingSites {
		p["species"] = f.Species
		set("hectares_computed", f.Hectares)
	}
	set("valid_from", f.ValidFrom)
	set("valid_to", f.ValidTo)
	switch f.Layer {
	case Rights:
		set("kind", f.Kind)
		set("holder", f.Holder)
		set("holder_ruc", f.HolderRUC)
		if f.HolderActorID != 0 {
			p["holder_actor_id"] = f.HolderActorID
		}
		set("resolution", f.Resolution)
		set("resolution_date", f.ResolutionDate)
		set("hectares_declared", f.HectaresDeclared)
		p["status"] = f.StatusOn(day)
		if gap, warn := f.HectaresGap(); warn {
			p["hectares_warning"] = round(gap*100, 1)
		}
	case ProductionArea:
		if f.Class == "" {
			p["class"] = nil
		} else {
			p["class"] = f.Class
		}
		set("class_date", f.ClassDate)
		set("resolution", f.Resolution)
	case LandingSites:
		set("district", f.District)
		set("operator", f.Operator)
		set("vessels", f.Vessels)
		set("fishers", f.Fishers)
	}
	set("notes", f.Notes)
	set("source", f.DataSource)
	return p
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
