package query

import (
	"net/url"

	"sriim/internal/httpkit"
	"sriim/internal/portal"
	"sriim/internal/production"
)

// Production reads a selection from the page's Spanish parameters or
// the API's English ones, defaulting to d's series (the seed's Cuadro 1: all
// molluscs in the Moquegua region).
func Production(q url.Values, api bool, d portal.Defaults) (production.Query, error) {
	name := func(es, en string) string {
		if api {
			return en
		}
		return es
	}
	pq := production.Query{
		Species:       httpkit.List(q, name("especie", "species")),
		Presentations: httpkit.List(q, name("presentacion", "presentation")),
		Origins:       httpkit.List(q, name("origen", "origin")),
		Places:        httpkit.List(q, name("lugar", "place")),
	}
	form := httpkit.NewForm(q)
	pq.From, pq.To = form.Year(name("desde", "from")), form.Year(name("hasta", "to"))
	if err := form.Err("invalid selection"); err != nil {
		return pq, err
	}
	if len(pq.Species) == 0 {
		pq.Species = d.Production.Species
	}
	if len(pq.Places) == 0 {
		pq.Places = d.Production.Places
	}
	return pq, nil
}
