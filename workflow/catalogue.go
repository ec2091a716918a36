package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The annual catalogue of major decisions (重大行政决策事项年度目录, Art. 3 ¶3:
// 决策机关可以……确定决策事项目录、标准，经同级党委同意后向社会公布，并根据实际
// 情况调整; QH (九): 推行重大行政决策事项年度目录公开制度).
//
// A catalogue belongs to one organ and one year and is a list of versions.
// Version 1 is the catalogue; every later version is an adjustment (目录调整)
// that adds, removes or changes items, each with its reason. A version runs
// draft → approved (the organ's meeting) → party_consented (经同级党委同意) →
// published; a published version is frozen for ever and stays public beside
// the versions that adjust it. Every act is one event in the same
// {event, expected_version, data} form and the same audit chain as the acts
// on decisions.

// CatalogueState is the state of one catalogue version.
type CatalogueState string

// Catalogue version states.
const (
	CatDraft          CatalogueState = "draft"
	CatApproved       CatalogueState = "approved"
	CatPartyConsented CatalogueState = "party_consented"
	CatPublished      CatalogueState = "published"
)

// CatalogueStates lists the states in order, with labels.
var CatalogueStates = []Label{
	{string(CatDraft), "编制中", "draft"},
	{string(CatApproved), "已经决策机关会议审议通过", "approved by the organ's meeting"},
	{string(CatPartyConsented), "已经同级党委同意", "consented by the Party committee"},
	{string(CatPublished), "已公布", "published"},
}

// CatalogueStateLabel returns the label of a catalogue state.
func CatalogueStateLabel(s CatalogueState) Label {
	for _, l := range CatalogueStates {
		if l.Code == string(s) {
			return l
		}
	}
	return Label{Code: string(s), ZH: string(s), EN: string(s)}
}

// Kinds of catalogue version.
const (
	CatalogueKindCatalogue  = "catalogue"  // version 1: the year's catalogue
	CatalogueKindAdjustment = "adjustment" // a later version: 目录调整
)

// Catalogue events (on one version).
const (
	CatEvAddItem    = "add_item"
	CatEvChangeItem = "change_item"
	CatEvRemoveItem = "remove_item"
	CatEvApprove    = "approve"
	CatEvConsent    = "consent"
	CatEvPublish    = "publish"
)

// CatalogueHeaders are the item columns, in this order and with these
// headers in every export (PROCEDURE.md § The annual catalogue).
var CatalogueHeaders = []string{"序号", "事项名称", "决策机关", "承办单位", "决策依据", "履行程序", "是否听证", "计划完成时间", "完成情况", "备注"}

// Procedures (履行程序) an item lists as performed or required.
const (
	ProcPublicComment      = "public_comment"
	ProcExpertReview       = "expert_review"
	ProcRiskAssessment     = "risk_assessment"
	ProcLegalityReview     = "legality_review"
	ProcCollectiveDecision = "collective_decision"
)

// CatalogueProcedures lists the procedures in their printed order.
var CatalogueProcedures = []Label{
	{ProcPublicComment, "公开征求意见", "public comment"},
	{ProcExpertReview, "专家论证", "expert review"},
	{ProcRiskAssessment, "风险评估", "risk assessment"},
	{ProcLegalityReview, "合法性审查", "legality review"},
	{ProcCollectiveDecision, "集体讨论决定", "collective decision"},
}

// alwaysRequired: every major decision passes legality review (Art. 25) and
// the organ's meeting (Art. 30); an item lists them whatever was sent.
var alwaysRequired = []string{ProcLegalityReview, ProcCollectiveDecision}

func procedureCodes() []string {
	out := make([]string, len(CatalogueProcedures))
	for i, p := range CatalogueProcedures {
		out[i] = p.Code
	}
	return out
}

// NormProcedures returns the procedures in printed order, without
// duplicates, with the ones the law always requires added.
func NormProcedures(ps []string) []string {
	out := []string{}
	for _, p := range CatalogueProcedures {
		if slices.Contains(ps, p.Code) || slices.Contains(alwaysRequired, p.Code) {
			out = append(out, p.Code)
		}
	}
	return out
}

// ProceduresZH prints procedures as 公开征求意见、专家论证…
func ProceduresZH(ps []string) string {
	var zh []string
	for _, p := range CatalogueProcedures {
		if slices.Contains(ps, p.Code) {
			zh = append(zh, p.ZH)
		}
	}
	return strings.Join(zh, "、")
}

// ---- 计划完成时间: a date or a quarter ----

// Planned is an item's planned completion time: a date (2026-06-30) or a
// quarter (2026-Q3).
type Planned struct {
	Year    int
	Quarter int       // 1..4 for a quarter, 0 for a date
	Date    time.Time // for a date
}

var (
	quarterRE   = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	quarterZHRE = regexp.MustCompile(`^(\d{4})年第([1-4一二三四])季度$`)
)

var quarterZH = []string{"", "一", "二", "三", "四"}

// ParsePlanned reads "YYYY-MM-DD", "YYYY-Qn" or "YYYY年第三季度".
func ParsePlanned(s string) (Planned, bool) {
	s = strings.TrimSpace(s)
	if d, err := ParseDate(s); err == nil {
		return Planned{Year: d.Year(), Date: d}, true
	}
	if m := quarterRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		return Planned{Year: y, Quarter: q}, true
	}
	if m := quarterZHRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q := slices.Index(quarterZH, m[2])
		if q < 0 {
			q, _ = strconv.Atoi(m[2])
		}
		return Planned{Year: y, Quarter: q}, true
	}
	return Planned{}, false
}

// String is the canonical form: "2026-06-30" or "2026-Q3".
func (p Planned) String() string {
	if p.Quarter > 0 {
		return fmt.Sprintf("%d-Q%d", p.Year, p.Quarter)
	}
	return FormatDate(p.Date)
}

// ZH prints the planned time as 2026年6月30日 or 2026年第三季度.
func (p Planned) ZH() string {
	if p.Quarter > 0 {
		return fmt.Sprintf("%d年第%s季度", p.Year, quarterZH[p.Quarter])
	}
	return DateZH(p.Date)
}

// Due is the last day of the planned time.
func (p Planned) Due() time.Time {
	if p.Quarter > 0 {
		return time.Date(p.Year, time.Month(p.Quarter*3)+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	}
	return p.Date
}

// DateZH prints a date the Chinese way, without leading zeros: 2026年5月8日.
func DateZH(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// DocNoRE is the form of a document number (发文字号): organ abbreviation +
// 〔year〕 + number + 号, no 第, no leading zeros (GB/T 9704; 西政〔2026〕5号).
var DocNoRE = regexp.MustCompile(`^\p{Han}+〔\d{4}〕[1-9]\d*号$`)

// ---- the catalogue and its items ----

// CatalogueItem is one item as a catalogue version lists it. ItemID is the
// item's identity across versions: a decision links to it.
type CatalogueItem struct {
	ItemID            int64    `json:"item_id"`
	Position          int      `json:"position"`
	Name              string   `json:"name"`
	UndertakingUnitID int64    `json:"undertaking_unit_id"`
	UndertakingUnit   string   `json:"undertaking_unit"`
	Basis             string   `json:"basis"`
	Procedures        []string `json:"procedures"`
	Hearing           bool     `json:"hearing"`
	Planned           string   `json:"planned"`
	Note              string   `json:"note"`
	// Change is what an adjustment did to the item: added, changed or
	// removed ("" when it is listed unchanged), with its reason.
	Change       string `json:"change,omitempty"`
	ChangeReason string `json:"change_reason,omitempty"`
	ProposedBy   *int64 `json:"proposed_by,omitempty"`
}

// Item changes of an adjustment.
const (
	ChangeAdded   = "added"
	ChangeChanged = "changed"
	ChangeRemoved = "removed"
)

// Listed reports whether the item is in the version (not removed by it).
func (it CatalogueItem) Listed() bool { return it.Change != ChangeRemoved }

// PlannedTime parses the stored planned time.
func (it CatalogueItem) PlannedTime() Planned { p, _ := ParsePlanned(it.Planned); return p }

// CatalogueVersion is one version of an organ's catalogue of a year.
type CatalogueVersion struct {
	ID          int64          `json:"id"`
	CatalogueID int64          `json:"catalogue_id"`
	OrganID     int64          `json:"organ_id"`
	OrganName   string         `json:"organ"`
	Year        int            `json:"year"`
	No          int            `json:"no"`
	Kind        string         `json:"kind"`
	State       CatalogueState `json:"state"`
	Version     int64          `json:"version"`
	BasedOn     *int64         `json:"based_on"`
	// Approval (held_on, meeting_ref, meeting_type), Consent (consented_on,
	// doc_no) and Publication (published_on, doc_no, channels) are the
	// data of the acts that moved the version.
	Approval      map[string]any  `json:"approval"`
	Consent       map[string]any  `json:"consent"`
	Publication   map[string]any  `json:"publication"`
	PublishedAt   *time.Time      `json:"published_at"`
	Anchor        *Anchor         `json:"anchor"`
	ContentSHA256 string          `json:"content_sha256,omitempty"`
	Items         []CatalogueItem `json:"items"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Anchor is the head of the audit chain at the moment a version was
// published: the publish event's seq and full lowercase hex hash. The
// publish event's data holds the SHA-256 of the version's content, so the
// anchor vouches for the content.
type Anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Title is the version's title as printed.
func (v CatalogueVersion) Title() string {
	t := fmt.Sprintf("%s%d年度重大行政决策事项目录", v.OrganName, v.Year)
	if v.No > 1 {
		t += fmt.Sprintf("（第%d版）", v.No)
	}
	return t
}

// TitleEN is the English title.
func (v CatalogueVersion) TitleEN() string {
	t := fmt.Sprintf("Catalogue of major decisions %d — %s", v.Year, v.OrganName)
	if v.No > 1 {
		t += fmt.Sprintf(" (version %d)", v.No)
	}
	return t
}

// NoticeTitle is the title of an adjustment notice (目录调整公告).
func (v CatalogueVersion) NoticeTitle() string {
	return fmt.Sprintf("关于调整%s%d年度重大行政决策事项目录的公告", v.OrganName, v.Year)
}

// Listed returns the items the version lists (not the ones it removed).
func (v CatalogueVersion) Listed() []CatalogueItem {
	out := []CatalogueItem{}
	for _, it := range v.Items {
		if it.Listed() {
			out = append(out, it)
		}
	}
	return out
}

// Changes returns the items an adjustment added, changed or removed.
func (v CatalogueVersion) Changes() []CatalogueItem {
	out := []CatalogueItem{}
	for _, it := range v.Items {
		if it.Change != "" {
			out = append(out, it)
		}
	}
	return out
}

// Item returns the version's entry of an item.
func (v CatalogueVersion) Item(itemID int64) (CatalogueItem, bool) {
	for _, it := range v.Items {
		if it.ItemID == itemID {
			return it, true
		}
	}
	return CatalogueItem{}, false
}

// CatalogueContentHash is the SHA-256 (lowercase hex) of a version's
// content: its items in order, every stored column but the unit's name
// (names of units may change; their ids do not).
func CatalogueContentHash(items []CatalogueItem) string {
	type row struct {
		ItemID            int64    `json:"item_id"`
		Position          int      `json:"position"`
		Name              string   `json:"name"`
		UndertakingUnitID int64    `json:"undertaking_unit_id"`
		Basis             string   `json:"basis"`
		Procedures        []string `json:"procedures"`
		Hearing           bool     `json:"hearing"`
		Planned           string   `json:"planned"`
		Note              string   `json:"note"`
		Change            string   `json:"change"`
		ChangeReason      string   `json:"change_reason"`
	}
	rows := make([]row, len(items))
	for i, it := range items {
		rows[i] = row{it.ItemID, it.Position, it.Name, it.UndertakingUnitID, it.Basis, it.Procedures, it.Hearing, it.Planned, it.Note, it.Change, it.ChangeReason}
		if rows[i].Procedures == nil {
			rows[i].Procedures = []string{}
		}
	}
	b, _ := json.Marshal(rows)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ---- who sees a catalogue ----

// CanViewCatalogue: the people of the organ (every business role whose unit
// belongs to it) see its catalogues in every state; units propose items, the
// office compiles. The three administrators see none (三员分立). Published
// versions are public to everyone through the public pages.
func CanViewCatalogue(a Actor, organID int64, units map[int64]Unit) bool {
	if a.System {
		return true
	}
	business := false
	for _, r := range a.Roles {
		business = business || contains(BusinessRoles, r)
	}
	return business && organID != 0 && OrganOf(units, a.UnitID) == organID
}

// CanReadCatalogueReport: the plan-against-actual report is the office's
// and the leaders' of the organ.
func CanReadCatalogueReport(a Actor, organID int64, units map[int64]Unit) bool {
	if a.System {
		return true
	}
	return (a.Has(RoleOffice) || a.Has(RoleLeader)) && OrganOf(units, a.UnitID) == organID
}

// CheckCatalogueCreate: only the organ's office opens a catalogue or an
// adjustment of it. Errors: forbidden.
func CheckCatalogueCreate(a Actor, organID int64, units map[int64]Unit) error {
	if a.System {
		return nil
	}
	if !a.Has(RoleOffice) {
		return &Error{Code: CodeForbidden, ZH: "仅决策机关办公厅（室）可编制或调整决策事项目录",
			EN: "only the organ's general office compiles or adjusts the catalogue"}
	}
	if OrganOf(units, a.UnitID) != organID {
		return &Error{Code: CodeForbidden, Rule: "unit_not_organ", ZH: "您不属于该决策机关，不能编制其决策事项目录",
			EN: "you do not belong to this organ and may not compile its catalogue"}
	}
	return nil
}

// ValidCatalogueYear reports whether a catalogue of year may be opened
// today: from 2000 to next year.
func ValidCatalogueYear(year int, today time.Time) error {
	if year < 2000 || year > today.Year()+1 {
		return dataErr("year", fmt.Sprintf("年度应在2000年至%d年之间", today.Year()+1),
			fmt.Sprintf("year must be between 2000 and %d", today.Year()+1))
	}
	return nil
}

// ---- the catalogue's events ----

// CatalogueEventDef describes one act on a catalogue version.
type CatalogueEventDef struct {
	Name    string           `json:"event"`
	From    []CatalogueState `json:"from"`
	To      CatalogueState   `json:"to"` // empty: the state does not change
	Roles   []Role           `json:"roles"`
	ZH      string           `json:"zh"`
	EN      string           `json:"en"`
	Article string           `json:"article,omitempty"`
	Fields  []Field          `json:"-"`
}

func itemFields(required bool) []Field {
	return []Field{
		{Name: "name", Kind: KText, Required: required},
		{Name: "undertaking_unit_id", Kind: KID, Required: required},
		{Name: "basis", Kind: KText, Required: required},
		{Name: "procedures", Kind: KEnums, Enum: procedureCodes()},
		{Name: "hearing", Kind: KBool, Required: required},
		{Name: "planned", Kind: KText, Required: required},
		{Name: "note", Kind: KString},
		{Name: "reason", Kind: KString},
	}
}

var catEdit = []Role{RoleOffice, RoleUndertaking}

// CatalogueEvents is the catalogue's event table.
var CatalogueEvents = []CatalogueEventDef{
	{Name: CatEvAddItem, From: []CatalogueState{CatDraft}, Roles: catEdit, ZH: "列入事项", EN: "add an item", Article: "Art. 3 ¶3",
		Fields: itemFields(true)},
	{Name: CatEvChangeItem, From: []CatalogueState{CatDraft}, Roles: catEdit, ZH: "修改事项", EN: "change an item", Article: "Art. 3 ¶3",
		Fields: append([]Field{{Name: "item_id", Kind: KID, Required: true}}, itemFields(false)...)},
	{Name: CatEvRemoveItem, From: []CatalogueState{CatDraft}, Roles: catEdit, ZH: "调出事项", EN: "remove an item", Article: "Art. 3 ¶3",
		Fields: []Field{{Name: "item_id", Kind: KID, Required: true}, {Name: "reason", Kind: KString}}},
	{Name: CatEvApprove, From: []CatalogueState{CatDraft}, To: CatApproved, Roles: []Role{RoleOffice}, ZH: "决策机关会议审议通过", EN: "approve (the organ's meeting)", Article: "Art. 3 ¶3",
		Fields: []Field{{Name: "held_on", Kind: KDate, Required: true}, {Name: "meeting_ref", Kind: KText, Required: true},
			{Name: "meeting_type", Kind: KEnum, Enum: MeetingTypes}}},
	{Name: CatEvConsent, From: []CatalogueState{CatApproved}, To: CatPartyConsented, Roles: []Role{RoleOffice}, ZH: "经同级党委同意", EN: "record the Party committee's consent", Article: "Art. 3 ¶3",
		Fields: []Field{{Name: "consented_on", Kind: KDate, Required: true}, {Name: "doc_no", Kind: KText, Required: true}}},
	// publish is allowed from draft and approved only to refuse it with the
	// rule's own code (party_consent_required), not a bare invalid_transition.
	{Name: CatEvPublish, From: []CatalogueState{CatDraft, CatApproved, CatPartyConsented}, To: CatPublished, Roles: []Role{RoleOffice}, ZH: "向社会公布", EN: "publish", Article: "Art. 3 ¶3; QH (九)",
		Fields: []Field{{Name: "published_on", Kind: KDate, Required: true}, {Name: "doc_no", Kind: KText, Required: true},
			{Name: "channels", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
				{Name: "kind", Kind: KEnum, Required: true, Enum: []string{"gazette", "website", "newspaper", "new_media"}},
				{Name: "ref", Kind: KText, Required: true}}}}},
}

// CatalogueEvent returns one catalogue event definition.
func CatalogueEvent(name string) (CatalogueEventDef, bool) {
	for _, e := range CatalogueEvents {
		if e.Name == name {
			return e, true
		}
	}
	return CatalogueEventDef{}, false
}

// CatalogueFacts is what the rules of one act on a catalogue version look
// at; the store loads it inside the act's transaction.
type CatalogueFacts struct {
	Version CatalogueVersion // with its items
	Units   map[int64]Unit
	Now     time.Time
}

// Today is the date of Now in China.
func (f *CatalogueFacts) Today() time.Time { return DateOf(f.Now) }

// CatalogueOutcome is what an allowed act does, for the store to persist.
type CatalogueOutcome struct {
	Event string
	From  CatalogueState
	To    CatalogueState
	Role  Role
	Data  map[string]any
	// Item is the entry to insert (add_item, ItemID 0) or to write in
	// place of the old one (change_item, remove_item in an adjustment).
	Item *CatalogueItem
	// DeleteItemID is an entry to delete (an item removed from a draft
	// where it was added, so no version ever listed it).
	DeleteItemID int64
	// Stage is the data kept on the version (approval, consent,
	// publication) for approve, consent and publish.
	Stage map[string]any
}

// CatalogueAvailable lists the events the actor may fire on a version in
// state s (by role and state; the rules are checked when the act is tried).
func CatalogueAvailable(s CatalogueState, a Actor) []string {
	out := []string{}
	for _, e := range CatalogueEvents {
		if !contains(e.From, s) || (e.Name == CatEvPublish && s != CatPartyConsented) {
			continue
		}
		for _, r := range a.Roles {
			if contains(e.Roles, r) {
				out = append(out, e.Name)
				break
			}
		}
	}
	return out
}

// FireCatalogue checks and performs one act on a catalogue version:
//
//	validation_failed      unknown event, malformed or missing data, a unit
//	                       or item that does not exist
//	forbidden              no role may fire it, or not for this organ/unit
//	invalid_transition     the event is not allowed in the state (a
//	                       published version is frozen)
//	party_consent_required publish before the Party committee's consent
//	catalogue_items_required, catalogue_adjustment_empty, reason_required
func FireCatalogue(f *CatalogueFacts, a Act) (*CatalogueOutcome, error) {
	def, ok := CatalogueEvent(a.Event)
	if !ok {
		return nil, dataErr("event", "未知的目录操作："+a.Event, "unknown catalogue event: "+a.Event)
	}
	role, err := catalogueRole(def, f, a)
	if err != nil {
		return nil, err
	}
	v := f.Version
	if !contains(def.From, v.State) {
		return nil, catalogueFrozen(def, v.State)
	}
	data := make(map[string]any, len(a.Data))
	for k, x := range a.Data {
		data[k] = x
	}
	a.Data = data
	// Every field is known: the item columns are exact, 完成情况 is derived
	// (never typed), and what the approval, consent and publication record
	// is published as it stands.
	var inv Invalid
	for k := range data {
		if !fieldNamed(def.Fields, k) {
			if k == "completion" || k == "完成情况" || k == "status" {
				inv.Add(k, "完成情况由关联决策的状态生成，不能填写", "the completion is derived from the linked decision's state and is never typed")
			} else {
				inv.Add(k, "未知字段", "unknown field")
			}
		}
	}
	ValidateFields(data, def.Fields, "", &inv)
	if err := inv.Err(); err != nil {
		return nil, err
	}
	out := &CatalogueOutcome{Event: def.Name, From: v.State, To: v.State, Role: role, Data: data}
	if def.To != "" {
		out.To = def.To
	}
	switch def.Name {
	case CatEvAddItem:
		err = addItem(f, a, out)
	case CatEvChangeItem:
		err = changeItem(f, a, out)
	case CatEvRemoveItem:
		err = removeItem(f, a, out)
	case CatEvApprove:
		err = approveCatalogue(f, a, out)
	case CatEvConsent:
		err = consentCatalogue(f, a, out)
	case CatEvPublish:
		err = publishCatalogue(f, a, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fieldNamed(fs []Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// catalogueRole: the office of the version's organ does everything; a unit
// of the organ (undertaking staff) proposes, changes and removes its own
// items while the version is a draft.
func catalogueRole(def CatalogueEventDef, f *CatalogueFacts, a Act) (Role, error) {
	organ := f.Version.OrganID
	var refusal error
	for _, r := range a.Actor.Roles {
		if !contains(def.Roles, r) {
			continue
		}
		if OrganOf(f.Units, a.Actor.UnitID) != organ {
			refusal = sodError("unit_not_organ", "", "您不属于该目录的决策机关，不能办理此事项", "you do not belong to this catalogue's organ")
			continue
		}
		if r == RoleUndertaking {
			if err := ownItem(def, f, a); err != nil {
				refusal = err
				continue
			}
		}
		return r, nil
	}
	if a.Actor.System {
		return RoleSystem, nil
	}
	if refusal != nil {
		return "", refusal
	}
	return "", &Error{Code: CodeForbidden,
		ZH: "您的角色无权办理「" + def.ZH + "」，该操作仅限：" + joinRoles(def.Roles, true),
		EN: "your roles may not perform " + def.Name + " on a catalogue; allowed: " + joinRoles(def.Roles, false)}
}

// ownItem: a unit proposes items it undertakes itself and changes only
// those.
func ownItem(def CatalogueEventDef, f *CatalogueFacts, a Act) error {
	me := a.Actor.UnitID
	deny := sodError("unit_not_undertaking", "", "承办单位只能提出、修改本单位承办的目录事项", "a unit proposes and changes only the items it undertakes")
	if n := id(a.Data, "undertaking_unit_id"); n != 0 && n != me {
		return deny
	}
	if def.Name == CatEvAddItem {
		return nil
	}
	if it, ok := f.Version.Item(id(a.Data, "item_id")); ok && it.UndertakingUnitID != me {
		return deny
	}
	return nil
}

func catalogueFrozen(def CatalogueEventDef, s CatalogueState) error {
	l := CatalogueStateLabel(s)
	e := &Error{Code: CodeInvalidTransition, Rule: "catalogue_frozen",
		ZH: "目录当前为「" + l.ZH + "」，不能办理「" + def.ZH + "」",
		EN: "the catalogue version is " + string(s) + "; " + def.Name + " is not allowed"}
	switch {
	case s == CatPublished:
		e.Article = "Art. 3 ¶3"
		e.ZH = "已公布的目录版本不能修改；如需调整，请新建目录调整版本（经会议审议、党委同意后公布调整公告）"
		e.EN = "a published catalogue version is frozen; to change it, open an adjustment (a new version approved, consented and published in turn)"
	case def.Name == CatEvConsent:
		e.ZH += "：须先经决策机关会议审议通过"
		e.EN += ": the organ's meeting approves first"
	}
	return e
}

func itemFrom(f *CatalogueFacts, m map[string]any, base CatalogueItem) (CatalogueItem, error) {
	it := base
	var inv Invalid
	if _, ok := m["name"]; ok {
		it.Name = str(m, "name")
		if len([]rune(it.Name)) > 200 {
			inv.Add("name", "事项名称不超过200字", "the name must be at most 200 characters")
		}
	}
	if _, ok := m["undertaking_unit_id"]; ok {
		u, ok := f.Units[id(m, "undertaking_unit_id")]
		if !ok || u.Kind != "unit" || OrganOf(f.Units, u.ID) != f.Version.OrganID {
			inv.Add("undertaking_unit_id", "所指承办单位不存在或不属于本决策机关", "no such unit of this organ")
		} else {
			it.UndertakingUnitID, it.UndertakingUnit = u.ID, u.Name
		}
	}
	if _, ok := m["basis"]; ok {
		it.Basis = str(m, "basis")
	}
	if _, ok := m["procedures"]; ok || it.Procedures == nil {
		it.Procedures = NormProcedures(texts(m, "procedures"))
	}
	if _, ok := m["hearing"]; ok {
		it.Hearing = boolean(m, "hearing")
	}
	if _, ok := m["planned"]; ok {
		p, ok := ParsePlanned(str(m, "planned"))
		switch {
		case !ok:
			inv.Add("planned", "计划完成时间应为日期（YYYY-MM-DD）或季度（如 2026-Q3、2026年第三季度）",
				"the planned time must be a date (YYYY-MM-DD) or a quarter (e.g. 2026-Q3)")
		case p.Year < f.Version.Year || p.Year > f.Version.Year+10:
			inv.Add("planned", fmt.Sprintf("计划完成时间应在%d年至%d年之间", f.Version.Year, f.Version.Year+10),
				fmt.Sprintf("the planned time must fall between %d and %d", f.Version.Year, f.Version.Year+10))
		default:
			it.Planned = p.String()
		}
	}
	if _, ok := m["note"]; ok {
		it.Note = str(m, "note")
	}
	if err := inv.Err(); err != nil {
		return it, err
	}
	for _, other := range f.Version.Items {
		if other.ItemID != it.ItemID && other.Listed() && normName(other.Name) == normName(it.Name) {
			return it, dataErr("name", "目录中已有同名事项「"+other.Name+"」", "the catalogue already lists an item named "+other.Name)
		}
	}
	return it, nil
}

// adjustmentReason: Art. 3 ¶3 — 根据实际情况调整: each change an adjustment
// makes states its reason.
func adjustmentReason(f *CatalogueFacts, a Act) error {
	if f.Version.Kind == CatalogueKindAdjustment && str(a.Data, "reason") == "" {
		return RuleError(CodeReasonRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录根据实际情况调整；调整目录的每一项增加、调出或修改都须说明理由（reason）",
			"Art. 3 ¶3: each item an adjustment adds, removes or changes needs its reason (reason)")
	}
	return nil
}

func addItem(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	if err := adjustmentReason(f, a); err != nil {
		return err
	}
	it, err := itemFrom(f, a.Data, CatalogueItem{})
	if err != nil {
		return err
	}
	pos := 0
	for _, x := range f.Version.Items {
		pos = max(pos, x.Position)
	}
	it.Position = pos + 1
	if f.Version.Kind == CatalogueKindAdjustment {
		it.Change, it.ChangeReason = ChangeAdded, str(a.Data, "reason")
	}
	if a.Actor.Has(RoleUndertaking) && !a.Actor.Has(RoleOffice) {
		uid := a.Actor.UserID
		it.ProposedBy = &uid
	}
	o.Item = &it
	o.Data["procedures"] = it.Procedures
	o.Data["planned"] = it.Planned
	return nil
}

func listedItem(f *CatalogueFacts, a Act) (CatalogueItem, error) {
	it, ok := f.Version.Item(id(a.Data, "item_id"))
	if !ok || !it.Listed() {
		return it, dataErr("item_id", "本版目录中没有该事项", "this catalogue version lists no such item")
	}
	return it, nil
}

func changeItem(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	if err := adjustmentReason(f, a); err != nil {
		return err
	}
	old, err := listedItem(f, a)
	if err != nil {
		return err
	}
	it, err := itemFrom(f, a.Data, old)
	if err != nil {
		return err
	}
	if f.Version.Kind == CatalogueKindAdjustment && old.Change != ChangeAdded {
		it.Change, it.ChangeReason = ChangeChanged, str(a.Data, "reason")
	} else if old.Change == ChangeAdded {
		it.ChangeReason = old.ChangeReason
		if r := str(a.Data, "reason"); r != "" {
			it.ChangeReason = r
		}
	}
	o.Item = &it
	o.Data["item"] = it.Name
	return nil
}

func removeItem(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	if err := adjustmentReason(f, a); err != nil {
		return err
	}
	it, err := listedItem(f, a)
	if err != nil {
		return err
	}
	o.Data["item"] = it.Name
	if f.Version.Kind != CatalogueKindAdjustment || it.Change == ChangeAdded {
		// Never listed in a published version: the draft simply drops it.
		o.DeleteItemID = it.ItemID
		return nil
	}
	it.Change, it.ChangeReason = ChangeRemoved, str(a.Data, "reason")
	o.Item = &it
	return nil
}

func catalogueNotFuture(f *CatalogueFacts, field string, d time.Time, zh, en string) error {
	if d.After(f.Today()) {
		return dataErr(field, zh+"不能晚于今天（"+FormatDate(f.Today())+"）", en+" cannot be after today ("+FormatDate(f.Today())+")")
	}
	return nil
}

func approveCatalogue(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	v := f.Version
	if len(v.Listed()) == 0 {
		return RuleError(CodeCatalogueItemsRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录须列明决策事项；本版目录尚无事项，不能提请审议",
			"Art. 3 ¶3: the catalogue lists no item yet; there is nothing for the meeting to approve")
	}
	if v.Kind == CatalogueKindAdjustment && len(v.Changes()) == 0 {
		return RuleError(CodeCatalogueAdjustmentEmpty, "Art. 3 ¶3",
			"目录调整须至少增加、调出或修改一个事项；本调整版本与上一版相同",
			"an adjustment must add, remove or change at least one item; this version is the same as the one before")
	}
	if err := catalogueNotFuture(f, "held_on", date(a.Data, "held_on"), "会议日期", "the meeting date"); err != nil {
		return err
	}
	o.Stage = a.Data
	return nil
}

func consentCatalogue(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	on := date(a.Data, "consented_on")
	if err := catalogueNotFuture(f, "consented_on", on, "党委同意日期", "the consent date"); err != nil {
		return err
	}
	if held := date(f.Version.Approval, "held_on"); !held.IsZero() && on.Before(held) {
		return dataErr("consented_on", "党委同意日期不能早于会议审议日期"+FormatDate(held), "the consent cannot precede the meeting of "+FormatDate(held))
	}
	o.Stage = a.Data
	return nil
}

// publishCatalogue: Art. 3 ¶3 — 经同级党委同意后向社会公布. Publication comes
// after the Party committee's consent, and is not dated before it.
func publishCatalogue(f *CatalogueFacts, a Act, o *CatalogueOutcome) error {
	v := f.Version
	if v.State != CatPartyConsented {
		return RuleError(CodePartyConsentRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录经同级党委同意后向社会公布；本版目录尚未登记党委同意（当前为「"+CatalogueStateLabel(v.State).ZH+"」）",
			"Art. 3 ¶3: the catalogue is published after the Party committee at the same level consents; no consent is recorded for this version (it is "+string(v.State)+")")
	}
	on := date(a.Data, "published_on")
	if err := catalogueNotFuture(f, "published_on", on, "公布日期", "the publication date"); err != nil {
		return err
	}
	if c := date(v.Consent, "consented_on"); !c.IsZero() && on.Before(c) {
		return RuleError(CodePartyConsentRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录经同级党委同意后向社会公布；公布日期"+FormatDate(on)+"早于党委同意日期"+FormatDate(c),
			"Art. 3 ¶3: the catalogue is published after the Party committee's consent; the publication date "+FormatDate(on)+" precedes the consent of "+FormatDate(c))
	}
	if !DocNoRE.MatchString(str(a.Data, "doc_no")) {
		return dataErr("doc_no", "文号格式应为机关代字〔年份〕序号号，如 西政〔2026〕5号（六角括号，无“第”，序号无前导零）",
			"the document number must read like 西政〔2026〕5号 (organ abbreviation, 〔year〕, number without leading zeros, 号)")
	}
	o.Stage = a.Data
	return nil
}

// Catalogue codes (docs/rules.md).
const (
	CodePartyConsentRequired     = "party_consent_required"
	CodeCatalogueItemsRequired   = "catalogue_items_required"
	CodeCatalogueAdjustmentEmpty = "catalogue_adjustment_empty"
)
