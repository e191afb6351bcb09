package appconfig

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"firstclass/internal/awslocal/awsproto"
)

// The REST-JSON protocol (restJson1) of AppConfig and AppConfig Data: each
// operation is a method and a path pattern, with its input in the path,
// the query string, headers and a JSON (or, for hosted content, raw) body,
// as the API references bind them.

// operation is one action: its method, path pattern ("{x}" segments are
// parameters) and handler.
type operation struct {
	method  string
	pattern []string
	serve   func(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error
}

func op(method, path string, serve func(*Service, http.ResponseWriter, *http.Request, map[string]string) error) operation {
	return operation{method: method, pattern: strings.Split(strings.Trim(path, "/"), "/"), serve: serve}
}

// operations are the actions, AppConfig's then AppConfig Data's.
var operations = []operation{
	op("POST", "/applications", createApplicationOp),
	op("GET", "/applications", listApplicationsOp),
	op("GET", "/applications/{app}", getApplicationOp),
	op("POST", "/applications/{app}/environments", createEnvironmentOp),
	op("POST", "/applications/{app}/configurationprofiles", createProfileOp),
	op("POST", "/applications/{app}/configurationprofiles/{profile}/hostedconfigurationversions", createHostedVersionOp),
	op("POST", "/deploymentstrategies", createStrategyOp),
	op("POST", "/applications/{app}/environments/{env}/deployments", startDeploymentOp),
	op("GET", "/applications/{app}/environments/{env}/configurations/{config}", getConfigurationOp),
	op("POST", "/configurationsessions", startSessionOp),
	op("GET", "/configuration", getLatestConfigurationOp),
}

// Handles reports whether r is addressed to AppConfig or AppConfig Data
// (by its path: the services have hosts of their own on AWS).
func Handles(r *http.Request) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch first {
	case "applications", "deploymentstrategies", "configurationsessions", "configuration":
		return true
	}
	return false
}

// ServeREST answers one request.
func (svc *Service) ServeREST(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-Requestid", awsproto.NewRequestID())
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	pathMatched := false
	for _, o := range operations {
		p, ok := match(o.pattern, segs)
		if !ok {
			continue
		}
		pathMatched = true
		if o.method != r.Method {
			continue
		}
		if err := o.serve(svc, w, r, p); err != nil {
			writeError(w, awsproto.AsError(err))
		}
		return
	}
	if pathMatched {
		writeError(w, apiError("MethodNotAllowedException", http.StatusMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	writeError(w, apiError("UnknownOperationException", http.StatusNotFound, "no AppConfig operation at %s %s", r.Method, r.URL.Path))
}

func match(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var p map[string]string
	for i, s := range pattern {
		if strings.HasPrefix(s, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if p == nil {
				p = map[string]string{}
			}
			p[strings.Trim(s, "{}")] = segs[i]
		} else if s != segs[i] {
			return nil, false
		}
	}
	return p, true
}

// writeError writes a restJson1 error: the shape name in X-Amzn-ErrorType
// and {"Message": …} in the body.
func writeError(w http.ResponseWriter, e *awsproto.Error) {
	h := w.Header()
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("Content-Type", "application/json")
	body, _ := json.Marshal(map[string]string{"Message": e.Message})
	w.WriteHeader(e.HTTPStatus())
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}

func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxRequestBody))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return badRequest("the request body is not valid JSON: %v", err)
	}
	return nil
}

func createApplicationOp(svc *Service, w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var in Application
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.ID = ""
	out, err := svc.CreateApplication(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func listApplicationsOp(svc *Service, w http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	svc.mu.RLock()
	items := []Application{}
	for _, id := range sortedKeys(svc.apps) {
		items = append(items, svc.apps[id].Application)
	}
	svc.mu.RUnlock()
	return writeJSON(w, http.StatusOK, map[string]any{"Items": items})
}

func getApplicationOp(svc *Service, w http.ResponseWriter, _ *http.Request, p map[string]string) error {
	svc.mu.RLock()
	a := svc.apps[p["app"]]
	svc.mu.RUnlock()
	if a == nil {
		return notFound("Application %s not found", p["app"])
	}
	return writeJSON(w, http.StatusOK, a.Application)
}

func createEnvironmentOp(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error {
	var in Environment
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.ID, in.ApplicationID = "", p["app"]
	out, err := svc.CreateEnvironment(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func createProfileOp(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error {
	var in Profile
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.ID, in.ApplicationID = "", p["app"]
	out, err := svc.CreateProfile(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func createHostedVersionOp(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error {
	content, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxRequestBody))
	if err != nil {
		return err
	}
	latest := 0
	if s := r.Header.Get("Latest-Version-Number"); s != "" {
		if latest, err = strconv.Atoi(s); err != nil {
			return badRequest("Latest-Version-Number %q is not a number", s)
		}
	}
	out, err := svc.CreateHostedVersion(HostedVersion{ApplicationID: p["app"], ConfigurationProfileID: p["profile"], Content: content,
		ContentType: r.Header.Get("Content-Type"), Description: r.Header.Get("Description"), VersionLabel: r.Header.Get("VersionLabel")}, latest)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Application-Id", out.ApplicationID)
	h.Set("Configuration-Profile-Id", out.ConfigurationProfileID)
	h.Set("Version-Number", strconv.Itoa(out.VersionNumber))
	h.Set("Content-Type", out.ContentType)
	if out.Description != "" {
		h.Set("Description", out.Description)
	}
	if out.VersionLabel != "" {
		h.Set("VersionLabel", out.VersionLabel)
	}
	w.WriteHeader(http.StatusCreated)
	w.Write(out.Content)
	return nil
}

func createStrategyOp(svc *Service, w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var in Strategy
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.ID = ""
	out, err := svc.CreateStrategy(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func startDeploymentOp(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error {
	var in Deployment
	if err := readJSON(r, &in); err != nil {
		return err
	}
	in.ApplicationID, in.EnvironmentID = p["app"], p["env"]
	out, err := svc.StartDeployment(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Deployment
		// AppConfig's timestamps are ISO 8601 strings.
		StartedAt   string `json:"StartedAt"`
		CompletedAt string `json:"CompletedAt"`
	}{out, iso8601(out.startedAt()), iso8601(out.startedAt())})
}

func iso8601(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func getConfigurationOp(svc *Service, w http.ResponseWriter, r *http.Request, p map[string]string) error {
	q := r.URL.Query()
	out, err := svc.GetConfiguration(p["app"], p["env"], p["config"], q.Get("client_id"), q.Get("client_configuration_version"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Configuration-Version", strconv.Itoa(out.Version))
	h.Set("Content-Type", out.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(out.Content)))
	w.WriteHeader(http.StatusOK)
	w.Write(out.Content)
	return nil
}

func startSessionOp(svc *Service, w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var in SessionInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	token, err := svc.StartSession(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"InitialConfigurationToken": token})
}

func getLatestConfigurationOp(svc *Service, w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	token := r.URL.Query().Get("configuration_token")
	if token == "" {
		return badRequest("configuration_token is required")
	}
	out, err := svc.GetLatestConfiguration(token)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Next-Poll-Configuration-Token", out.NextToken)
	h.Set("Next-Poll-Interval-In-Seconds", strconv.Itoa(out.PollInterval))
	h.Set("Content-Type", out.ContentType)
	if out.VersionLabel != "" {
		h.Set("Version-Label", out.VersionLabel)
	}
	h.Set("Content-Length", strconv.Itoa(len(out.Content)))
	w.WriteHeader(http.StatusOK)
	w.Write(out.Content)
	return nil
}
