package workflow

import (
	"fmt"
	"regexp"
)

// Documents: any act may attach documents it produced (a signed expert
// opinion, the hearing record, the risk report, the legality opinion with
// its seal, the minutes, the party committee's reply, the published text).
// The act's data names them by hash — uploaded beforehand — so each
// document's hash is in the audit event of the act that attached it.
// A document is never removed: a later attachment may supersede one.

// DocumentsField is the data field every event accepts.
var DocumentsField = Field{Name: "documents", Kind: KObjects, Fields: []Field{
	{Name: "hash", Kind: KText, Required: true},
	{Name: "title", Kind: KText, Required: true},
	{Name: "supersedes", Kind: KID},
}}

// DocumentRef is one document an act attaches.
type DocumentRef struct {
	Hash       string
	Title      string
	Supersedes *int64 // the attachment this one replaces
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a lowercase hex SHA-256 or SM3 digest.
func ValidHash(s string) bool { return hexHash.MatchString(s) }

// DocumentRefs reads the validated documents of an act's data.
func DocumentRefs(data map[string]any) []DocumentRef {
	var out []DocumentRef
	for _, o := range objs(data, "documents") {
		r := DocumentRef{Hash: str(o, "hash"), Title: str(o, "title")}
		if n := id(o, "supersedes"); n > 0 {
			r.Supersedes = &n
		}
		out = append(out, r)
	}
	return out
}

// checkDocuments validates the documents field of any act.
func checkDocuments(data map[string]any, inv *Invalid) {
	ValidateFields(data, []Field{DocumentsField}, "", inv)
	for i, o := range objs(data, "documents") {
		if h := str(o, "hash"); h != "" && !ValidHash(h) {
			inv.Add(fmt.Sprintf("documents[%d].hash", i), "应为文件的64位十六进制摘要（先上传文件取得）", "must be the file's 64-hex-digit digest (upload the file first)")
		}
	}
}
