package query

import (
	"net/url"
	"strconv"

	"sriim/internal/actors"
)

// Actors reads the list's filters (the page's Spanish names or the API's English ones).
func Actors(q url.Values, api bool) actors.Filter {
	get := func(es string) string {
		if api {
			return q.Get(ActorAPIParams[es])
		}
		return q.Get(es)
	}
	f := actors.Filter{Kind: get("tipo"), Species: get("especie"), District: get("distrito"),
		Certification: get("certificacion"), Q: q.Get("q"), Sort: get("orden"), Inactive: get("inactivos") != ""}
	f.Page, _ = strconv.Atoi(get("pagina"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f
}

// ActorAPIParams names the list page's filters as the API does.
var ActorAPIParams = map[string]string{"tipo": "kind", "especie": "species", "distrito": "district",
	"certificacion": "certification", "orden": "sort", "inactivos": "inactive", "pagina": "page"}
