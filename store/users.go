package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// User is a person who may sign in. Users are never deleted (a trigger
// refuses it), so an id is never reused: a disabled user's tokens can never
// authenticate as someone else.
type User struct {
	ID                int64   `json:"id" db:"id"`
	Name              string  `json:"name" db:"name"`
	DisplayName       string  `json:"display_name" db:"display_name"`
	Roles             string  `json:"-" db:"roles"`
	UnitID            *int64  `json:"unit_id" db:"unit_id"`
	CreatedAt         string  `json:"created_at" db:"created_at"`
	PasswordHash      string  `json:"-" db:"password_hash"`
	PasswordSetAt     *string `json:"password_set_at" db:"password_set_at"`
	PasswordTemporary bool    `json:"password_temporary" db:"password_temporary"`
	Demo              bool    `json:"demo" db:"demo"`
	DisabledAt        *string `json:"disabled_at" db:"disabled_at"`
	FailedLogins      int     `json:"failed_logins" db:"failed_logins"`
	LockedUntil       *string `json:"locked_until" db:"locked_until"`
}

// userCols are the columns of User, for SELECT (prefix with the alias "u.").
const userCols = `u.id, u.name, u.display_name, u.roles, u.unit_id, u.created_at, u.password_hash, u.password_set_at,
	u.password_temporary, u.demo, u.disabled_at, u.failed_logins, u.locked_until`

// RoleList returns the user's roles.
func (u User) RoleList() []workflow.Role { return parseRoles(u.Roles) }

func parseRoles(s string) []workflow.Role {
	out := []workflow.Role{}
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, workflow.Role(r))
		}
	}
	return out
}

// Actor is the user as the procedure sees them.
func (u User) Actor() workflow.Actor {
	a := workflow.Actor{UserID: u.ID, Name: u.DisplayName, Roles: u.RoleList()}
	if u.UnitID != nil {
		a.UnitID = *u.UnitID
	}
	return a
}

// Disabled reports whether the user has been disabled.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// System is the engine acting on its own (setup, lapse after the rule
// pack's period) and the operator's command line, which holds the database
// itself. It is recorded in the audit as such.
var System = workflow.Actor{UserID: 0, Name: "系统 system", Roles: []workflow.Role{workflow.RoleSystem}, System: true}

// require checks that the actor holds role (the command line holds every
// administrator role) and returns the role to record.
func require(a workflow.Actor, role workflow.Role) (workflow.Role, error) {
	if a.System {
		return workflow.RoleSystem, nil
	}
	if a.Has(role) {
		return role, nil
	}
	var zh, en string
	for _, l := range workflow.AllRoles {
		if l.Code == string(role) {
			zh, en = l.ZH, l.EN
		}
	}
	return "", &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
		ZH: "仅" + zh + "可办理此操作（三员分立）", EN: "only the " + en + " may do this (separation of the three administrators)"}
}

const unitCols = `id, name, short_name, kind, parent_id, head_user_id, review_unit_id`

// Units lists every organ and unit.
func (db *DB) Units(ctx context.Context) ([]workflow.Unit, error) {
	var us []workflow.Unit
	err := db.r.SelectContext(ctx, &us, `SELECT `+unitCols+` FROM units ORDER BY id`)
	return us, err
}

func unitMap(ctx context.Context, q sqlx.QueryerContext) (map[int64]workflow.Unit, error) {
	var us []workflow.Unit
	if err := sqlx.SelectContext(ctx, q, &us, `SELECT `+unitCols+` FROM units`); err != nil {
		return nil, err
	}
	m := make(map[int64]workflow.Unit, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m, nil
}

// UnitMap returns every organ and unit by id (the policy's directory).
func (db *DB) UnitMap(ctx context.Context) (map[int64]workflow.Unit, error) {
	return db.units(ctx, db.r)
}

// ResolveUnit finds a unit by its id, its full name, its short name or a
// unique suffix of its full name (交通运输局 for 西宁市交通运输局). Errors:
// not_found, validation_failed (ambiguous, naming the candidates).
func (db *DB) ResolveUnit(ctx context.Context, s string) (*workflow.Unit, error) {
	s = strings.TrimSpace(s)
	us, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		for i := range us {
			if us[i].ID == n {
				return &us[i], nil
			}
		}
	}
	var exact, suffix []workflow.Unit
	for _, u := range us {
		switch {
		case u.Name == s || (u.ShortName != "" && u.ShortName == s):
			exact = append(exact, u)
		case s != "" && strings.HasSuffix(u.Name, s):
			suffix = append(suffix, u)
		}
	}
	if len(exact) == 1 {
		return &exact[0], nil
	}
	if len(exact) == 0 && len(suffix) == 1 {
		return &suffix[0], nil
	}
	cands := append(exact, suffix...)
	if len(cands) == 0 {
		return nil, notFound("未找到单位："+s, "no such unit: "+s)
	}
	names := make([]string, len(cands))
	for i, u := range cands {
		names[i] = fmt.Sprintf("%s（%d）", u.Name, u.ID)
	}
	var inv workflow.Invalid
	inv.Add("unit", "单位名称不唯一，可能是："+strings.Join(names, "、")+"；请写全称或编号",
		"the unit name is ambiguous; candidates: "+strings.Join(names, ", ")+"; give the full name or the id")
	return nil, inv.Err()
}

// NewUnit is what creating an organ or unit takes.
type NewUnit struct {
	Name      string
	ShortName string
	Kind      string // organ | unit
	ParentID  *int64
}

// CreateUnit adds an organ or unit (an audited act of the system
// administrator). Errors: forbidden, validation_failed.
func (db *DB) CreateUnit(ctx context.Context, actor workflow.Actor, nu NewUnit) (*workflow.Unit, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	var inv workflow.Invalid
	nu.Name, nu.ShortName = strings.TrimSpace(nu.Name), strings.TrimSpace(nu.ShortName)
	if nu.Name == "" {
		inv.Add("name", "单位名称不能为空", "name must not be blank")
	}
	if nu.Kind != "organ" && nu.Kind != "unit" {
		inv.Add("kind", "类型应为 organ（决策机关）或 unit（单位）", "kind must be organ or unit")
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	u := &workflow.Unit{Name: nu.Name, ShortName: nu.ShortName, Kind: nu.Kind, ParentID: nu.ParentID}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		if nu.ParentID != nil {
			if _, ok := units[*nu.ParentID]; !ok {
				return invalidField("parent_id", "上级单位不存在", "no such parent unit")
			}
		} else if nu.Kind == "unit" {
			return invalidField("parent_id", "单位须隶属于一个决策机关（parent_id）", "a unit belongs to an organ (parent_id)")
		}
		if err := tx.GetContext(ctx, &u.ID, tx.Rebind(`INSERT INTO units (name, short_name, kind, parent_id) VALUES (?, ?, ?, ?) RETURNING id`),
			u.Name, u.ShortName, u.Kind, u.ParentID); err != nil {
			return db.conflict(err, "name", "单位名称已存在", "a unit with this name exists")
		}
		units[u.ID] = *u
		if err := db.bumpConfig(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "create_unit",
			OrganID: orgPtr(workflow.OrganOf(units, u.ID))}, db.Now(), u)
	})
	return u, err
}

// OrganSettings are what an organ names: its head (a user of the organ) and
// its legality-review body (one of its units). Nil fields are left as they
// are.
type OrganSettings struct {
	HeadUserID   *int64
	ReviewUnitID *int64
}

// SetOrgan names an organ's head and legality-review body (an audited act
// of the system administrator). Errors: forbidden, not_found,
// validation_failed.
func (db *DB) SetOrgan(ctx context.Context, actor workflow.Actor, organID int64, s OrganSettings) (*workflow.Unit, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	var out workflow.Unit
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		o, ok := units[organID]
		if !ok || o.Kind != "organ" {
			return notFound("未找到该决策机关", "no such organ")
		}
		before := o
		if s.ReviewUnitID != nil {
			ru, ok := units[*s.ReviewUnitID]
			if !ok || ru.Kind != "unit" {
				return invalidField("review_unit_id", "合法性审查部门应为本级的一个单位（如司法局）", "the review body must be a unit (e.g. 司法局)")
			}
			o.ReviewUnitID = s.ReviewUnitID
		}
		if s.HeadUserID != nil {
			u, err := userByID(ctx, tx, *s.HeadUserID)
			if err != nil {
				return err
			}
			if u.UnitID == nil || workflow.OrganOf(units, *u.UnitID) != organID {
				return invalidField("head_user_id", "行政首长应为本机关的人员", "the head must be a person of this organ")
			}
			if u.Disabled() {
				return invalidField("head_user_id", "该用户已停用", "the user is disabled")
			}
			o.HeadUserID = s.HeadUserID
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE units SET head_user_id = ?, review_unit_id = ? WHERE id = ?`),
			o.HeadUserID, o.ReviewUnitID, o.ID); err != nil {
			return err
		}
		if err := db.bumpConfig(ctx, tx); err != nil {
			return err
		}
		out = o
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "set_organ",
			OrganID: &o.ID}, db.Now(), map[string]any{"organ_id": o.ID, "head_user_id": o.HeadUserID, "review_unit_id": o.ReviewUnitID,
			"previous": map[string]any{"head_user_id": before.HeadUserID, "review_unit_id": before.ReviewUnitID}})
	})
	return &out, err
}

func orgPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func invalidField(field, zh, en string) error {
	var inv workflow.Invalid
	inv.Add(field, zh, en)
	return inv.Err()
}

// conflict turns a unique-constraint failure into a validation error on
// field; other errors pass unchanged.
func (db *DB) conflict(err error, field, zh, en string) error {
	s := err.Error()
	if strings.Contains(s, "UNIQUE") || strings.Contains(s, "unique") || strings.Contains(s, "23505") {
		return invalidField(field, zh, en)
	}
	return err
}

// NewUser is what creating a user takes.
type NewUser struct {
	Name        string
	DisplayName string
	Roles       []string
	UnitID      *int64
	// Head makes the user the head of their unit (an organ's 行政首长).
	Head bool
	// Demo marks a demo account: its password works only while the server
	// runs with --demo.
	Demo bool
}

func validRoles(roles []string, inv *workflow.Invalid) []workflow.Role {
	out := []workflow.Role{}
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if !workflow.ValidRole(r) {
			inv.Add("roles", "未知角色："+r, "unknown role: "+r)
			continue
		}
		if !slices.Contains(out, workflow.Role(r)) {
			out = append(out, workflow.Role(r))
		}
	}
	return out
}

func joinRoles(rs []workflow.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// CreateUser adds a person (an audited act): the system administrator
// creates the account; roles are granted by the security administrator
// (三员分立), so a user created with roles needs the security administrator
// or the command line. Errors: forbidden, validation_failed.
func (db *DB) CreateUser(ctx context.Context, actor workflow.Actor, nu NewUser) (*User, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	var inv workflow.Invalid
	nu.Name, nu.DisplayName = strings.TrimSpace(nu.Name), strings.TrimSpace(nu.DisplayName)
	if nu.Name == "" {
		inv.Add("name", "用户名不能为空", "name must not be blank")
	} else if len(nu.Name) > 64 || strings.ContainsAny(nu.Name, " \t\r\n,") {
		inv.Add("name", "用户名不超过64个字符，且不含空格和逗号", "name: at most 64 characters, no spaces or commas")
	}
	roles := validRoles(nu.Roles, &inv)
	if nu.Head && nu.UnitID == nil {
		inv.Add("head", "指定为负责人须同时指定单位（--unit）", "a head needs the unit they head (--unit)")
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	if err := workflow.CheckAdminRoles(roles); err != nil {
		return nil, err
	}
	if len(roles) > 0 && !actor.System {
		if _, err := require(actor, workflow.RoleSecadmin); err != nil {
			return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "roles_by_secadmin",
				ZH: "三员分立：角色由安全管理员授予；系统管理员创建账号时不能指定角色", EN: "三员分立: roles are granted by the security administrator; create the account without roles"}
		}
	}
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Name
	}
	u := &User{Name: nu.Name, DisplayName: nu.DisplayName, Roles: joinRoles(roles), UnitID: nu.UnitID, Demo: nu.Demo}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		if nu.UnitID != nil {
			if _, ok := units[*nu.UnitID]; !ok {
				return invalidField("unit_id", "所指单位不存在", "no such unit")
			}
		}
		u.CreatedAt = ts(now)
		if err := tx.GetContext(ctx, &u.ID, tx.Rebind(`INSERT INTO users (name, display_name, roles, unit_id, is_head, created_at, demo)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), u.Name, u.DisplayName, u.Roles, u.UnitID, nu.Head, u.CreatedAt, nu.Demo); err != nil {
			return db.conflict(err, "name", "用户名已存在", "a user with this name exists")
		}
		if nu.Head {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE units SET head_user_id = ? WHERE id = ?`), u.ID, *nu.UnitID); err != nil {
				return err
			}
			if err := db.bumpConfig(ctx, tx); err != nil {
				return err
			}
		}
		organ := organOfUser(units, u)
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "create_user", OrganID: organ}, now,
			map[string]any{"id": u.ID, "name": u.Name, "display_name": u.DisplayName, "roles": roles, "unit_id": u.UnitID, "head": nu.Head, "demo": nu.Demo})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func organOfUser(units map[int64]workflow.Unit, u *User) *int64 {
	if u.UnitID == nil {
		return nil
	}
	return orgPtr(workflow.OrganOf(units, *u.UnitID))
}

// SetRoles grants a person exactly these roles (an audited act of the
// security administrator). Nobody changes their own roles, and 三员分立 holds.
// Errors: forbidden, not_found, validation_failed.
func (db *DB) SetRoles(ctx context.Context, actor workflow.Actor, userID int64, roles []string) (*User, error) {
	role, err := require(actor, workflow.RoleSecadmin)
	if err != nil {
		return nil, err
	}
	var inv workflow.Invalid
	rs := validRoles(roles, &inv)
	if err := inv.Err(); err != nil {
		return nil, err
	}
	if err := workflow.CheckAdminRoles(rs); err != nil {
		return nil, err
	}
	if userID == actor.UserID && !actor.System {
		return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "no_self_grant",
			ZH: "不能变更本人的角色", EN: "nobody changes their own roles"}
	}
	return db.changeUser(ctx, actor, role, userID, "set_roles", func(tx *sqlx.Tx, u *User) (map[string]any, error) {
		before := u.Roles
		u.Roles = joinRoles(rs)
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET roles = ? WHERE id = ?`), u.Roles, u.ID)
		return map[string]any{"user_id": u.ID, "user": u.Name, "roles": rs, "previous": parseRoles(before)}, err
	})
}

// SetUserUnit moves a person to a unit (an audited act of the system
// administrator). Errors: forbidden, not_found, validation_failed.
func (db *DB) SetUserUnit(ctx context.Context, actor workflow.Actor, userID, unitID int64) (*User, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	return db.changeUser(ctx, actor, role, userID, "set_user_unit", func(tx *sqlx.Tx, u *User) (map[string]any, error) {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return nil, err
		}
		if _, ok := units[unitID]; !ok {
			return nil, invalidField("unit_id", "所指单位不存在", "no such unit")
		}
		before := u.UnitID
		u.UnitID = &unitID
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET unit_id = ? WHERE id = ?`), unitID, u.ID)
		return map[string]any{"user_id": u.ID, "user": u.Name, "unit_id": unitID, "previous": before}, err
	})
}

// SetDisabled disables or re-enables a person (an audited act of the
// system administrator). A disabled person's sessions and tokens stop at
// once: every request checks. Errors: forbidden, not_found.
func (db *DB) SetDisabled(ctx context.Context, actor workflow.Actor, userID int64, disabled bool) (*User, error) {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return nil, err
	}
	if disabled && userID == actor.UserID && !actor.System {
		return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "no_self_disable", ZH: "不能停用本人的账号", EN: "you cannot disable your own account"}
	}
	event := "enable_user"
	if disabled {
		event = "disable_user"
	}
	return db.changeUser(ctx, actor, role, userID, event, func(tx *sqlx.Tx, u *User) (map[string]any, error) {
		if disabled {
			at := ts(db.Now())
			u.DisabledAt = &at
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sessions WHERE user_id = ?`), u.ID); err != nil {
				return nil, err
			}
		} else {
			u.DisabledAt = nil
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET disabled_at = ? WHERE id = ?`), u.DisabledAt, u.ID)
		return map[string]any{"user_id": u.ID, "user": u.Name}, err
	})
}

// changeUser runs one audited change of a user in a transaction.
func (db *DB) changeUser(ctx context.Context, actor workflow.Actor, role workflow.Role, userID int64, event string,
	fn func(tx *sqlx.Tx, u *User) (map[string]any, error)) (*User, error) {
	var out *User
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		data, err := fn(tx, u)
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		out = u
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: event,
			OrganID: organOfUser(units, u)}, db.Now(), data)
	})
	return out, err
}

func userByID(ctx context.Context, q sqlx.QueryerContext, id int64) (*User, error) {
	var u User
	err := sqlx.GetContext(ctx, q, &u, sqlx.Rebind(bindOf(q), `SELECT `+userCols+` FROM users u WHERE u.id = ?`), id)
	if isNoRows(err) {
		return nil, notFound("未找到该用户", "no such user")
	}
	return &u, err
}

// UserByID finds a user.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) { return userByID(ctx, db.r, id) }

// UserByName finds a user.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	var u User
	err := db.r.GetContext(ctx, &u, db.r.Rebind(`SELECT `+userCols+` FROM users u WHERE u.name = ?`), name)
	if isNoRows(err) {
		return nil, notFound("未找到用户："+name, "no such user: "+name)
	}
	return &u, err
}

// Users lists every person, for the administrators. Errors: forbidden.
func (db *DB) Users(ctx context.Context, actor workflow.Actor) ([]User, error) {
	if !actor.System && !actor.Has(workflow.RoleSysadmin) && !actor.Has(workflow.RoleSecadmin) && !actor.Has(workflow.RoleAuditor) {
		return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required", ZH: "仅管理员可查看用户列表", EN: "only administrators list users"}
	}
	var us []User
	err := db.r.SelectContext(ctx, &us, `SELECT `+userCols+` FROM users u ORDER BY u.id`)
	return us, err
}
