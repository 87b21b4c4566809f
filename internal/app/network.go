package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"sriim/internal/mail"
	"sriim/internal/network"
)

// Intervals of the network's jobs in serve: urgent mails (and confirmations
// that waited for mail) every few minutes, the weekly digest checked hourly
// (it goes out once per member, on Monday or at the first check after).
const (
	urgentEvery = 10 * time.Minute
	digestEvery = time.Hour
)

// networkJobs runs the network's mailing until ctx ends.
func networkJobs(ctx context.Context, n *network.Service, log *slog.Logger) {
	if !n.MailOn() {
		log.Info("information network: mail is off (set --smtp and --public-url); subscriptions are stored")
		return
	}
	urgent := time.NewTicker(urgentEvery)
	defer urgent.Stop()
	digest := time.NewTicker(digestEvery)
	defer digest.Stop()
	run := func(what string, fn func() (network.Report, error)) {
		rep, err := fn()
		if err != nil {
			log.Error("information network", "job", what, "err", err)
		} else if rep.Sent+rep.Failed > 0 {
			log.Info("information network", "job", what, "sent", rep.Sent, "failed", rep.Failed)
		}
	}
	digestNow := func() (network.Report, error) { return n.Digest(ctx, time.Now()) }
	run("digest", digestNow)
	for {
		if _, err := n.SendPendingConfirmations(ctx); err != nil {
			log.Error("information network", "job", "confirmations", "err", err)
		}
		run("urgent", func() (network.Report, error) { return n.Urgent(ctx) })
		select {
		case <-ctx.Done():
			return
		case <-urgent.C:
		case <-digest.C:
			run("digest", digestNow)
		}
	}
}

// runDigest mails the weekly digest (of the week before the one given, or
// the last finished week) and the urgent mails due: what serve does on its
// own, for a cron job or to try it.
func runDigest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var week string
	cfg, err := parseFlags("digest", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&week, "week", "", "the week to send the digest of, as 2026-W48 (default: last week)")
	})
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	smtp, err := mail.NewSMTP(cfg.SMTP)
	if err != nil {
		return err
	}
	d, svc, err := start(ctx, cfg, log, smtp)
	if err != nil {
		return err
	}
	defer d.Close()
	n := svc.Network
	if !n.MailOn() {
		return fmt.Errorf("mail is off: set --smtp and --public-url (subscriptions are stored meanwhile)")
	}
	at := time.Now()
	if week != "" {
		var y, w int
		if _, err := fmt.Sscanf(week, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 {
			return fmt.Errorf("--week: a week as 2026-W48")
		}
		// Monday of ISO week w: the week of January 4th, plus w-1 weeks.
		from, _, _ := network.Week(time.Date(y, 1, 4, 12, 0, 0, 0, network.Lima).AddDate(0, 0, 7*(w-1)))
		at = from.AddDate(0, 0, 7)
	}
	rep, err := n.Digest(ctx, at)
	if err != nil {
		return err
	}
	urgent, err := n.Urgent(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "digest: %d items, %d members, %d sent, %d failed, %d skipped; urgent: %d sent, %d failed\n",
		rep.Items, rep.Subscribers, rep.Sent, rep.Failed, rep.Skipped, urgent.Sent, urgent.Failed)
	return nil
}
