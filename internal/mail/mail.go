// Package mail sends SRIIM's few emails (password resets, contact messages)
// through an SMTP server given as a URL: smtp://user:password@host:587?from=sriim@example.org.
// Without one, nothing is sent and callers fall back (the command line prints
// reset links; messages stay in the database).
package mail

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Sender delivers a plain-text message.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTP sends through an SMTP server with STARTTLS when offered.
type SMTP struct {
	addr, from string
	auth       smtp.Auth
}

// NewSMTP parses an smtp:// URL; an empty URL gives nil (no email).
func NewSMTP(raw string) (*SMTP, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("smtp URL must look like smtp://user:password@host:587?from=address")
	}
	from := u.Query().Get("from")
	if from == "" {
		return nil, fmt.Errorf("smtp URL needs ?from=address")
	}
	s := &SMTP{addr: u.Host, from: from}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		s.addr = net.JoinHostPort(u.Host, "587")
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		host, _, _ := net.SplitHostPort(s.addr)
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return s, nil
}

// Send delivers one message. net/smtp has no context, so ctx only bounds the wait.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	msg := "From: " + s.from + "\r\nTo: " + to + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.addr, s.auth, s.from, []string{to}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
