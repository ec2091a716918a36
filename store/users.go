package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// User is a person who may sign in.
type User struct {
	ID          int64  `json:"id" db:"id"`
	Name        string `json:"name" db:"name"`
	DisplayName string `json:"display_name" db:"display_name"`
	Roles       string `json:"-" db:"roles"`
	UnitID      *int64 `json:"unit_id" db:"unit_id"`
	Head        bool   `json:"head" db:"is_head"`
	CreatedAt   string `json:"created_at" db:"created_at"`
}

// RoleList returns the user's roles.
func (u User) RoleList() []workflow.Role {
	var out []workflow.Role
	for _, r := range strings.Split(u.Roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, workflow.Role(r))
		}
	}
	return out
}

// Actor is the user as the procedure sees them.
func (u User) Actor() workflow.Actor {
	a := workflow.Actor{UserID: u.ID, Name: u.DisplayName, Roles: u.RoleList(), Head: u.Head}
	if u.UnitID != nil {
		a.UnitID = *u.UnitID
	}
	return a
}

// System is the engine acting on its own (setup, lapse after the rule
// pack's period). It is recorded in the audit as such.
var System = workflow.Actor{UserID: 0, Name: "系统 system", Roles: []workflow.Role{workflow.RoleSystem, workflow.RoleAdmin}}

// Units lists every organ and unit.
func (db *DB) Units(ctx context.Context) ([]workflow.Unit, error) {
	var us []workflow.Unit
	err := db.r.SelectContext(ctx, &us, `SELECT id, name, kind, parent_id FROM units ORDER BY id`)
	return us, err
}

func unitMap(ctx context.Context, q sqlx.QueryerContext) (map[int64]workflow.Unit, error) {
	var us []workflow.Unit
	if err := sqlx.SelectContext(ctx, q, &us, `SELECT id, name, kind, parent_id FROM units`); err != nil {
		return nil, err
	}
	m := make(map[int64]workflow.Unit, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m, nil
}

// UnitByName finds a unit by its exact name.
func (db *DB) UnitByName(ctx context.Context, name string) (*workflow.Unit, error) {
	var u workflow.Unit
	err := db.r.GetContext(ctx, &u, db.r.Rebind(`SELECT id, name, kind, parent_id FROM units WHERE name = ?`), name)
	if isNoRows(err) {
		return nil, notFound("未找到单位："+name, "no such unit: "+name)
	}
	return &u, err
}

// CreateUnit adds an organ or unit (an audited administrative act).
func (db *DB) CreateUnit(ctx context.Context, actor workflow.Actor, name, kind string, parentID *int64) (*workflow.Unit, error) {
	var inv workflow.Invalid
	if strings.TrimSpace(name) == "" {
		inv.Add("name", "单位名称不能为空", "name must not be blank")
	}
	if kind != "organ" && kind != "unit" {
		inv.Add("kind", "类型应为 organ 或 unit", "kind must be organ or unit")
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	u := &workflow.Unit{Name: strings.TrimSpace(name), Kind: kind, ParentID: parentID}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		if err := tx.GetContext(ctx, &u.ID, tx.Rebind(`INSERT INTO units (name, kind, parent_id) VALUES (?, ?, ?) RETURNING id`), u.Name, u.Kind, u.ParentID); err != nil {
			return db.conflict(err, "name", "单位名称已存在", "a unit with this name exists")
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(workflow.RoleAdmin), Event: "create_unit"}, now, u)
	})
	return u, err
}

func requireAdmin(a workflow.Actor) error {
	if a.Has(workflow.RoleAdmin) {
		return nil
	}
	return workflow.Errorf(workflow.CodeForbidden, "仅系统管理员可办理此操作", "only an administrator may do this")
}

// conflict turns a unique-constraint failure into a validation error on
// field; other errors pass unchanged.
func (db *DB) conflict(err error, field, zh, en string) error {
	s := err.Error()
	if strings.Contains(s, "UNIQUE") || strings.Contains(s, "unique") || strings.Contains(s, "23505") {
		var inv workflow.Invalid
		inv.Add(field, zh, en)
		return inv.Err()
	}
	return err
}

// NewUser is what creating a user takes.
type NewUser struct {
	Name        string
	DisplayName string
	Roles       []string
	UnitID      *int64
	Head        bool
}

// CreateUser adds a person (an audited administrative act).
func (db *DB) CreateUser(ctx context.Context, actor workflow.Actor, nu NewUser) (*User, error) {
	var inv workflow.Invalid
	nu.Name = strings.TrimSpace(nu.Name)
	if nu.Name == "" {
		inv.Add("name", "用户名不能为空", "name must not be blank")
	}
	if len(nu.Roles) == 0 {
		inv.Add("roles", "至少指定一个角色", "at least one role")
	}
	for _, r := range nu.Roles {
		if !workflow.ValidRole(r) {
			inv.Add("roles", "未知角色："+r, "unknown role: "+r)
		}
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Name
	}
	u := &User{Name: nu.Name, DisplayName: nu.DisplayName, Roles: strings.Join(nu.Roles, ","), UnitID: nu.UnitID, Head: nu.Head}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		u.CreatedAt = ts(now)
		if err := tx.GetContext(ctx, &u.ID, tx.Rebind(`INSERT INTO users (name, display_name, roles, unit_id, is_head, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), u.Name, u.DisplayName, u.Roles, u.UnitID, u.Head, u.CreatedAt); err != nil {
			return db.conflict(err, "name", "用户名已存在", "a user with this name exists")
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(workflow.RoleAdmin), Event: "create_user"}, now,
			map[string]any{"id": u.ID, "name": u.Name, "display_name": u.DisplayName, "roles": nu.Roles, "unit_id": u.UnitID, "head": u.Head})
	})
	return u, err
}

// UserByName finds a user.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	var u User
	err := db.r.GetContext(ctx, &u, db.r.Rebind(`SELECT id, name, display_name, roles, unit_id, is_head, created_at FROM users WHERE name = ?`), name)
	if isNoRows(err) {
		return nil, notFound("未找到用户："+name, "no such user: "+name)
	}
	return &u, err
}

// TokenPrefix starts every API token, so a leaked one is easy to recognise.
const TokenPrefix = "dcd_"

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// CreateToken issues a bearer token for a user and returns it; only its
// SHA-256 is stored. A non-empty fixed value is used as the token itself
// (demo data only).
func (db *DB) CreateToken(ctx context.Context, actor workflow.Actor, userName, label, fixed string) (string, error) {
	if err := requireAdmin(actor); err != nil {
		return "", err
	}
	u, err := db.UserByName(ctx, userName)
	if err != nil {
		return "", err
	}
	tok := fixed
	if tok == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		tok = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)`),
			u.ID, hashToken(tok), label, ts(now)); err != nil {
			return db.conflict(err, "token", "令牌已存在", "token exists")
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(workflow.RoleAdmin), Event: "create_token"}, now,
			map[string]any{"user_id": u.ID, "user": u.Name, "label": label, "token_sha256_prefix": hashToken(tok)[:12]})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Authenticate resolves a bearer token to its user.
func (db *DB) Authenticate(ctx context.Context, token string) (*User, error) {
	var u User
	err := db.r.GetContext(ctx, &u, db.r.Rebind(`SELECT u.id, u.name, u.display_name, u.roles, u.unit_id, u.is_head, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL`), hashToken(token))
	if isNoRows(err) {
		return nil, workflow.Errorf(workflow.CodeUnauthenticated, "身份凭据无效或已撤销", "invalid or revoked credentials")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &u, nil
}
