package indicators_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/events"
	"sriim/internal/i18n"
	"sriim/internal/indicators"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

// stack is every module that offers a source, wired as internal/app does,
// on the seed's data and bindings.
type stack struct {
	d        *db.DB
	accounts *accounts.Service
	actors   *actors.Service
	events   *events.Service
	planning *planning.Service
	ind      *indicators.Service
	planID   int64
	editor   auth.Principal
}

func setup(t *testing.T, d *db.DB) stack {
	t.Helper()
	ctx := context.Background()
	s := stack{d: d, accounts: accounts.New(d), actors: actors.New(d), planning: planning.New(d, t.TempDir())}
	s.accounts.BcryptCost = 4
	s.events = events.New(d, s.actors)
	prod, tr := production.New(d), trade.New(d)
	reg := indicators.NewRegistry(s.actors.Source(), prod.Source(), tr.Source())
	reg.Register(s.accounts.Sources()...)
	reg.Register(s.events.Sources()...)
	s.ind = indicators.New(d, reg)
	s.ind.Now = func() time.Time { return time.Date(2010, 3, 1, 0, 0, 0, 0, time.UTC) }
	s.planning.Indicators = s.ind
	if err := seeding.Load(ctx, d, seeding.Services{Accounts: s.accounts, Reference: reference.New(d), Production: prod, Planning: s.planning,
		Trade: tr, Actors: s.actors, Indicators: s.ind}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	plans, _ := s.planning.Plans(ctx)
	s.planID = plans[0].ID
	direpro, _ := s.accounts.InstitutionByCode(ctx, "DIREPRO-ILO")
	s.editor = auth.Principal{UserID: 1, Email: "ed@direpro", Role: auth.Editor, Institutions: []int64{direpro.ID}}
	return s
}

func (s stack) at(day string) {
	t, _ := time.Parse("2006-01-02", day)
	s.actors.Now = func() time.Time { return t }
	s.accounts.Now = func() time.Time { return t }
}

func (s stack) actor(t *testing.T, day string, a actors.Actor) actors.Actor {
	t.Helper()
	s.at(day)
	a, _, err := s.actors.Create(context.Background(), s.editor, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// event adds an event serving an activity, with a participant for each of
// people: "name|document|sex|organisation".
func (s stack) event(t *testing.T, kind, day, activity string, people ...string) {
	t.Helper()
	ctx := context.Background()
	a, err := s.planning.Activity(ctx, s.planID, activity, 2008)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.events.Create(ctx, s.editor, events.Event{Kind: kind, Title: kind + " " + day, StartsOn: day, Activities: []int64{a.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(people) == 0 {
		return
	}
	sheet := "nombre,documento,sexo,organizacion\n"
	for _, p := range people {
		sheet += strings.ReplaceAll(p, "|", ",") + "\n"
	}
	st, err := s.events.Stage(ctx, s.editor, e.ID, strings.NewReader(sheet), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	yes := map[string]bool{}
	for _, p := range st.Proposals {
		yes[p.Key] = true
	}
	if _, err := s.events.Apply(ctx, s.editor, st.ID, yes); err != nil {
		t.Fatal(err)
	}
}

// view returns an activity's indicator as the API gives it.
func (s stack) view(t *testing.T, code, name string, year int) planning.IndicatorView {
	t.Helper()
	views, err := s.planning.IndicatorViews(context.Background(), s.planID, code, year, i18n.ES)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("%s has no indicator %q", code, name)
	return planning.IndicatorView{}
}

// values writes an indicator's values of 2007–2010 as "2007:3 2008:4".
func values(m map[string]float64) string {
	var parts []string
	for y := 2007; y <= 2010; y++ {
		if n, ok := m[strconv.Itoa(y)]; ok {
			parts = append(parts, strconv.Itoa(y)+":"+strconv.FormatFloat(n, 'f', -1, 64))
		}
	}
	return strings.Join(parts, " ")
}

// TestSeedBindings: the seed plan's indicators that the system can compute
// are bound on first start; those whose module is not there yet report
// "not available" and stay reported by hand.
func TestSeedBindings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		list, computed, err := s.planning.IndicatorOverview(context.Background(), s.planID)
		if err != nil {
			t.Fatal(err)
		}
		bound := map[string]bool{}
		for _, b := range list {
			if b.Source == planning.SourceComputed {
				bound[b.ActivityCode] = true
			}
			if b.ActivityCode == "1.3.4" && b.Name == "Tiempo del Procedimiento" && (b.SourceID != "regulation.procedure_days" || b.Available || b.Source != planning.SourceReported) {
				t.Errorf("1.3.4's procedure time: %+v", b)
			}
		}
		for _, code := range []string{"1.1.1", "1.2.3", "1.2.4", "1.3.3", "1.3.4", "2.1.1", "2.1.2", "2.3.3", "3.1.1", "3.3.1", "4.4.1"} {
			if !bound[code] {
				t.Errorf("no indicator of %s is computed", code)
			}
		}
		if computed < 25 || computed >= len(list) {
			t.Errorf("%d of %d indicators computed", computed, len(list))
		}
		v := s.view(t, "1.3.4", "Tiempo del Procedimiento", 2009)
		if v.Source != planning.SourceReported || v.SourceID != "regulation.procedure_days" || !strings.Contains(v.Computation, "regulation.procedure_days") {
			t.Errorf("a binding to a source not offered yet: %+v", v)
		}
	})
}

// TestBindingsCompute checks each kind of source on known data, through the
// activity's indicators as the API gives them.
func TestBindingsCompute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		lic := actors.Certification{Kind: "plant_licence", Number: "L-1", ValidTo: "2008-12-31"}
		pinos := s.actor(t, "2007-06-01", actors.Actor{Name: "Asociación Los Pinos", Kinds: []string{"producer_org"}})
		s.actor(t, "2007-06-01", actors.Actor{Name: "Asociación Pescadores de Ilo", Kinds: []string{"producer_org"}})
		s.actor(t, "2007-06-01", actors.Actor{Name: "Criadero Sur", Kinds: []string{"hatchery"}})
		plant := s.actor(t, "2007-06-01", actors.Actor{Name: "Planta Uno", Kinds: []string{"processor"}, Certifications: []actors.Certification{lic}})
		s.actor(t, "2007-06-01", actors.Actor{Name: "Caja Rural", Kinds: []string{"financing_source"}})
		s.actor(t, "2008-06-01", actors.Actor{Name: "Planta Dos", Kinds: []string{"processor"}})
		s.at("2008-02-01")
		direpro := s.editor.Institutions[0]
		if _, err := s.accounts.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ed@direpro.example", Name: "Ed", Password: "a long password here",
			Role: auth.Editor, Active: true, Institutions: []int64{direpro}}); err != nil {
			t.Fatal(err)
		}
		s.event(t, "congreso", "2008-09-01", "4.4.1", "Ana|12345678|F|Asociación Los Pinos", "Eva|22345678|F|", "Luis|32345678|M|Planta Uno")
		s.event(t, "congreso", "2009-09-01", "4.4.1", "Ana|12345678|F|Asociación Los Pinos", "Raúl|42345678|M|Cooperativa Nueva")
		s.event(t, "feria", "2009-05-01", "2.3.3", "Luis|32345678|M|Planta Uno")
		s.event(t, "asistencia_tecnica", "2008-04-01", "1.2.5", "Ana|12345678|F|Asociación Los Pinos")

		for _, c := range []struct {
			activity, indicator, want string
		}{
			{"1.1.1", "Número de productores y procesadores registrados", "2007:3 2008:4 2009:4 2010:4"},
			{"1.2.3", "Número de centros de producción de semilla en operación", "2007:1 2008:1 2009:1 2010:1"},
			{"1.3.4", "Numero de plantas habilitadas.", "2007:1 2008:1 2009:0 2010:0"}, // the licence ends in 2008
			{"3.3.1", "Número de fuentes de financiamiento registradas", "2007:1"},
			{"2.1.1", "Número de usuarios", "2007:0 2008:1"},
			{"2.1.1", "Número instituciones integrantes del sistema como generadores y sistematizadotes de información", "2007:0 2008:1"},
			{"4.4.1", "Número de participantes", "2007:0 2008:3 2009:2 2010:0"},
			{"2.3.3", "Número de eventos de promoción comercial.", "2008:0 2009:1 2010:0"},
			{"2.3.3", "Número de empresas participantes.", "2008:0 2009:1 2010:0"},
			{"1.2.5", "Número de asociaciones que han recibido asistencia técnica", "2007:0 2008:50 2009:50"},
		} {
			v := s.view(t, c.activity, c.indicator, 2010)
			if v.Source != planning.SourceComputed || v.Computation == "" {
				t.Errorf("%s %q: %+v", c.activity, c.indicator, v)
			}
			if got := values(v.Values); !strings.HasPrefix(got, c.want) {
				t.Errorf("%s %q = %s, want %s", c.activity, c.indicator, got, c.want)
			}
		}
		// People are counted once each, women and men apart; the records behind are the events.
		v := s.view(t, "4.4.1", "Número de participantes", 2009)
		if v.Breakdown["women"]["2008"] != 2 || v.Breakdown["men"]["2008"] != 1 || v.Breakdown["organisations"]["2009"] != 2 || len(v.Records) != 1 {
			t.Errorf("4.4.1 breakdown: %+v, records %+v", v.Breakdown, v.Records)
		}
		// The share shows its numerator and denominator, and the actors reached.
		v = s.view(t, "1.2.5", "Número de asociaciones que han recibido asistencia técnica", 2009)
		if values(v.Numerator) != "2007:0 2008:1 2009:1" || values(v.Denominator) != "2007:2 2008:2 2009:2" || v.Unit != "%" ||
			v.Records[0].Entity != "actor" || v.Records[0].ID != pinos.ID {
			t.Errorf("1.2.5 share: %+v", v)
		}
		if v.Target == nil || v.Target.Year != 2009 || v.Target.Value != 90 || v.Target.Reached || len(v.Target.Milestones) != 2 {
			t.Errorf("1.2.5 target: %+v", v.Target)
		}
		v = s.view(t, "1.3.4", "Numero de plantas habilitadas.", 2008)
		if len(v.Records) != 1 || v.Records[0].ID != plant.ID || !strings.Contains(v.Computation, "planta_procesadora") {
			t.Errorf("1.3.4 plants: %+v", v)
		}

		// Production and exports, as the dashboard asks for them, on the seed's figures.
		for _, c := range []struct {
			source, params string
			year           int
			want           float64
		}{
			{"production.series", "", 2003, 861}, // Cuadro 1's total (the text says 860)
			{"production.series", "presentation=fresh", 2003, 362},
			{"trade.exports", "reporter=604", 2005, 10899000}, // Cuadro 3: 5,991 + 4,908 thousand US$
		} {
			src, _ := s.ind.Registry().Source(c.source)
			params, _ := url.ParseQuery(c.params)
			res, err := src.Compute(ctx, indicators.Query{Params: params, From: 2000, To: 2006})
			if err != nil {
				t.Fatal(err)
			}
			if res.Values[c.year] != c.want || res.Computation.Format == "" {
				t.Errorf("%s %s in %d = %v, want %v", c.source, c.params, c.year, res.Values[c.year], c.want)
			}
		}
		if src, _ := s.ind.Registry().Source("events.people"); src != nil {
			if _, err := src.Compute(ctx, indicators.Query{Params: url.Values{"colour": {"red"}}, From: 2008, To: 2008}); err == nil {
				t.Error("a parameter the source does not take is accepted")
			}
		}
	})
}

// TestBoundIndicatorDrivesLight: activity 1.2.5's share of associations
// reached is checked against the plan's targets (20 % by 2008, 90 % by
// 2009): missing the first makes the activity late in 2009, reaching the
// last makes it done, where the period alone says "on track".
func TestBoundIndicatorDrivesLight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := setup(t, d)
		ctx := context.Background()
		names := []string{"Asociación Uno", "Asociación Dos", "Asociación Tres", "Asociación Cuatro", "Asociación Cinco"}
		for _, n := range names {
			s.actor(t, "2007-03-01", actors.Actor{Name: n, Kinds: []string{"producer_org"}})
		}
		light := func(year int) planning.Light {
			a, err := s.planning.Activity(ctx, s.planID, "1.2.5", year)
			if err != nil {
				t.Fatal(err)
			}
			return a.Light
		}
		if got := light(2009); got != planning.LightLate {
			t.Errorf("2009 with no association reached: %s, want late (2008's 20 %% missed)", got)
		}
		a, _ := s.planning.Activity(ctx, s.planID, "1.2.5", 2009)
		unbound := a.Indicators[0]
		if err := s.ind.Unbind(ctx, auth.System, unbound.ID); err != nil {
			t.Fatal(err)
		}
		if got := light(2009); got != planning.LightOnTrack {
			t.Errorf("2009 unbound: %s, want on_track (its period)", got)
		}
		if _, err := s.ind.Bind(ctx, auth.System, indicators.Binding{IndicatorID: unbound.ID, Source: "events.share",
			Params: "kind=asistencia_tecnica&actor_kind=organizacion_productores", Target: "plan"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ind.Bind(ctx, s.editor, indicators.Binding{IndicatorID: unbound.ID, Source: "events.share"}); err == nil {
			t.Error("an editor binds indicators")
		}
		var people []string
		for i, n := range names {
			people = append(people, "P"+strconv.Itoa(i)+"|1000000"+strconv.Itoa(i)+"|F|"+n)
		}
		s.event(t, "asistencia_tecnica", "2009-06-01", "1.2.5", people...)
		if got := light(2009); got != planning.LightDone {
			t.Errorf("2009 with every association reached: %s, want done", got)
		}
		if got := light(2008); got != planning.LightOnTrack {
			t.Errorf("2008: %s, want on_track", got)
		}
	})
}

func TestYearEnd(t *testing.T) {
	for _, c := range []struct {
		year  int
		today string
		day   string
		begun bool
	}{
		{2024, "2026-03-01", "2024-12-31", true},  // a past year: its last day
		{2026, "2026-03-01", "2026-03-01", true},  // the current year: today
		{2026, "2026-12-31", "2026-12-31", true},  // its last day
		{2027, "2026-03-01", "2026-03-01", false}, // not begun
	} {
		if day, begun := indicators.YearEnd(c.year, c.today); day != c.day || begun != c.begun {
			t.Errorf("YearEnd(%d, %s) = %s, %v; want %s, %v", c.year, c.today, day, begun, c.day, c.begun)
		}
	}
}
