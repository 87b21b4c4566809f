package query

import (
	"net/url"
	"strconv"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/production"
)

// Production reads a selection from the page's Spanish parameters or
// the API's English ones, defaulting to the seed's Cuadro 1 (all molluscs
// in the Moquegua region).
func Production(q url.Values, api bool) (production.Query, error) {
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
	fields := map[string]string{}
	for es, dst := range map[string]*int{"desde": &pq.From, "hasta": &pq.To} {
		key := name(es, map[string]string{"desde": "from", "hasta": "to"}[es])
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1900 || n > 2100 {
				fields[key] = httpkit.MsgYear
			}
			*dst = n
		}
	}
	if len(fields) > 0 {
		return pq, errs.Fields("invalid selection", fields)
	}
	if len(pq.Species) == 0 {
		pq.Species = []string{"moluscos"}
	}
	if len(pq.Places) == 0 {
		pq.Places = []string{"PE-MOQ"}
	}
	return pq, nil
}
