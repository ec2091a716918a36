package seeds

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"decisiond/workflow"
)

//go:embed rules/*.json
var ruleFiles embed.FS

// RulePacks returns the built-in rule packs: the national baseline first,
// then the others by code. Each file rules/<code>.json is decoded strictly
// (unknown fields and trailing data are refused) and validated; its code must
// match its file name, and the national pack must be present.
func RulePacks() ([]workflow.RulePack, error) {
	paths, err := fs.Glob(ruleFiles, "rules/*.json")
	if err != nil {
		return nil, fmt.Errorf("seeds: list rule packs: %w", err)
	}
	packs := make([]workflow.RulePack, 0, len(paths))
	for _, p := range paths {
		b, err := ruleFiles.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("seeds: %s: %w", p, err)
		}
		pack, err := decodeRulePack(b)
		if err != nil {
			return nil, fmt.Errorf("seeds: %s: %w", p, err)
		}
		if want := strings.TrimSuffix(strings.TrimPrefix(p, "rules/"), ".json"); pack.Code != want {
			return nil, fmt.Errorf("seeds: %s: code %q does not match the file name", p, pack.Code)
		}
		packs = append(packs, pack)
	}
	slices.SortFunc(packs, func(a, b workflow.RulePack) int {
		switch {
		case a.Code == b.Code:
			return 0
		case a.Code == workflow.NationalRulePackCode:
			return -1
		case b.Code == workflow.NationalRulePackCode:
			return 1
		}
		return strings.Compare(a.Code, b.Code)
	})
	if len(packs) == 0 || packs[0].Code != workflow.NationalRulePackCode {
		return nil, fmt.Errorf("seeds: the national rule pack rules/%s.json is missing", workflow.NationalRulePackCode)
	}
	return packs, nil
}

// decodeRulePack decodes one pack strictly and validates it.
func decodeRulePack(b []byte) (workflow.RulePack, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p workflow.RulePack
	if err := dec.Decode(&p); err != nil {
		return workflow.RulePack{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return workflow.RulePack{}, fmt.Errorf("unexpected data after the rule pack")
	}
	if err := p.Validate(); err != nil {
		return workflow.RulePack{}, err
	}
	return p, nil
}
