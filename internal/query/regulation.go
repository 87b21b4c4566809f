package query

import (
	"net/url"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/regulation"
)

// MsgChoice is what a selection says of a value that is not among its
// choices (the pages' filter message of the same id).
const MsgChoice = "one of the list's values"

// Year reads an optional year parameter: 0 when absent.
func Year(q url.Values, name string) (int, error) {
	f := httpkit.NewForm(q)
	year := f.Year(name)
	return year, f.Err("invalid parameter")
}

// Norms reads the norms' filters from the parameters named kind, status,
// topic, species and activity (the API's English names or a page's Spanish
// ones): a kind and a status in either language.
func Norms(q url.Values, kind, status, topic, species, activity string) (regulation.NormFilter, error) {
	f := regulation.NormFilter{Topic: q.Get(topic), Species: q.Get(species), Activity: q.Get(activity)}
	problems := map[string]string{}
	var ok bool
	if v := q.Get(kind); v != "" {
		if f.Kind, ok = regulation.NormKinds.Parse(v); !ok {
			problems[kind] = MsgChoice
		}
	}
	if v := q.Get(status); v != "" {
		if f.Status, ok = regulation.NormStatuses.Parse(v); !ok {
			problems[status] = MsgChoice
		}
	}
	if len(problems) > 0 {
		return f, errs.Fields("invalid filters", problems)
	}
	return f, nil
}

// Requirements reads a product, a market (a code, an ISO code or a name)
// and an optional year from the parameters so named.
func Requirements(q url.Values, productName, marketName, yearName string) (product string, market, year int, err error) {
	problems := map[string]string{}
	if product = q.Get(productName); product == "" {
		problems[productName] = MsgLine
	}
	market, ok := regulation.ParseMarket(q.Get(marketName))
	if !ok || strings.TrimSpace(q.Get(marketName)) == "" {
		problems[marketName] = MsgChoice
	}
	f := httpkit.NewForm(q)
	year = f.Year(yearName)
	for field, msg := range f.Problems() {
		problems[field] = msg
	}
	if len(problems) > 0 {
		return product, market, year, errs.Fields("invalid parameter", problems)
	}
	return product, market, year, nil
}
