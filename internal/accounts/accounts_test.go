package accounts_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/errs"
)

func newService(t *testing.T, d *db.DB) *accounts.Service {
	s := accounts.New(d)
	s.BcryptCost = bcrypt.MinCost
	return s
}

func loadSeed(t *testing.T, s *accounts.Service) {
	t.Helper()
	f, err := seed.Files.Open("institutions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := s.LoadInstitutions(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func TestLoadInstitutionsIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		for i, want := range []int{45, 0} {
			f, _ := seed.Files.Open("institutions.csv")
			n, err := s.LoadInstitutions(ctx, f)
			f.Close()
			if err != nil || n != want {
				t.Fatalf("load %d: added %d, %v; want %d", i+1, n, err, want)
			}
		}
		list, _ := s.Institutions(ctx)
		var found bool
		for _, i := range list {
			if i.Code == "DIREPRO-ILO" && strings.Contains(i.Source, "Plan Operativo de Moluscos") {
				found = true
			}
		}
		if !found {
			t.Fatal("DIREPRO-ILO with its source is missing")
		}
	})
}

func TestLoginThrottleAndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		if _, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "Ana@Example.org", Name: "Ana", Password: "correct horse battery", Role: auth.Admin}); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 5; i++ {
			_, _, err := s.Login(ctx, "ana@example.org", "wrong password", "10.0.0.1")
			if !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("wrong password %d: %v", i, err)
			}
			now = now.Add(time.Second)
		}
		// The 6th attempt within the minute is throttled, even with the right password.
		if _, _, err := s.Login(ctx, "ana@example.org", "correct horse battery", "10.0.0.2"); !errs.Is(err, errs.TooManyRequests) {
			t.Fatalf("6th attempt: %v", err)
		}
		now = now.Add(time.Minute)
		secret, u, err := s.Login(ctx, "ANA@example.org ", "correct horse battery", "10.0.0.2")
		if err != nil || u.Email != "ana@example.org" {
			t.Fatalf("login after the window: %v", err)
		}
		got, err := s.SessionUser(ctx, secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("session: %v", err)
		}
		second, _, _ := s.Login(ctx, "ana@example.org", "correct horse battery", "10.0.0.2")
		if second == secret {
			t.Fatal("a new login reuses the session secret")
		}
		if err := s.Logout(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, secret); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("session after logout: %v", err)
		}
		now = now.Add(accounts.SessionTTL + time.Second)
		if _, err := s.SessionUser(ctx, second); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("expired session: %v", err)
		}
	})
}

func TestUnknownEmailAndAddressThrottle(t *testing.T) {
	s := newService(t, dbtest.Open(t, db.SQLite))
	// One clock minute (LoginWindow) for all the attempts, however slow the machine.
	at := time.Date(2026, 11, 26, 12, 0, 10, 0, time.UTC)
	s.Now = func() time.Time { return at }
	ctx := context.Background()
	for i := 0; i < accounts.MaxFailuresPerAddress; i++ {
		if _, _, err := s.Login(ctx, "nobody"+string(rune('a'+i))+"@example.org", "whatever pw", "10.9.9.9"); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, _, err := s.Login(ctx, "other@example.org", "whatever pw", "10.9.9.9"); !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("address not throttled: %v", err)
	}
}

// An IPv6 client with a /64 is throttled for all of it, not per address;
// the next /64 is another client.
func TestIPv6AddressThrottleCountsTheSlash64(t *testing.T) {
	s := newService(t, dbtest.Open(t, db.SQLite))
	// One clock minute (LoginWindow) for all the attempts, however slow the machine.
	at := time.Date(2026, 11, 26, 12, 0, 10, 0, time.UTC)
	s.Now = func() time.Time { return at }
	ctx := context.Background()
	for i := 0; i < accounts.MaxFailuresPerAddress; i++ {
		if _, _, err := s.Login(ctx, "nobody"+string(rune('a'+i))+"@example.org", "whatever pw", fmt.Sprintf("2001:db8:5:6::%x", i+1)); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, _, err := s.Login(ctx, "other@example.org", "whatever pw", "2001:db8:5:6:ffff::1"); !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("a fresh address of the same /64 is not throttled: %v", err)
	}
	if _, _, err := s.Login(ctx, "other@example.org", "whatever pw", "2001:db8:5:7::1"); !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("another /64: %v", err)
	}
}

func TestTokensWorkAndCanBeRevoked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		u, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "bot@example.org", Name: "Bot", Password: "long enough pw", Role: auth.Admin})
		if err != nil {
			t.Fatal(err)
		}
		secret, tok, err := s.CreateToken(ctx, u.Principal(), "import script")
		if err != nil || !strings.HasPrefix(secret, "sriim_") {
			t.Fatalf("create: %q %v", secret, err)
		}
		if got, err := s.TokenUser(ctx, secret); err != nil || got.ID != u.ID {
			t.Fatalf("token user: %v", err)
		}
		other, _ := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "eve@example.org", Name: "Eve", Password: "long enough pw", Role: auth.Member, ActorID: 9})
		if err := s.RevokeToken(ctx, other.Principal(), tok.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("someone else revoked the token: %v", err)
		}
		if err := s.RevokeToken(ctx, u.Principal(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, secret); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("revoked token still works: %v", err)
		}
		entries, _ := audit.List(ctx, d, audit.Filter{Entity: "api_token"})
		if len(entries) != 2 || strings.Contains(string(entries[1].After), secret) {
			t.Fatalf("token audit: %+v", entries)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "old password 1", Role: auth.Admin}); err != nil {
			t.Fatal(err)
		}
		secret, _, err := s.StartReset(ctx, "ana@example.org", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.FinishReset(ctx, secret, "short", false); !errs.Is(err, errs.Invalid) {
			t.Fatalf("short password accepted: %v", err)
		}
		if _, err := s.FinishReset(ctx, secret, "new password 2", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FinishReset(ctx, secret, "new password 3", false); !errs.Is(err, errs.Invalid) {
			t.Fatalf("reset token used twice: %v", err)
		}
		if _, _, err := s.Login(ctx, "ana@example.org", "new password 2", "127.0.0.1"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
	})
}

func TestUserValidationAndAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		loadSeed(t, s)
		tests := []struct {
			in    accounts.UserInput
			field string
		}{
			{accounts.UserInput{Email: "not-an-email", Name: "x", Password: "long enough pw", Role: auth.Admin}, "email"},
			{accounts.UserInput{Email: "a@b.org", Name: "x", Password: "short", Role: auth.Admin}, "password"},
			{accounts.UserInput{Email: "a@b.org", Name: "x", Password: "long enough pw", Role: "boss"}, "role"},
			{accounts.UserInput{Email: "a@b.org", Name: "x", Password: "long enough pw", Role: auth.Editor}, "institutions"},
			{accounts.UserInput{Email: "a@b.org", Name: "x", Password: "long enough pw", Role: auth.Member}, "actor_id"},
			{accounts.UserInput{Email: "a@b.org", Name: "x", Password: "long enough pw", Role: auth.Editor, Institutions: []int64{9999}}, "institutions"},
		}
		for _, tt := range tests {
			_, err := s.CreateUser(ctx, auth.System, tt.in)
			var e *errs.Error
			if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || e.Fields[tt.field] == "" {
				t.Errorf("%+v: %v, want a problem with %s", tt.in, err, tt.field)
			}
		}
		editor, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ed@example.org", Name: "Ed", Password: "long enough pw", Role: auth.Editor, Institutions: []int64{1}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, editor.Principal(), accounts.UserInput{Email: "x@example.org", Name: "X", Password: "long enough pw", Role: auth.Admin}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("editor created an admin: %v", err)
		}
		if n, _ := s.CountAdmins(ctx); n != 0 {
			t.Fatalf("admins: %d", n)
		}
	})
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*target = e
	return ok
}

// TestParallelGuessesAreThrottled sends many wrong passwords for one account
// at once (from different addresses): only MaxFailuresPerAccount of them
// may reach the password check. Then as many from one address for different
// accounts: only MaxFailuresPerAddress.
func TestParallelGuessesAreThrottled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 30, 0, time.UTC)
		s.Now = func() time.Time { return now }
		if _, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "correct horse battery", Role: auth.Admin}); err != nil {
			t.Fatal(err)
		}
		checked := guessInParallel(t, 200, func(i int) error {
			_, _, err := s.Login(ctx, "ana@example.org", fmt.Sprintf("guess %d", i), fmt.Sprintf("10.1.%d.%d", i/250, i%250))
			return err
		})
		if checked != accounts.MaxFailuresPerAccount {
			t.Errorf("%d of 200 parallel guesses on one account were checked, want %d", checked, accounts.MaxFailuresPerAccount)
		}
		checked = guessInParallel(t, 100, func(i int) error {
			_, _, err := s.Login(ctx, fmt.Sprintf("nobody%d@example.org", i), "guess", "10.9.9.9")
			return err
		})
		if checked != accounts.MaxFailuresPerAddress {
			t.Errorf("%d of 100 parallel guesses from one address were checked, want %d", checked, accounts.MaxFailuresPerAddress)
		}
	})
}

// TestGuessesAcrossTwoInstances sends parallel guesses for one account to
// two app instances sharing one PostgreSQL schema.
func TestGuessesAcrossTwoInstances(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t, db.Postgres)
	var services []*accounts.Service
	for range 2 {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if _, _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		s := newService(t, d)
		s.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 30, 0, time.UTC) }
		services = append(services, s)
	}
	if _, err := services[0].CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "correct horse battery", Role: auth.Admin}); err != nil {
		t.Fatal(err)
	}
	checked := guessInParallel(t, 60, func(i int) error {
		_, _, err := services[i%2].Login(ctx, "ana@example.org", fmt.Sprintf("guess %d", i), fmt.Sprintf("10.2.0.%d", i))
		return err
	})
	if checked != accounts.MaxFailuresPerAccount {
		t.Errorf("%d of 60 guesses through two instances were checked, want %d", checked, accounts.MaxFailuresPerAccount)
	}
}

// guessInParallel runs n login attempts at once and returns how many had
// their password checked (wrong password) rather than being throttled.
func guessInParallel(t *testing.T, n int, login func(i int) error) int {
	t.Helper()
	results := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- login(i)
		}()
	}
	wg.Wait()
	close(results)
	checked := 0
	for err := range results {
		switch {
		case errs.Is(err, errs.Unauthenticated):
			checked++
		case !errs.Is(err, errs.TooManyRequests):
			t.Errorf("guess: %v", err)
		}
	}
	return checked
}

// TestUnknownEmailCostsAsMuchAsAKnownOne: the hash compared for an unknown
// email has the cost of real ones, so both answers take as long.
func TestUnknownEmailCostsAsMuchAsAKnownOne(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	s := newService(t, d)
	s.BcryptCost = bcrypt.MinCost + 1
	ctx := context.Background()
	u, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "correct horse battery", Role: auth.Admin})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "nobody@example.org", "whatever pw", "10.0.0.1"); !errs.Is(err, errs.Unauthenticated) {
		t.Fatal(err)
	}
	var hash string
	if err := d.Read().QueryRow("SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	real, _ := bcrypt.Cost([]byte(hash))
	if dummy := s.DummyHashCost(); dummy != real {
		t.Fatalf("the unknown-email hash has cost %d, real ones %d", dummy, real)
	}
}

// TestResetEndsOtherLinksAndCanRevokeTokens: using one reset link ends the
// others the user was sent; API tokens are revoked when the form asks (the
// default) or when the reset follows a suspected compromise.
func TestResetEndsOtherLinksAndCanRevokeTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		ctx := context.Background()
		u, err := s.CreateUser(ctx, auth.System, accounts.UserInput{Email: "ana@example.org", Name: "Ana", Password: "old password 1", Role: auth.Admin})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := s.CreateToken(ctx, u.Principal(), "script")
		if err != nil {
			t.Fatal(err)
		}
		older, _, _ := s.StartReset(ctx, "ana@example.org", false)
		newer, _, _ := s.StartReset(ctx, "ana@example.org", false)
		if n, err := s.FinishReset(ctx, newer, "new password 2", false); err != nil || n != 0 {
			t.Fatalf("reset keeping tokens: %d revoked, %v", n, err)
		}
		if _, err := s.FinishReset(ctx, older, "attacker's password", false); !errs.Is(err, errs.Invalid) {
			t.Fatalf("an older link still works after a newer one was used: %v", err)
		}
		if _, err := s.TokenUser(ctx, token); err != nil {
			t.Fatalf("the token was revoked though the form kept it: %v", err)
		}
		link, _, _ := s.StartReset(ctx, "ana@example.org", false)
		if n, err := s.FinishReset(ctx, link, "new password 3", true); err != nil || n != 1 {
			t.Fatalf("reset revoking tokens: %d revoked, %v", n, err)
		}
		if _, err := s.TokenUser(ctx, token); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("the token survived a reset that revoked it: %v", err)
		}

		// After guesses blocked the account's login, a reset revokes the
		// tokens even when the form keeps them; so does one an administrator
		// marks compromised.
		for range accounts.MaxFailuresPerAccount + 1 {
			_, _, _ = s.Login(ctx, "ana@example.org", "a guess", "10.0.0.1")
		}
		for _, byAdmin := range []bool{false, true} {
			token, _, _ = s.CreateToken(ctx, u.Principal(), "script")
			link, _, _ = s.StartReset(ctx, "ana@example.org", byAdmin)
			if n, err := s.FinishReset(ctx, link, "new password 4", false); err != nil || n != 1 {
				t.Fatalf("reset after a suspected compromise (administrator: %v): %d revoked, %v", byAdmin, n, err)
			}
			if _, err := s.TokenUser(ctx, token); !errs.Is(err, errs.Unauthenticated) {
				t.Fatalf("the token survived a reset after a suspected compromise (administrator: %v): %v", byAdmin, err)
			}
			if err := d.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, "DELETE FROM rate_limits"); return err }); err != nil {
				t.Fatal(err)
			}
		}
	})
}
