package workflow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Comments of the public (公众意见) on a draft open for comment, Art. 14–18:
// what a comment may hold, when the period is open for one (Art. 15), how
// the drafter handles each (grouped into a main opinion, or marked as a
// duplicate, off-topic or abusive with the reason), and the rule that the
// adoption report answers every comment received through the system
// (Art. 18). The store keeps the comments; everything here is pure.

// Limits of one comment, in characters.
const (
	CommentMaxLen        = 5000
	CommentNameMaxLen    = 50
	CommentContactMaxLen = 100
	OpinionMaxLen        = 200 // a main opinion's summary
	HandlingReasonMaxLen = 500
	// CommentFileNameMaxLen bounds the cleaned name of a comment's
	// attachment, its extension included.
	CommentFileNameMaxLen = 200
)

// CommentFieldAttachment is the form field (and the field a refusal
// names) of a comment's optional attachment.
const CommentFieldAttachment = "attachment"

// HoneypotField is the form field people never see and never fill in; a
// post that fills it is refused with the reason (automated posting).
const HoneypotField = "website"

// Error codes of the public's comments.
const (
	// CodeConsultationClosed: a comment posted outside the comment period,
	// or on a decision no longer in public participation (HTTP 409).
	CodeConsultationClosed = "consultation_closed"
	// CodeCommentsUnanswered: complete_participation while a comment is
	// neither answered by an item of the adoption report nor marked.
	CodeCommentsUnanswered = "comments_unanswered"
)

// How the drafter handles a comment (意见处理): grouped into a main opinion
// (归纳为主要意见, answered by the adoption report item of that opinion) or
// marked, with the reason, as needing no answer of its own.
const (
	HandleGroup   = "group"
	MarkDuplicate = "duplicate"
	MarkOffTopic  = "off_topic"
	MarkAbusive   = "abusive"
)

// CommentMarks are the marks that take a comment out of the adoption
// report's reach (each with its reason).
var CommentMarks = []string{MarkDuplicate, MarkOffTopic, MarkAbusive}

// HandlingKinds are every kind of handling, grouping first.
var HandlingKinds = []string{HandleGroup, MarkDuplicate, MarkOffTopic, MarkAbusive}

// IsMark reports whether a handling kind is a mark.
func IsMark(kind string) bool { return contains(CommentMarks, kind) }

// HandlingLabel names a handling kind in Chinese and English.
func HandlingLabel(kind string) Label {
	switch kind {
	case HandleGroup:
		return Label{Code: kind, ZH: "归入主要意见", EN: "grouped into a main opinion"}
	case MarkDuplicate:
		return Label{Code: kind, ZH: "重复意见", EN: "duplicate"}
	case MarkOffTopic:
		return Label{Code: kind, ZH: "与征求意见内容无关", EN: "off-topic"}
	case MarkAbusive:
		return Label{Code: kind, ZH: "含辱骂等不当内容", EN: "abusive"}
	}
	return Label{ZH: "尚未处理", EN: "not yet handled"}
}

// NewComment is what a member of the public submits.
type NewComment struct {
	Text, Name, Contact string
	// Honeypot is the hidden field (HoneypotField); people leave it empty.
	Honeypot string
	// Attachment is the optional file (nil: none). The store sniffs its
	// type from the content and cleans its name; the HTTP layer bounds its
	// size.
	Attachment *CommentFile
}

// CommentFile is a file attached to a comment: the name as the client
// sent it, and the bytes.
type CommentFile struct {
	Name    string
	Content []byte
}

// Check trims the comment and refuses what it may not hold, naming each
// field: a blank text, one longer than CommentMaxLen characters, a name or
// contact too long, NUL or invalid UTF-8 anywhere, the honeypot filled in.
// Errors: validation_failed.
func (c *NewComment) Check() error {
	var inv Invalid
	c.Text = strings.TrimSpace(strings.ReplaceAll(c.Text, "\r\n", "\n"))
	c.Name, c.Contact = strings.TrimSpace(c.Name), strings.TrimSpace(c.Contact)
	for _, f := range []struct {
		name, value string
		max         int
		zh          string
	}{{"text", c.Text, CommentMaxLen, "意见内容"}, {"name", c.Name, CommentNameMaxLen, "姓名"}, {"contact", c.Contact, CommentContactMaxLen, "联系方式"},
		{HoneypotField, c.Honeypot, 0, ""}} {
		switch {
		case !utf8.ValidString(f.value) || strings.ContainsRune(f.value, 0):
			inv.Add(f.name, "内容含空字符或非法编码", "the content contains NUL or invalid UTF-8")
		case f.name == HoneypotField && f.value != "":
			inv.Add(f.name, "此项供识别自动提交，应当留空；如您是人工填写，请清空此项后重新提交",
				"this field catches automated posting and must be left empty; if you filled it in, empty it and submit again")
		case f.name == "text" && f.value == "":
			inv.Add(f.name, "请填写意见内容", "write your comment")
		case f.max > 0 && utf8.RuneCountInString(f.value) > f.max:
			inv.Add(f.name, fmt.Sprintf("%s不超过%d字（现为%d字）", f.zh, f.max, utf8.RuneCountInString(f.value)),
				fmt.Sprintf("at most %d characters (this is %d)", f.max, utf8.RuneCountInString(f.value)))
		}
	}
	return inv.Err()
}

// Period is a comment period as its notice declares it (Art. 15): open
// from OpensOn to the end of ClosesOn, China time.
type Period struct {
	OpensOn, ClosesOn time.Time
}

// NoticePeriod reads the period of a start_participation record.
func NoticePeriod(start *Record) Period {
	n := obj(recordData(start), "notice")
	return Period{OpensOn: date(n, "opened_on"), ClosesOn: date(n, "closes_on")}
}

// Open reports whether the period is open at now: from the start of its
// first day to the end of its closing day, China time.
func (p Period) Open(now time.Time) bool {
	today := DateOf(now)
	return !today.Before(p.OpensOn) && !today.After(p.ClosesOn)
}

// CommentsAccepted is the rule a comment is taken by: the decision is in
// public participation and the period of its notice (start, its latest
// start_participation record) is open by the server's clock — the first
// and the closing day included (Art. 15). Errors: consultation_closed.
func CommentsAccepted(d Decision, start *Record, now time.Time) error {
	if d.State != StPublicParticipation || start == nil {
		return RuleError(CodeConsultationClosed, "Art. 15",
			"该决策事项的公开征求意见已经结束，不再接收意见", "the public comment period of this decision has ended; no more comments are taken")
	}
	p, today := NoticePeriod(start), DateOf(now)
	switch {
	case today.Before(p.OpensOn):
		return RuleError(CodeConsultationClosed, "Art. 15",
			fmt.Sprintf("《重大行政决策程序暂行条例》第十五条：公开征求意见自%s开始，届时方可提交意见（今天是%s）", FormatDate(p.OpensOn), FormatDate(today)),
			fmt.Sprintf("Art. 15: the comment period opens on %s; comments are taken from then (today is %s)", FormatDate(p.OpensOn), FormatDate(today)))
	case today.After(p.ClosesOn):
		return RuleError(CodeConsultationClosed, "Art. 15",
			fmt.Sprintf("《重大行政决策程序暂行条例》第十五条：公开征求意见已于%s（含当日）截止，不再接收意见（今天是%s）", FormatDate(p.ClosesOn), FormatDate(today)),
			fmt.Sprintf("Art. 15: the comment period closed at the end of %s; no more comments are taken (today is %s)", FormatDate(p.ClosesOn), FormatDate(today)))
	}
	return nil
}

// ConsultationVisible reports whether a decision's consultation page is
// public: the decision opened a comment period (start, its latest
// start_participation record) and is not marked non-disclosable. A
// consultation stays readable, closed, after its period.
func ConsultationVisible(d Decision, start *Record) bool {
	return start != nil && !d.NonDisclosable
}

// CommentFact is what the coverage guard knows of one comment received
// through the system in the current comment round: its id and whether the
// drafter's latest handling of it is a mark.
type CommentFact struct {
	ID     int64
	Marked bool
}

// NeedsComments reports whether an act of event reads the comments of the
// current round (Facts.Comments): only complete_participation does.
func NeedsComments(event string) bool { return event == EvCompleteParticipation }

// Handling is one act of the drafter on comments: the kind, the main
// opinion (grouping), the reason (marks), the comment a duplicate repeats.
type Handling struct {
	Kind        string
	Opinion     string
	Reason      string
	DuplicateOf *int64
}

// Check trims the handling and refuses what does not make sense: an
// unknown kind, a grouping without its main opinion, a mark without its
// reason, texts too long. Errors: validation_failed.
func (h *Handling) Check() error {
	var inv Invalid
	h.Opinion, h.Reason = strings.TrimSpace(h.Opinion), strings.TrimSpace(h.Reason)
	switch {
	case !contains(HandlingKinds, h.Kind):
		inv.Add("kind", "处理方式应为 group（归入主要意见）、duplicate（重复）、off_topic（无关）或 abusive（不当）之一",
			"kind must be group, duplicate, off_topic or abusive")
	case h.Kind == HandleGroup && h.Opinion == "":
		inv.Add("opinion", "归入主要意见时须写明主要意见", "grouping needs the main opinion")
	case h.Kind != HandleGroup && h.Reason == "":
		inv.Add("reason", "标注为重复、无关或不当意见时须说明理由", "a mark needs its reason")
	}
	if h.Kind != HandleGroup {
		h.Opinion = ""
	}
	if h.Kind != MarkDuplicate {
		h.DuplicateOf = nil
	}
	if utf8.RuneCountInString(h.Opinion) > OpinionMaxLen {
		inv.Add("opinion", fmt.Sprintf("主要意见不超过%d字", OpinionMaxLen), fmt.Sprintf("at most %d characters", OpinionMaxLen))
	}
	if utf8.RuneCountInString(h.Reason) > HandlingReasonMaxLen {
		inv.Add("reason", fmt.Sprintf("理由不超过%d字", HandlingReasonMaxLen), fmt.Sprintf("at most %d characters", HandlingReasonMaxLen))
	}
	for k, s := range map[string]string{"opinion": h.Opinion, "reason": h.Reason} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			inv.Add(k, "内容含空字符或非法编码", "the content contains NUL or invalid UTF-8")
		}
	}
	return inv.Err()
}

// commentsAnswered: Art. 18 — 对社会各方面提出的意见进行归纳整理、研究论证.
// Every comment received through the system in the current round is
// either named by an item of the adoption report (adoption_report[].
// comments) or marked by the drafter (a duplicate, off-topic or abusive,
// with the reason). An item naming something that is not a comment of this
// round is a bad field.
func commentsAnswered(f *Facts, a *Act) error {
	known := make(map[int64]bool, len(f.Comments))
	for _, c := range f.Comments {
		known[c.ID] = true
	}
	answered := map[int64]bool{}
	var inv Invalid
	for i, item := range objs(a.Data, "adoption_report") {
		for j, x := range list(item, "comments") {
			n, _ := asID(x)
			if !known[n] {
				inv.Add(fmt.Sprintf("adoption_report[%d].comments[%d]", i, j), "不是本次公开征求意见收到的公众意见编号",
					"not the number of a comment received in this comment period")
				continue
			}
			answered[n] = true
		}
	}
	if err := inv.Err(); err != nil {
		return err
	}
	var open []string
	for _, c := range f.Comments {
		if !c.Marked && !answered[c.ID] {
			open = append(open, strconv.FormatInt(c.ID, 10))
		}
	}
	if len(open) == 0 {
		return nil
	}
	shown := strings.Join(open[:min(len(open), 20)], "、")
	if len(open) > 20 {
		shown += "……"
	}
	return RuleError(CodeCommentsUnanswered, "Art. 18",
		fmt.Sprintf("《重大行政决策程序暂行条例》第十八条：应当对社会各方面提出的意见进行归纳整理、研究论证；尚有%d条通过网上征求意见收到的公众意见既未在意见采纳情况中答复，也未标注为重复、无关或不当意见（编号：%s）",
			len(open), shown),
		fmt.Sprintf("Art. 18: the opinions received are to be sorted and studied; %d comment(s) received online are neither answered by an item of the adoption report nor marked as duplicate, off-topic or abusive (no. %s)",
			len(open), strings.ReplaceAll(shown, "、", ", ")))
}

// MayHandleComments: the undertaking unit sorts and studies the opinions
// (Art. 18: 决策承办单位应当对社会各方面提出的意见进行归纳整理、研究论证), so
// only its staff group or mark comments. Errors: forbidden (the role, then
// the unit).
func MayHandleComments(a Actor, d Decision) error {
	if !a.Has(RoleUndertaking) {
		return &Error{Code: CodeForbidden, Rule: "role_required", Article: "Art. 18",
			ZH: "只有决策承办单位的经办人员可以处理公众意见", EN: "only the undertaking unit's staff handle public comments"}
	}
	return unitRule(RoleUndertaking, &Facts{Decision: d}, a)
}
