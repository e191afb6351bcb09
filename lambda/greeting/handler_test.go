package main

import (
	"errors"
	"testing"
)

// The three behaviours of seed 003, for both invocation styles.
func TestHandle(t *testing.T) {
	tests := []struct {
		name       string
		event      string
		wantStatus int
		wantBody   string
		wantErr    error
	}{
		{"custom integration greets a named caller", `{"greeter":"Ada"}`, 200, "Hello, Ada!", nil},
		{"custom integration greets the world for an empty name", `{"greeter":""}`, 200, "Hello, World", nil},
		{"custom integration fails without a greeter", `{}`, 0, "", ErrMissingGreeter},
		{"custom integration treats null as missing", `{"greeter":null}`, 0, "", ErrMissingGreeter},
		{"proxy event greets a named caller", `{"version":"2.0","queryStringParameters":{"greeter":"Ada"}}`, 200, "Hello, Ada!", nil},
		{"proxy event greets the world for an empty name", `{"version":"2.0","queryStringParameters":{"greeter":""}}`, 200, "Hello, World", nil},
		{"proxy event without a greeter is a 400", `{"version":"2.0","rawPath":"/greeting"}`, 400, `{"message":"Missing the required greeter parameter."}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Handle([]byte(tt.event))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.StatusCode != tt.wantStatus || got.Body != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", got.StatusCode, got.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestHandleRejectsMalformedEvent(t *testing.T) {
	if _, err := Handle([]byte(`{"greeter":`)); err == nil {
		t.Fatal("want an error for a truncated event")
	}
}

func TestMissingGreeterMessageIsSeed003s(t *testing.T) {
	// The REST API's selection pattern matches this text; changing it breaks the 400 mapping.
	if got, want := ErrMissingGreeter.Error(), "Missing the required greeter parameter."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
