package portal

import (
	"context"
	"encoding/json"
	"strconv"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

// auditReadable are the records whose audit anyone with auth.ReadAudit may
// read, as they may read the records: not accounts and their tokens (the
// administrators'), and reports only as auditShown checks. A record type
// missing here is shown to administrators only, so a new one is not
// shown to editors before someone decides it may be.
var auditReadable = map[string]bool{"actor": true, "institution": true, "species": true, "place": true,
	"production_observation": true, "plan": true, "plan_annual_item": true, "trade_batch": true,
	"trade_published_shares": true, "market_report": true, "offer_product": true}

// auditShown is what of the audit log p may see: administrators all of
// it; others the entries of records they may read (auditReadable; a report
// and its evidence when p may open the report), and of who made each
// change only what PersonShown gives.
func (s *Service) auditShown(ctx context.Context, p auth.Principal) func(*audit.Entry) (bool, error) {
	if p.Role == auth.Admin {
		return nil
	}
	reports := map[int64]bool{}
	mayRead := func(report int64) (bool, error) {
		if ok, known := reports[report]; known {
			return ok, nil
		}
		_, _, err := s.planning.Report(ctx, p, report)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return false, err
		}
		reports[report] = err == nil
		return err == nil, nil
	}
	return func(e *audit.Entry) (bool, error) {
		if e.UserID != 0 {
			e.UserEmail = PersonShown(p, e.UserEmail)
		}
		switch e.Entity {
		case "plan_report":
			id, _ := strconv.ParseInt(e.EntityID, 10, 64)
			return mayRead(id)
		case "plan_report_evidence":
			var ev struct {
				ReportID int64 `json:"report_id"`
			}
			if json.Unmarshal(e.After, &ev) != nil {
				_ = json.Unmarshal(e.Before, &ev)
			}
			return mayRead(ev.ReportID)
		}
		return auditReadable[e.Entity], nil
	}
}

// PersonShown is the account (its email) that did something as p may see
// it: administrators see every account, and a user sees their own; to
// everyone else it is "" (accounts are the administrators' to see).
func PersonShown(p auth.Principal, email string) string {
	if p.Role == auth.Admin || (p.Email != "" && p.Email == email) {
		return email
	}
	return ""
}

// AuditLog lists the audit entries f selects that p may see (auditShown):
// the audit page and the API's /audit alike.
func (s *Service) AuditLog(ctx context.Context, p auth.Principal, f audit.Filter) ([]audit.Entry, error) {
	if err := auth.Require(p, auth.ReadAudit); err != nil {
		return nil, err
	}
	f.Shown = s.auditShown(ctx, p)
	return audit.List(ctx, s.db, f)
}
