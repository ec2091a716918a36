package workflow

import "slices"

// What the public reads (PROCEDURE.md § Who uses it: the public reads
// published catalogues and published decisions only).

// PubliclyVisible reports whether a decision's own page is public: it has
// been published (and may since be executed, evaluated, suspended,
// completed, stopped or superseded), through channels — not lawfully
// withheld (not_disclosed, Art. 32) — and it is not marked non-disclosable.
// publish is its latest publish record (nil when there is none).
func PubliclyVisible(d Decision, publish *Record) bool {
	if publish == nil || d.NonDisclosable || !slices.Contains(doneStates, d.State) {
		return false
	}
	return !boolean(recordData(publish), "not_disclosed")
}

// PublishedOn is the earliest date among a publish record's channels
// ("YYYY-MM-DD"; "" when it has none).
func PublishedOn(publish *Record) string {
	first := ""
	for _, c := range objs(recordData(publish), "channels") {
		if on := str(c, "on"); on != "" && (first == "" || on < first) {
			first = on
		}
	}
	return first
}

// PublicStates are the states in which a decision may have a public page.
func PublicStates() []State { return slices.Clone(doneStates) }
