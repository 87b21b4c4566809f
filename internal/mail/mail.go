// Package mail sends SRIIM's emails (password resets, contact messages, the
// information network's confirmations and digests) through an SMTP server
// given as a URL: smtp://user:password@host:587?from=sriim@example.org.
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
	"sort"
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

// Message is an email with headers of its own besides From, To, Subject
// and Date: a mailing list's List-Unsubscribe (RFC 2369, RFC 8058), say.
type Message struct {
	To, Subject, Body string
	Headers           map[string]string
}

// MessageSender delivers messages with headers of their own.
type MessageSender interface {
	SendMessage(ctx context.Context, m Message) error
}

// Send delivers one plain-text message.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	return s.SendMessage(ctx, Message{To: to, Subject: subject, Body: body})
}

// SendMessage delivers one message. net/smtp has no context, so ctx only
// bounds the wait.
func (s *SMTP) SendMessage(ctx context.Context, m Message) error {
	var extra []string
	for k, v := range m.Headers {
		// A line break in a header would start another header (or the body).
		if strings.ContainsAny(k+v, "\r\n") || strings.ContainsAny(k, ": ") {
			return fmt.Errorf("mail header %q is not one line", k)
		}
		extra = append(extra, k+": "+v+"\r\n")
	}
	if strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("mail address is not one line")
	}
	sort.Strings(extra)
	msg := "From: " + s.from + "\r\nTo: " + m.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Subject) +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n" + strings.Join(extra, "") +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.addr, s.auth, s.from, []string{m.To}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
