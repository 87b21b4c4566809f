// Package auth decides who may change what. Roles and their permissions are
// declared here, in one place; every write path in every module asks Can (or
// Authorize) with the record's Owner before it changes anything.
package auth

import (
	"slices"

	"sriim/internal/errs"
)

// Role is what a user is in SRIIM.
type Role string

// The roles. Anonymous visitors have no role and read public data only.
const (
	Admin  Role = "admin"  // the Mesa de Trabajo: everything
	Editor Role = "editor" // staff of an institution: records their institution owns
	Member Role = "member" // an actor's representative: that actor's records
)

// Roles lists the roles, for forms and validation.
var Roles = []Role{Admin, Editor, Member}

// Permission is a capability a role grants.
type Permission string

// The permissions.
const (
	ManageUsers           Permission = "users.manage"              // create and change users and memberships
	WriteReference        Permission = "reference.write"           // shared reference data (institutions, species, codes…)
	WriteInstitutionOwned Permission = "records.write.institution" // records owned by one of the user's institutions
	WriteActorOwned       Permission = "records.write.actor"       // records of the actor the user represents
	ReadPrivate           Permission = "records.read.private"      // private contact fields
	ReadAudit             Permission = "audit.read"
	ApproveReports        Permission = "reports.approve" // the Mesa de Trabajo approves progress reports
)

// rolePermissions is the one declaration of what each role may do. An
// editor gets WriteReference only when granted it (Principal.ReferenceGrant).
var rolePermissions = map[Role][]Permission{
	Admin:  {ManageUsers, WriteReference, WriteInstitutionOwned, WriteActorOwned, ReadPrivate, ReadAudit, ApproveReports},
	Editor: {WriteInstitutionOwned, ReadPrivate, ReadAudit},
	Member: {WriteActorOwned},
}

// Principal is who is acting: a logged-in user, a script with a token, the
// command line (System), or nobody (the zero value, an anonymous visitor).
type Principal struct {
	UserID         int64
	Email          string
	Role           Role
	Institutions   []int64 // institutions the user is a member of
	ActorID        int64   // the actor a member represents
	ReferenceGrant bool    // an editor allowed to write shared reference data
}

// System is the principal of the command line and of seed loading.
var System = Principal{Email: "system", Role: Admin}

// Anonymous reports whether nobody is logged in.
func (p Principal) Anonymous() bool { return p.Role == "" }

// Has reports whether p's role grants perm.
func (p Principal) Has(perm Permission) bool {
	if perm == WriteReference && p.Role == Editor && p.ReferenceGrant {
		return true
	}
	return slices.Contains(rolePermissions[p.Role], perm)
}

// Owner says who owns a record, which is what write permission depends on.
// Each record type builds its Owner from its own fields; a record may have
// several owners (an institution's profile is its editors' and also shared
// reference data), and any one of them may write it.
type Owner struct {
	AdminOnly   bool  // only administrators (users, memberships)
	Reference   bool  // shared reference data
	Institution int64 // the institution that maintains the record
	Actor       int64 // the actor the record belongs to
	User        int64 // a user's own things (their tokens, their password)
}

// Can is the one function that decides whether p may change a record owned by o.
func Can(p Principal, o Owner) bool {
	switch {
	case p.Anonymous():
		return false
	case p.Role == Admin:
		return true
	case o.AdminOnly:
		return false
	}
	return (o.User != 0 && o.User == p.UserID) ||
		(o.Reference && p.Has(WriteReference)) ||
		(o.Institution != 0 && p.Has(WriteInstitutionOwned) && slices.Contains(p.Institutions, o.Institution)) ||
		(o.Actor != 0 && p.Has(WriteActorOwned) && p.ActorID == o.Actor)
}

// Authorize returns nil when p may change a record owned by o, and otherwise
// an Unauthenticated (nobody logged in) or Forbidden error.
func Authorize(p Principal, o Owner) error {
	if Can(p, o) {
		return nil
	}
	if p.Anonymous() {
		return errs.E(errs.Unauthenticated, "log in to make changes")
	}
	return errs.E(errs.Forbidden, "you may not change this record")
}

// Require returns nil when p holds perm, and otherwise an error as Authorize does.
func Require(p Principal, perm Permission) error {
	if p.Has(perm) {
		return nil
	}
	if p.Anonymous() {
		return errs.E(errs.Unauthenticated, "log in first")
	}
	return errs.E(errs.Forbidden, "your role does not allow this")
}
