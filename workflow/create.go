package workflow

import "fmt"

// CreateRoles may record a new decision proposal (Art. 10: proposals come
// from leaders, departments and the public through the office).
var CreateRoles = []Role{RoleOffice, RoleUndertaking, RoleLeader}

// CreateFields are the fields of a new decision's data (POST /api/v1/decisions).
var CreateFields = append([]Field{
	{Name: "title", Kind: KText, Required: true},
	{Name: "organ_id", Kind: KID, Required: true},
	{Name: "undertaking_unit_id", Kind: KID},
}, FlagFields...)

// NewDecision checks a creation request and returns the decision to store
// in state proposed. Errors: validation_failed, forbidden.
func NewDecision(data map[string]any, actor Actor, units map[int64]Unit) (*Decision, error) {
	ok := false
	for _, r := range CreateRoles {
		ok = ok || actor.Has(r)
	}
	if !ok {
		return nil, &Error{Code: CodeForbidden, ZH: "您的角色无权登记决策事项建议，仅限：" + joinRoles(CreateRoles, true),
			EN: "your roles may not record a decision proposal; allowed: " + joinRoles(CreateRoles, false)}
	}
	var inv Invalid
	ValidateFields(data, CreateFields, "", &inv)
	if err := inv.Err(); err != nil {
		return nil, err
	}
	if len([]rune(str(data, "title"))) > 200 {
		inv.Add("title", "标题不超过200字", "title must be at most 200 characters")
	}
	organ := id(data, "organ_id")
	if u, ok := units[organ]; !ok || u.Kind != "organ" {
		inv.Add("organ_id", "所指决策机关不存在", "no such organ")
	}
	var uu *int64
	if n := id(data, "undertaking_unit_id"); n == 0 && actor.Has(RoleUndertaking) && !actor.Has(RoleOffice) && !actor.Has(RoleLeader) &&
		actor.UnitID != 0 && OrganOf(units, actor.UnitID) == organ {
		// An undertaking unit's proposal is its own (Art. 10 ¶2).
		n = actor.UnitID
		uu = &n
	} else if n > 0 {
		if u, ok := units[n]; !ok || u.Kind != "unit" {
			inv.Add("undertaking_unit_id", "所指承办单位不存在", "no such unit")
		}
		uu = &n
	}
	if uu != nil && inv.Err() == nil && OrganOf(units, *uu) != organ {
		inv.Add("undertaking_unit_id", "承办单位不属于该决策机关", "the undertaking unit does not belong to this organ")
	}
	for i, n := range ids(data, "concerned_units") {
		if _, ok := units[n]; !ok {
			inv.Add(fmt.Sprintf("concerned_units[%d]", i), "所指单位不存在", "no such unit")
		}
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	return &Decision{Title: str(data, "title"), OrganID: organ, UndertakingUnitID: uu, Flags: FlagsFrom(data),
		State: StProposed, Version: 1, CreatedBy: actor.UserID}, nil
}
