package console

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"decisiond/store"
)

// Background is the console's work that never runs per page view: it
// walks the audit chain for the badge, rebuilds the deadline index when the
// rule pack, the calendar or the program changed, notifies people of
// deadlines three working days ahead and when they pass, and e-mails
// notifications. serve starts Run in one goroutine and stops it with its
// context.
type Background struct {
	db   *store.DB
	opts BackgroundOptions

	mu      sync.RWMutex
	chain   *store.VerifyResult
	chainAt time.Time
	config  string
}

// BackgroundOptions configure the background work.
type BackgroundOptions struct {
	// Every is the interval between rounds (default 10 minutes).
	Every time.Duration
	// VerifyEvery is the interval between the background verifications of
	// the whole database shown on the dashboard (default 1 hour; the first
	// at start). Each uses one core, whatever the size of the database.
	VerifyEvery time.Duration
	// DueWorkdays: notify this many working days before a deadline (default 3).
	DueWorkdays int
	// SMTP, when set, e-mails notifications to people who gave an address.
	SMTP *SMTPConfig
	// Build identifies the program (serve passes a hash of its executable):
	// the deadline index is rebuilt at start only when the configuration or
	// the build differs from the one it was last rebuilt for. Empty: at
	// every start.
	Build string
}

// SMTPConfig is the mail relay notifications are sent through (net/smtp:
// STARTTLS when the server offers it; PLAIN authentication only over TLS
// or to localhost).
type SMTPConfig struct {
	Addr     string // host:port
	From     string
	User     string
	Password string
}

// NewBackground prepares the background work (Run starts it).
func NewBackground(db *store.DB, opts BackgroundOptions) *Background {
	if opts.Every <= 0 {
		opts.Every = 10 * time.Minute
	}
	if opts.DueWorkdays <= 0 {
		opts.DueWorkdays = 3
	}
	if opts.VerifyEvery <= 0 {
		opts.VerifyEvery = time.Hour
	}
	return &Background{db: db, opts: opts}
}

// Chain is the last verification of the audit chain and when it ran (nil
// before the first round).
func (b *Background) Chain() (*store.VerifyResult, time.Time) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.chain, b.chainAt
}

// Run does a round at once and then every interval until ctx ends.
func (b *Background) Run(ctx context.Context) {
	t := time.NewTicker(b.opts.Every)
	defer t.Stop()
	for {
		if err := b.Round(ctx); err != nil && ctx.Err() == nil {
			slog.Error("background round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round does one round of the background work; each part runs even when
// another failed, and the errors are joined.
func (b *Background) Round(ctx context.Context) error {
	var errs []string
	if _, at := b.Chain(); at.IsZero() || b.db.Now().Sub(at) >= b.opts.VerifyEvery {
		if res, err := b.db.VerifyWith(ctx, store.VerifyOptions{Workers: 1}); err != nil {
			errs = append(errs, "verify: "+err.Error())
		} else {
			b.mu.Lock()
			b.chain, b.chainAt = res, b.db.Now()
			b.mu.Unlock()
		}
	}
	if v, err := b.db.ConfigVersion(ctx); err != nil {
		errs = append(errs, "config: "+err.Error())
	} else if b.lastConfig() != v {
		if _, _, v, err := b.db.RefreshDeadlinesFor(ctx, b.opts.Build); err != nil {
			errs = append(errs, "deadlines: "+err.Error())
		} else {
			b.mu.Lock()
			b.config = v
			b.mu.Unlock()
		}
	}
	if _, err := b.db.DueNotices(ctx, b.opts.DueWorkdays); err != nil {
		errs = append(errs, "due notices: "+err.Error())
	}
	if b.opts.SMTP != nil {
		if err := b.mail(ctx); err != nil {
			errs = append(errs, "mail: "+err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func (b *Background) lastConfig() string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.config
}

// mail sends the notifications not yet e-mailed, one message each.
func (b *Background) mail(ctx context.Context) error {
	ms, err := b.db.PendingMail(ctx, 200)
	if err != nil {
		return err
	}
	s := b.opts.SMTP
	var auth smtp.Auth
	if s.User != "" {
		host := s.Addr
		if i := strings.LastIndex(host, ":"); i >= 0 {
			host = host[:i]
		}
		auth = smtp.PlainAuth("", s.User, s.Password, host)
	}
	for _, m := range ms {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := smtp.SendMail(s.Addr, auth, s.From, []string{m.Email}, message(s.From, m)); err != nil {
			return fmt.Errorf("send notification %d: %w", m.ID, err)
		}
		if err := b.db.MarkEmailed(ctx, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// message is one notification as an e-mail (UTF-8, base64 body, the
// subject as an encoded word), Chinese first and English below.
func message(from string, m store.Mail) []byte {
	var buf bytes.Buffer
	subject := mime.BEncoding.Encode("UTF-8", "【重大行政决策】"+trimText(m.ZH, 40))
	fmt.Fprintf(&buf, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		from, m.Email, subject)
	body := base64.StdEncoding.EncodeToString([]byte(m.ZH + "\r\n\r\n" + m.EN + "\r\n"))
	for len(body) > 76 {
		buf.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	buf.WriteString(body + "\r\n")
	return buf.Bytes()
}
