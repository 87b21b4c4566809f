package actors

import (
	"context"

	"sriim/internal/errs"
)

// How an organisation named in a sheet was matched to the registry.
const (
	MatchRUC  = "ruc"  // the RUC is registered
	MatchName = "name" // one registered actor has the same name (company types and accents aside)
	MatchNear = "near" // a registered actor's name differs by a letter or two: a person must confirm
	MatchNone = ""     // not in the registry
)

// Match is the actor an organisation's name or RUC points to.
type Match struct {
	By      string   `json:"by"` // MatchRUC, MatchName, MatchNear or MatchNone
	ActorID int64    `json:"actor_id,omitempty"`
	Name    string   `json:"name,omitempty"`  // the registered actor's name
	Kinds   []string `json:"kinds,omitempty"` // its kinds
}

// Matcher matches organisations as people write them to the registry's
// active actors, read once.
type Matcher struct {
	byRUC  map[string]int
	actors []Actor
	names  []string // comparable names, as actors
}

// Matcher reads the registry's active actors for matching.
func (s *Service) Matcher(ctx context.Context) (*Matcher, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM actors WHERE active = $1 ORDER BY id", true)
	if err != nil {
		return nil, errs.Wrap(err, "read actors")
	}
	m := &Matcher{byRUC: map[string]int{}}
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read actors")
		}
		m.actors = append(m.actors, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read actors")
	}
	if err := details(ctx, s.db.Read(), m.actors); err != nil {
		return nil, err
	}
	for i, a := range m.actors {
		if a.RUC != "" {
			m.byRUC[a.RUC] = i
		}
		m.names = append(m.names, comparableName(a.Name))
	}
	return m, nil
}

// Match finds the actor a RUC (first) or a name points to. A name that one
// actor has exactly is a match; a name that differs from one actor's by at
// most two letters is a near match, for a person to confirm (the closest
// actor when several are near; an exact name held by several actors is near
// too, since which one is meant is not known).
func (m *Matcher) Match(ruc, name string) Match {
	if i, ok := m.byRUC[ruc]; ok && ruc != "" {
		return m.match(MatchRUC, i)
	}
	want := comparableName(name)
	if want == "" {
		return Match{}
	}
	exact, near := -1, -1
	nearDistance := 3
	exacts := 0
	for i, n := range m.names {
		if n == want {
			exacts++
			exact = i
			continue
		}
		// Two letters make another word of a short name: no near matches there.
		if d := distance(n, want); d < nearDistance && len([]rune(want)) >= 6 {
			near, nearDistance = i, d
		}
	}
	switch {
	case exacts == 1:
		return m.match(MatchName, exact)
	case exacts > 1:
		return m.match(MatchNear, exact)
	case near >= 0:
		return m.match(MatchNear, near)
	}
	return Match{}
}

func (m *Matcher) match(by string, i int) Match {
	a := m.actors[i]
	return Match{By: by, ActorID: a.ID, Name: a.Name, Kinds: a.Kinds}
}
