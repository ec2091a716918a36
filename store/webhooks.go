package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"decisiond/store/crypt"
	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/types"
)

// Webhooks tell other government systems (OA, the 12345 hotline platform,
// the open-data portal) that an act was done. A subscription names the
// event types it wants (and optionally one organ); every act writes one
// delivery per matching subscription inside the act's own transaction (an
// outbox), so a delivery exists exactly when its act committed — none is
// lost on a crash and none is sent for an act that rolled back. A worker
// sends them, signed with HMAC-SHA256 (HMAC-SM3 under 国密), retries with
// exponential backoff, and after the last attempt leaves the delivery dead
// (the dead-letter list) for an administrator to replay. Delivery is at
// least once: receivers deduplicate by the delivery id.

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// DeliveryStatuses lists the statuses in order.
var DeliveryStatuses = []string{DeliveryPending, DeliveryDelivered, DeliveryDead}

// EventCreate is the event of a decision's creation (a subscription may
// name it like any act).
const EventCreate = "create"

// Webhook is one subscription. Its secret is shown once, when it is made
// (or rotated), and never listed.
type Webhook struct {
	ID          int64    `json:"id" db:"id"`
	URL         string   `json:"url" db:"url"`
	Events      []string `json:"events" db:"-"`
	EventsJSON  string   `json:"-" db:"events"`
	OrganID     *int64   `json:"organ_id" db:"organ_id"`
	Description string   `json:"description" db:"description"`
	Secret      string   `json:"-" db:"secret"`
	Active      bool     `json:"active" db:"active"`
	CreatedBy   int64    `json:"created_by" db:"created_by"`
	CreatedAt   string   `json:"created_at" db:"created_at"`
	UpdatedAt   string   `json:"updated_at" db:"updated_at"`
}

const webhookCols = `id, url, events, organ_id, description, secret, active, created_by, created_at, updated_at`

// wants reports whether the subscription takes an act of event on a
// decision of organ.
func (w *Webhook) wants(event string, organ *int64) bool {
	if w.OrganID != nil && (organ == nil || *organ != *w.OrganID) {
		return false
	}
	return slices.Contains(w.Events, "*") || slices.Contains(w.Events, event)
}

// Delivery is one message to one subscription.
type Delivery struct {
	ID            int64          `json:"id" db:"id"`
	WebhookID     int64          `json:"webhook_id" db:"webhook_id"`
	AuditSeq      int64          `json:"audit_seq" db:"audit_seq"`
	Event         string         `json:"event" db:"event"`
	Payload       types.JSONText `json:"payload" db:"payload"`
	Status        string         `json:"status" db:"status"`
	Attempts      int            `json:"attempts" db:"attempts"`
	NextAttemptAt string         `json:"next_attempt_at" db:"next_attempt_at"`
	LeaseUntil    *string        `json:"-" db:"lease_until"`
	LastStatus    *int           `json:"last_status" db:"last_status"`
	LastError     string         `json:"last_error" db:"last_error"`
	CreatedAt     string         `json:"created_at" db:"created_at"`
	DeliveredAt   *string        `json:"delivered_at" db:"delivered_at"`
	// Attempts' outcomes, oldest first (one delivery's view only).
	History []DeliveryAttempt `json:"history,omitempty" db:"-"`
}

const deliveryCols = `id, webhook_id, audit_seq, event, payload, status, attempts, next_attempt_at, lease_until, last_status, last_error, created_at, delivered_at`

// DeliveryAttempt is the outcome of one attempt to send a delivery.
type DeliveryAttempt struct {
	At         string `json:"at" db:"at"`
	HTTPStatus *int   `json:"http_status" db:"http_status"`
	Error      string `json:"error" db:"error"`
	DurationMS int64  `json:"duration_ms" db:"duration_ms"`
}

// WebhookPayload is the body of a delivery: what was done, to which
// decision, and the audit event that records it. It carries no record
// data: a receiver reads what it needs through the API with its own token,
// within its own scope.
type WebhookPayload struct {
	Event      string `json:"event"`
	DecisionID *int64 `json:"decision_id"`
	OrganID    *int64 `json:"organ_id"`
	FromState  string `json:"from_state,omitempty"`
	ToState    string `json:"to_state"`
	Version    int64  `json:"version"`
	Role       string `json:"role"`
	AuditSeq   int64  `json:"audit_seq"`
	Hash       string `json:"hash"`
	At         string `json:"at"`
}

// enqueueWebhooks writes, inside the act's transaction, one delivery per
// active subscription that wants the act's event (the outbox).
func (db *DB) enqueueWebhooks(ctx context.Context, tx *sqlx.Tx, ev *AuditEvent) error {
	hooks, err := db.txWebhooks(ctx, tx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	payload, err := json.Marshal(WebhookPayload{Event: ev.Event, DecisionID: ev.DecisionID, OrganID: ev.OrganID, FromState: ev.From,
		ToState: ev.To, Version: ev.Version, Role: ev.Role, AuditSeq: ev.Seq, Hash: ev.Hash, At: ev.At})
	if err != nil {
		return err
	}
	for i := range hooks {
		if !hooks[i].wants(ev.Event, ev.OrganID) {
			continue
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO webhook_deliveries (webhook_id, audit_seq, event, payload, status, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), hooks[i].ID, ev.Seq, ev.Event, string(payload), DeliveryPending, ev.At, ev.At); err != nil {
			return fmt.Errorf("enqueue webhook delivery: %w", err)
		}
	}
	return nil
}

// forgetWebhooks drops the transaction's memo of the subscriptions after
// it changed one.
func (db *DB) forgetWebhooks(tx *sqlx.Tx) {
	if m := db.memo(tx); m != nil {
		m.hooks, m.hooksLoaded = nil, false
	}
}

func activeWebhooks(ctx context.Context, q sqlx.QueryerContext) ([]Webhook, error) {
	var hooks []Webhook
	if err := sqlx.SelectContext(ctx, q, &hooks, `SELECT `+webhookCols+` FROM webhooks WHERE active ORDER BY id`); err != nil {
		return nil, fmt.Errorf("load webhooks: %w", err)
	}
	for i := range hooks {
		_ = json.Unmarshal([]byte(hooks[i].EventsJSON), &hooks[i].Events)
	}
	return hooks, nil
}

// NewWebhook is what a subscription takes.
type NewWebhook struct {
	URL         string
	Events      []string
	OrganID     *int64
	Description string
}

// WebhookChange changes a subscription; nil fields stay as they are.
type WebhookChange struct {
	URL          *string
	Events       *[]string
	OrganID      *int64
	AllOrgans    bool // clear the organ filter
	Description  *string
	Active       *bool
	RotateSecret bool
}

// checkWebhook validates a subscription's URL, events and organ.
func (db *DB) checkWebhook(units map[int64]workflow.Unit, w *Webhook, inv *workflow.Invalid) {
	w.URL = strings.TrimSpace(w.URL)
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		inv.Add("url", "应为 http:// 或 https:// 开头的完整地址", "must be a full http:// or https:// URL")
	case len(w.URL) > 2000:
		inv.Add("url", "地址过长（最多2000个字符）", "the URL is too long (2000 characters at most)")
	case u.User != nil:
		inv.Add("url", "地址中不得含用户名或口令（投递以签名认证）", "the URL must not hold a user name or password (deliveries are signed)")
	}
	if len(w.Events) == 0 {
		inv.Add("events", "至少订阅一种事项操作（或 \"*\" 表示全部）", "subscribe to at least one event (or \"*\" for every act)")
	}
	seen := map[string]bool{}
	for i, e := range w.Events {
		if _, ok := db.proc.Event(e); !ok && e != "*" && e != EventCreate {
			inv.Add(fmt.Sprintf("events[%d]", i), "未知的事项操作："+e, "unknown event: "+e)
		}
		if seen[e] {
			inv.Add(fmt.Sprintf("events[%d]", i), "重复的事项操作", "duplicate event")
		}
		seen[e] = true
	}
	if w.OrganID != nil {
		if o, ok := units[*w.OrganID]; !ok || o.Kind != "organ" {
			inv.Add("organ_id", "没有这个决策机关", "no such organ")
		}
	}
	if len([]rune(w.Description)) > 500 {
		inv.Add("description", "说明过长（最多500字）", "the description is too long (500 characters at most)")
	}
}

func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// webhookAudit is what the audit records of a subscription (never its secret).
func webhookAudit(w *Webhook) map[string]any {
	return map[string]any{"webhook_id": w.ID, "url": w.URL, "events": w.Events, "organ_id": w.OrganID,
		"description": w.Description, "active": w.Active}
}

// CreateWebhook subscribes a URL to event types (an audited act of the
// system administrator). It returns the subscription and its secret, shown
// this once. Errors: forbidden, validation_failed.
func (db *DB) CreateWebhook(ctx context.Context, actor workflow.Actor, nw NewWebhook) (*Webhook, string, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, "", err
	}
	w := &Webhook{URL: nw.URL, Events: nw.Events, OrganID: nw.OrganID, Description: strings.TrimSpace(nw.Description), Active: true,
		Secret: newWebhookSecret(), CreatedBy: actor.UserID}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		var inv workflow.Invalid
		db.checkWebhook(units, w, &inv)
		if err := inv.Err(); err != nil {
			return err
		}
		events, _ := json.Marshal(w.Events)
		w.EventsJSON, w.CreatedAt = string(events), ts(db.Now())
		w.UpdatedAt = w.CreatedAt
		if err := tx.GetContext(ctx, &w.ID, tx.Rebind(`INSERT INTO webhooks (url, events, organ_id, description, secret, active, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), w.URL, w.EventsJSON, w.OrganID, w.Description, w.Secret, w.Active,
			w.CreatedBy, w.CreatedAt, w.UpdatedAt); err != nil {
			return err
		}
		db.forgetWebhooks(tx)
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "webhook_create",
			OrganID: orgPtr(workflow.OrganOf(units, actor.UnitID))}, db.Now(), webhookAudit(w))
	})
	if err != nil {
		return nil, "", err
	}
	return w, w.Secret, nil
}

// UpdateWebhook changes a subscription (an audited act of the system
// administrator); a rotated secret is returned, shown this once.
// Errors: forbidden, not_found, validation_failed.
func (db *DB) UpdateWebhook(ctx context.Context, actor workflow.Actor, id int64, ch WebhookChange) (*Webhook, string, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, "", err
	}
	var w *Webhook
	secret := ""
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if w, err = webhookByID(ctx, tx, id); err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		before := webhookAudit(w)
		if ch.URL != nil {
			w.URL = *ch.URL
		}
		if ch.Events != nil {
			w.Events = *ch.Events
		}
		if ch.AllOrgans {
			w.OrganID = nil
		} else if ch.OrganID != nil {
			w.OrganID = ch.OrganID
		}
		if ch.Description != nil {
			w.Description = strings.TrimSpace(*ch.Description)
		}
		if ch.Active != nil {
			w.Active = *ch.Active
		}
		if ch.RotateSecret {
			w.Secret = newWebhookSecret()
			secret = w.Secret
		}
		var inv workflow.Invalid
		db.checkWebhook(units, w, &inv)
		if err := inv.Err(); err != nil {
			return err
		}
		events, _ := json.Marshal(w.Events)
		w.EventsJSON, w.UpdatedAt = string(events), ts(db.Now())
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhooks SET url = ?, events = ?, organ_id = ?, description = ?, secret = ?, active = ?, updated_at = ?
			WHERE id = ?`), w.URL, w.EventsJSON, w.OrganID, w.Description, w.Secret, w.Active, w.UpdatedAt, w.ID); err != nil {
			return err
		}
		db.forgetWebhooks(tx)
		data := webhookAudit(w)
		data["previous"] = before
		data["secret_rotated"] = ch.RotateSecret
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "webhook_update",
			OrganID: orgPtr(workflow.OrganOf(units, actor.UnitID))}, db.Now(), data)
	})
	if err != nil {
		return nil, "", err
	}
	return w, secret, nil
}

func webhookByID(ctx context.Context, q sqlx.QueryerContext, id int64) (*Webhook, error) {
	var w Webhook
	err := sqlx.GetContext(ctx, q, &w, sqlx.Rebind(bindOf(q), `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`), id)
	if isNoRows(err) {
		return nil, notFound("没有这个订阅", "no such webhook")
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(w.EventsJSON), &w.Events)
	return &w, nil
}

// mayReadWebhooks: the system administrator, who runs them, and the audit
// administrator, who reads every outcome.
func mayReadWebhooks(a workflow.Actor) error {
	if a.System || a.Has(workflow.RoleSysadmin) || a.Has(workflow.RoleAuditor) {
		return nil
	}
	return &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
		ZH: "仅系统管理员和审计管理员可查看订阅和投递情况", EN: "only the system and audit administrators see webhooks and their deliveries"}
}

// Webhooks lists the subscriptions (without their secrets).
// Errors: forbidden.
func (db *DB) Webhooks(ctx context.Context, actor workflow.Actor) ([]Webhook, error) {
	if err := mayReadWebhooks(actor); err != nil {
		return nil, err
	}
	var hooks []Webhook
	if err := db.r.SelectContext(ctx, &hooks, `SELECT `+webhookCols+` FROM webhooks ORDER BY id`); err != nil {
		return nil, err
	}
	for i := range hooks {
		_ = json.Unmarshal([]byte(hooks[i].EventsJSON), &hooks[i].Events)
	}
	return hooks, nil
}

// DeliveryFilter selects deliveries; nil fields are not filtered on.
type DeliveryFilter struct {
	Status    *string
	WebhookID *int64
	Page
}

// Deliveries lists deliveries newest first, and the total that match (the
// dead-letter list is Status = dead). Errors: forbidden.
func (db *DB) Deliveries(ctx context.Context, actor workflow.Actor, f DeliveryFilter) ([]Delivery, int, error) {
	if err := mayReadWebhooks(actor); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1=1"}, []any{}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, *f.Status)
	}
	if f.WebhookID != nil {
		where, args = append(where, "webhook_id = ?"), append(args, *f.WebhookID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM webhook_deliveries`+cond), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	out := []Delivery{}
	err := db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries`+cond+
		fmt.Sprintf(` ORDER BY id DESC LIMIT %d OFFSET %d`, limit, offset)), args...)
	return out, total, err
}

// Delivery returns one delivery with every attempt's outcome.
// Errors: forbidden, not_found.
func (db *DB) Delivery(ctx context.Context, actor workflow.Actor, id int64) (*Delivery, error) {
	if err := mayReadWebhooks(actor); err != nil {
		return nil, err
	}
	return deliveryByID(ctx, db.r, id)
}

func deliveryByID(ctx context.Context, q sqlx.QueryerContext, id int64) (*Delivery, error) {
	var d Delivery
	err := sqlx.GetContext(ctx, q, &d, sqlx.Rebind(bindOf(q), `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`), id)
	if isNoRows(err) {
		return nil, notFound("没有这次投递", "no such delivery")
	}
	if err != nil {
		return nil, err
	}
	d.History = []DeliveryAttempt{}
	err = sqlx.SelectContext(ctx, q, &d.History, sqlx.Rebind(bindOf(q), `SELECT at, http_status, error, duration_ms FROM webhook_attempts
		WHERE delivery_id = ? ORDER BY id`), id)
	return &d, err
}

// ReplayDelivery sends a dead delivery again (an audited act of the system
// administrator): it becomes pending, due now, with a fresh budget of
// attempts; its history is kept. Errors: forbidden, not_found,
// invalid_transition (the delivery is not dead).
func (db *DB) ReplayDelivery(ctx context.Context, actor workflow.Actor, id int64) (*Delivery, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	var d *Delivery
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if d, err = deliveryByID(ctx, tx, id); err != nil {
			return err
		}
		if d.Status != DeliveryDead {
			return workflow.Errorf(workflow.CodeInvalidTransition, "只有投递失败（死信）的投递可以重放，这次投递的状态为 "+d.Status,
				"only a dead delivery can be replayed; this one is "+d.Status)
		}
		now := ts(db.Now())
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET status = ?, attempts = 0, next_attempt_at = ?, lease_until = NULL
			WHERE id = ?`), DeliveryPending, now, id); err != nil {
			return err
		}
		d.Status, d.Attempts, d.NextAttemptAt = DeliveryPending, 0, now
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "webhook_replay",
			OrganID: orgPtr(workflow.OrganOf(units, actor.UnitID))}, db.Now(),
			map[string]any{"delivery_id": id, "webhook_id": d.WebhookID, "audit_seq": d.AuditSeq, "event": d.Event})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeliveryCounts are the deliveries by status (metrics).
func (db *DB) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.r.SelectContext(ctx, &rows, `SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status`); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// ---- the worker ----

// WebhookOptions tune the delivery worker; zero fields take the defaults.
type WebhookOptions struct {
	Poll        time.Duration                   // how often due deliveries are looked for (1 s)
	MaxAttempts int                             // attempts before a delivery is dead (8)
	Backoff     func(attempt int) time.Duration // wait after the nth failed attempt (DefaultBackoff)
	Timeout     time.Duration                   // one attempt's time limit (10 s)
	Client      *http.Client
	// Now is the worker's clock (default: the store's).
	Now func() time.Time
}

// DefaultBackoff waits 30 s after the first failure, doubling each time,
// at most 6 hours: 8 attempts span about two hours.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

func (o WebhookOptions) orDefault(db *DB) WebhookOptions {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Now == nil {
		o.Now = db.Now
	}
	return o
}

// Signature headers of a delivery. The signature covers
// "<timestamp>.<body>": X-Decisiond-Signature: t=<unix seconds>,v1=<hex>;
// X-Decisiond-Signature-Alg names the HMAC (hmac-sha256 or hmac-sm3).
const (
	HeaderSignature    = "X-Decisiond-Signature"
	HeaderSignatureAlg = "X-Decisiond-Signature-Alg"
	HeaderDelivery     = "X-Decisiond-Delivery"
	HeaderEvent        = "X-Decisiond-Event"
)

// SignatureAlg is the HMAC of a deployment's suite.
func SignatureAlg(suite string) string { return "hmac-" + crypt.HashAlgOf(suite) }

// SignWebhook is the signature header's value for a body sent at t.
func SignWebhook(suite, secret string, t time.Time, body []byte) (string, error) {
	stamp := strconv.FormatInt(t.Unix(), 10)
	mac, err := crypt.HMAC(crypt.HashAlgOf(suite), []byte(secret), append([]byte(stamp+"."), body...))
	if err != nil {
		return "", err
	}
	return "t=" + stamp + ",v1=" + mac, nil
}

// VerifyWebhook checks a delivery's signature header against the body and
// the shared secret (what a receiver does; the tests use it).
func VerifyWebhook(suite, secret, header string, body []byte) error {
	var stamp, mac string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			stamp = v
		case "v1":
			mac = v
		}
	}
	n, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil || mac == "" {
		return errors.New("malformed signature header")
	}
	want, err := SignWebhook(suite, secret, time.Unix(n, 0), body)
	if err != nil {
		return err
	}
	if !hmacEqual(want, "t="+stamp+",v1="+mac) {
		return errors.New("signature does not match")
	}
	return nil
}

func hmacEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// RunWebhooks sends due deliveries until ctx ends (serve runs it). A
// delivery in flight when ctx ends is finished (within its time limit)
// before RunWebhooks returns, so a clean shutdown loses no outcome.
func (db *DB) RunWebhooks(ctx context.Context, o WebhookOptions) {
	o = o.orDefault(db)
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	for {
		n, err := db.DeliverDue(context.WithoutCancel(ctx), o, ctx.Done())
		if err != nil {
			slog.Error("webhook deliveries", "err", err)
		}
		if n == deliveryBatch && err == nil && ctx.Err() == nil {
			continue // a full batch: more may be due at once
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue sends the deliveries that are due now, each leased so that
// two workers (two servers on one PostgreSQL) never send one at once, and
// stops early when stop closes. It returns how many it attempted.
func (db *DB) DeliverDue(ctx context.Context, o WebhookOptions, stop <-chan struct{}) (int, error) {
	o = o.orDefault(db)
	if db.readOnly {
		return 0, nil
	}
	now := ts(o.Now())
	var due []Delivery
	if err := db.r.SelectContext(ctx, &due, db.r.Rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries
		WHERE status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT `+strconv.Itoa(deliveryBatch)),
		DeliveryPending, now, now); err != nil {
		return 0, err
	}
	hooks := map[int64]*Webhook{}
	n := 0
	for i := range due {
		select {
		case <-stop:
			return n, nil
		default:
		}
		d := &due[i]
		w, ok := hooks[d.WebhookID]
		if !ok {
			var err error
			if w, err = webhookByID(ctx, db.r, d.WebhookID); err != nil {
				return n, err
			}
			hooks[d.WebhookID] = w
		}
		if !w.Active {
			continue // kept pending until the subscription is active again
		}
		leased, err := db.lease(ctx, d.ID, o)
		if err != nil {
			return n, err
		}
		if !leased {
			continue
		}
		n++
		if err := db.attempt(ctx, o, w, d); err != nil {
			return n, err
		}
	}
	return n, nil
}

// deliveryBatch is how many due deliveries one pass looks at.
const deliveryBatch = 50

// lease takes a delivery for one attempt (the lease outlives the attempt's
// time limit by a few seconds; a worker that crashes mid-attempt leaves it
// to expire, and the delivery is sent again: at least once).
func (db *DB) lease(ctx context.Context, id int64, o WebhookOptions) (bool, error) {
	now := o.Now()
	var n int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		r, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET lease_until = ?
			WHERE id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)`), ts(now.Add(o.Timeout+5*time.Second)), id, DeliveryPending, ts(now))
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n == 1, err
}

// attempt sends one delivery and records the outcome.
func (db *DB) attempt(ctx context.Context, o WebhookOptions, w *Webhook, d *Delivery) error {
	start := time.Now()
	status, sendErr := db.send(ctx, o, w, d)
	took := time.Since(start).Milliseconds()
	now := o.Now()
	d.Attempts++
	errText := ""
	if sendErr != nil {
		errText = clip(sendErr.Error(), 500)
	}
	var st *int
	if status != 0 {
		st = &status
	}
	return db.tx(context.WithoutCancel(ctx), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO webhook_attempts (delivery_id, at, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?)`),
			d.ID, ts(now), st, errText, took); err != nil {
			return err
		}
		switch {
		case sendErr == nil:
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = '',
				delivered_at = ?, lease_until = NULL WHERE id = ?`), DeliveryDelivered, d.Attempts, st, ts(now), d.ID)
			return err
		case d.Attempts >= o.MaxAttempts:
			slog.Warn("webhook delivery dead", "delivery", d.ID, "webhook", w.ID, "attempts", d.Attempts, "err", errText)
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?,
				lease_until = NULL WHERE id = ?`), DeliveryDead, d.Attempts, st, errText, d.ID)
			return err
		default:
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?,
				next_attempt_at = ?, lease_until = NULL WHERE id = ?`), d.Attempts, st, errText, ts(now.Add(o.Backoff(d.Attempts))), d.ID)
			return err
		}
	})
}

// send posts the delivery; any 2xx answer is success.
func (db *DB) send(ctx context.Context, o WebhookOptions, w *Webhook, d *Delivery) (int, error) {
	body := []byte(d.Payload)
	sig, err := SignWebhook(db.opts.Crypto, w.Secret, time.Now(), body)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "decisiond-webhook/1")
	req.Header.Set(HeaderSignature, sig)
	req.Header.Set(HeaderSignatureAlg, SignatureAlg(db.opts.Crypto))
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10))
	req.Header.Set(HeaderEvent, d.Event)
	res, err := o.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("the receiver answered HTTP %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// Crypto is the deployment's cryptographic suite ("intl" or "gm").
func (db *DB) Crypto() string {
	if db.opts.Crypto == "" {
		return crypt.SuiteIntl
	}
	return db.opts.Crypto
}
