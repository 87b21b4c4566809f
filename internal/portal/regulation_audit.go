package portal

import (
	"encoding/json"

	"sriim/internal/audit"
	"sriim/internal/auth"
)

// regulationAuditShown reports whether p may read an audit entry of the
// regulation module as it may read the record: a norm, procedure or export
// requirement when no state the entry holds is a draft p may not change,
// a case when p keeps its procedure or is a member of its applicant.
func regulationAuditShown(p auth.Principal, e *audit.Entry) bool {
	for _, state := range []json.RawMessage{e.Before, e.After} {
		if len(state) == 0 || string(state) == "null" {
			continue
		}
		var rec struct {
			Draft         bool  `json:"draft"`
			InstitutionID int64 `json:"institution_id"`
			ActorID       int64 `json:"actor_id"`
		}
		if json.Unmarshal(state, &rec) != nil {
			return false
		}
		keeper := auth.Can(p, auth.Owner{Institution: rec.InstitutionID})
		switch {
		case e.Entity == "procedure_case" && !keeper && !(rec.ActorID != 0 && p.Role == auth.Member && p.ActorID == rec.ActorID):
			return false
		case rec.Draft && !keeper:
			return false
		}
	}
	return true
}
