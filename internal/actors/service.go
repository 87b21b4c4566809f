package actors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/vocab"
)

// Service is the registry module.
type Service struct {
	db  *db.DB
	Now func() time.Time
}

// New returns the registry service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }}
}

const columns = `id, key, name, COALESCE(ruc, ''), COALESCE(district, ''), address, latitude, longitude, description, description_en,
	website, contact_name, contact_name_public, email, email_public, phone, phone_public, presentations, services,
	financing_type, financing_eligible, financing_requirements, financing_amounts, institution_id, active,
	registered_at, created_at, updated_at, version`

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanActor(row interface{ Scan(...any) error }) (Actor, error) {
	var a Actor
	var lat, lon sql.NullFloat64
	var inst sql.NullInt64
	var pres string
	err := row.Scan(&a.ID, &a.Key, &a.Name, &a.RUC, &a.District, &a.Address, &lat, &lon, &a.Description, &a.DescriptionEN,
		&a.Website, &a.ContactName, &a.ContactNamePublic, &a.Email, &a.EmailPublic, &a.Phone, &a.PhonePublic, &pres, &a.Services,
		&a.FinancingType, &a.FinancingEligible, &a.FinancingRequirements, &a.FinancingAmounts, &inst, &a.Active,
		&a.RegisteredAt, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	if lat.Valid {
		a.Latitude = &lat.Float64
	}
	if lon.Valid {
		a.Longitude = &lon.Float64
	}
	a.InstitutionID = inst.Int64
	a.Presentations = splitList(pres, ",")
	return a, err
}

func splitList(s, sep string) []string {
	out := []string{}
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// details loads the kinds, species and certifications of the actors.
func details(ctx context.Context, q querier, list []Actor) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*Actor{}
	var ph []string
	var args []any
	for i := range list {
		list[i].Kinds, list[i].Species, list[i].Certifications = []string{}, []string{}, []Certification{}
		byID[list[i].ID] = &list[i]
		args = append(args, list[i].ID)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	in := " IN (" + strings.Join(ph, ", ") + ")"
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{"SELECT actor_id, kind FROM actor_kinds WHERE actor_id" + in + " ORDER BY kind", func(rows *sql.Rows) error {
			var id int64
			var k string
			err := rows.Scan(&id, &k)
			byID[id].Kinds = append(byID[id].Kinds, k)
			return err
		}},
		{"SELECT actor_id, species FROM actor_species WHERE actor_id" + in + " ORDER BY species", func(rows *sql.Rows) error {
			var id int64
			var sp string
			err := rows.Scan(&id, &sp)
			byID[id].Species = append(byID[id].Species, sp)
			return err
		}},
		{"SELECT actor_id, kind, number, issuer, valid_to FROM actor_certifications WHERE actor_id" + in + " ORDER BY id", func(rows *sql.Rows) error {
			var id int64
			var c Certification
			err := rows.Scan(&id, &c.Kind, &c.Number, &c.Issuer, &c.ValidTo)
			byID[id].Certifications = append(byID[id].Certifications, c)
			return err
		}},
	} {
		rows, err := q.QueryContext(ctx, part.query, args...)
		if err != nil {
			return errs.Wrap(err, "read actor details")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return errs.Wrap(err, "read actor details")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "read actor details")
		}
	}
	// Kinds in the registry's order.
	for i := range list {
		slices.SortFunc(list[i].Kinds, func(a, b string) int { return kindRank(a) - kindRank(b) })
	}
	return nil
}

func kindRank(k string) int {
	for i, t := range Kinds {
		if t.Code == k {
			return i
		}
	}
	return len(Kinds)
}

func getActor(ctx context.Context, q querier, where string, arg any) (Actor, error) {
	a, err := scanActor(q.QueryRowContext(ctx, "SELECT "+columns+" FROM actors WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.NotFound, "no such actor")
	}
	if err != nil {
		return a, errs.Wrap(err, "read actor")
	}
	list := []Actor{a}
	err = details(ctx, q, list)
	return list[0], err
}

// Actor returns one actor as p may see it; inactive actors only to those who may change them.
func (s *Service) Actor(ctx context.Context, p auth.Principal, id int64) (Actor, error) {
	a, err := getActor(ctx, s.db.Read(), "id = $1", id)
	if err != nil {
		return a, err
	}
	if !a.Active && !auth.Can(p, a.Owner()) {
		return Actor{}, errs.E(errs.NotFound, "no such actor")
	}
	return a.VisibleTo(p), nil
}

// reference is what validation checks codes against.
type reference struct {
	species   map[string]bool
	districts map[string]string // code and folded name → code
}

func (s *Service) reference(ctx context.Context, q querier) (reference, error) {
	ref := reference{species: map[string]bool{}, districts: map[string]string{}}
	rows, err := q.QueryContext(ctx, "SELECT code FROM species")
	if err != nil {
		return ref, errs.Wrap(err, "read species")
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return ref, errs.Wrap(err, "read species")
		}
		ref.species[c] = true
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, "SELECT code, name_es FROM places WHERE kind IN ('district', 'province', 'landing_site')")
	if err != nil {
		return ref, errs.Wrap(err, "read districts")
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return ref, errs.Wrap(err, "read districts")
		}
		ref.districts[code] = code
		if _, taken := ref.districts[vocab.Fold(name)]; !taken {
			ref.districts[vocab.Fold(name)] = code
		}
	}
	return ref, errs.Wrap(rows.Err(), "read districts")
}

// normalize tidies an actor's fields and returns the problems, keyed by
// JSON field name.
func (a *Actor) normalize(ref reference) map[string]string {
	p := map[string]string{}
	a.Name = strings.Join(strings.Fields(a.Name), " ")
	a.RUC = strings.TrimSpace(a.RUC)
	a.Key = strings.TrimSpace(a.Key)
	if a.Name == "" {
		p["name"] = "required"
	}
	if a.RUC != "" {
		if err := ValidRUC(a.RUC); err != nil {
			p["ruc"] = err.Message
		}
	}
	kinds := []string{}
	for _, k := range a.Kinds {
		code, ok := Kinds.Parse(k)
		if !ok {
			p["kinds"] = fmt.Sprintf("%q is not a kind; use %s", k, Kinds.Words())
			continue
		}
		if !slices.Contains(kinds, code) {
			kinds = append(kinds, code)
		}
	}
	slices.SortFunc(kinds, func(x, y string) int { return kindRank(x) - kindRank(y) })
	a.Kinds = kinds
	if len(a.Kinds) == 0 && p["kinds"] == "" {
		p["kinds"] = "at least one kind"
	}
	if a.District != "" {
		code, ok := ref.districts[a.District]
		if !ok {
			code, ok = ref.districts[vocab.Fold(a.District)]
		}
		if !ok {
			p["district"] = fmt.Sprintf("%q is not a district of the region", a.District)
		}
		a.District = code
	}
	species := []string{}
	for _, sp := range a.Species {
		sp = strings.TrimSpace(sp)
		if len(sp) == 3 {
			sp = strings.ToUpper(sp)
		}
		if !ref.species[sp] {
			p["species"] = fmt.Sprintf("%q is not in the species list", sp)
			continue
		}
		if !slices.Contains(species, sp) {
			species = append(species, sp)
		}
	}
	slices.Sort(species)
	a.Species = species
	pres := []string{}
	for _, x := range a.Presentations {
		code, ok := Presentations.Parse(x)
		if !ok {
			p["presentations"] = fmt.Sprintf("%q is not a presentation; use %s", x, Presentations.Words())
			continue
		}
		if !slices.Contains(pres, code) {
			pres = append(pres, code)
		}
	}
	a.Presentations = pres
	if code, ok := FinancingTypes.Parse(a.FinancingType); ok {
		a.FinancingType = code
	} else {
		p["financing_type"] = "one of " + FinancingTypes.Words()
	}
	for i, c := range a.Certifications {
		code, ok := CertificationKinds.Parse(c.Kind)
		if !ok {
			p["certifications"] = fmt.Sprintf("%q is not a certification; use %s", c.Kind, CertificationKinds.Words())
		}
		a.Certifications[i].Kind = code
		if c.ValidTo != "" {
			if _, err := time.Parse("2006-01-02", c.ValidTo); err != nil {
				p["certifications"] = fmt.Sprintf("validity %q: use YYYY-MM-DD", c.ValidTo)
			}
		}
	}
	if a.Email = strings.TrimSpace(a.Email); a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			p["email"] = "a valid email address"
		}
	}
	if a.Website = strings.TrimSpace(a.Website); a.Website != "" && !strings.HasPrefix(a.Website, "http://") && !strings.HasPrefix(a.Website, "https://") {
		p["website"] = "must start with https:// or http://"
	}
	if a.Latitude != nil && (*a.Latitude < -90 || *a.Latitude > 90) {
		p["latitude"] = "between -90 and 90"
	}
	if a.Longitude != nil && (*a.Longitude < -180 || *a.Longitude > 180) {
		p["longitude"] = "between -180 and 180"
	}
	if (a.Latitude == nil) != (a.Longitude == nil) {
		p["longitude"] = "give both coordinates or neither"
	}
	if a.Key == "" {
		a.Key = derivedKey(*a)
	}
	return p
}

// derivedKey is the stable key of an actor imported without one: its RUC,
// else its folded name and district.
func derivedKey(a Actor) string {
	if a.RUC != "" {
		return "ruc-" + a.RUC
	}
	words := strings.FieldsFunc(vocab.Fold(a.Name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(words, "-") + "@" + a.District
}

func (a Actor) searchText() string {
	return vocab.Fold(strings.Join([]string{a.Name, a.RUC, a.Description, a.DescriptionEN, a.Services, a.Address}, " "))
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullID(id int64) sql.NullInt64      { return sql.NullInt64{Int64: id, Valid: id != 0} }

// write stores a's fields (insert when a.ID is 0) with its kinds, species
// and certifications, and records the change in the audit log.
func (s *Service) write(ctx context.Context, tx *sql.Tx, p auth.Principal, a Actor, before *Actor) (Actor, error) {
	now := s.Now()
	args := []any{a.Key, a.Name, nullString(a.RUC), a.searchText(), nullString(a.District), a.Address, a.Latitude, a.Longitude,
		a.Description, a.DescriptionEN, a.Website, a.ContactName, a.ContactNamePublic, a.Email, a.EmailPublic, a.Phone, a.PhonePublic,
		strings.Join(a.Presentations, ","), a.Services, a.FinancingType, a.FinancingEligible, a.FinancingRequirements,
		a.FinancingAmounts, nullID(a.InstitutionID), a.Active, now}
	var err error
	if before == nil {
		err = tx.QueryRowContext(ctx, `INSERT INTO actors (key, name, ruc, search_text, district, address, latitude, longitude,
			description, description_en, website, contact_name, contact_name_public, email, email_public, phone, phone_public,
			presentations, services, financing_type, financing_eligible, financing_requirements, financing_amounts,
			institution_id, active, registered_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $26, $26)
			RETURNING id`, args...).Scan(&a.ID)
	} else {
		if err := kindsChange(p, *before, a); err != nil {
			return a, err
		}
		// The version read in this transaction must still be the stored one:
		// on PostgreSQL another instance may have written in between.
		var res sql.Result
		res, err = tx.ExecContext(ctx, `UPDATE actors SET key = $1, name = $2, ruc = $3, search_text = $4, district = $5,
			address = $6, latitude = $7, longitude = $8, description = $9, description_en = $10, website = $11,
			contact_name = $12, contact_name_public = $13, email = $14, email_public = $15, phone = $16, phone_public = $17,
			presentations = $18, services = $19, financing_type = $20, financing_eligible = $21, financing_requirements = $22,
			financing_amounts = $23, institution_id = $24, active = $25, updated_at = $26, version = version + 1
			WHERE id = $27 AND version = $28`, append(args, before.ID, before.Version)...)
		a.ID = before.ID
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return a, s.stale(ctx, tx, a.ID, before.Version)
			}
		}
	}
	if db.IsUniqueViolation(err) {
		return a, errs.Fields("another actor has this RUC or key", map[string]string{"ruc": "already registered", "key": "already used"})
	}
	if err != nil {
		return a, errs.Wrap(err, "save actor")
	}
	for _, stmt := range []string{"DELETE FROM actor_kinds WHERE actor_id = $1", "DELETE FROM actor_species WHERE actor_id = $1", "DELETE FROM actor_certifications WHERE actor_id = $1"} {
		if _, err := tx.ExecContext(ctx, stmt, a.ID); err != nil {
			return a, errs.Wrap(err, "save actor")
		}
	}
	for _, k := range a.Kinds {
		if _, err := tx.ExecContext(ctx, "INSERT INTO actor_kinds (actor_id, kind) VALUES ($1, $2)", a.ID, k); err != nil {
			return a, errs.Wrap(err, "save actor kinds")
		}
	}
	for _, sp := range a.Species {
		if _, err := tx.ExecContext(ctx, "INSERT INTO actor_species (actor_id, species) VALUES ($1, $2)", a.ID, sp); err != nil {
			return a, errs.Wrap(err, "save actor species")
		}
	}
	for _, c := range a.Certifications {
		if _, err := tx.ExecContext(ctx, "INSERT INTO actor_certifications (actor_id, kind, number, issuer, valid_to) VALUES ($1, $2, $3, $4, $5)",
			a.ID, c.Kind, c.Number, c.Issuer, c.ValidTo); err != nil {
			return a, errs.Wrap(err, "save actor certifications")
		}
	}
	saved, err := getActor(ctx, tx, "id = $1", a.ID)
	if err != nil {
		return saved, err
	}
	if before == nil {
		return saved, audit.Record(ctx, tx, p, audit.Create, "actor", saved.ID, nil, saved)
	}
	return saved, audit.Record(ctx, tx, p, audit.Update, "actor", saved.ID, *before, saved)
}

// stale is the Conflict of a change based on version read of actor id.
func (s *Service) stale(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := getActor(ctx, tx, "id = $1", id)
	if err != nil {
		return err
	}
	return audit.Stale(ctx, tx, "actor", id, read, current.Version, current)
}

// PlanKinds are the kinds that the plan's indicators count (Indicators):
// only the editors of the institution that maintains an actor (and
// administrators) set them, never the actor's own members.
var PlanKinds = func() []string {
	var out []string
	for _, d := range indicatorDefs {
		out = append(out, d.Kinds...)
	}
	return out
}()

// kindsChange refuses a change of an actor's kinds counted by the plan by
// anyone but the editors of its institution and administrators.
func kindsChange(p auth.Principal, before, after Actor) error {
	if auth.Can(p, auth.Owner{Institution: before.InstitutionID}) {
		return nil
	}
	var changed []string
	for _, k := range PlanKinds {
		if before.HasKind(k) != after.HasKind(k) {
			changed = append(changed, Kinds.Spanish(k))
		}
	}
	if len(changed) == 0 {
		return nil
	}
	e := errs.Fields("", map[string]string{"kinds": "set by the editors of the institution that keeps the registry"})
	return e.Reword(errs.Forbidden, "only the editors of the institution that keeps this actor's record set the kinds that the plan's indicators count (%s)", strings.Join(changed, ", "))
}

// Warning is something a person should look at, but that does not stop the change.
type Warning struct {
	Message string `json:"message"`
	ActorID int64  `json:"actor_id"` // the other actor
	Name    string `json:"name"`     // its name
}

// duplicates finds actors of the same district with a very similar name.
func duplicates(ctx context.Context, q querier, a Actor) ([]Warning, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM actors WHERE COALESCE(district, '') = $1 AND id <> $2", a.District, a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "look for duplicates")
	}
	defer rows.Close()
	var out []Warning
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, errs.Wrap(err, "look for duplicates")
		}
		if similar(comparableName(name), comparableName(a.Name)) {
			out = append(out, Warning{Message: fmt.Sprintf("%q in the same district looks like the same actor", name), ActorID: id, Name: name})
		}
	}
	return out, errs.Wrap(rows.Err(), "look for duplicates")
}

// institutionFor is the institution that maintains what p registers.
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// CanCreate reports whether p may register actors.
func CanCreate(p auth.Principal) bool {
	return auth.Can(p, auth.Owner{Institution: institutionFor(p)})
}

// Create registers an actor, maintained by the acting user's institution.
// It refuses a RUC that is registered already, and warns about a very
// similar name in the same district.
func (s *Service) Create(ctx context.Context, p auth.Principal, a Actor) (Actor, []Warning, error) {
	a.ID, a.InstitutionID, a.Active = 0, institutionFor(p), true
	if err := auth.Authorize(p, auth.Owner{Institution: a.InstitutionID}); err != nil {
		return a, nil, err
	}
	var warnings []Warning
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := s.reference(ctx, tx)
		if err != nil {
			return err
		}
		if problems := a.normalize(ref); len(problems) > 0 {
			return errs.Fields("the actor has invalid fields", problems)
		}
		if a.RUC != "" {
			if existing, err := getActor(ctx, tx, "ruc = $1", a.RUC); err == nil {
				return errs.Fields(fmt.Sprintf("this RUC is registered already, as %q (no. %d)", existing.Name, existing.ID),
					map[string]string{"ruc": "already registered"})
			}
		}
		if warnings, err = duplicates(ctx, tx, a); err != nil {
			return err
		}
		a, err = s.write(ctx, tx, p, a, nil)
		return err
	})
	return a, warnings, err
}

// Update changes an actor; its maintaining institution and its own members
// may. a.Version is the version the change is based on: when the actor has
// changed since, Update refuses with a Conflict that lists what changed (0
// skips this check; forms and the API always give it).
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, a Actor) (Actor, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getActor(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, before.Owner()); err != nil {
			return err
		}
		ref, err := s.reference(ctx, tx)
		if err != nil {
			return err
		}
		if a.Version != 0 && a.Version != before.Version {
			return s.stale(ctx, tx, id, a.Version)
		}
		a.ID, a.InstitutionID = id, before.InstitutionID
		if a.Key == "" {
			a.Key = before.Key
		}
		if problems := a.normalize(ref); len(problems) > 0 {
			return errs.Fields("the actor has invalid fields", problems)
		}
		a, err = s.write(ctx, tx, p, a, &before)
		return err
	})
	return a, err
}

// SetActive deactivates (or reactivates) an actor; deactivated actors leave
// the public registry but keep their history. version, when not 0, is the
// version the change is based on, as for Update.
func (s *Service) SetActive(ctx context.Context, p auth.Principal, id int64, active bool, version int64) (Actor, error) {
	var out Actor
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getActor(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, before.Owner()); err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return s.stale(ctx, tx, id, version)
		}
		a := before
		a.Active = active
		out, err = s.write(ctx, tx, p, a, &before)
		return err
	})
	return out, err
}

// Delete removes an actor for good, with what hangs on it (its kinds,
// species, certifications, offered products and messages). Only
// administrators delete; the registry otherwise deactivates, keeping history.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getActor(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM actors WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete actor")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "actor", id, before, nil)
	})
}

// Actors returns, in one query and in the order of ids, the actors that p may
// see among ids (inactive ones only to those who may change them).
func (s *Service) Actors(ctx context.Context, p auth.Principal, ids []int64) ([]Actor, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM actors WHERE id IN ("+strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read actors")
	}
	var list []Actor
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read actors")
		}
		if a.Active || auth.Can(p, a.Owner()) {
			list = append(list, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read actors")
	}
	if err := details(ctx, s.db.Read(), list); err != nil {
		return nil, err
	}
	byID := make(map[int64]Actor, len(list))
	for _, a := range list {
		byID[a.ID] = a.VisibleTo(p)
	}
	out := make([]Actor, 0, len(list))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}
