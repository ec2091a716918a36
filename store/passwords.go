package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2
// passes, 1 lane — a sign-in costs a few tens of milliseconds and little
// memory) and stored in the PHC string format, so the parameters can change
// without invalidating old hashes.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the PHC string of an argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword compares pw with a PHC argon2id hash in constant time.
func checkPassword(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when the user does not exist, so that a
// sign-in takes the same time whether or not the name is known.
// Made on first need, not at start: it costs argon2id's memory.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("decisiond-no-such-user")
	return h
})

// CheckPasswordPolicy: at least 8 characters of at least three classes
// (upper case, lower case, digits, other), not containing the user name
// (等保 2.0: 口令应有复杂度要求). The messages never repeat the password.
func CheckPasswordPolicy(pw, userName string) error {
	var upper, lower, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsControl(r):
			return invalidField("password", "口令不能含控制字符", "the password must not contain control characters")
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	switch {
	case len([]rune(pw)) < 8:
		return invalidField("password", "口令至少8位", "the password needs at least 8 characters")
	case len(pw) > 256:
		return invalidField("password", "口令不超过256字节", "the password is at most 256 bytes")
	case classes < 3:
		return invalidField("password", "口令须包含大写字母、小写字母、数字、其他符号中的至少三类", "the password needs three of: upper case, lower case, digits, other characters")
	case userName != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(userName)):
		return invalidField("password", "口令不能包含用户名", "the password must not contain the user name")
	}
	return nil
}

// SetPassword sets a person's password (an audited act; the password never
// enters the audit data). The system administrator sets and resets anyone's
// password; a person changes their own with ChangePassword. A temporary
// password must be changed at the next sign-in. Setting a password also
// clears a lockout. Errors: forbidden, not_found, validation_failed.
func (db *DB) SetPassword(ctx context.Context, actor workflow.Actor, userID int64, pw string, temporary bool) error {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return err
	}
	u, err := db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := CheckPasswordPolicy(pw, u.Name); err != nil {
		return err
	}
	return db.storePassword(ctx, actor, role, u, pw, temporary, "set_password")
}

// ChangePassword: a person changes their own password, giving the old one.
// Errors: unauthenticated (wrong old password), validation_failed.
func (db *DB) ChangePassword(ctx context.Context, actor workflow.Actor, oldPW, newPW string) error {
	u, err := db.UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if !checkPassword(u.PasswordHash, oldPW) {
		return invalidField("old_password", "原口令不正确", "the current password is wrong")
	}
	if oldPW == newPW {
		return invalidField("password", "新口令不能与原口令相同", "the new password must differ from the current one")
	}
	if err := CheckPasswordPolicy(newPW, u.Name); err != nil {
		return err
	}
	return db.storePassword(ctx, actor, "self", u, newPW, false, "change_password")
}

func (db *DB) storePassword(ctx context.Context, actor workflow.Actor, role workflow.Role, u *User, pw string, temporary bool, event string) error {
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET password_hash = ?, password_set_at = ?, password_temporary = ?,
			failed_logins = 0, locked_until = NULL WHERE id = ?`), h, ts(now), temporary, u.ID); err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: event,
			OrganID: organOfUser(units, u)}, now, map[string]any{"user_id": u.ID, "user": u.Name, "temporary": temporary, "address": actor.Addr})
	})
}

// AuthPolicy is the sign-in policy of a deployment (等保 2.0 level 3).
type AuthPolicy struct {
	MaxFailures    int           // failed attempts before the account locks (5)
	LockFor        time.Duration // how long a lock lasts (15 min)
	PasswordMaxAge time.Duration // a password older than this must be changed; 0: never
	SessionIdle    time.Duration // a session ends after this long unused (30 min)
	SessionMax     time.Duration // and after this long in any case (12 h)
	AllowDemo      bool          // demo passwords and tokens work (serve --demo)
}

// DefaultAuthPolicy is the policy unless configured otherwise.
var DefaultAuthPolicy = AuthPolicy{MaxFailures: 5, LockFor: 15 * time.Minute, PasswordMaxAge: 90 * 24 * time.Hour,
	SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour}

// SignInResult is a successful sign-in.
type SignInResult struct {
	User      *User
	SessionID string // the cookie value; only its hash is stored
	// MustChangePassword: the password is temporary or older than the
	// policy allows; the pages ask for a new one before anything else.
	MustChangePassword bool
	ExpiresAt          time.Time
}

var errSignIn = workflow.Errorf(workflow.CodeUnauthenticated, "用户名或口令不正确", "wrong user name or password")

// ErrAccountLocked is the refusal while an account is locked.
func errLocked(until time.Time) error {
	return &workflow.Error{Code: workflow.CodeUnauthenticated, Rule: "account_locked",
		ZH: "连续登录失败次数过多，账号已锁定，请于" + until.In(workflow.ChinaTime).Format("15:04") + "后再试或联系安全管理员解锁",
		EN: "too many failed sign-ins; the account is locked until " + until.In(workflow.ChinaTime).Format("15:04") + " (China time) or until the security administrator unlocks it"}
}

// SignIn checks a name and password and opens a session. Every outcome is
// a security event in the audit chain: success, failure, and the lock that
// the MaxFailures-th consecutive failure sets (等保 安全审计). While locked, even
// the right password is refused. Errors: unauthenticated.
func (db *DB) SignIn(ctx context.Context, p AuthPolicy, name, pw, addr string) (*SignInResult, error) {
	now := db.Now()
	u, err := db.UserByName(ctx, name)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		checkPassword(dummyHash(), pw)
		db.securityEvent(ctx, nil, "sign_in_failed", map[string]any{"name": clip(name, 64), "reason": "unknown_user", "address": addr})
		return nil, errSignIn
	}
	if err != nil {
		return nil, err
	}
	if u.LockedUntil != nil && parseTS(*u.LockedUntil).After(now) {
		db.securityEvent(ctx, u, "sign_in_failed", map[string]any{"name": u.Name, "reason": "locked", "address": addr})
		return nil, errLocked(parseTS(*u.LockedUntil))
	}
	ok := u.PasswordHash != "" && checkPassword(u.PasswordHash, pw)
	reason := ""
	switch {
	case !ok:
		reason = "wrong_password"
	case u.Disabled():
		reason = "disabled"
	case u.Demo && !p.AllowDemo:
		reason = "demo_off"
	}
	if reason != "" {
		return nil, db.signInFailed(ctx, p, u, reason, addr)
	}
	sid, err := newSecret("")
	if err != nil {
		return nil, err
	}
	res := &SignInResult{User: u, SessionID: sid, ExpiresAt: now.Add(p.SessionMax),
		MustChangePassword: u.PasswordTemporary || (p.PasswordMaxAge > 0 && u.PasswordSetAt != nil && now.Sub(parseTS(*u.PasswordSetAt)) > p.PasswordMaxAge)}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, address, demo)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), hashSecret(sid), u.ID, ts(now), ts(now), ts(res.ExpiresAt), clip(addr, 64), u.Demo); err != nil {
			return err
		}
		return db.appendSecurity(ctx, tx, u, "sign_in", map[string]any{"user_id": u.ID, "name": u.Name, "address": addr,
			"must_change_password": res.MustChangePassword})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// signInFailed counts a failure and locks the account at the limit.
func (db *DB) signInFailed(ctx context.Context, p AuthPolicy, u *User, reason, addr string) error {
	var lockedUntil time.Time
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT failed_logins FROM users WHERE id = ?`), u.ID); err != nil {
			return err
		}
		n++
		var until *string
		if p.MaxFailures > 0 && n >= p.MaxFailures {
			lockedUntil = now.Add(p.LockFor)
			s := ts(lockedUntil)
			until, n = &s, 0
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET failed_logins = ?, locked_until = COALESCE(?, locked_until) WHERE id = ?`), n, until, u.ID); err != nil {
			return err
		}
		if err := db.appendSecurity(ctx, tx, u, "sign_in_failed", map[string]any{"user_id": u.ID, "name": u.Name, "reason": reason, "address": addr}); err != nil {
			return err
		}
		if until != nil {
			return db.appendSecurity(ctx, tx, u, "account_locked", map[string]any{"user_id": u.ID, "name": u.Name, "until": *until,
				"failures": p.MaxFailures, "address": addr})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !lockedUntil.IsZero() {
		return errLocked(lockedUntil)
	}
	return errSignIn
}

// Unlock lifts a lockout (an audited act of the security administrator).
// Errors: forbidden, not_found.
func (db *DB) Unlock(ctx context.Context, actor workflow.Actor, userID int64) (*User, error) {
	role, err := require(actor, workflow.RoleSecadmin)
	if err != nil {
		return nil, err
	}
	return db.changeUser(ctx, actor, role, userID, "unlock_account", func(tx *sqlx.Tx, u *User) (map[string]any, error) {
		u.LockedUntil, u.FailedLogins = nil, 0
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`), u.ID)
		return map[string]any{"user_id": u.ID, "user": u.Name, "address": actor.Addr}, err
	})
}

// Session resolves a session cookie to its user, ending sessions that are
// idle too long, past their absolute limit, of a disabled person, or demo
// sessions while demo credentials are off; a live session's last use is
// brought forward. Errors: unauthenticated.
func (db *DB) Session(ctx context.Context, p AuthPolicy, sid string) (*User, error) {
	if sid == "" {
		return nil, errBadCredentials
	}
	var row struct {
		User
		LastSeen  string `db:"last_seen_at"`
		ExpiresAt string `db:"s_expires_at"`
		SDemo     bool   `db:"s_demo"`
	}
	h := hashSecret(sid)
	err := db.r.GetContext(ctx, &row, db.r.Rebind(`SELECT `+userCols+`, s.last_seen_at, s.expires_at AS s_expires_at, s.demo AS s_demo
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`), h)
	if isNoRows(err) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := db.Now()
	if row.Disabled() || (row.SDemo && !p.AllowDemo) || !parseTS(row.ExpiresAt).After(now) || now.Sub(parseTS(row.LastSeen)) > p.SessionIdle {
		_ = db.tx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sessions WHERE id_hash = ?`), h)
			return err
		})
		return nil, errBadCredentials
	}
	// Touch at most once a minute: a page view is not a write each time.
	if now.Sub(parseTS(row.LastSeen)) > time.Minute {
		_ = db.tx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`), ts(now), h)
			return err
		})
	}
	return &row.User, nil
}

// SessionExpiry tells when a session will end if unused (for the
// timeout warning), or the zero time when it does not exist.
func (db *DB) SessionExpiry(ctx context.Context, p AuthPolicy, sid string) time.Time {
	var row struct {
		LastSeen  string `db:"last_seen_at"`
		ExpiresAt string `db:"expires_at"`
	}
	if err := db.r.GetContext(ctx, &row, db.r.Rebind(`SELECT last_seen_at, expires_at FROM sessions WHERE id_hash = ?`), hashSecret(sid)); err != nil {
		return time.Time{}
	}
	idle := parseTS(row.LastSeen).Add(p.SessionIdle)
	if abs := parseTS(row.ExpiresAt); abs.Before(idle) {
		return abs
	}
	return idle
}

// SignOut ends a session (a security event).
func (db *DB) SignOut(ctx context.Context, sid, addr string) error {
	var uid int64
	err := db.r.GetContext(ctx, &uid, db.r.Rebind(`SELECT user_id FROM sessions WHERE id_hash = ?`), hashSecret(sid))
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	u, err := db.UserByID(ctx, uid)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sessions WHERE id_hash = ?`), hashSecret(sid)); err != nil {
			return err
		}
		return db.appendSecurity(ctx, tx, u, "sign_out", map[string]any{"user_id": u.ID, "name": u.Name, "address": addr})
	})
}

// appendSecurity appends a security event about u, done by u.
func (db *DB) appendSecurity(ctx context.Context, tx *sqlx.Tx, u *User, event string, data map[string]any) error {
	units, err := unitMap(ctx, tx)
	if err != nil {
		return err
	}
	return db.appendAudit(ctx, tx, &AuditEvent{ActorID: u.ID, ActorName: u.DisplayName, Role: "self", Event: event,
		OrganID: organOfUser(units, u)}, db.Now(), data)
}

// securityEvent appends a security event in a transaction of its own; u
// may be nil (an unknown user name). A failure is logged by the caller's
// refusal only: the refusal stands either way.
func (db *DB) securityEvent(ctx context.Context, u *User, event string, data map[string]any) {
	_ = db.tx(ctx, func(tx *sqlx.Tx) error {
		if u == nil {
			return db.appendAudit(ctx, tx, &AuditEvent{ActorID: 0, ActorName: "匿名 anonymous", Role: "anonymous", Event: event}, db.Now(), data)
		}
		return db.appendSecurity(ctx, tx, u, event, data)
	})
}

// RecordRefusal appends a security event for a state-changing request
// refused with 403 (等保 安全审计: who, when, from which address, what).
func (db *DB) RecordRefusal(ctx context.Context, actor workflow.Actor, method, route string, decisionID *int64, code, rule string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var organ *int64
		if decisionID != nil {
			var o int64
			if err := tx.GetContext(ctx, &o, tx.Rebind(`SELECT organ_id FROM decisions WHERE id = ?`), *decisionID); err == nil {
				organ = &o
			}
		}
		if organ == nil {
			units, err := unitMap(ctx, tx)
			if err != nil {
				return err
			}
			organ = orgPtr(workflow.OrganOf(units, actor.UnitID))
		}
		role := "anonymous"
		if len(actor.Roles) > 0 {
			role = string(actor.Roles[0])
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: role, Event: "request_refused",
			DecisionID: nil, OrganID: organ}, db.Now(),
			map[string]any{"method": method, "route": route, "decision_id": decisionID, "code": code, "rule": rule, "address": actor.Addr})
	})
}

// RecordExport appends a security event for a signed-in export.
func (db *DB) RecordExport(ctx context.Context, actor workflow.Actor, what string, filter map[string]any, rows int) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		role := ""
		if len(actor.Roles) > 0 {
			role = string(actor.Roles[0])
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: role, Event: "export",
			OrganID: orgPtr(workflow.OrganOf(units, actor.UnitID))}, db.Now(),
			map[string]any{"what": what, "filter": filter, "rows": rows, "address": actor.Addr})
	})
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
