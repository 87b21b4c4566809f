package accounts

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// User is an account. Its password hash never leaves this package.
type User struct {
	ID             int64     `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Lang           string    `json:"lang"`
	Role           auth.Role `json:"role"`
	ReferenceGrant bool      `json:"can_edit_reference"`
	ActorID        int64     `json:"actor_id,omitempty"`
	Active         bool      `json:"active"`
	Institutions   []int64   `json:"institutions"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Version rises by one with every change of the account's profile, role,
	// state or memberships (UpdateUser).
	Version int64 `json:"version"`
}

// Principal is who the user is when acting.
func (u User) Principal() auth.Principal {
	return auth.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Institutions: u.Institutions,
		ActorID: u.ActorID, ReferenceGrant: u.ReferenceGrant}
}

// UserInput is what an administrator sets on an account. Password is only
// used when creating (and then required).
type UserInput struct {
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Password       string    `json:"password,omitempty"`
	Lang           string    `json:"lang"`
	Role           auth.Role `json:"role"`
	ReferenceGrant bool      `json:"can_edit_reference"`
	ActorID        int64     `json:"actor_id,omitempty"`
	Active         bool      `json:"active"`
	Institutions   []int64   `json:"institutions"`
	// Version is the version a change is based on (UpdateUser); 0 skips the check.
	Version int64 `json:"version,omitempty"`
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

func validatePassword(pw string) (msg string) {
	switch {
	case len([]rune(pw)) < MinPasswordLength:
		return "at least 10 characters"
	case len(pw) > 72: // bcrypt's limit
		return "at most 72 bytes"
	}
	return ""
}

func (in *UserInput) validate(creating bool) error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		fields["email"] = "a valid email address"
	}
	if in.Name == "" {
		fields["name"] = "required"
	}
	if in.Lang == "" {
		in.Lang = "es"
	}
	if in.Lang != "es" && in.Lang != "en" {
		fields["lang"] = "es or en"
	}
	if !slices.Contains(auth.Roles, in.Role) {
		fields["role"] = "admin, editor or member"
	}
	if in.Role == auth.Member && in.ActorID == 0 {
		fields["actor_id"] = "a member represents an actor: required"
	}
	if in.Role == auth.Editor && len(in.Institutions) == 0 {
		fields["institutions"] = "an editor belongs to at least one institution"
	}
	if creating {
		if msg := validatePassword(in.Password); msg != "" {
			fields["password"] = msg
		}
	}
	if len(fields) > 0 {
		return errs.Fields("the account has invalid fields", fields)
	}
	return nil
}

const userColumns = "id, email, name, lang, role, can_edit_reference, actor_id, active, created_at, updated_at, version"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var actor sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Lang, &u.Role, &u.ReferenceGrant, &actor, &u.Active, &u.CreatedAt, &u.UpdatedAt, &u.Version)
	u.ActorID = actor.Int64
	return u, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadMemberships(ctx context.Context, q querier, u *User) error {
	rows, err := q.QueryContext(ctx, "SELECT institution_id FROM memberships WHERE user_id = $1 ORDER BY institution_id", u.ID)
	if err != nil {
		return errs.Wrap(err, "read memberships")
	}
	defer rows.Close()
	u.Institutions = []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return errs.Wrap(err, "read memberships")
		}
		u.Institutions = append(u.Institutions, id)
	}
	return errs.Wrap(rows.Err(), "read memberships")
}

func getUser(ctx context.Context, q querier, where string, arg any) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, "no such user")
	}
	if err != nil {
		return u, errs.Wrap(err, "read user")
	}
	return u, loadMemberships(ctx, q, &u)
}

// User returns one account.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	return getUser(ctx, s.db.Read(), "id = $1", id)
}

// Users lists all accounts; only administrators may.
func (s *Service) Users(ctx context.Context, p auth.Principal) ([]User, error) {
	if err := auth.Require(p, auth.ManageUsers); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY email")
	if err != nil {
		return nil, errs.Wrap(err, "list users")
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list users")
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "list users")
	}
	for i := range out {
		if err := loadMemberships(ctx, s.db.Read(), &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Editors lists the active editors of an institution, for the mail that
// concerns it (reminders of due reports): the system's own business, not
// a listing for people.
func (s *Service) Editors(ctx context.Context, institutionID int64) ([]User, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+userColumns+` FROM users WHERE role = 'editor' AND active = $1
		AND id IN (SELECT user_id FROM memberships WHERE institution_id = $2) ORDER BY id`, true, institutionID)
	if err != nil {
		return nil, errs.Wrap(err, "list editors")
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list editors")
		}
		out = append(out, u)
	}
	rows.Close()
	return out, errs.Wrap(rows.Err(), "list editors")
}

// CountAdmins counts active administrators (the first start says how to create one).
func (s *Service) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'admin' AND active = $1", true).Scan(&n)
	return n, errs.Wrap(err, "count administrators")
}

func (s *Service) hash(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.BcryptCost)
	return string(h), errs.Wrap(err, "hash password")
}

// CreateUser adds an account; only administrators may.
func (s *Service) CreateUser(ctx context.Context, p auth.Principal, in UserInput) (User, error) {
	if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
		return User{}, err
	}
	in.Active = true
	if err := in.validate(true); err != nil {
		return User{}, err
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		row := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, lang, role, can_edit_reference, actor_id, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING `+userColumns,
			in.Email, in.Name, hash, in.Lang, in.Role, in.ReferenceGrant, nullID(in.ActorID), true, now)
		u, err := scanUser(row)
		if db.IsUniqueViolation(err) {
			return errs.Fields("an account with this email exists", map[string]string{"email": "already used"})
		}
		if err != nil {
			return errs.Wrap(err, "create user")
		}
		if err := setMemberships(ctx, tx, u.ID, in.Institutions); err != nil {
			return err
		}
		if err := loadMemberships(ctx, tx, &u); err != nil {
			return err
		}
		out = u
		return audit.Record(ctx, tx, p, audit.Create, "user", u.ID, nil, u)
	})
	return out, err
}

// UpdateUser changes an account's profile, role, state and memberships; only
// administrators may.
func (s *Service) UpdateUser(ctx context.Context, p auth.Principal, id int64, in UserInput) (User, error) {
	if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
		return User{}, err
	}
	if err := in.validate(false); err != nil {
		return User{}, err
	}
	var out User
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getUser(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != before.Version {
			return staleUser(ctx, tx, id, in.Version)
		}
		u, err := scanUser(tx.QueryRowContext(ctx, `UPDATE users SET email = $1, name = $2, lang = $3, role = $4, can_edit_reference = $5,
			actor_id = $6, active = $7, updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10 RETURNING `+userColumns,
			in.Email, in.Name, in.Lang, in.Role, in.ReferenceGrant, nullID(in.ActorID), in.Active, s.Now(), id, before.Version))
		if errors.Is(err, sql.ErrNoRows) {
			return staleUser(ctx, tx, id, before.Version)
		}
		if db.IsUniqueViolation(err) {
			return errs.Fields("an account with this email exists", map[string]string{"email": "already used"})
		}
		if err != nil {
			return errs.Wrap(err, "update user")
		}
		if err := setMemberships(ctx, tx, id, in.Institutions); err != nil {
			return err
		}
		if err := loadMemberships(ctx, tx, &u); err != nil {
			return err
		}
		if !u.Active {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
				return errs.Wrap(err, "end sessions")
			}
		}
		out = u
		return audit.Record(ctx, tx, p, audit.Update, "user", id, before, u)
	})
	return out, err
}

// staleUser is the Conflict of a change based on version read of user id.
func staleUser(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := getUser(ctx, tx, "id = $1", id)
	if err != nil {
		return err
	}
	return audit.Stale(ctx, tx, "user", id, read, current.Version, current)
}

func setMemberships(ctx context.Context, tx *sql.Tx, userID int64, institutions []int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE user_id = $1", userID); err != nil {
		return errs.Wrap(err, "set memberships")
	}
	for _, inst := range institutions {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM institutions WHERE id = $1", inst).Scan(&n); err != nil {
			return errs.Wrap(err, "set memberships")
		}
		if n == 0 {
			return errs.Fields("unknown institution", map[string]string{"institutions": "no institution " + itoa(inst)})
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO memberships (user_id, institution_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", userID, inst); err != nil {
			return errs.Wrap(err, "set memberships")
		}
	}
	return nil
}

// ChangePassword sets a new password for the user; the user themself or an
// administrator may. Other sessions of the user end.
func (s *Service) ChangePassword(ctx context.Context, p auth.Principal, userID int64, password string) error {
	if err := auth.Authorize(p, auth.Owner{User: userID}); err != nil {
		return err
	}
	return s.setPassword(ctx, p, userID, password)
}

func (s *Service) setPassword(ctx context.Context, p auth.Principal, userID int64, password string) error {
	hash, err := s.checkAndHash(password)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.storePassword(ctx, tx, p, userID, hash) })
}

func (s *Service) checkAndHash(password string) (string, error) {
	if msg := validatePassword(password); msg != "" {
		return "", errs.Fields("the password is not acceptable", map[string]string{"password": msg})
	}
	return s.hash(password)
}

// storePassword sets a password hash and ends the user's sessions, in tx.
func (s *Service) storePassword(ctx context.Context, tx *sql.Tx, p auth.Principal, userID int64, hash string) error {
	res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", hash, s.Now(), userID)
	if err != nil {
		return errs.Wrap(err, "set password")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "no such user")
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
		return errs.Wrap(err, "end sessions")
	}
	return audit.Record(ctx, tx, p, audit.Update, "user", userID, nil, map[string]bool{"password_changed": true})
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
