package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// The annual catalogue (重大行政决策事项年度目录, Art. 3 ¶3; QH (九)): its
// versions and items, the acts on them (each one audit event in the same
// chain as the acts on decisions, with optimistic versioning per catalogue
// version), the facts a decision's acts need about its item, and the year
// review. The rules live in workflow (FireCatalogue, DeriveCompletion).

// CatalogueResult is a catalogue version after an act.
type CatalogueResult struct {
	Version  workflow.CatalogueVersion `json:"catalogue"`
	AuditSeq int64                     `json:"audit_seq"`
}

type catalogueVersionRow struct {
	ID            int64   `db:"id"`
	CatalogueID   int64   `db:"catalogue_id"`
	OrganID       int64   `db:"organ_id"`
	OrganName     string  `db:"organ_name"`
	Year          int     `db:"year"`
	No            int     `db:"no"`
	Kind          string  `db:"kind"`
	State         string  `db:"state"`
	Version       int64   `db:"version"`
	BasedOn       *int64  `db:"based_on"`
	Approval      string  `db:"approval"`
	Consent       string  `db:"consent"`
	Publication   string  `db:"publication"`
	PublishedAt   *string `db:"published_at"`
	AnchorSeq     *int64  `db:"anchor_seq"`
	AnchorHash    *string `db:"anchor_hash"`
	ContentSHA256 string  `db:"content_sha256"`
	CreatedAt     string  `db:"created_at"`
	UpdatedAt     string  `db:"updated_at"`
}

const catalogueVersionSelect = `SELECT v.id, v.catalogue_id, c.organ_id, u.name AS organ_name, c.year, v.no, v.kind, v.state, v.version, v.based_on,
	v.approval, v.consent, v.publication, v.published_at, v.anchor_seq, v.anchor_hash, v.content_sha256, v.created_at, v.updated_at
	FROM catalogue_versions v JOIN catalogues c ON c.id = v.catalogue_id JOIN units u ON u.id = c.organ_id`

func jsonObject(s string) map[string]any {
	m, err := workflow.DecodeData([]byte(s))
	if err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

func (r *catalogueVersionRow) version() workflow.CatalogueVersion {
	v := workflow.CatalogueVersion{ID: r.ID, CatalogueID: r.CatalogueID, OrganID: r.OrganID, OrganName: r.OrganName, Year: r.Year, No: r.No,
		Kind: r.Kind, State: workflow.CatalogueState(r.State), Version: r.Version, BasedOn: r.BasedOn,
		Approval: jsonObject(r.Approval), Consent: jsonObject(r.Consent), Publication: jsonObject(r.Publication),
		ContentSHA256: r.ContentSHA256, CreatedAt: parseTS(r.CreatedAt), UpdatedAt: parseTS(r.UpdatedAt), Items: []workflow.CatalogueItem{}}
	if r.PublishedAt != nil {
		t := parseTS(*r.PublishedAt)
		v.PublishedAt = &t
	}
	if r.AnchorSeq != nil && r.AnchorHash != nil {
		v.Anchor = &workflow.Anchor{Seq: *r.AnchorSeq, Hash: *r.AnchorHash}
	}
	return v
}

type catalogueEntryRow struct {
	VersionID         int64  `db:"version_id"`
	ItemID            int64  `db:"item_id"`
	Position          int    `db:"position"`
	Name              string `db:"name"`
	UndertakingUnitID int64  `db:"undertaking_unit_id"`
	UndertakingUnit   string `db:"undertaking_unit"`
	Basis             string `db:"basis"`
	Procedures        string `db:"procedures"`
	Hearing           bool   `db:"hearing"`
	Planned           string `db:"planned"`
	Note              string `db:"note"`
	Change            string `db:"change"`
	ChangeReason      string `db:"change_reason"`
	ProposedBy        *int64 `db:"proposed_by"`
}

const catalogueEntrySelect = `SELECT e.version_id, e.item_id, e.position, e.name, e.undertaking_unit_id, u.name AS undertaking_unit, e.basis,
	e.procedures, e.hearing, e.planned, e.note, e.change, e.change_reason, e.proposed_by
	FROM catalogue_entries e JOIN units u ON u.id = e.undertaking_unit_id`

func (r *catalogueEntryRow) item() workflow.CatalogueItem {
	it := workflow.CatalogueItem{ItemID: r.ItemID, Position: r.Position, Name: r.Name, UndertakingUnitID: r.UndertakingUnitID,
		UndertakingUnit: r.UndertakingUnit, Basis: r.Basis, Hearing: r.Hearing, Planned: r.Planned, Note: r.Note,
		Change: r.Change, ChangeReason: r.ChangeReason, ProposedBy: r.ProposedBy}
	_ = json.Unmarshal([]byte(r.Procedures), &it.Procedures)
	if it.Procedures == nil {
		it.Procedures = []string{}
	}
	return it
}

// loadCatalogueVersion reads one version with its items (not_found when
// there is none).
func (db *DB) loadCatalogueVersion(ctx context.Context, q sqlx.QueryerContext, id int64) (*workflow.CatalogueVersion, error) {
	var row catalogueVersionRow
	err := sqlx.GetContext(ctx, q, &row, db.w.Rebind(catalogueVersionSelect+` WHERE v.id = ?`), id)
	if isNoRows(err) {
		return nil, errNoCatalogue
	}
	if err != nil {
		return nil, fmt.Errorf("load catalogue version: %w", err)
	}
	v := row.version()
	if v.Items, err = db.catalogueEntries(ctx, q, id); err != nil {
		return nil, err
	}
	return &v, nil
}

func (db *DB) catalogueEntries(ctx context.Context, q sqlx.QueryerContext, versionID int64) ([]workflow.CatalogueItem, error) {
	var rows []catalogueEntryRow
	if err := sqlx.SelectContext(ctx, q, &rows, db.w.Rebind(catalogueEntrySelect+` WHERE e.version_id = ? ORDER BY e.position, e.item_id`), versionID); err != nil {
		return nil, fmt.Errorf("load catalogue items: %w", err)
	}
	out := make([]workflow.CatalogueItem, len(rows))
	for i := range rows {
		out[i] = rows[i].item()
	}
	return out, nil
}

var errNoCatalogue = workflow.Errorf(workflow.CodeNotFound, "未找到该决策事项目录", "catalogue not found")

// catalogueAudit appends one catalogue act to the audit chain. The engine's
// keys (which version, which organ and year) sit beside the act's own data,
// which is kept whole under "data".
func (db *DB) catalogueAudit(ctx context.Context, tx *sqlx.Tx, v *workflow.CatalogueVersion, actor workflow.Actor, role workflow.Role,
	event string, from, to workflow.CatalogueState, now time.Time, extra map[string]any) (*AuditEvent, error) {
	data := map[string]any{"catalogue_version_id": v.ID, "catalogue_id": v.CatalogueID, "organ_id": v.OrganID, "year": v.Year, "no": v.No, "kind": v.Kind}
	for k, x := range extra {
		data[k] = x
	}
	organ := v.OrganID
	ev := &AuditEvent{OrganID: &organ, ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "catalogue_" + event,
		From: string(from), To: string(to), Version: v.Version}
	if err := db.appendAudit(ctx, tx, ev, now, data); err != nil {
		return nil, err
	}
	return ev, nil
}

// CreateCatalogueVersion opens the organ's catalogue of a year: version 1
// when there is none, otherwise an adjustment (the next version, a draft
// listing the items of the published version it adjusts). Only one version
// is open at a time. The office of the organ does it.
//
// Errors: validation_failed (organ_id, year), forbidden, invalid_transition
// (an unpublished version is open).
func (db *DB) CreateCatalogueVersion(ctx context.Context, actor workflow.Actor, organID int64, year int) (*CatalogueResult, error) {
	var res CatalogueResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		if u, ok := units[organID]; !ok || u.Kind != "organ" {
			return httpInvalid("organ_id", "所指决策机关不存在", "no such organ")
		}
		if err := workflow.CheckCatalogueCreate(actor, organID, units); err != nil {
			return err
		}
		now := db.Now()
		if err := workflow.ValidCatalogueYear(year, workflow.DateOf(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogues (organ_id, year, created_at) VALUES (?, ?, ?) ON CONFLICT (organ_id, year) DO NOTHING`),
			organID, year, ts(now)); err != nil {
			return fmt.Errorf("create catalogue: %w", err)
		}
		var catID int64
		if err := tx.GetContext(ctx, &catID, tx.Rebind(`SELECT id FROM catalogues WHERE organ_id = ? AND year = ?`+db.d.forUpdate), organID, year); err != nil {
			return err
		}
		var latest catalogueVersionRow
		err = tx.GetContext(ctx, &latest, tx.Rebind(catalogueVersionSelect+` WHERE v.catalogue_id = ? ORDER BY v.no DESC LIMIT 1`), catID)
		kind, no, role := workflow.CatalogueKindCatalogue, 1, roleOf(actor, workflow.RoleOffice)
		var basedOn *int64
		switch {
		case isNoRows(err):
		case err != nil:
			return err
		case latest.State != string(workflow.CatPublished):
			return &workflow.Error{Code: workflow.CodeInvalidTransition, Rule: "catalogue_version_open",
				ZH: fmt.Sprintf("%d年度目录已有尚未公布的第%d版（%s），请先完成该版本", year, latest.No, workflow.CatalogueStateLabel(workflow.CatalogueState(latest.State)).ZH),
				EN: fmt.Sprintf("version %d of the %d catalogue is not yet published (%s); finish it first", latest.No, year, latest.State)}
		default:
			kind, no, basedOn = workflow.CatalogueKindAdjustment, latest.No+1, &latest.ID
		}
		var id int64
		if err := tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO catalogue_versions (catalogue_id, no, kind, state, version, based_on, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'draft', 1, ?, ?, ?, ?) RETURNING id`), catID, no, kind, basedOn, actor.UserID, ts(now), ts(now)); err != nil {
			return fmt.Errorf("create catalogue version: %w", err)
		}
		if basedOn != nil {
			// The adjustment starts from the items in force, unchanged.
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogue_entries (version_id, item_id, position, name, undertaking_unit_id, basis,
				procedures, hearing, planned, note, change, change_reason, proposed_by)
				SELECT ?, item_id, position, name, undertaking_unit_id, basis, procedures, hearing, planned, note, '', '', proposed_by
				FROM catalogue_entries WHERE version_id = ? AND change <> 'removed'`), id, *basedOn); err != nil {
				return fmt.Errorf("copy catalogue items: %w", err)
			}
		}
		v, err := db.loadCatalogueVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		event := "create"
		if kind == workflow.CatalogueKindAdjustment {
			event = "open_adjustment"
		}
		ev, err := db.catalogueAudit(ctx, tx, v, actor, role, event, "", workflow.CatDraft, now, map[string]any{"based_on": basedOn, "items": len(v.Items)})
		if err != nil {
			return err
		}
		res = CatalogueResult{Version: *v, AuditSeq: ev.Seq}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func roleOf(a workflow.Actor, want workflow.Role) workflow.Role {
	if a.System {
		return workflow.RoleSystem
	}
	return want
}

func httpInvalid(field, zh, en string) error {
	var v workflow.Invalid
	v.Add(field, zh, en)
	return v.Err()
}

// ApplyCatalogue performs one act on a catalogue version (add_item,
// change_item, remove_item, approve, consent, publish) in one transaction:
// lock the version, check expected_version, fire the act
// (workflow.FireCatalogue), write the items and the version, and append the
// audit event. Publishing records the anchor: the publish event's seq and
// hash, whose data holds the SHA-256 of the version's content.
//
// Errors: forbidden (checked first), not_found, version_conflict, and the
// codes of workflow.FireCatalogue.
func (db *DB) ApplyCatalogue(ctx context.Context, versionID int64, act workflow.Act, expected int64) (*CatalogueResult, error) {
	var res CatalogueResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := checkCatalogueRole(act); err != nil {
			return err
		}
		var locked int64
		err := tx.GetContext(ctx, &locked, tx.Rebind(`SELECT version FROM catalogue_versions WHERE id = ?`+db.d.forUpdate), versionID)
		if isNoRows(err) {
			return errNoCatalogue
		}
		if err != nil {
			return err
		}
		v, err := db.loadCatalogueVersion(ctx, tx, versionID)
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		if !workflow.CanViewCatalogue(act.Actor, v.OrganID, units) {
			return errNoCatalogue
		}
		if v.Version != expected {
			return &workflow.Error{Code: workflow.CodeVersionConflict,
				ZH: fmt.Sprintf("该目录版本已被他人更新（当前版本%d，您提交的版本%d），请刷新后重试", v.Version, expected),
				EN: fmt.Sprintf("the catalogue version has changed (current version %d, you sent %d); reload and try again", v.Version, expected)}
		}
		now := db.Now()
		out, err := workflow.FireCatalogue(&workflow.CatalogueFacts{Version: *v, Units: units, Now: now}, act)
		if err != nil {
			return err
		}
		extra := map[string]any{"data": out.Data}
		if err := db.writeCatalogueItems(ctx, tx, v, out, extra); err != nil {
			return err
		}
		if out.Stage != nil {
			col := map[string]string{workflow.CatEvApprove: "approval", workflow.CatEvConsent: "consent", workflow.CatEvPublish: "publication"}[out.Event]
			b, _ := json.Marshal(out.Stage)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE catalogue_versions SET `+col+` = ? WHERE id = ?`), string(b), v.ID); err != nil {
				return fmt.Errorf("record %s: %w", out.Event, err)
			}
		}
		v.Version++
		var contentHash string
		if out.To == workflow.CatPublished {
			items, err := db.catalogueEntries(ctx, tx, v.ID)
			if err != nil {
				return err
			}
			contentHash = workflow.CatalogueContentHash(items)
			extra["content_sha256"] = contentHash
		}
		ev, err := db.catalogueAudit(ctx, tx, v, act.Actor, out.Role, out.Event, out.From, out.To, now, extra)
		if err != nil {
			return err
		}
		q := `UPDATE catalogue_versions SET state = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`
		args := []any{string(out.To), v.Version, ts(now), v.ID, expected}
		if out.To == workflow.CatPublished {
			// The anchor: the chain's head at the moment of publication is
			// the publish event itself.
			q = `UPDATE catalogue_versions SET state = ?, version = ?, updated_at = ?, published_at = ?, anchor_seq = ?, anchor_hash = ?, content_sha256 = ?
				WHERE id = ? AND version = ?`
			args = []any{string(out.To), v.Version, ts(now), ts(now), ev.Seq, ev.Hash, contentHash, v.ID, expected}
		}
		r, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
		if err != nil {
			return fmt.Errorf("update catalogue version: %w", err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return workflow.Errorf(workflow.CodeVersionConflict, "该目录版本已被他人更新，请刷新后重试", "the catalogue version has changed; reload and try again")
		}
		after, err := db.loadCatalogueVersion(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		res = CatalogueResult{Version: *after, AuditSeq: ev.Seq}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res.Version.State == workflow.CatPublished && act.Event == workflow.CatEvPublish {
		// Each publication is checkpointed, as a decision's is.
		if _, err := db.Checkpoint(context.WithoutCancel(ctx), "publish_catalogue"); err != nil {
			slog.Error("checkpoint after catalogue publication", "version", versionID, "err", err)
		}
	}
	return &res, nil
}

// checkCatalogueRole: 403 when none of the actor's roles may fire the
// catalogue event at all, before the catalogue is looked at.
func checkCatalogueRole(act workflow.Act) error {
	def, ok := workflow.CatalogueEvent(act.Event)
	if !ok {
		return httpInvalid("event", "未知的目录操作："+act.Event, "unknown catalogue event: "+act.Event)
	}
	if act.Actor.System {
		return nil
	}
	for _, r := range act.Actor.Roles {
		for _, x := range def.Roles {
			if r == x {
				return nil
			}
		}
	}
	return &workflow.Error{Code: workflow.CodeForbidden, ZH: "您的角色无权办理「" + def.ZH + "」", EN: "your roles may not perform " + def.Name + " on a catalogue"}
}

// writeCatalogueItems persists what an item act did.
func (db *DB) writeCatalogueItems(ctx context.Context, tx *sqlx.Tx, v *workflow.CatalogueVersion, out *workflow.CatalogueOutcome, extra map[string]any) error {
	if out.DeleteItemID != 0 {
		extra["item_id"] = out.DeleteItemID
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM catalogue_entries WHERE version_id = ? AND item_id = ?`), v.ID, out.DeleteItemID)
		return err
	}
	it := out.Item
	if it == nil {
		return nil
	}
	procs, _ := json.Marshal(it.Procedures)
	if it.ItemID == 0 {
		if err := tx.GetContext(ctx, &it.ItemID, tx.Rebind(`INSERT INTO catalogue_items (catalogue_id, created_in) VALUES (?, ?) RETURNING id`), v.CatalogueID, v.ID); err != nil {
			return fmt.Errorf("create catalogue item: %w", err)
		}
		extra["item_id"] = it.ItemID
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogue_entries (version_id, item_id, position, name, undertaking_unit_id, basis, procedures,
			hearing, planned, note, change, change_reason, proposed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			v.ID, it.ItemID, it.Position, it.Name, it.UndertakingUnitID, it.Basis, string(procs), it.Hearing, it.Planned, it.Note, it.Change, it.ChangeReason, it.ProposedBy)
		if err != nil {
			return fmt.Errorf("add catalogue item: %w", err)
		}
		return nil
	}
	extra["item_id"] = it.ItemID
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE catalogue_entries SET name = ?, undertaking_unit_id = ?, basis = ?, procedures = ?, hearing = ?,
		planned = ?, note = ?, change = ?, change_reason = ? WHERE version_id = ? AND item_id = ?`),
		it.Name, it.UndertakingUnitID, it.Basis, string(procs), it.Hearing, it.Planned, it.Note, it.Change, it.ChangeReason, v.ID, it.ItemID)
	if err != nil {
		return fmt.Errorf("change catalogue item: %w", err)
	}
	return nil
}

// CatalogueVersion returns one version with its items, for a person who may
// see the organ's catalogues (not_found otherwise).
func (db *DB) CatalogueVersion(ctx context.Context, actor workflow.Actor, id int64) (*workflow.CatalogueVersion, error) {
	v, err := db.loadCatalogueVersion(ctx, db.r, id)
	if err != nil {
		return nil, err
	}
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, err
	}
	if !workflow.CanViewCatalogue(actor, v.OrganID, units) {
		return nil, errNoCatalogue
	}
	return v, nil
}

// CatalogueFilter selects catalogue versions; nil fields are not filtered on.
type CatalogueFilter struct {
	OrganID *int64
	Year    *int
}

// CatalogueVersions lists the versions (without items) of the catalogues the
// actor may see: their organ's, every state; newest year first.
func (db *DB) CatalogueVersions(ctx context.Context, actor workflow.Actor, f CatalogueFilter) ([]workflow.CatalogueVersion, error) {
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, err
	}
	where, args := []string{"1=1"}, []any{}
	if !actor.System {
		organ := workflow.OrganOf(units, actor.UnitID)
		if !workflow.CanViewCatalogue(actor, organ, units) {
			return []workflow.CatalogueVersion{}, nil
		}
		where, args = append(where, "c.organ_id = ?"), append(args, organ)
	}
	if f.OrganID != nil {
		where, args = append(where, "c.organ_id = ?"), append(args, *f.OrganID)
	}
	if f.Year != nil {
		where, args = append(where, "c.year = ?"), append(args, *f.Year)
	}
	return db.versionList(ctx, strings.Join(where, " AND "), args)
}

func (db *DB) versionList(ctx context.Context, where string, args []any) ([]workflow.CatalogueVersion, error) {
	var rows []catalogueVersionRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(catalogueVersionSelect+` WHERE `+where+` ORDER BY c.year DESC, c.organ_id, v.no`), args...); err != nil {
		return nil, err
	}
	out := make([]workflow.CatalogueVersion, len(rows))
	for i := range rows {
		out[i] = rows[i].version()
	}
	return out, nil
}

// PublishedCatalogues lists every published version of every organ (without
// items): what the public sees. Newest year first.
func (db *DB) PublishedCatalogues(ctx context.Context) ([]workflow.CatalogueVersion, error) {
	return db.versionList(ctx, "v.state = 'published'", nil)
}

// PublishedCatalogue returns a published version of the organ's catalogue of
// a year with its items: version no, or the current one (the latest
// published) when no is 0. Anything unpublished is not_found.
func (db *DB) PublishedCatalogue(ctx context.Context, organID int64, year, no int) (*workflow.CatalogueVersion, error) {
	q := catalogueVersionSelect + ` WHERE c.organ_id = ? AND c.year = ? AND v.state = 'published'`
	args := []any{organID, year}
	if no > 0 {
		q, args = q+` AND v.no = ?`, append(args, no)
	}
	var row catalogueVersionRow
	err := db.r.GetContext(ctx, &row, db.r.Rebind(q+` ORDER BY v.no DESC LIMIT 1`), args...)
	if isNoRows(err) {
		return nil, errNoCatalogue
	}
	if err != nil {
		return nil, err
	}
	v := row.version()
	if v.Items, err = db.catalogueEntries(ctx, db.r, v.ID); err != nil {
		return nil, err
	}
	return &v, nil
}

// TopOrgan is the top-level organ: the first organ with no parent (the
// public pages show its catalogue when no organ is named).
func (db *DB) TopOrgan(ctx context.Context) (*workflow.Unit, error) {
	var u workflow.Unit
	err := db.r.GetContext(ctx, &u, `SELECT `+unitCols+` FROM units WHERE kind = 'organ' AND parent_id IS NULL ORDER BY id LIMIT 1`)
	if isNoRows(err) {
		return nil, notFound("尚无决策机关", "no organ yet")
	}
	return &u, err
}

// ChainHeadTime is the audit chain's head: its seq and time (0 and zero
// time on an empty chain). Every change of what the public pages show
// appends an event, so the head's seq versions every page.
func (db *DB) ChainHeadTime(ctx context.Context) (int64, time.Time, error) {
	var head struct {
		Seq int64  `db:"seq"`
		At  string `db:"at"`
	}
	err := db.r.GetContext(ctx, &head, `SELECT seq, at FROM audit_events ORDER BY seq DESC LIMIT 1`)
	if isNoRows(err) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	return head.Seq, parseTS(head.At), nil
}

// ---- what a decision's acts know about its item ----

type itemEntryRow struct {
	catalogueEntryRow
	OrganID     int64  `db:"organ_id"`
	Year        int    `db:"year"`
	No          int    `db:"no"`
	State       string `db:"state"`
	Publication string `db:"publication"`
	LatestNo    int    `db:"latest_no"`
}

// catalogueItemFacts loads the facts of the named items (nil ids are
// skipped); an item with no entry in any version is not in the map.
func (db *DB) catalogueItemFacts(ctx context.Context, q sqlx.QueryerContext, ids ...*int64) (map[int64]*workflow.CatalogueItemFacts, error) {
	out := map[int64]*workflow.CatalogueItemFacts{}
	for _, p := range ids {
		if p == nil || out[*p] != nil {
			continue
		}
		var rows []itemEntryRow
		err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), `SELECT e.version_id, e.item_id, e.position, e.name, e.undertaking_unit_id, '' AS undertaking_unit,
			e.basis, e.procedures, e.hearing, e.planned, e.note, e.change, e.change_reason, e.proposed_by,
			c.organ_id, c.year, v.no, v.state, v.publication,
			(SELECT MAX(lv.no) FROM catalogue_versions lv WHERE lv.catalogue_id = c.id) AS latest_no
			FROM catalogue_entries e JOIN catalogue_versions v ON v.id = e.version_id JOIN catalogues c ON c.id = v.catalogue_id
			WHERE e.item_id = ? ORDER BY v.no`), *p)
		if err != nil {
			return nil, fmt.Errorf("load catalogue item: %w", err)
		}
		if len(rows) == 0 {
			continue
		}
		last := rows[len(rows)-1]
		it := last.item()
		f := &workflow.CatalogueItemFacts{ItemID: *p, OrganID: last.OrganID, Year: last.Year, Name: it.Name, Hearing: it.Hearing, Procedures: it.Procedures,
			Removed: last.No != last.LatestNo || it.Change == workflow.ChangeRemoved}
		for _, r := range rows {
			if r.State != string(workflow.CatPublished) {
				continue
			}
			f.Published = true
			if r.Change == workflow.ChangeRemoved && f.Removal == nil {
				pub := jsonObject(r.Publication)
				doc, _ := pub["doc_no"].(string)
				on, _ := pub["published_on"].(string)
				f.Removal = &workflow.CatalogueRemoval{VersionID: r.VersionID, VersionNo: r.No, DocNo: doc, Reason: r.ChangeReason, PublishedOn: on}
			}
		}
		out[*p] = f
	}
	return out, nil
}

// linkCatalogueItem checks a new decision's catalogue item and raises its
// flags to the item's requirements (workflow.LinkCatalogueItem); the flags
// it set are kept in the audited data under catalogue_requirements.
// The engine owns that key: a client's value is dropped.
func (db *DB) linkCatalogueItem(ctx context.Context, tx *sqlx.Tx, d *workflow.Decision, data map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		out[k] = v
	}
	delete(out, "catalogue_requirements")
	if d.CatalogueItemID == nil {
		return out, nil
	}
	items, err := db.catalogueItemFacts(ctx, tx, d.CatalogueItemID)
	if err != nil {
		return nil, err
	}
	set, err := workflow.LinkCatalogueItem(&d.Flags, d.OrganID, items[*d.CatalogueItemID])
	if err != nil {
		return nil, err
	}
	out["catalogue_requirements"] = set
	return out, nil
}

// actCatalogueItem adds the facts of the item an act names (amend_flags'
// catalogue_item_id) to the facts of the decision's own item.
func (db *DB) actCatalogueItem(ctx context.Context, q sqlx.QueryerContext, f *workflow.Facts, act workflow.Act) error {
	n, ok := act.Data["catalogue_item_id"]
	if !ok {
		return nil
	}
	var id int64
	switch x := n.(type) {
	case json.Number:
		id, _ = x.Int64()
	case float64:
		id = int64(x)
	}
	if id <= 0 {
		return nil
	}
	more, err := db.catalogueItemFacts(ctx, q, &id)
	if err != nil {
		return err
	}
	if f.CatalogueItems == nil {
		f.CatalogueItems = map[int64]*workflow.CatalogueItemFacts{}
	}
	for k, v := range more {
		f.CatalogueItems[k] = v
	}
	return nil
}

// ---- the year in review ----

// CatalogueReport is the office's plan-against-actual report of an organ's
// year (office and leaders of the organ). Errors: forbidden, not_found (no
// published catalogue of that year).
func (db *DB) CatalogueReport(ctx context.Context, actor workflow.Actor, organID int64, year int) (*workflow.PlanReport, error) {
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, err
	}
	if !workflow.CanReadCatalogueReport(actor, organID, units) {
		return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "catalogue_report",
			ZH: "目录执行情况报告仅限本决策机关的办公厅（室）和领导查阅", EN: "the plan-against-actual report is for the organ's office and leaders"}
	}
	return db.YearReport(ctx, organID, year)
}

// YearReport derives the year review of an organ's catalogue from the
// published versions and the decisions' states: every item ever published
// that year, with its 完成情况, and the organ's decisions of the year that
// no item lists. not_found when no version of that year is published.
func (db *DB) YearReport(ctx context.Context, organID int64, year int) (*workflow.PlanReport, error) {
	var rows []catalogueVersionRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(catalogueVersionSelect+` WHERE c.organ_id = ? AND c.year = ? AND v.state = 'published' ORDER BY v.no`),
		organID, year); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNoCatalogue
	}
	type entry struct {
		item    workflow.CatalogueItem
		removal *workflow.CatalogueRemoval
	}
	byItem := map[int64]*entry{}
	var order []int64
	for i := range rows {
		v := rows[i].version()
		items, err := db.catalogueEntries(ctx, db.r, v.ID)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			e := byItem[it.ItemID]
			if e == nil {
				e = &entry{}
				byItem[it.ItemID] = e
				order = append(order, it.ItemID)
			}
			if e.removal != nil {
				continue
			}
			e.item = it
			if it.Change == workflow.ChangeRemoved {
				doc, _ := v.Publication["doc_no"].(string)
				on, _ := v.Publication["published_on"].(string)
				e.removal = &workflow.CatalogueRemoval{VersionID: v.ID, VersionNo: v.No, DocNo: doc, Reason: it.ChangeReason, PublishedOn: on}
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return byItem[order[i]].item.Position < byItem[order[j]].item.Position })
	in := "0" // no item id is 0
	if len(order) > 0 {
		in = marks(len(order))
	}
	linked, err := db.yearDecisions(ctx, `d.catalogue_item_id IN (`+in+`)`, int64sAny(order))
	if err != nil {
		return nil, err
	}
	// The organ's decisions proposed in the year (China time) that no item
	// of this catalogue lists; proposals declined at once are left out.
	start := time.Date(year, 1, 1, 0, 0, 0, 0, workflow.ChinaTime)
	args := append([]any{organID, ts(start), ts(start.AddDate(1, 0, 0))}, int64sAny(order)...)
	unlisted, err := db.yearDecisions(ctx, `d.organ_id = ? AND d.created_at >= ? AND d.created_at < ? AND d.state <> 'not_launched'
		AND (d.catalogue_item_id IS NULL OR d.catalogue_item_id NOT IN (`+in+`))`, args)
	if err != nil {
		return nil, err
	}
	byLink := map[int64][]workflow.CatalogueDecision{}
	for _, d := range linked {
		byLink[*d.ItemID] = append(byLink[*d.ItemID], d)
	}
	items := make([]workflow.YearItem, len(order))
	for i, id := range order {
		items[i] = workflow.YearItem{Item: byItem[id].item, Removal: byItem[id].removal, Decisions: byLink[id]}
	}
	r := workflow.BuildPlanReport(items, unlisted, workflow.DateOf(db.Now()))
	last := rows[len(rows)-1].version()
	r.OrganID, r.OrganName, r.Year, r.VersionNo, r.Anchor = organID, last.OrganName, year, last.No, last.Anchor
	if _, at, err := db.ChainHeadTime(ctx); err == nil {
		r.AsOf = at
	}
	return &r, nil
}

func int64sAny(xs []int64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// yearDecisions lists decisions matching cond with their first publication
// date and whether their own page is public.
func (db *DB) yearDecisions(ctx context.Context, cond string, args []any) ([]workflow.CatalogueDecision, error) {
	var rows []decisionRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+prefixCols("d.", decisionCols)+` FROM decisions d WHERE `+cond+` ORDER BY d.id`), args...); err != nil {
		return nil, err
	}
	out := make([]workflow.CatalogueDecision, 0, len(rows))
	for i := range rows {
		d := rows[i].decision()
		cd := workflow.CatalogueDecision{ID: d.ID, Title: d.Title, State: d.State, ItemID: d.CatalogueItemID, CreatedAt: d.CreatedAt}
		var pub []string
		if err := db.r.SelectContext(ctx, &pub, db.r.Rebind(`SELECT data FROM records WHERE decision_id = ? AND event = ? ORDER BY id DESC LIMIT 1`), d.ID, workflow.EvPublish); err != nil {
			return nil, err
		}
		if len(pub) > 0 {
			rec := &workflow.Record{Event: workflow.EvPublish, Data: json.RawMessage(pub[0])}
			cd.PublishedOn = workflow.PublishedOn(rec)
			cd.Public = workflow.PubliclyVisible(d, rec)
		}
		out = append(out, cd)
	}
	return out, nil
}
