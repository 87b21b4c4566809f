// Package actors is the registry of the chain's actors: divers and their
// organisations, mariculturists, processing plants, exporters, suppliers,
// financing sources, public institutions and market-information sources
// (seed activities 1.1.1, 2.1.1-i, 2.1.2, 3.1.1 and 3.3.1).
package actors

import (
	"strings"
	"time"
	"unicode"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// Kinds of actor, in the order the registry lists them.
var Kinds = vocab.List{
	{Code: "extractor", ES: "extractor"},                           // artisanal diver or extractor
	{Code: "producer_org", ES: "organizacion_productores"},         // association, union, cooperative
	{Code: "mariculturist_small", ES: "maricultor_pequeno"},        //
	{Code: "mariculturist_large", ES: "maricultor_grande"},         //
	{Code: "processor", ES: "planta_procesadora"},                  //
	{Code: "exporter", ES: "exportador"},                           //
	{Code: "broker", ES: "intermediario"},                          //
	{Code: "hatchery", ES: "productor_semilla"},                    // hatchery, seed producer
	{Code: "packaging", ES: "envases"},                             // packaging supplier
	{Code: "equipment", ES: "metalmecanica"},                       // cages and equipment
	{Code: "logistics", ES: "logistica"},                           //
	{Code: "laboratory", ES: "laboratorio"},                        //
	{Code: "consultant", ES: "consultor"},                          //
	{Code: "financing_source", ES: "fuente_financiamiento"},        // seed 3.3.1
	{Code: "public_institution", ES: "institucion_publica"},        // seed 3.1.1
	{Code: "market_info_source", ES: "fuente_informacion_mercado"}, // seed 2.1.2
}

// CertificationKinds are the certifications the registry records.
var CertificationKinds = vocab.List{
	{Code: "sanitary_registration", ES: "registro_sanitario"},
	{Code: "plant_licence", ES: "habilitacion_sanitaria"},
	{Code: "haccp", ES: "haccp"},
	{Code: "other", ES: "otra"},
}

// FinancingTypes say whether a financing source's money is paid back.
var FinancingTypes = vocab.List{{Code: "", ES: ""}, {Code: "returnable", ES: "reembolsable"}, {Code: "non_returnable", ES: "no_reembolsable"}, {Code: "both", ES: "ambos"}}

// Presentations of products, as in the production module.
var Presentations = vocab.List{{Code: "fresh", ES: "fresco"}, {Code: "canned", ES: "conservas"}, {Code: "frozen", ES: "congelado"}, {Code: "dried_salted", ES: "seco_salado"}}

// Certification is a sanitary registration, plant licence, HACCP plan or other.
type Certification struct {
	Kind    string `json:"kind"`
	Number  string `json:"number"`
	Issuer  string `json:"issuer"`
	ValidTo string `json:"valid_to,omitempty"` // YYYY-MM-DD; empty when it does not expire
}

// Valid reports whether the certification is in force on day.
func (c Certification) Valid(day time.Time) bool {
	return c.ValidTo == "" || c.ValidTo >= day.Format("2006-01-02")
}

// Actor is one record of the registry.
type Actor struct {
	ID                    int64           `json:"id"`
	Key                   string          `json:"key"`
	Name                  string          `json:"name"`
	RUC                   string          `json:"ruc,omitempty"`
	Kinds                 []string        `json:"kinds"`
	District              string          `json:"district,omitempty"`
	Address               string          `json:"address,omitempty"`
	Latitude              *float64        `json:"latitude,omitempty"`
	Longitude             *float64        `json:"longitude,omitempty"`
	Description           string          `json:"description,omitempty"`
	DescriptionEN         string          `json:"description_en,omitempty"`
	Website               string          `json:"website,omitempty"`
	ContactName           string          `json:"contact_name,omitempty"`
	ContactNamePublic     bool            `json:"contact_name_public"`
	Email                 string          `json:"email,omitempty"`
	EmailPublic           bool            `json:"email_public"`
	Phone                 string          `json:"phone,omitempty"`
	PhonePublic           bool            `json:"phone_public"`
	Species               []string        `json:"species"`
	Presentations         []string        `json:"presentations"`
	Services              string          `json:"services,omitempty"`
	FinancingType         string          `json:"financing_type,omitempty"`
	FinancingEligible     string          `json:"financing_eligible,omitempty"`
	FinancingRequirements string          `json:"financing_requirements,omitempty"`
	FinancingAmounts      string          `json:"financing_amounts,omitempty"`
	Certifications        []Certification `json:"certifications"`
	InstitutionID         int64           `json:"institution_id,omitempty"`
	Active                bool            `json:"active"`
	RegisteredAt          time.Time       `json:"registered_at"`
	CreatedAt             time.Time       `json:"created_at"`
	UpdatedAt             time.Time       `json:"updated_at"`
	// Version rises by one with every change; a change names the version it
	// was based on, and is refused when the actor has moved on since.
	Version int64 `json:"version"`
}

// Owner is who may change the actor: the institution that maintains the
// record, and the actor's own members.
func (a Actor) Owner() auth.Owner { return auth.Owner{Institution: a.InstitutionID, Actor: a.ID} }

// HasKind reports whether the actor is of kind k.
func (a Actor) HasKind(k string) bool {
	for _, x := range a.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// VisibleTo returns the actor as p may see it: contact fields not marked
// public are removed unless p may read private data or represents the actor.
func (a Actor) VisibleTo(p auth.Principal) Actor {
	if p.Has(auth.ReadPrivate) || (p.ActorID != 0 && p.ActorID == a.ID) {
		return a
	}
	if !a.ContactNamePublic {
		a.ContactName = ""
	}
	if !a.EmailPublic {
		a.Email = ""
	}
	if !a.PhonePublic {
		a.Phone = ""
	}
	return a
}

// RUCCheckDigit is SUNAT's check digit for the first ten digits of a RUC.
func RUCCheckDigit(first10 string) byte {
	weights := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first10[i]-'0') * w
	}
	check := 11 - sum%11
	if check >= 10 {
		check -= 10
	}
	return byte('0' + check)
}

// ValidRUC checks a Peruvian taxpayer number (RUC): 11 digits, a known
// prefix (10 and 15 for people, 17 and 20 for companies), and SUNAT's
// modulus-11 check digit over the first ten digits with weights 5,4,3,2,7,6,5,4,3,2.
// The error's Message says what is wrong, for the RUC field.
func ValidRUC(ruc string) *errs.Error {
	if len(ruc) != 11 {
		return errs.E(errs.Invalid, "a RUC has 11 digits")
	}
	for _, c := range ruc {
		if c < '0' || c > '9' {
			return errs.E(errs.Invalid, "a RUC has only digits")
		}
	}
	switch ruc[:2] {
	case "10", "15", "17", "20":
	default:
		return errs.E(errs.Invalid, "a RUC starts with 10, 15, 17 or 20")
	}
	if ruc[10] != RUCCheckDigit(ruc[:10]) {
		return errs.E(errs.Invalid, "the check digit does not match: mistyped?")
	}
	return nil
}

// companySuffixes are the Peruvian company types written after a firm's
// name, without their dots and spaces: S.A., S.A.A., S.A.C., S.R.L.,
// E.I.R.L., S.C.R.L., S.C. and S. en C.
var companySuffixes = map[string]bool{"sa": true, "saa": true, "sac": true, "srl": true, "eirl": true, "scrl": true, "sc": true, "senc": true}

// comparableName is a name as duplicate warnings compare it: folded, with
// punctuation dropped and without a trailing company type, so that
// "Pesquera Sur S.A.C.", "Pesquera Sur SAC" and "PESQUERA SUR" are one.
func comparableName(name string) string {
	words := strings.FieldsFunc(vocab.Fold(strings.ReplaceAll(name, ".", ". ")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	// The type is one word ("SAC") or its letters apart ("S. A. C.",
	// "S. en C."): try the last four words down to the last one.
	for k := min(4, len(words)-1); k >= 1; k-- {
		tail := words[len(words)-k:]
		short := k == 1
		if !short {
			short = true
			for _, w := range tail {
				if len([]rune(w)) > 2 {
					short = false
				}
			}
		}
		if short && companySuffixes[strings.Join(tail, "")] {
			words = words[:len(words)-k]
			break
		}
	}
	return strings.Join(words, " ")
}

// similar reports whether two comparable names are the same or differ by at
// most two edits (typos, a missing letter), for duplicate warnings.
func similar(a, b string) bool { return distance(a, b) <= 2 }

// distance is the edit distance of two names (insertions, deletions and
// substitutions of letters), or 3 when it is more than two.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > 2 || d < -2 {
		return 3
	}
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return min(prev[len(rb)], 3)
}
