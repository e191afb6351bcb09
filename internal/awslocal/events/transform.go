package events

import (
	"strings"

	"firstclass/internal/awslocal/jsonvalue"
)

// transformInput makes a target's payload from an event ("Transforming
// target input" in the EventBridge User Guide): the whole event by
// default, Input verbatim, the InputPath selection as JSON, or the
// InputTransformer template with its placeholders filled. In a JSON
// template a placeholder inside a string literal inserts the value's text
// (escaped to keep the JSON valid), elsewhere the value as JSON; a template
// that is a single quoted string yields its content. ok is false when
// nothing can be delivered.
func transformInput(ev *event, r *eventRule, t *EventTarget) (string, bool) {
	switch {
	case t.Input != "":
		return t.Input, true
	case t.InputPath != "":
		v, found, err := jsonvalue.EvalString(t.InputPath, ev.decoded)
		if err != nil || !found {
			return "", false
		}
		if t.InputPath == "$" {
			return string(ev.text), true
		}
		return jsonvalue.Text(v), true
	case t.InputTransformer != nil:
		return applyInputTemplate(ev, r, t.InputTransformer), true
	}
	return string(ev.text), true
}

func applyInputTemplate(ev *event, r *eventRule, it *EventInputTransformer) string {
	values := map[string]any{}
	for name, path := range it.InputPathsMap {
		v, found, err := jsonvalue.EvalString(path, ev.decoded)
		if err != nil || !found {
			v = ""
		}
		values[name] = v
	}
	values["aws.events.rule-arn"] = r.arn
	values["aws.events.rule-name"] = r.name
	values["aws.events.event.ingestion-time"] = ev.decoded["time"]
	envelope := map[string]any{}
	for k, v := range ev.decoded {
		if k == "detail" {
			continue
		}
		if k == "detail-type" {
			k = "detailType"
		}
		envelope[k] = v
	}
	values["aws.events.event"] = envelope
	values["aws.events.event.json"] = ev.decoded

	tmpl := it.InputTemplate
	trimmed := strings.TrimSpace(tmpl)
	isJSON := strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")
	var b strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '"' && !isEscaped(tmpl, i) {
			inString = !inString
		}
		if c == '<' {
			if end := strings.IndexByte(tmpl[i+1:], '>'); end >= 0 {
				name := tmpl[i+1 : i+1+end]
				if v, ok := values[name]; ok {
					switch {
					case isJSON && !inString:
						b.WriteString(jsonvalue.Text(v))
					case isJSON:
						b.WriteString(escapeJSONString(jsonvalue.PlainText(v)))
					default:
						b.WriteString(jsonvalue.PlainText(v))
					}
					i += end + 1
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	out := b.String()
	if !isJSON && len(trimmed) >= 2 && trimmed[0] == '"' && trimmed[len(trimmed)-1] == '"' {
		// A string template: the output is its content.
		out = strings.TrimSpace(out)
		out = out[1 : len(out)-1]
	}
	return out
}

func isEscaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func escapeJSONString(s string) string {
	q := jsonvalue.Text(s)
	return q[1 : len(q)-1]
}
