package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// The settings keys of the configuration that acts depend on.
const (
	keyActivePack    = "active_rule_pack"
	keyConfigVersion = "config_version"
)

// initConfig installs the built-in rule packs and the initial active pack
// into a new database (audited, as the system), then loads the
// configuration. An existing database keeps the pack an administrator chose.
func (db *DB) initConfig(ctx context.Context) error {
	packs := db.opts.Packs
	if len(packs) == 0 && db.opts.Rules.Code != "" {
		packs = []workflow.RulePack{db.opts.Rules}
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		changed := false
		for _, p := range packs {
			var n int
			if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM rule_packs WHERE code = ?`), p.Code); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if err := db.writePack(ctx, tx, p, now); err != nil {
				return err
			}
			if err := db.appendAudit(ctx, tx, &AuditEvent{ActorID: System.UserID, ActorName: System.Name, Role: string(workflow.RoleSystem),
				Event: "install_rule_pack"}, now, p); err != nil {
				return err
			}
			changed = true
		}
		active, err := setting(ctx, tx, keyActivePack)
		if err != nil {
			return err
		}
		if active == "" && db.opts.Rules.Code != "" {
			if err := putSetting(ctx, tx, keyActivePack, db.opts.Rules.Code); err != nil {
				return err
			}
			if err := db.appendAudit(ctx, tx, &AuditEvent{ActorID: System.UserID, ActorName: System.Name, Role: string(workflow.RoleSystem),
				Event: "activate_rule_pack"}, now, map[string]any{"code": db.opts.Rules.Code, "reason": "初始配置 initial configuration"}); err != nil {
				return err
			}
			changed = true
		}
		if changed {
			return db.bumpConfig(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("install configuration: %w", err)
	}
	return db.refreshConfig(ctx, db.w)
}

func setting(ctx context.Context, q sqlx.QueryerContext, key string) (string, error) {
	var v string
	err := sqlx.GetContext(ctx, q, &v, sqlx.Rebind(bindOf(q), `SELECT value FROM settings WHERE key = ?`), key)
	if isNoRows(err) {
		return "", nil
	}
	return v, err
}

func bindOf(q sqlx.QueryerContext) int {
	switch x := q.(type) {
	case *sqlx.Tx:
		return sqlx.BindType(x.DriverName())
	case *sqlx.DB:
		return sqlx.BindType(x.DriverName())
	}
	return sqlx.QUESTION
}

func putSetting(ctx context.Context, tx *sqlx.Tx, key, value string) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM settings WHERE key = ?`), key); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO settings (key, value) VALUES (?, ?)`), key, value)
	return err
}

func (db *DB) bumpConfig(ctx context.Context, tx *sqlx.Tx) error {
	if m := db.memo(tx); m != nil {
		m.configChecked = false // the caches are read again after the change
	}
	v, err := setting(ctx, tx, keyConfigVersion)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(v)
	return putSetting(ctx, tx, keyConfigVersion, strconv.Itoa(n+1))
}

func (db *DB) writePack(ctx context.Context, tx *sqlx.Tx, p workflow.RulePack, now time.Time) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM rule_packs WHERE code = ?`), p.Code); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO rule_packs (code, data, updated_at) VALUES (?, ?, ?)`), p.Code, string(b), ts(now))
	return err
}

// refreshConfig reloads the calendar and the active rule pack when another
// act (possibly on another server) changed them. Inside an act it runs in
// the act's transaction, so every act sees the configuration it commits with.
func (db *DB) refreshConfig(ctx context.Context, q sqlx.QueryerContext) error {
	m := db.memo(q)
	if m != nil && m.configChecked {
		return nil // read earlier in this transaction (txMemo)
	}
	v, err := setting(ctx, q, keyConfigVersion)
	if err != nil {
		return err
	}
	db.mu.RLock()
	same := v == db.configVersion && db.configLoaded
	db.mu.RUnlock()
	if same {
		if m != nil {
			m.configChecked = true
		}
		return nil
	}
	cal := db.opts.Calendar
	var years []struct {
		Data string `db:"data"`
	}
	if err := sqlx.SelectContext(ctx, q, &years, `SELECT data FROM calendar_years ORDER BY year`); err != nil {
		return err
	}
	for _, y := range years {
		var cy workflow.CalendarYear
		if err := json.Unmarshal([]byte(y.Data), &cy); err != nil {
			return fmt.Errorf("stored calendar year: %w", err)
		}
		if cal, err = cal.With(cy); err != nil {
			return fmt.Errorf("stored calendar year %d: %w", cy.Year, err)
		}
	}
	rules := db.opts.Rules
	if code, err := setting(ctx, q, keyActivePack); err != nil {
		return err
	} else if code != "" {
		p, err := loadPack(ctx, q, code)
		if err != nil {
			return err
		}
		rules = *p
	}
	units, err := unitMap(ctx, q)
	if err != nil {
		return err
	}
	db.mu.Lock()
	db.calendar, db.rules, db.configVersion, db.configLoaded, db.unitCache = cal, rules, v, true, units
	db.mu.Unlock()
	return nil
}

// units is the organ directory, cached with the configuration and
// revalidated against its version row (so a unit or organ changed by the
// command line or another instance counts at once). Callers must not
// change the map.
func (db *DB) units(ctx context.Context, q sqlx.QueryerContext) (map[int64]workflow.Unit, error) {
	if err := db.refreshConfig(ctx, q); err != nil {
		return nil, err
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.unitCache, nil
}

func loadPack(ctx context.Context, q sqlx.QueryerContext, code string) (*workflow.RulePack, error) {
	var data string
	err := sqlx.GetContext(ctx, q, &data, sqlx.Rebind(bindOf(q), `SELECT data FROM rule_packs WHERE code = ?`), code)
	if isNoRows(err) {
		return nil, notFound("未找到规则包："+code, "no such rule pack: "+code)
	}
	if err != nil {
		return nil, err
	}
	var p workflow.RulePack
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return nil, fmt.Errorf("stored rule pack %s: %w", code, err)
	}
	return &p, nil
}

// RulePacks lists the stored rule packs by code.
func (db *DB) RulePacks(ctx context.Context) ([]workflow.RulePack, error) {
	var rows []struct {
		Data string `db:"data"`
	}
	if err := db.r.SelectContext(ctx, &rows, `SELECT data FROM rule_packs ORDER BY code`); err != nil {
		return nil, err
	}
	out := make([]workflow.RulePack, 0, len(rows))
	for _, r := range rows {
		var p workflow.RulePack
		if err := json.Unmarshal([]byte(r.Data), &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ActiveRules returns the rule pack in force, as of the database now.
func (db *DB) ActiveRules(ctx context.Context) (workflow.RulePack, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return workflow.RulePack{}, err
	}
	return db.Rules(), nil
}

// CurrentCalendar returns the calendar in force, as of the database now.
func (db *DB) CurrentCalendar(ctx context.Context) (*workflow.Calendar, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return nil, err
	}
	return db.Calendar(), nil
}

func requireReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return workflow.Errorf(workflow.CodeReasonRequired, "变更规则配置须说明理由（reason）", "a reason is required to change the rules (reason)")
	}
	return nil
}

// ActivateRulePack puts a stored pack in force (an audited act of an
// administrator). Errors: forbidden, not_found, reason_required.
func (db *DB) ActivateRulePack(ctx context.Context, actor workflow.Actor, code, reason string) error {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return err
	}
	if err := requireReason(reason); err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := loadPack(ctx, tx, code); err != nil {
			return err
		}
		prev, err := setting(ctx, tx, keyActivePack)
		if err != nil {
			return err
		}
		if err := putSetting(ctx, tx, keyActivePack, code); err != nil {
			return err
		}
		if err := db.bumpConfig(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role),
			Event: "activate_rule_pack"}, db.Now(), map[string]any{"code": code, "previous": prev, "reason": reason})
	})
	if err != nil {
		return err
	}
	return db.refreshConfig(ctx, db.w)
}

// PutRulePack stores a new or changed rule pack (an audited act of an
// administrator); the pack is validated so that the national minimums are
// never weakened. Errors: forbidden, validation_failed, reason_required.
func (db *DB) PutRulePack(ctx context.Context, actor workflow.Actor, p workflow.RulePack, reason string) error {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := requireReason(reason); err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		var before any
		if old, err := loadPack(ctx, tx, p.Code); err == nil {
			before = old
		}
		if err := db.writePack(ctx, tx, p, now); err != nil {
			return err
		}
		if err := db.bumpConfig(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role),
			Event: "update_rule_pack"}, now, map[string]any{"pack": p, "previous": before, "reason": reason})
	})
	if err != nil {
		return err
	}
	return db.refreshConfig(ctx, db.w)
}

// CalendarYearInfo describes a year of the calendar in force.
type CalendarYearInfo struct {
	workflow.CalendarYear
	Loaded bool `json:"loaded_by_admin"`
}

// CalendarYears lists the years of the calendar in force.
func (db *DB) CalendarYears(ctx context.Context) ([]CalendarYearInfo, error) {
	cal, err := db.CurrentCalendar(ctx)
	if err != nil {
		return nil, err
	}
	var loaded []int
	if err := db.r.SelectContext(ctx, &loaded, `SELECT year FROM calendar_years`); err != nil {
		return nil, err
	}
	var out []CalendarYearInfo
	for _, y := range cal.Years() {
		cy, _ := cal.Year(y)
		out = append(out, CalendarYearInfo{CalendarYear: cy, Loaded: containsInt(loaded, y)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// LoadCalendarYear loads or corrects one year of official holidays and
// adjusted workdays (an audited act of an administrator). It overrides the
// built-in data for that year. Errors: forbidden, validation_failed.
func (db *DB) LoadCalendarYear(ctx context.Context, actor workflow.Actor, y workflow.CalendarYear) error {
	role, err := require(actor, workflow.RoleSysadmin)
	if err != nil {
		return err
	}
	if err := y.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(y.Source) == "" {
		var inv workflow.Invalid
		inv.Add("source", "请注明数据来源（如国务院办公厅通知文号）", "name the source (e.g. the State Council notice)")
		return inv.Err()
	}
	b, _ := json.Marshal(y)
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		var before any
		if cy, ok := db.Calendar().Year(y.Year); ok {
			before = cy
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM calendar_years WHERE year = ?`), y.Year); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO calendar_years (year, data, source, loaded_by, loaded_at) VALUES (?, ?, ?, ?, ?)`),
			y.Year, string(b), y.Source, actor.UserID, ts(now)); err != nil {
			return err
		}
		if err := db.bumpConfig(ctx, tx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: string(role),
			Event: "load_calendar_year"}, now, map[string]any{"year": y, "previous": before})
	})
	if err != nil {
		return err
	}
	return db.refreshConfig(ctx, db.w)
}
