package api

import (
	"encoding"
	"encoding/json"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"decisiond/workflow"
)

// The machinery of the API description: JSON Schema (2020-12, as OpenAPI
// 3.1 has it) reflected from the Go types the handlers answer with and
// decode into, and from the procedure's field tables. The operations
// themselves are in openapi.go.

// obj is one JSON object of the description.
type obj = map[string]any

// schemaSet reflects Go types into JSON Schemas; a named struct becomes a
// component (#/components/schemas/Name), so a type shared by several
// answers is described once and recursion ends.
type schemaSet struct {
	defs  obj                     // components/schemas
	names map[reflect.Type]string // the component of each named struct
	taken map[string]reflect.Type
}

func newSchemaSet() *schemaSet {
	return &schemaSet{defs: obj{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()

	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// overrides describe types whose JSON is not what their Go shape says.
var overrides = map[reflect.Type]func() obj{
	timeType:                   func() obj { return obj{"type": "string", "format": "date-time"} },
	rawType:                    func() obj { return obj{} }, // any JSON (a record's data as sent)
	reflect.TypeFor[unitRef](): func() obj { return unitRefSchema() },
}

// anyValue is any JSON value, null included. It is written as a list of
// every type, not as {}: kin-openapi validates a 3.1 schema that uses no
// keyword new in JSON Schema 2020-12 with its OpenAPI 3.0 visitor, where
// {} refuses null.
func anyValue() obj {
	return obj{"type": []any{"null", "boolean", "object", "array", "number", "string"}}
}

// unitRefSchema: a unit named by its id, full name, short name or unique
// suffix.
func unitRefSchema() obj {
	return obj{"oneOf": []any{obj{"type": "integer", "minimum": 1}, obj{"type": "string", "minLength": 1}},
		"description": "单位编号或名称（全称、简称或唯一的后缀） / a unit's id or name (full, short, or a unique suffix)"}
}

// ref is the component reference of name.
func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// nullable lets s also be null (Go writes a nil pointer, slice or map so).
func nullable(s obj) obj {
	if _, ok := s["$ref"]; ok || s["oneOf"] != nil || s["allOf"] != nil {
		return obj{"anyOf": []any{s, obj{"type": "null"}}}
	}
	t, ok := s["type"]
	if !ok {
		return s // any value, null included
	}
	out := obj{}
	for k, v := range s {
		out[k] = v
	}
	switch t := t.(type) {
	case string:
		out["type"] = []any{t, "null"}
	case []any:
		if !slices.Contains(t, any("null")) {
			out["type"] = append(slices.Clone(t), "null")
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, nil) {
		out["enum"] = append(slices.Clone(e), nil)
	}
	return out
}

// of is the schema of the JSON that encoding/json writes for a value of t.
func (s *schemaSet) of(t reflect.Type) obj {
	if f, ok := overrides[t]; ok {
		return f()
	}
	if t.Kind() == reflect.Pointer {
		return nullable(s.of(t.Elem()))
	}
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return anyValue() // its own JSON, which reflection cannot see
	}
	if t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return obj{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": []any{"string", "null"}, "contentEncoding": "base64"}
		}
		return obj{"type": []any{"array", "null"}, "items": s.of(t.Elem())}
	case reflect.Array:
		return obj{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return obj{"type": []any{"object", "null"}, "additionalProperties": s.of(t.Elem())}
	case reflect.Interface:
		return anyValue()
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.Struct:
		name := s.nameOf(t)
		if name == "" {
			return s.object(t, false)
		}
		if _, ok := s.defs[name]; !ok {
			s.defs[name] = obj{} // placeholder: a recursive type refers to itself
			s.defs[name] = s.object(t, false)
		}
		return ref(name)
	}
	panic("openapi: no schema for " + t.String())
}

// nameOf names the component of a struct type: its Go name, qualified by
// its package when two packages use the same name; generic and unnamed
// types are described in place.
func (s *schemaSet) nameOf(t reflect.Type) string {
	if n, ok := s.names[t]; ok {
		return n
	}
	n := t.Name()
	if n == "" || strings.Contains(n, "[") {
		return ""
	}
	if other, ok := s.taken[n]; ok && other != t {
		pkg := path.Base(t.PkgPath())
		n = strings.ToUpper(pkg[:1]) + pkg[1:] + n
	}
	s.names[t], s.taken[n] = n, t
	return n
}

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name     string
	t        reflect.Type
	optional bool
	depth    int
}

// fields lists the JSON fields of t, embedded structs' fields promoted
// (a shallower field hides a deeper one of the same name, as in Go).
func fields(t reflect.Type, depth int, optional bool) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, fields(et, depth+1, optional || ft.Kind() == reflect.Pointer)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" || !hasTag {
			name = f.Name
		}
		out = append(out, jsonField{name: name, t: ft, optional: optional || omit, depth: depth})
	}
	return out
}

// object is the schema of a struct: every field without omitempty is
// always written, so it is required. closed refuses other members (a
// request body decoded with unknown fields refused).
func (s *schemaSet) object(t reflect.Type, closed bool) obj {
	best := map[string]jsonField{}
	var order []string
	for _, f := range fields(t, 0, false) {
		b, ok := best[f.name]
		if !ok {
			order = append(order, f.name)
		}
		if !ok || f.depth < b.depth {
			best[f.name] = f
		}
	}
	props := obj{}
	var required []any
	for _, n := range order {
		f := best[n]
		props[n] = s.of(f.t)
		if !f.optional && !closed {
			required = append(required, n)
		}
	}
	out := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	if closed {
		out["additionalProperties"] = false
	}
	return out
}

// request is the schema of a request body decoded strictly into a struct
// (httpx.BindJSON): its members, none other, at every depth; none is
// required by the decoding itself: required names the members the
// handler requires.
func (s *schemaSet) request(v any, required ...string) obj {
	o := s.input(reflect.TypeOf(v))
	props := o["properties"].(obj)
	for _, r := range required {
		if _, ok := props[r]; !ok {
			panic("openapi: " + reflect.TypeOf(v).String() + " has no member " + r)
		}
		o["required"] = append(asList(o["required"]), r)
	}
	return o
}

// input is the schema of what encoding/json decodes into t with unknown
// fields refused: structs are described in place (a request's struct is
// not an answer's: nothing in it is required), closed.
func (s *schemaSet) input(t reflect.Type) obj {
	if f, ok := overrides[t]; ok {
		return f()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(s.input(t.Elem()))
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return s.of(t)
		}
		return obj{"type": []any{"array", "null"}, "items": s.input(t.Elem())}
	case reflect.Map:
		return obj{"type": []any{"object", "null"}, "additionalProperties": s.input(t.Elem())}
	case reflect.Struct:
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
			return s.of(t)
		}
		props := obj{}
		for _, f := range fields(t, 0, false) {
			if _, ok := props[f.name]; !ok {
				props[f.name] = s.input(f.t)
			}
		}
		return obj{"type": "object", "properties": props, "additionalProperties": false}
	}
	return s.of(t)
}

func asList(v any) []any { l, _ := v.([]any); return l }

// ---- the procedure's field tables as schemas ----

// fieldSchema is the schema of one field of an event's data, as
// workflow.ValidateFields checks it. An optional field may be null (it
// then counts as absent).
func fieldSchema(f workflow.Field) obj {
	var s obj
	switch f.Kind {
	case workflow.KString:
		s = obj{"type": "string"}
	case workflow.KText:
		s = obj{"type": "string", "pattern": `\S`, "description": "非空文本 / a non-blank string"}
	case workflow.KID:
		s = obj{"type": "integer", "minimum": 1}
	case workflow.KBool:
		s = obj{"type": "boolean"}
	case workflow.KDate:
		s = obj{"type": "string", "format": "date", "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`}
	case workflow.KEnum:
		s = obj{"type": "string", "enum": anyList(f.Enum)}
	case workflow.KTexts, workflow.KIDs, workflow.KObjects, workflow.KEnums:
		item := f
		item.Required = true
		item.Kind = map[workflow.Kind]workflow.Kind{workflow.KTexts: workflow.KText, workflow.KIDs: workflow.KID,
			workflow.KObjects: workflow.KObject, workflow.KEnums: workflow.KEnum}[f.Kind]
		s = obj{"type": "array", "items": fieldSchema(item), "maxItems": workflow.MaxItems}
		if f.MinItems > 0 {
			s["minItems"] = f.MinItems
		}
	case workflow.KObject:
		s = fieldsObject(f.Fields, true)
	default:
		panic("openapi: no schema for field kind of " + f.Name)
	}
	if !f.Required {
		s = nullable(s)
	}
	return s
}

// fieldsObject is an object of fields; open keeps other members (kept in
// the record's data, PROCEDURE.md § Example payloads).
func fieldsObject(fs []workflow.Field, open bool) obj {
	props := obj{}
	var required []any
	for _, f := range fs {
		props[f.Name] = fieldSchema(f)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := obj{"type": "object", "properties": props, "additionalProperties": open}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// requiredNames lists the required fields of an event's data ("notice.
// closes_on" for a nested one), for the readable page.
func requiredNames(fs []workflow.Field, prefix string) []string {
	var out []string
	for _, f := range fs {
		if !f.Required {
			continue
		}
		out = append(out, prefix+f.Name)
		if f.Kind == workflow.KObject {
			out = append(out, requiredNames(f.Fields, prefix+f.Name+".")...)
		}
	}
	return out
}
