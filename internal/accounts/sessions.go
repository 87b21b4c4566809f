package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/ratelimit"
)

// Lifetimes and limits of the secrets this package hands out.
const (
	SessionTTL = 14 * 24 * time.Hour
	ResetTTL   = 2 * time.Hour
	// Failed logins allowed per account, and per address, within LoginWindow.
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	LoginWindow           = time.Minute
)

func newSecret(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var errBadCredentials = errs.E(errs.Unauthenticated, "wrong email or password")

// dummyHash is compared against when the email is unknown, so that a
// response's timing does not tell whether an account exists: it is made
// with the cost of real hashes, since bcrypt's time is its cost.
func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("no such account, no such password"), s.BcryptCost)
	})
	return s.dummy
}

// loginLimit is a throttle on login attempts.
type loginLimit struct {
	key string
	max int
}

func loginLimits(email, addr string) []loginLimit {
	return []loginLimit{{accountKey(email), MaxFailuresPerAccount}, {"login:ip:" + ratelimit.Client(addr), MaxFailuresPerAddress}}
}

// accountKey counts the login attempts on an account.
func accountKey(email string) string { return "login:email:" + email }

// Login checks email and password and starts a session, returning its
// secret for the cookie. After MaxFailuresPerAccount failures for an
// account (or MaxFailuresPerAddress from an address) within a LoginWindow
// (a clock minute), further attempts are refused with TooManyRequests until
// the window ends.
//
// Every attempt is counted before its password is checked and given back
// when the password was right, so that guesses sent in parallel, to one
// instance or several, cannot all pass the check before any is counted.
func (s *Service) Login(ctx context.Context, email, password, addr string) (string, User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.Now()
	limits := loginLimits(email, addr)
	blocked := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range limits {
			n, err := ratelimit.Hit(ctx, tx, l.key, LoginWindow, now)
			if err != nil {
				return err
			}
			blocked = blocked || n > l.max
		}
		return nil
	})
	if err != nil {
		return "", User{}, errs.Wrap(err, "check login throttle")
	}
	if blocked {
		return "", User{}, errs.E(errs.TooManyRequests, "too many failed logins; wait a minute")
	}
	var hash string
	u, err := getUser(ctx, s.db.Read(), "email = $1", email)
	if err == nil {
		err = s.db.Read().QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash)
	}
	switch {
	case errs.Is(err, errs.NotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
	case err != nil:
		return "", User{}, errs.Wrap(err, "log in")
	}
	if err != nil || !u.Active || bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", User{}, errBadCredentials
	}
	secret, h := newSecret("")
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range limits {
			if err := ratelimit.Undo(ctx, tx, l.key, LoginWindow, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < $1", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
			h, u.ID, now, now.Add(SessionTTL))
		return err
	})
	return secret, u, errs.Wrap(err, "start session")
}

// Logout ends the session with this secret.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashSecret(secret))
		return errs.Wrap(err, "log out")
	})
}

// SessionUser returns the active user whose session has this secret.
func (s *Service) SessionUser(ctx context.Context, secret string) (User, error) {
	var userID int64
	err := s.db.Read().QueryRowContext(ctx, "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2",
		hashSecret(secret), s.Now()).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E(errs.Unauthenticated, "the session has ended; log in again")
	}
	if err != nil {
		return User{}, errs.Wrap(err, "read session")
	}
	return s.activeUser(ctx, userID)
}

func (s *Service) activeUser(ctx context.Context, id int64) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	if !u.Active {
		return User{}, errs.E(errs.Unauthenticated, "this account is disabled")
	}
	return u, nil
}

// Token is a personal API token; its secret is shown once, at creation.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// tokenPrefix makes SRIIM tokens easy to recognise (and to scan for in leaks).
const tokenPrefix = "sriim_"

// CreateToken creates a personal API token for the acting user and returns
// its secret, which is not stored and cannot be shown again.
func (s *Service) CreateToken(ctx context.Context, p auth.Principal, name string) (string, Token, error) {
	if p.Anonymous() || p.UserID == 0 {
		return "", Token{}, errs.E(errs.Unauthenticated, "log in to create a token")
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", Token{}, errs.Fields("the token needs a name", map[string]string{"name": "1 to 100 characters"})
	}
	secret, h := newSecret(tokenPrefix)
	t := Token{UserID: p.UserID, Name: name, CreatedAt: s.Now()}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
			t.UserID, t.Name, h, t.CreatedAt).Scan(&t.ID); err != nil {
			return errs.Wrap(err, "create token")
		}
		return audit.Record(ctx, tx, p, audit.Create, "api_token", t.ID, nil, t)
	})
	return secret, t, err
}

// Tokens lists the acting user's tokens.
func (s *Service) Tokens(ctx context.Context, p auth.Principal) ([]Token, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC", p.UserID)
	if err != nil {
		return nil, errs.Wrap(err, "list tokens")
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, errs.Wrap(err, "list tokens")
		}
		out = append(out, t)
	}
	return out, errs.Wrap(rows.Err(), "list tokens")
}

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &used, &revoked)
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	return t, err
}

// RevokeToken revokes a token; its owner or an administrator may.
func (s *Service) RevokeToken(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := scanToken(tx.QueryRowContext(ctx, "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = $1", id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no token %d", id)
		}
		if err != nil {
			return errs.Wrap(err, "read token")
		}
		if err := auth.Authorize(p, auth.Owner{User: before.UserID}); err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return nil
		}
		return s.revoke(ctx, tx, p, before)
	})
}

// revoke revokes a live token in tx.
func (s *Service) revoke(ctx context.Context, tx *sql.Tx, p auth.Principal, before Token) error {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", now, before.ID); err != nil {
		return errs.Wrap(err, "revoke token")
	}
	after := before
	after.RevokedAt = &now
	return audit.Record(ctx, tx, p, audit.Update, "api_token", before.ID, before, after)
}

// TokenUser returns the active user that owns an unrevoked token with this secret.
func (s *Service) TokenUser(ctx context.Context, secret string) (User, error) {
	var id, userID int64
	err := s.db.Read().QueryRowContext(ctx, "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
		hashSecret(secret)).Scan(&id, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E(errs.Unauthenticated, "unknown or revoked API token")
	}
	if err != nil {
		return User{}, errs.Wrap(err, "read token")
	}
	// Last use is a convenience for the owner; a failure to record it must
	// not fail the request.
	_ = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", s.Now(), id)
		return err
	})
	return s.activeUser(ctx, userID)
}

// StartReset creates a one-time password-reset secret for the account with
// this email, valid for ResetTTL. The caller delivers it (by email, or the
// command line prints it). The reset follows a suspected compromise when
// compromised is set (an administrator says so) or when the account's login
// was blocked for too many wrong passwords within ratelimit.Keep: finishing
// it then revokes the account's API tokens whatever the form says.
func (s *Service) StartReset(ctx context.Context, email string, compromised bool) (string, User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := getUser(ctx, s.db.Read(), "email = $1", email)
	if err != nil {
		return "", u, err
	}
	now := s.Now()
	if !compromised {
		if compromised, err = ratelimit.Exceeded(ctx, s.db.Read(), accountKey(email), MaxFailuresPerAccount, now.Add(-ratelimit.Keep)); err != nil {
			return "", u, err
		}
	}
	secret, h := newSecret("")
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO password_resets (token_hash, user_id, expires_at, compromised) VALUES ($1, $2, $3, $4)",
			h, u.ID, now.Add(ResetTTL), compromised)
		return err
	})
	return secret, u, errs.Wrap(err, "start password reset")
}

// FinishReset sets a new password with a reset secret; that secret and
// every other reset the user was sent stop working, the user's sessions
// end, and, when revokeTokens is set or the reset follows a suspected
// compromise, so do the user's API tokens. All of it happens in one
// transaction. It returns how many tokens it revoked.
func (s *Service) FinishReset(ctx context.Context, secret, password string, revokeTokens bool) (int, error) {
	hash, err := s.checkAndHash(password)
	if err != nil {
		return 0, err
	}
	revoked := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		var userID int64
		var compromised bool
		err := tx.QueryRowContext(ctx, `UPDATE password_resets SET used_at = $1
			WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id, compromised`, now, hashSecret(secret)).Scan(&userID, &compromised)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.Invalid, "this reset link is unknown, used or expired")
		}
		if err != nil {
			return errs.Wrap(err, "use reset token")
		}
		// An older link, perhaps in a mailbox someone else reads, must not
		// undo the new password.
		if _, err := tx.ExecContext(ctx, "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", now, userID); err != nil {
			return errs.Wrap(err, "end other reset links")
		}
		u, err := getUser(ctx, tx, "id = $1", userID)
		if err != nil {
			return err
		}
		if err := s.storePassword(ctx, tx, u.Principal(), userID, hash); err != nil {
			return err
		}
		if revokeTokens || compromised {
			revoked, err = s.revokeAllTokens(ctx, tx, u.Principal(), userID)
		}
		return err
	})
	return revoked, err
}

// revokeAllTokens revokes every token of a user in tx, each with its audit entry.
func (s *Service) revokeAllTokens(ctx context.Context, tx *sql.Tx, p auth.Principal, userID int64) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL", userID)
	if err != nil {
		return 0, errs.Wrap(err, "read tokens")
	}
	var live []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "read tokens")
		}
		live = append(live, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap(err, "read tokens")
	}
	for _, t := range live {
		if err := s.revoke(ctx, tx, p, t); err != nil {
			return 0, err
		}
	}
	return len(live), nil
}
