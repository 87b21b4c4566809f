// Package query reads the selections that a module's pages and its API
// calls share (a market analysis, a production series, the actor list, the
// audit log's filter) from their parameters, through httpkit's readers, so
// that a page and the API read one selection one way. The problems it finds
// are field messages in English, catalogue ids (ui says them in the page's
// language).
package query

// What the filter readers say of a value they cannot use. The API gives
// these as they are; a page says them in its language (ui's filterMessages).
const (
	MsgYears = "from ≤ to, at most 60 years"
	MsgLine  = "see /api/v1/markets/product-lines"
	MsgHS    = "HS codes of 2 to 10 digits, comma-separated"
	MsgUser  = "a user id"
)
