package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"firstclass/internal/cfn"
)

// Resource properties are read into typed structs, one per resource type, with a field for
// every property the runner reads and an `ignored` field for each one it knowingly leaves
// alone (a description, tags, settings that have no local meaning). A property with neither is
// a problem: the runner does not know what it would change, so it says so at start rather
// than serve something else.

// decodeProps resolves res's properties and reads them into v, a pointer to a props struct.
func (r *Runner) decodeProps(res *cfn.Resource, v any) error {
	props, err := r.resolveProps(res)
	if err != nil {
		return err
	}
	return decodeInto(props, v)
}

// decodeInto reads a resolved property map (or sub-map) into v.
func decodeInto(props any, v any) error {
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fmt.Errorf("property %s is not emulated", strings.Trim(name, `"`))
		}
		return fmt.Errorf("properties: %w", err)
	}
	return nil
}

// ignored is a property the runner reads past.
type ignored = json.RawMessage

// scalar is a property that may be written as a string, a number or a boolean (CloudFormation
// accepts "30" and 30 alike); it holds the text.
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*s = scalar(str)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		*s = scalar(strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		*s = scalar(strconv.FormatBool(v))
	default:
		return fmt.Errorf("want a string, number or boolean, not %s", b)
	}
	return nil
}

// number is the scalar's value as a number; ok is false for none or text.
func (s scalar) number() (float64, bool) {
	f, err := strconv.ParseFloat(string(s), 64)
	return f, err == nil
}

// jsonText is a property that is either a JSON document or its text (an EventPattern, a
// RedrivePolicy, a model Schema); it holds the text.
type jsonText string

func (j *jsonText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*j = jsonText(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return err
	}
	*j = jsonText(compact.String())
	return nil
}
