package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise.
const TokenPrefix = "dcd_"

// DefaultTokenLifetime is how long a token lives when no expiry is given.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// MaxTokenLifetime bounds a token's life (token policy).
const MaxTokenLifetime = 366 * 24 * time.Hour

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// newSecret returns a random secret with a prefix.
func newSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Token is an API token as listed (never the token itself: only its hash
// is stored).
type Token struct {
	ID        int64   `json:"id" db:"id"`
	UserID    int64   `json:"user_id" db:"user_id"`
	User      string  `json:"user" db:"user_name"`
	Label     string  `json:"label" db:"label"`
	CreatedAt string  `json:"created_at" db:"created_at"`
	ExpiresAt *string `json:"expires_at" db:"expires_at"`
	RevokedAt *string `json:"revoked_at" db:"revoked_at"`
	Demo      bool    `json:"demo" db:"demo"`
	Prefix    string  `json:"hash_prefix" db:"hash_prefix"`
}

// NewToken is what issuing a token takes.
type NewToken struct {
	UserID    int64
	Label     string
	ExpiresAt *time.Time // nil: DefaultTokenLifetime; a zero time: never (the command line and demo only)
	// Fixed is used as the token itself (demo data only); Demo marks it so
	// that it works only while the server runs with --demo.
	Fixed string
	Demo  bool
}

// CreateToken issues a bearer token and returns it with its record; only
// its SHA-256 is stored. A person issues their own tokens; the security
// administrator (token policy) and the command line issue anyone's.
// Errors: forbidden, not_found, validation_failed.
func (db *DB) CreateToken(ctx context.Context, actor workflow.Actor, nt NewToken) (string, *Token, error) {
	role := workflow.Role("self")
	if nt.UserID != actor.UserID || actor.System {
		r, err := require(actor, workflow.RoleSecadmin)
		if err != nil {
			return "", nil, err
		}
		role = r
	}
	nt.Label = strings.TrimSpace(nt.Label)
	if nt.Label == "" {
		return "", nil, invalidField("label", "请为令牌命名（用途）", "name the token (what it is for)")
	}
	if len([]rune(nt.Label)) > 100 {
		return "", nil, invalidField("label", "令牌名称不超过100字", "the label is at most 100 characters")
	}
	now := db.Now()
	var expires *string
	switch {
	case nt.ExpiresAt == nil:
		e := ts(now.Add(DefaultTokenLifetime))
		expires = &e
	case nt.ExpiresAt.IsZero():
		if !actor.System {
			return "", nil, invalidField("expires_at", "令牌须设有效期", "a token needs an expiry")
		}
	default:
		if !nt.ExpiresAt.After(now) {
			return "", nil, invalidField("expires_at", "有效期应晚于当前时间", "the expiry must be in the future")
		}
		if nt.ExpiresAt.Sub(now) > MaxTokenLifetime && !actor.System {
			return "", nil, invalidField("expires_at", "令牌有效期不超过一年（令牌策略）", "a token lives at most one year (token policy)")
		}
		e := ts(*nt.ExpiresAt)
		expires = &e
	}
	tok := nt.Fixed
	if tok == "" {
		var err error
		if tok, err = newSecret(TokenPrefix); err != nil {
			return "", nil, err
		}
	}
	var out Token
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		u, err := userByID(ctx, tx, nt.UserID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return invalidField("user", "该用户已停用", "the user is disabled")
		}
		out = Token{UserID: u.ID, User: u.Name, Label: nt.Label, CreatedAt: ts(now), ExpiresAt: expires, Demo: nt.Demo, Prefix: hashSecret(tok)[:12]}
		if err := tx.GetContext(ctx, &out.ID, tx.Rebind(`INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at, demo)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), u.ID, hashSecret(tok), nt.Label, ts(now), expires, nt.Demo); err != nil {
			return db.conflict(err, "token", "令牌已存在", "token exists")
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "create_token",
			OrganID: organOfUser(units, u)}, now,
			map[string]any{"token_id": out.ID, "user_id": u.ID, "user": u.Name, "label": nt.Label, "expires_at": expires, "token_sha256_prefix": out.Prefix, "address": actor.Addr})
	})
	if err != nil {
		return "", nil, err
	}
	return tok, &out, nil
}

const tokenCols = `t.id, t.user_id, u.name AS user_name, t.label, t.created_at, t.expires_at, t.revoked_at, t.demo, SUBSTR(t.token_hash, 1, 12) AS hash_prefix`

// Tokens lists a person's tokens (their own, or anyone's for the security
// administrator and the command line). Errors: forbidden.
func (db *DB) Tokens(ctx context.Context, actor workflow.Actor, userID int64) ([]Token, error) {
	if userID != actor.UserID {
		if _, err := require(actor, workflow.RoleSecadmin); err != nil {
			return nil, err
		}
	}
	var out []Token
	err := db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.user_id = ? ORDER BY t.id`), userID)
	if out == nil {
		out = []Token{}
	}
	return out, err
}

// RevokeToken revokes one token by its id (a person their own; the
// security administrator anyone's). Revoking is audited and takes effect at
// once. Errors: forbidden, not_found.
func (db *DB) RevokeToken(ctx context.Context, actor workflow.Actor, tokenID int64) (*Token, error) {
	var t Token
	err := db.r.GetContext(ctx, &t, db.r.Rebind(`SELECT `+tokenCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`), tokenID)
	if isNoRows(err) {
		return nil, notFound("未找到该令牌", "no such token")
	}
	if err != nil {
		return nil, err
	}
	if t.UserID != actor.UserID {
		if _, err := require(actor, workflow.RoleSecadmin); err != nil {
			return nil, notFound("未找到该令牌", "no such token")
		}
	}
	n, err := db.revoke(ctx, actor, t.UserID, &t.ID)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &t, nil // already revoked: nothing changed, nothing audited
	}
	at := ts(db.Now())
	t.RevokedAt = &at
	return &t, nil
}

// RevokeTokenValue revokes the token whose value is given (the command
// line's `token revoke --token T`). Errors: not_found.
func (db *DB) RevokeTokenValue(ctx context.Context, actor workflow.Actor, token string) (*Token, error) {
	var id int64
	err := db.r.GetContext(ctx, &id, db.r.Rebind(`SELECT id FROM api_tokens WHERE token_hash = ?`), hashSecret(token))
	if isNoRows(err) {
		return nil, notFound("未找到该令牌", "no such token")
	}
	if err != nil {
		return nil, err
	}
	return db.RevokeToken(ctx, actor, id)
}

// RevokeUserTokens revokes every live token of a person and returns how
// many. Errors: forbidden, not_found.
func (db *DB) RevokeUserTokens(ctx context.Context, actor workflow.Actor, userID int64) (int, error) {
	if userID != actor.UserID {
		if _, err := require(actor, workflow.RoleSecadmin); err != nil {
			return 0, err
		}
	}
	if _, err := db.UserByID(ctx, userID); err != nil {
		return 0, err
	}
	return db.revoke(ctx, actor, userID, nil)
}

// revoke revokes one token (tokenID) or all of a user's, audited once.
func (db *DB) revoke(ctx context.Context, actor workflow.Actor, userID int64, tokenID *int64) (int, error) {
	role := workflow.Role("self")
	if userID != actor.UserID || actor.System {
		role, _ = require(actor, workflow.RoleSecadmin)
	}
	var n int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		q, args := `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, []any{ts(now), userID}
		if tokenID != nil {
			q, args = q+` AND id = ?`, append(args, *tokenID)
		}
		r, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
		if err != nil {
			return err
		}
		if n, _ = r.RowsAffected(); n == 0 {
			return nil
		}
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "revoke_token",
			OrganID: organOfUser(units, u)}, now, map[string]any{"user_id": userID, "user": u.Name, "token_id": tokenID, "revoked": n, "address": actor.Addr})
	})
	return int(n), err
}

var errBadCredentials = workflow.Errorf(workflow.CodeUnauthenticated, "身份凭据无效、已过期或已撤销，请重新登录", "invalid, expired or revoked credentials; sign in again")

// ErrBadCredentials is the refusal of a token or session that does not
// authenticate (unknown, revoked, expired, of a disabled person, or a demo
// credential without --demo); it never says which.
var ErrBadCredentials = errBadCredentials

// Authenticate resolves a bearer token to its user: a revoked or expired
// token, any token of a disabled user, and a demo token while demo
// credentials are off are refused at once (401). Reads only.
func (db *DB) Authenticate(ctx context.Context, token string, allowDemo bool) (*User, error) {
	var row struct {
		User
		ExpiresAt *string `db:"expires_at"`
		TokDemo   bool    `db:"tok_demo"`
	}
	err := db.r.GetContext(ctx, &row, db.r.Rebind(`SELECT `+userCols+`, t.expires_at, t.demo AS tok_demo
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL`), hashSecret(token))
	if isNoRows(err) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if row.Disabled() || (row.TokDemo && !allowDemo) || (row.ExpiresAt != nil && *row.ExpiresAt <= ts(db.Now())) {
		return nil, errBadCredentials
	}
	return &row.User, nil
}
