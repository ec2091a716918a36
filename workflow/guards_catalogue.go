package workflow

import (
	"fmt"
	"slices"
)

// The rules that tie a decision to its catalogue item (Art. 3 ¶3; QH (九)):
// the item must exist, its procedure requirements become the decision's
// flags, a hearing item holds its hearing (Art. 16), and a decision listed
// in a published catalogue leaves it only through a published adjustment.

// CatalogueItemFacts is what the rules of an act on a decision know about a
// catalogue item; the store loads it (Facts.CatalogueItems).
type CatalogueItemFacts struct {
	ItemID     int64
	OrganID    int64
	Year       int
	Name       string
	Hearing    bool     // 是否听证
	Procedures []string // 履行程序
	// Published: a published version of the catalogue lists (or listed)
	// the item.
	Published bool
	// Removal is the published adjustment that removed the item.
	Removal *CatalogueRemoval
	// Removed: the latest version of the catalogue (even a draft) no
	// longer lists it.
	Removed bool
}

// CatalogueRequirements names the flags an item's requirements set.
func (it *CatalogueItemFacts) requirements() []string {
	var out []string
	if it.Hearing {
		out = append(out, "hearing_required")
	}
	if slices.Contains(it.Procedures, ProcExpertReview) {
		out = append(out, "technical")
	}
	if slices.Contains(it.Procedures, ProcRiskAssessment) {
		out = append(out, "risk_relevant")
	}
	return out
}

// LinkCatalogueItem checks a decision's link to the catalogue item it names
// (item is nil when no such item exists) and raises the decision's flags to
// the item's requirements: a hearing item sets hearing_required (Art. 16),
// 专家论证 sets technical (expert review cannot be waived, Art. 19), 风险评估
// sets risk_relevant (risk assessment cannot be waived, Art. 22); an item
// that requires 公开征求意见 cannot be a decision lawfully not disclosed
// (Art. 14). It returns the flags it set, for the record. Errors:
// validation_failed naming catalogue_item_id (or non_disclosable).
func LinkCatalogueItem(fl *Flags, organID int64, item *CatalogueItemFacts) ([]string, error) {
	if fl.CatalogueItemID == nil {
		return nil, nil
	}
	n := *fl.CatalogueItemID
	switch {
	case item == nil:
		return nil, dataErr("catalogue_item_id", fmt.Sprintf("决策事项目录中没有编号为%d的事项", n), fmt.Sprintf("no catalogue item %d exists", n))
	case item.OrganID != organID:
		return nil, dataErr("catalogue_item_id", "该目录事项属于其他决策机关的目录", "the catalogue item belongs to another organ's catalogue")
	case item.Removal != nil || item.Removed:
		return nil, dataErr("catalogue_item_id", "该事项已调出决策事项目录，不能关联", "the item has been removed from the catalogue and cannot be linked")
	case slices.Contains(item.Procedures, ProcPublicComment) && fl.NonDisclosable:
		return nil, dataErr("non_disclosable", "目录事项「"+item.Name+"」要求公开征求意见，不能认定为依法不予公开的决策（第十四条）",
			"the catalogue item "+item.Name+" requires public comment, so the decision cannot be marked non-disclosable (Art. 14)")
	}
	req := item.requirements()
	for _, r := range req {
		switch r {
		case "hearing_required":
			fl.HearingRequired = true
		case "technical":
			fl.Technical = true
		case "risk_relevant":
			fl.RiskRelevant = true
		}
	}
	if req == nil {
		req = []string{}
	}
	return req, nil
}

// catalogueItemOf returns the facts of an item the store loaded.
func catalogueItemOf(f *Facts, n *int64) *CatalogueItemFacts {
	if n == nil || f.CatalogueItems == nil {
		return nil
	}
	return f.CatalogueItems[*n]
}

// catalogueLink: amend_flags may link the decision to an item only if the
// item exists (and is this organ's, and still listed); a decision listed in
// a published catalogue keeps its item until a published adjustment
// removes it (Art. 3 ¶3).
func catalogueLink(f *Facts, a *Act) error {
	cur := f.Decision.CatalogueItemID
	next := id(a.Data, "catalogue_item_id")
	if cur != nil && *cur != next {
		if item := catalogueItemOf(f, cur); item != nil && item.Published && item.Removal == nil {
			return RuleError(CodeCatalogueAdjustmentRequired, "Art. 3 ¶3",
				"《重大行政决策程序暂行条例》第三条第三款：决策事项目录经同级党委同意后公布，并根据实际情况调整；本决策列入已公布的目录事项「"+item.Name+"」，须经公布的目录调整将该事项调出后，才能取消或变更关联",
				"Art. 3 ¶3: the decision is the published catalogue item "+item.Name+"; its link changes only after a published adjustment removes the item")
		}
	}
	item := catalogueItemOf(f, &next)
	if next == 0 || (cur != nil && *cur == next && item != nil && (item.Removal != nil || item.Removed)) {
		return nil // no link, or the item already linked and since removed
	}
	fl := FlagsFrom(a.Data)
	_, err := LinkCatalogueItem(&fl, f.Decision.OrganID, item)
	return err
}

// catalogueRequirements raises the amended flags to the item's
// requirements (the effect of catalogueLink) and records which it set.
func catalogueRequirements(f *Facts, a *Act, o *Outcome) {
	if o.Flags == nil || o.Flags.CatalogueItemID == nil {
		return
	}
	set, err := LinkCatalogueItem(o.Flags, f.Decision.OrganID, catalogueItemOf(f, o.Flags.CatalogueItemID))
	if err == nil {
		o.Data["catalogue_requirements"] = set
	}
}

// catalogueWithdrawal: the withdrawal of a decision whose item a published
// catalogue lists names (catalogue_adjustment_ref) the document number of
// the published adjustment that removed the item; while the catalogue is
// unpublished, no reference is needed.
func catalogueWithdrawal(item *CatalogueItemFacts, a *Act) error {
	if !item.Published {
		return nil
	}
	ref := str(a.Data, "catalogue_adjustment_ref")
	if item.Removal == nil {
		return RuleError(CodeCatalogueAdjustmentRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录经同级党委同意后公布，并根据实际情况调整；本决策列入已公布的目录事项「"+item.Name+"」，撤回前须先公布调出该事项的目录调整公告",
			"Art. 3 ¶3: the decision is the published catalogue item "+item.Name+"; a published adjustment removing the item must come before the withdrawal")
	}
	if ref != item.Removal.DocNo {
		return RuleError(CodeCatalogueAdjustmentRequired, "Art. 3 ¶3",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三条第三款：该事项由第%d版目录调整公告（%s）调出，catalogue_adjustment_ref 应填写该文号（收到：「%s」）", item.Removal.VersionNo, item.Removal.DocNo, ref),
			fmt.Sprintf("Art. 3 ¶3: the item was removed by the adjustment of version %d (%s); catalogue_adjustment_ref must name that document (got %q)", item.Removal.VersionNo, item.Removal.DocNo, ref))
	}
	return nil
}

// docNoFormat: a publication's document number (发文字号), when given, reads
// like 西政〔2026〕5号 (GB/T 9704-2012 7.2.4).
func docNoFormat(f *Facts, a *Act) error {
	if s, ok := a.Data["doc_no"].(string); ok && !DocNoRE.MatchString(s) {
		return dataErr("doc_no", "发文字号格式应为机关代字〔年份〕序号号，如 西政〔2026〕5号（六角括号，无“第”，序号无前导零）",
			"the document number must read like 西政〔2026〕5号 (organ abbreviation, 〔year〕, number without leading zeros, 号)")
	}
	return nil
}
