package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

const userUsage = `Usage:
  sriim user add --email EMAIL --name NAME --role admin|editor|member [--institution CODE …] [--actor ID]
  sriim user reset-password --email EMAIL [--compromised] [--public-url URL]
`

// runUser manages accounts from the command line, as the system principal.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("missing subcommand")
	}
	var email, name, role string
	var actor int64
	var compromised bool
	var institutions multiFlag
	cfg, err := parseFlags("user "+args[0], args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email")
		fs.StringVar(&name, "name", "", "the person's name (add)")
		fs.StringVar(&role, "role", "", "admin, editor or member (add)")
		fs.Var(&institutions, "institution", "institution code the user belongs to; repeat for several (add)")
		fs.Int64Var(&actor, "actor", 0, "actor ID a member represents (add)")
		fs.BoolVar(&compromised, "compromised", false, "the password may be known to someone else: the reset also revokes the user's API tokens (reset-password)")
	})
	if err != nil {
		return err
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	switch args[0] {
	case "add":
		if name == "" {
			name = strings.Split(email, "@")[0]
		}
		in := accounts.UserInput{Email: email, Name: name, Role: auth.Role(role), ActorID: actor, Password: randomPassword()}
		list, err := svc.Accounts.Institutions(ctx)
		if err != nil {
			return err
		}
		for _, code := range institutions {
			id := int64(0)
			for _, inst := range list {
				if strings.EqualFold(inst.Code, code) {
					id = inst.ID
				}
			}
			if id == 0 {
				return errs.E(errs.Invalid, "no institution with code %q", code)
			}
			in.Institutions = append(in.Institutions, id)
		}
		u, err := svc.Accounts.CreateUser(ctx, auth.System, in)
		if err != nil {
			return err
		}
		i18n.Say(stdout, cfg.Lang, "created %s (%s, id %d)", u.Email, i18n.Term("role."+string(u.Role)), u.ID)
		i18n.Say(stdout, cfg.Lang, "password: %s", in.Password)
		i18n.Say(stdout, cfg.Lang, "Change it after logging in (%s).", i18n.Term("account.title"))
	case "reset-password":
		secret, u, err := svc.Accounts.StartReset(ctx, email, compromised)
		if err != nil {
			return err
		}
		i18n.Say(stdout, cfg.Lang, "password reset link for %s (valid %s, once):", u.Email, accounts.ResetTTL)
		fmt.Fprintf(stdout, "%s/clave/restablecer?token=%s\n", cmp.Or(cfg.PublicURL, listenURL(cfg.Addr)), url.QueryEscape(secret))
	default:
		fmt.Fprint(stderr, userUsage)
		return errs.E(errs.Invalid, "unknown subcommand %q", args[0])
	}
	return nil
}

// randomPassword is the first password of an account made on the command line.
func randomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// listenURL is the address of a server listening on addr, for links printed
// when no public URL is configured: an unspecified host becomes localhost.
func listenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
