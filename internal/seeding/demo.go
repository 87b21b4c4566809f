package seeding

import (
	"context"
	"database/sql"
	"fmt"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/offer"
	"sriim/internal/planning"
)

// The demonstration dataset: invented exporters, producers, products and
// progress reports, so that new staff can learn SRIIM and a visitor can try
// it. Every name says "DEMO", and every record is listed in demo_records
// under the dataset's own name for it: RemoveDemo takes out exactly those.
// It is never loaded by default (sriim seed --demo).

// demoPrefix marks every demonstration name.
const demoPrefix = "DEMO · "

// demoRUC is a RUC that passes SUNAT's check digit but belongs to nobody:
// 20 followed by seven zeros and n, far below the numbers SUNAT has given
// companies (which start at 201…).
func demoRUC(n int) string {
	body := fmt.Sprintf("200000000%d", n%10)
	return body + string(actors.RUCCheckDigit(body))
}

// demoActors are the invented actors, by the dataset's name for each.
var demoActors = []struct {
	name  string
	actor actors.Actor
}{
	{"actor:exportadora", actors.Actor{Key: "demo-exportadora-mar-de-prueba", Name: demoPrefix + "Exportadora Mar de Prueba SAC", RUC: demoRUC(1),
		Kinds: []string{"exporter", "processor"}, District: "180301", Address: "Zona industrial ficticia, lote 0",
		Description:   "Empresa inventada para la demostración de SRIIM: procesa y exporta loco congelado y en conserva.",
		DescriptionEN: "A company invented for SRIIM's demonstration: it processes and exports frozen and canned loco.",
		Website:       "https://example.org/demo-mar-de-prueba", Email: "ventas@demo.example.org", EmailPublic: true,
		ContactName: "Persona de Contacto Ficticia", ContactNamePublic: true, Species: []string{"SNE", "QDM"},
		Presentations:  []string{"frozen", "canned"},
		Certifications: []actors.Certification{{Kind: "haccp", Number: "DEMO-HACCP-001", Issuer: "Emisor ficticio", ValidTo: "2099-12-31"}}}},
	{"actor:conservera", actors.Actor{Key: "demo-conservas-del-ensayo", Name: demoPrefix + "Conservas del Ensayo SRL", RUC: demoRUC(2),
		Kinds: []string{"exporter"}, District: "180302", Description: "Conservera inventada para la demostración de SRIIM.",
		DescriptionEN: "A cannery invented for SRIIM's demonstration.", Species: []string{"SNE"}, Presentations: []string{"canned"}}},
	{"actor:buzos", actors.Actor{Key: "demo-buzos-imaginarios", Name: demoPrefix + "Asociación de Buzos Imaginarios de Pacocha",
		Kinds: []string{"producer_org", "extractor"}, District: "180303", Description: "Asociación de buzos inventada para la demostración de SRIIM.",
		Species: []string{"SNE", "UCH"}, Presentations: []string{"fresh"}}},
	{"actor:cultivos", actors.Actor{Key: "demo-cultivos-de-ensayo", Name: demoPrefix + "Cultivos de Ensayo EIRL", RUC: demoRUC(3),
		Kinds: []string{"mariculturist_small"}, District: "180303", Description: "Maricultor inventado para la demostración de SRIIM.",
		Species: []string{"SCQ"}, Presentations: []string{"fresh"}}},
}

// demoProducts are the invented exporters' products.
var demoProducts = []struct {
	name, actor string
	product     offer.Product
}{
	{"product:loco-congelado", "actor:exportadora", offer.Product{Species: "SNE", Presentation: "frozen", HSCode: "0307992000",
		NameES: demoPrefix + "Loco congelado IQF", NameEN: demoPrefix + "Frozen loco IQF", DescriptionES: "Producto de demostración: no existe.",
		DescriptionEN: "A demonstration product: it does not exist.", Seasons: "abril–diciembre", Markets: []string{"JPN", "TWN"}}},
	{"product:pulpo-congelado", "actor:exportadora", offer.Product{Species: "QDM", Presentation: "frozen",
		NameES: demoPrefix + "Pulpo congelado", NameEN: demoPrefix + "Frozen octopus", Markets: []string{"ESP"}}},
	{"product:loco-conserva", "actor:conservera", offer.Product{Species: "SNE", Presentation: "canned", HSCode: "1605901000",
		NameES: demoPrefix + "Loco en conserva", NameEN: demoPrefix + "Canned loco", Markets: []string{"HKG", "SGP"}}},
}

// demoReports are progress reports on the seed plan's activities: one
// approved, one waiting in the review queue.
var demoReports = []struct {
	name, activity, period, status, narrative string
	approve                                   bool
}{
	{"report:2.3.2", "2.3.2", "2007-S2", "done", demoPrefix + "Reporte inventado: la página de la oferta exportable está publicada.", true},
	{"report:1.3.3", "1.3.3", "2007-S2", "in_progress", demoPrefix + "Reporte inventado: dos cursos de buenas prácticas dictados, falta el tercero.", false},
}

// demoPlan is the plan the demonstration reports belong to.
const demoPlan = "POP-MOLUSCOS-MOQUEGUA"

// DemoLoaded reports whether any demonstration record is in the database.
func DemoLoaded(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	err := d.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM demo_records").Scan(&n)
	return n > 0, errs.Wrap(err, "read demo records")
}

// demoIDs maps the dataset's names to the records loaded under them.
func demoIDs(ctx context.Context, d *db.DB) (map[string]int64, error) {
	rows, err := d.Read().QueryContext(ctx, "SELECT name, entity_id FROM demo_records")
	if err != nil {
		return nil, errs.Wrap(err, "read demo records")
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, errs.Wrap(err, "read demo records")
		}
		ids[name] = id
	}
	return ids, errs.Wrap(rows.Err(), "read demo records")
}

// LoadDemo loads what is missing of the demonstration dataset (a record
// loaded before is left as it is) and returns how many records it added.
func LoadDemo(ctx context.Context, d *db.DB, s Services) (int, error) {
	ids, err := demoIDs(ctx, d)
	if err != nil {
		return 0, err
	}
	added := 0
	keep := func(name, entity string, id int64) error {
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO demo_records (name, entity, entity_id, position) VALUES ($1, $2, $3, (SELECT COUNT(*) FROM demo_records))",
				name, entity, id)
			return err
		}); err != nil {
			return errs.Wrap(err, "record demo record")
		}
		ids[name] = id
		added++
		return nil
	}
	for _, x := range demoActors {
		if _, ok := ids[x.name]; ok {
			continue
		}
		a, _, err := s.Actors.Create(ctx, auth.System, x.actor)
		if err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		if err := keep(x.name, "actor", a.ID); err != nil {
			return added, err
		}
	}
	for _, x := range demoProducts {
		if _, ok := ids[x.name]; ok {
			continue
		}
		p := x.product
		p.ActorID = ids[x.actor]
		p, err := s.Offer.Save(ctx, auth.System, p)
		if err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		if err := keep(x.name, "offer_product", p.ID); err != nil {
			return added, err
		}
	}
	var planID int64
	plans, err := s.Planning.Plans(ctx)
	if err != nil {
		return added, err
	}
	for _, p := range plans {
		if p.Code == demoPlan {
			planID = p.ID
		}
	}
	for _, x := range demoReports {
		if _, ok := ids[x.name]; ok || planID == 0 {
			continue
		}
		a, err := s.Planning.Activity(ctx, planID, x.activity, 2007)
		if err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		r, err := s.Planning.SaveReport(ctx, auth.System, a.ID, planning.ReportInput{Period: x.period, Status: x.status, Narrative: x.narrative})
		if err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		if err := keep(x.name, "plan_report", r.ID); err != nil {
			return added, err
		}
		if _, err := s.Planning.AddEvidence(ctx, auth.System, r.ID, demoPrefix+"acta inventada", "https://example.org/demo-acta", "", nil); err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		if _, err := s.Planning.Submit(ctx, auth.System, r.ID); err != nil {
			return added, fmt.Errorf("demo %s: %w", x.name, err)
		}
		if x.approve {
			if _, err := s.Planning.Review(ctx, auth.System, r.ID, true, ""); err != nil {
				return added, fmt.Errorf("demo %s: %w", x.name, err)
			}
		}
	}
	return added, nil
}

// RemoveDemo removes every demonstration record, the last loaded first, with
// what hangs on it (a demo exporter's products and messages, a demo report's
// evidence), and nothing else; it returns how many it removed.
func RemoveDemo(ctx context.Context, d *db.DB, s Services) (int, error) {
	rows, err := d.Read().QueryContext(ctx, "SELECT name, entity, entity_id FROM demo_records ORDER BY position DESC")
	if err != nil {
		return 0, errs.Wrap(err, "read demo records")
	}
	type record struct {
		name, entity string
		id           int64
	}
	var list []record
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.name, &r.entity, &r.id); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "read demo records")
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap(err, "read demo records")
	}
	removed := 0
	for _, r := range list {
		switch r.entity {
		case "actor":
			// Products someone added to a demo exporter go with it, each recorded in the audit log.
			var products []offer.Product
			if products, err = s.Offer.Products(ctx, offer.Filter{ActorID: r.id}); err == nil {
				for _, p := range products {
					if err = s.Offer.Delete(ctx, auth.System, p.ID, 0); err != nil {
						break
					}
				}
			}
			if err == nil {
				err = s.Actors.Delete(ctx, auth.System, r.id)
			}
		case "offer_product":
			err = s.Offer.Delete(ctx, auth.System, r.id, 0)
		case "plan_report":
			err = s.Planning.DeleteReport(ctx, auth.System, r.id)
		default:
			err = fmt.Errorf("unknown demo record kind %q", r.entity)
		}
		if err != nil && !errs.Is(err, errs.NotFound) { // a record someone removed already is gone
			return removed, fmt.Errorf("remove demo %s: %w", r.name, err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM demo_records WHERE name = $1", r.name)
			return err
		}); err != nil {
			return removed, errs.Wrap(err, "forget demo record")
		}
		removed++
	}
	return removed, nil
}
