package localapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"firstclass/internal/mapping"
)

// awsResponse is an in-process AWS service's answer: a pooled recorder, valid until release.
type awsResponse = recorder

// recorder is a minimal http.ResponseWriter for calling the AWS handler in process: the
// runner talks to awslocal exactly as API Gateway talks to AWS, without a socket.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
	body   []byte // buf's bytes once the call returned
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}

// release returns the recorder to the pool; its header and body are not to be used after.
func (w *recorder) release() {
	w.status = 0
	w.body = nil
	w.buf.Reset()
	clear(w.header)
	recorders.Put(w)
}

var recorders = sync.Pool{New: func() any { return &recorder{header: http.Header{}} }}

// callAWS serves req with the in-process AWS. The caller releases the answer when done.
func (r *Runner) callAWS(req *http.Request) *awsResponse {
	w := recorders.Get().(*recorder)
	r.aws.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = w.buf.Bytes()
	return w
}

// subtypeCall turns a first-class integration's evaluated parameters into the service request
// API Gateway would send, with the codec of the subtype's wire protocol.
func (r *Runner) subtypeCall(st *mapping.Subtype, params map[string]string) (*http.Request, error) {
	if region := params["Region"]; region != "" && region != r.aws.Region() {
		return nil, fmt.Errorf("parameter Region=%s: the local AWS serves %s only", region, r.aws.Region())
	}
	encode, ok := subtypeProtocols[st.Protocol]
	if !ok {
		return nil, fmt.Errorf("the %s protocol of %s is not emulated", st.Protocol, st.Name)
	}
	return encode(st, params)
}

// localServices are the services of first-class subtypes (mapping.Subtype.Service) that the
// local AWS runs.
var localServices = map[string]bool{"sqs": true, "events": true, "stepfunctions": true, "kinesis": true, "appconfig": true}

// subtypeProtocols encode a first-class integration's call, by the service's wire protocol:
// the query protocol for SQS (so the client gets SQS's XML back), JSON with X-Amz-Target for
// EventBridge and Step Functions.
var subtypeProtocols = map[string]func(st *mapping.Subtype, params map[string]string) (*http.Request, error){
	"awsQuery":   queryCall,
	"awsJson1_0": jsonCall,
	"awsJson1_1": jsonCall,
	"restJson1":  restJSONCall,
}

// restJSONBindings are the HTTP bindings of the REST-JSON subtypes' actions, by subtype: the
// method, the path with its members and the query parameters, as the service's API reference
// binds them. Kinesis-PutRecord's Data needs no encoding here: the subtype passes it verbatim
// into Kinesis's JSON, where it is a base64 blob, which is what AWS does too.
var restJSONBindings = map[string]func(params map[string]string) (method, path string, query url.Values){
	// GET /applications/{Application}/environments/{Environment}/configurations/{Configuration}
	//     ?client_id=ClientId&client_configuration_version=ClientConfigurationVersion
	"AppConfig-GetConfiguration": func(p map[string]string) (string, string, url.Values) {
		q := url.Values{"client_id": {p["ClientId"]}}
		if v, ok := p["ClientConfigurationVersion"]; ok {
			q.Set("client_configuration_version", v)
		}
		return http.MethodGet, "/applications/" + url.PathEscape(p["Application"]) + "/environments/" + url.PathEscape(p["Environment"]) +
			"/configurations/" + url.PathEscape(p["Configuration"]), q
	},
}

func restJSONCall(st *mapping.Subtype, params map[string]string) (*http.Request, error) {
	bind, ok := restJSONBindings[st.Name]
	if !ok {
		return nil, fmt.Errorf("the HTTP binding of %s is not emulated", st.Name)
	}
	method, path, query := bind(params)
	return http.NewRequest(method, path+"?"+query.Encode(), nil)
}

func queryCall(st *mapping.Subtype, params map[string]string) (*http.Request, error) {
	form := url.Values{"Action": {st.Action}, "Version": {"2012-11-05"}}
	for _, p := range st.Parameters {
		v, ok := params[p.Name]
		if !ok || p.Member == "" {
			continue
		}
		if err := addQueryMember(form, p.Member, v); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
	}
	path := "/"
	if u, err := url.Parse(params["QueueUrl"]); err == nil && u.Path != "" {
		path = u.Path
	}
	req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req, nil
}

func jsonCall(st *mapping.Subtype, params map[string]string) (*http.Request, error) {
	body := map[string]any{}
	for _, p := range st.Parameters {
		v, ok := params[p.Name]
		if !ok || p.Member == "" {
			continue
		}
		setJSONMember(body, p.Member, jsonMemberValue(p.Member, v))
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+strings.TrimPrefix(strings.ReplaceAll(st.Protocol, "_", "."), "awsJson"))
	req.Header.Set("X-Amz-Target", st.Target)
	return req, nil
}

// addQueryMember adds one parameter to an SQS query form. Structured members are JSON in the
// mapping and flattened the way the query protocol spells lists and maps.
func addQueryMember(form url.Values, member, v string) error {
	switch member {
	case "MessageAttributes", "MessageSystemAttributes":
		var attrs map[string]struct {
			DataType    string
			StringValue string
			BinaryValue string
		}
		if err := json.Unmarshal([]byte(v), &attrs); err != nil {
			return fmt.Errorf("want a JSON object of {\"DataType\": …, \"StringValue\": …} values: %w", err)
		}
		prefix := strings.TrimSuffix(member, "s")
		names := make([]string, 0, len(attrs))
		for n := range attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			a := attrs[n]
			k := prefix + "." + strconv.Itoa(i+1) + "."
			form.Set(k+"Name", n)
			form.Set(k+"Value.DataType", a.DataType)
			if a.BinaryValue != "" {
				form.Set(k+"Value.BinaryValue", a.BinaryValue)
			} else {
				form.Set(k+"Value.StringValue", a.StringValue)
			}
		}
	case "AttributeNames", "MessageAttributeNames":
		prefix := strings.TrimSuffix(member, "s")
		for i, n := range listValue(v) {
			form.Set(prefix+"."+strconv.Itoa(i+1), n)
		}
	default:
		form.Set(member, v)
	}
	return nil
}

// listValue reads a list parameter: a JSON array, or comma-separated text.
func listValue(v string) []string {
	var list []string
	if json.Unmarshal([]byte(v), &list) == nil {
		return list
	}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return list
}

func jsonMemberValue(member, v string) any {
	if strings.HasSuffix(member, ".Resources") {
		return listValue(v)
	}
	return v
}

// setJSONMember sets a member path such as "Entries[0].Detail" or "input" in a JSON object.
func setJSONMember(obj map[string]any, path string, v any) {
	head, rest, nested := strings.Cut(path, ".")
	if name, idx, ok := strings.Cut(head, "["); ok {
		i, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
		list, _ := obj[name].([]any)
		for len(list) <= i {
			list = append(list, map[string]any{})
		}
		obj[name] = list
		if nested {
			setJSONMember(list[i].(map[string]any), rest, v)
		} else {
			list[i] = v
		}
		return
	}
	if !nested {
		obj[head] = v
		return
	}
	child, _ := obj[head].(map[string]any)
	if child == nil {
		child = map[string]any{}
		obj[head] = child
	}
	setJSONMember(child, rest, v)
}
