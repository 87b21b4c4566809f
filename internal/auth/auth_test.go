package auth

import (
	"testing"

	"sriim/internal/errs"
)

func TestCan(t *testing.T) {
	admin := Principal{UserID: 1, Role: Admin}
	editor := Principal{UserID: 2, Role: Editor, Institutions: []int64{10, 11}}
	granted := Principal{UserID: 3, Role: Editor, Institutions: []int64{12}, ReferenceGrant: true}
	member := Principal{UserID: 4, Role: Member, ActorID: 100}
	var anonymous Principal
	tests := []struct {
		name  string
		p     Principal
		owner Owner
		want  bool
	}{
		{"admin writes admin-only", admin, Owner{AdminOnly: true}, true},
		{"admin writes anything", admin, Owner{Institution: 99}, true},
		{"editor writes own institution's record", editor, Owner{Institution: 11}, true},
		{"editor may not write another institution's record", editor, Owner{Institution: 12}, false},
		{"editor may not write admin-only", editor, Owner{AdminOnly: true}, false},
		{"editor without grant may not write reference data", editor, Owner{Reference: true}, false},
		{"editor with grant writes reference data", granted, Owner{Reference: true}, true},
		{"editor writes an actor record their institution maintains", editor, Owner{Institution: 10, Actor: 100}, true},
		{"member writes own actor", member, Owner{Institution: 10, Actor: 100}, true},
		{"member may not write another actor", member, Owner{Institution: 10, Actor: 101}, false},
		{"member may not write institution records", member, Owner{Institution: 10}, false},
		{"member may not write reference data", member, Owner{Reference: true}, false},
		{"user writes own things", member, Owner{User: 4}, true},
		{"user may not write another user's things", member, Owner{User: 2}, false},
		{"own things are still admin-only when marked so", member, Owner{User: 4, AdminOnly: true}, false},
		{"reference writer writes an institution's profile", granted, Owner{Reference: true, Institution: 10}, true},
		{"editor writes own institution's profile", editor, Owner{Reference: true, Institution: 10}, true},
		{"editor may not write another institution's profile", editor, Owner{Reference: true, Institution: 12}, false},
		{"anonymous writes nothing", anonymous, Owner{Reference: true}, false},
		{"anonymous writes nothing, even unowned", anonymous, Owner{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Can(tt.p, tt.owner); got != tt.want {
				t.Errorf("Can = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthorizeKinds(t *testing.T) {
	if k := errs.KindOf(Authorize(Principal{}, Owner{Reference: true})); k != errs.Unauthenticated {
		t.Errorf("anonymous: %s", k)
	}
	if k := errs.KindOf(Authorize(Principal{UserID: 1, Role: Member}, Owner{Reference: true})); k != errs.Forbidden {
		t.Errorf("member: %s", k)
	}
	if err := Require(Principal{Role: Editor}, ReadAudit); err != nil {
		t.Errorf("editor reads audit: %v", err)
	}
	if k := errs.KindOf(Require(Principal{Role: Member}, ManageUsers)); k != errs.Forbidden {
		t.Errorf("member manages users: %s", k)
	}
}
