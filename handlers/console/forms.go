package console

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"decisiond/workflow"
)

// The forms of acts, generated from each event's field table in workflow
// (labels, required marks, lists of objects, dates), in the page's
// language. Values are the form's values (workflow.EncodeForm of the data,
// or what was typed); errors are keyed by the data path the validation
// names, so each shows next to its field.

type option struct {
	Value, Label string
	Selected     bool
}

type formRow struct {
	Label  string
	Fields []formField
}

// formField is one input (or group of inputs) of a generated form.
type formField struct {
	Name, ID    string
	Label, Hint string
	Required    bool
	ReqText     string
	// Input: text, number, date, textarea, lines, select, checkbox, checks, group, rows.
	Input     string
	Value     string
	Lines     int
	Options   []option
	Errors    []string
	Children  []formField
	Rows      []formRow
	MoreLabel string
}

// formCtx is what building one form needs.
type formCtx struct {
	l      lang
	event  string
	vals   workflow.Values
	errs   map[string][]string // by data path
	used   map[string]bool     // error paths shown next to a field
	more   string              // the list whose "more rows" button was pressed
	units  []workflow.Unit     // the organ's units (id pickers)
	issues []option            // the decision's issue reports (issue_ref)
}

// ruleFields names the field a legal rule's refusal concerns, so that the
// message shows next to it (the refusal names no field itself).
var ruleFields = map[string]string{
	workflow.CodeCommentPeriodTooShort:       "notice.closes_on",
	workflow.CodeHearingNoticeTooShort:       "materials_delivered_on",
	workflow.CodeExpertConflict:              "experts",
	workflow.CodeExpertOpinionUnsigned:       "experts",
	workflow.CodeRiskNotControllable:         "controllable",
	workflow.CodeReviewTimeTooShort:          "review_due_on",
	workflow.CodeHeadMustSpeakLast:           "meeting.opinions",
	workflow.CodeDepartureReasonRequired:     "meeting.departure_reason",
	workflow.CodeEvaluatorNotIndependent:     "evaluator",
	workflow.CodeRiskStatementRequired:       "risk_statement",
	workflow.CodeHearingRecordUnsigned:       "record_signed",
	workflow.CodeAdoptionReasonRequired:      "adoption_report",
	workflow.CodeLegalityMaterialsIncomplete: "materials",
	workflow.CodeExecutionUnitsRequired:      "execution.units",
	workflow.CodeReasonRequired:              "reason",
	workflow.CodePublicationChannelRequired:  "channels",
	workflow.CodeAdoptionExplanationRequired: "adoption_explanation",
	workflow.CodeNonDisclosureBasisRequired:  "legal_basis",
	workflow.CodeCatalogueAdjustmentRequired: "catalogue_adjustment_ref",
	workflow.CodeMeetingDecisionMismatch:     "meeting.decision",
	workflow.CodeGroupConsultationRequired:   "group_consultation",
	workflow.CodeIssueReportRequired:         "issue_ref",
	// codes of the second legal pass (issue 7), named ahead of its merge
	"consultation_resolution_required": "departments",
	"member_position_required":         "meeting.opinions",
	"head_position_mismatch":           "meeting.opinions",
	"party_reply_required":             "reply",
}

// formID is an HTML id for a data path of an event's form.
func formID(event, path string) string {
	r := strings.NewReplacer("[", "-", "]", "", ".", "-")
	return "f-" + event + "-" + r.Replace(path)
}

func (fc *formCtx) errorsAt(path string, leafList bool) []string {
	var out []string
	for p, es := range fc.errs {
		if p == path || (leafList && strings.HasPrefix(p, path+"[")) {
			out = append(out, es...)
			fc.used[p] = true
		}
	}
	sort.Strings(out)
	return out
}

func (fc *formCtx) build(fields []workflow.Field, prefix string, inRow bool) []formField {
	var out []formField
	for _, f := range fields {
		path := prefix + f.Name
		info := workflow.FieldLabel(fc.event, path)
		ff := formField{Name: path, ID: formID(fc.event, path), Label: fc.l.v.T(info.ZH, info.EN), Hint: fc.l.v.T(info.HintZH, info.HintEN),
			Required: f.Required, ReqText: fc.l.v.T("（必填）", " (required)")}
		val := ""
		if vs := fc.vals[path]; len(vs) > 0 {
			val = vs[0]
		}
		switch f.Kind {
		case workflow.KString, workflow.KText:
			ff.Input, ff.Value = "text", val
			if f.Kind == workflow.KText && !inRow {
				ff.Input, ff.Lines = "textarea", 3
			}
			if info.Lines > 0 {
				ff.Input, ff.Lines = "textarea", info.Lines
			}
		case workflow.KDate:
			ff.Input, ff.Value = "date", val
			if ff.Hint == "" {
				ff.Hint = fc.l.v.T("格式：2026-05-08", "as 2026-05-08")
			}
		case workflow.KEnum:
			ff.Input, ff.Options = "select", fc.enumOptions(f, []string{val}, true)
		case workflow.KBool:
			if f.Required {
				ff.Input = "select"
				ff.Options = []option{{Value: "", Label: fc.l.v.T("请选择", "Choose"), Selected: val == ""},
					{Value: "true", Label: fc.l.v.T("是", "Yes"), Selected: val == "true"},
					{Value: "false", Label: fc.l.v.T("否", "No"), Selected: val == "false"}}
			} else {
				ff.Input, ff.Value = "checkbox", val
			}
		case workflow.KID:
			switch info.Ref {
			case "unit":
				ff.Input, ff.Options = "select", fc.unitOptions([]string{val}, true)
			case "record":
				ff.Input = "select"
				ff.Options = append([]option{{Value: "", Label: fc.l.v.T("请选择", "Choose")}}, fc.issues...)
				for i := range ff.Options {
					ff.Options[i].Selected = ff.Options[i].Value == val
				}
			default:
				ff.Input, ff.Value = "number", val
			}
		case workflow.KTexts:
			ff.Input, ff.Value, ff.Lines = "lines", val, 3
		case workflow.KIDs:
			if info.Ref == "unit" {
				ff.Input, ff.Options = "checks", fc.unitOptions(fc.vals[path], false)
			} else {
				ff.Input, ff.Value, ff.Lines = "lines", val, 3
			}
		case workflow.KEnums:
			ff.Input, ff.Options = "checks", fc.enumOptions(f, fc.vals[path], false)
		case workflow.KObject:
			ff.Input = "group"
			ff.Children = fc.build(f.Fields, path+".", inRow)
		case workflow.KObjects:
			ff.Input, ff.MoreLabel = "rows", fc.l.v.T("增加一行", "Add a row")
			ff.Hint = fc.l.v.T("空行不会提交。", "Blank rows are left out.")
			n := max(workflow.RowCount(fc.vals, path), f.MinItems, 1)
			if fc.more == path {
				n++
			}
			n = min(n, 100)
			for i := range n {
				ff.Rows = append(ff.Rows, formRow{Label: fc.l.v.T(fmt.Sprintf("第%d项", i+1), fmt.Sprintf("Item %d", i+1)),
					Fields: fc.build(f.Fields, fmt.Sprintf("%s[%d].", path, i), true)})
			}
		}
		leafList := f.Kind == workflow.KTexts || f.Kind == workflow.KIDs || f.Kind == workflow.KEnums
		ff.Errors = fc.errorsAt(path, leafList)
		out = append(out, ff)
	}
	return out
}

func (fc *formCtx) enumOptions(f workflow.Field, selected []string, choose bool) []option {
	var out []option
	if choose {
		out = append(out, option{Value: "", Label: fc.l.v.T("请选择", "Choose"), Selected: len(selected) == 0 || selected[0] == ""})
	}
	for _, e := range f.Enum {
		out = append(out, option{Value: e, Label: fc.l.L(workflow.EnumLabel(f.Name, e)), Selected: contains(selected, e)})
	}
	return out
}

func (fc *formCtx) unitOptions(selected []string, choose bool) []option {
	var out []option
	if choose {
		out = append(out, option{Value: "", Label: fc.l.v.T("请选择", "Choose"), Selected: len(selected) == 0 || selected[0] == ""})
	}
	// A lines-typed list of ids ("3\n4") selects each of them.
	var sel []string
	for _, s := range selected {
		sel = append(sel, strings.Fields(s)...)
	}
	for _, u := range fc.units {
		id := strconv.FormatInt(u.ID, 10)
		out = append(out, option{Value: id, Label: u.Name, Selected: contains(sel, id)})
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
