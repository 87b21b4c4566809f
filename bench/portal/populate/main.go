// Command populate fills a seeded SRIIM database with test exporters and
// their products, so that the portal benchmark measures pages of a realistic
// size. The exporters are invented for the benchmark ("Exportadora de
// prueba N"); the species, presentations, HS codes and markets are real.
//
//	go run ./bench/portal/populate --db sqlite:DIR/sriim.db --data-dir DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"path/filepath"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/offer"
)

// catalogue is what each test exporter offers, in turn.
var catalogue = []offer.Product{
	{Species: "SNE", Presentation: "canned", HSCode: "1605.59", NameES: "Loco en conserva", NameEN: "Canned loco (false abalone)",
		DescriptionES: "Loco cocido en salmuera, latas de 425 g.", DescriptionEN: "Cooked in brine, 425 g cans.", Markets: []string{"JPN", "TWN", "HKG"}},
	{Species: "SNE", Presentation: "frozen", HSCode: "0307.92", NameES: "Loco congelado IQF", DescriptionES: "Carne de loco congelada individualmente.",
		Markets: []string{"JPN", "KOR"}},
	{Species: "QDM", Presentation: "frozen", HSCode: "0307.52", NameES: "Pulpo congelado", NameEN: "Frozen octopus",
		DescriptionES: "Pulpo entero eviscerado.", DescriptionEN: "Whole gutted octopus.", Markets: []string{"ESP", "ITA"}},
	{Species: "FSX", Presentation: "fresh", NameES: "Lapa fresca", NameEN: "Fresh keyhole limpet", Markets: []string{"USA"}},
}

func main() {
	dsn := flag.String("db", "", "database (sqlite:PATH or postgres://…)")
	dataDir := flag.String("data-dir", ".", "SRIIM's data directory, for the product photos")
	exporters := flag.Int("exporters", 12, "how many test exporters to register")
	flag.Parse()
	ctx := context.Background()
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if _, _, err := d.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	registry, products := actors.New(d), offer.New(d, filepath.Join(*dataDir, "files", "photos"))
	who := auth.Principal{Email: "benchmark", Role: auth.Admin}
	for i := 1; i <= *exporters; i++ {
		a, _, err := registry.Create(ctx, who, actors.Actor{
			Name: fmt.Sprintf("Exportadora de prueba %d SAC", i), Kinds: []string{"exporter", "processor"}, District: "Ilo",
			Description:   "Planta de procesamiento y exportación de moluscos en Ilo.",
			DescriptionEN: "Mollusc processing and export plant in Ilo.",
			Certifications: []actors.Certification{{Kind: "plant_licence", Number: fmt.Sprintf("PTH-%03d", i), Issuer: "SANIPES", ValidTo: "2027-12-31"},
				{Kind: "haccp", Number: fmt.Sprintf("HACCP-%03d", i), Issuer: "SANIPES"}},
		})
		if err != nil {
			log.Fatal(err)
		}
		for j := 0; j < 1+i%3; j++ {
			p := catalogue[(i+j)%len(catalogue)]
			p.ActorID, p.Markets = a.ID, append([]string(nil), p.Markets...)
			if _, err := products.Save(ctx, who, p); err != nil {
				log.Fatal(err)
			}
		}
	}
}
