package avroio

import (
	"encoding/json"
	"strconv"

	"github.com/hamba/avro/v2"
)

// A record field of type "null" (pandas and fastavro write one for a column
// that is all None) holds nothing, but hamba/avro cannot skip one: a reader
// without the field failed on the first record, "schema type null is
// unsupported", which read as corrupt data. Before resolving a reader's
// schema against the writer's, such fields become fixed types of size 0,
// which take the same zero bytes and which hamba/avro skips. Fields the
// reader has (a pointer reads them as nil) are left as they are.

// withoutNullFields returns writer with the record fields of type null that
// reader lacks made fixed of size 0, or writer itself when it has none.
func withoutNullFields(writer, reader avro.Schema) avro.Schema {
	has := map[string]map[string]bool{} // reader's record names → field names and aliases
	var collect func(s avro.Schema)
	collect = func(s avro.Schema) {
		switch s := deref(s).(type) {
		case *avro.RecordSchema:
			if has[s.FullName()] != nil {
				return
			}
			names := map[string]bool{}
			has[s.FullName()] = names
			for _, f := range s.Fields() {
				names[f.Name()] = true
				for _, a := range f.Aliases() {
					names[a] = true
				}
				collect(f.Type())
			}
		case *avro.ArraySchema:
			collect(s.Items())
		case *avro.MapSchema:
			collect(s.Values())
		case *avro.UnionSchema:
			for _, m := range s.Types() {
				collect(m)
			}
		}
	}
	collect(reader)
	n := 0
	return editSchema(writer, func(v map[string]any) bool {
		fields, ok := v["fields"].([]any)
		if !ok || v["type"] != "record" {
			return false
		}
		name, _ := v["name"].(string)
		changed := false
		for _, f := range fields {
			if f, ok := f.(map[string]any); ok && isNullType(f["type"]) && !has[name][f["name"].(string)] {
				n++
				f["type"] = map[string]any{"type": "fixed", "size": 0, "name": "crunchgo_null_" + strconv.Itoa(n)}
				changed = true
			}
		}
		return changed
	})
}

// withoutLocalTimestamps returns s with its local-timestamp logical types
// dropped, so that those fields read as their longs (LocalTimestampsAsLongs),
// or s itself when it has none.
func withoutLocalTimestamps(s avro.Schema) avro.Schema {
	return editSchema(s, func(v map[string]any) bool {
		if l, _ := v["logicalType"].(string); l == string(avro.LocalTimestampMillis) || l == string(avro.LocalTimestampMicros) {
			delete(v, "logicalType")
			return true
		}
		return false
	})
}

// editSchema calls edit on every JSON object of s's text, outermost first,
// and returns the schema the edited text parses to if any call reports a
// change, else s. A text that does not round-trip leaves s as it is.
func editSchema(s avro.Schema, edit func(map[string]any) bool) avro.Schema {
	var doc any
	if err := json.Unmarshal([]byte(s.String()), &doc); err != nil {
		return s
	}
	changed := false
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			changed = edit(v) || changed
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if !changed {
		return s
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return s
	}
	edited, err := avro.ParseBytesWithCache(b, "", &avro.SchemaCache{})
	if err != nil {
		return s
	}
	return edited
}

func isNullType(t any) bool {
	if m, ok := t.(map[string]any); ok {
		t = m["type"]
	}
	return t == "null"
}
