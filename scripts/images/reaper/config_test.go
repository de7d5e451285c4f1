package main

import (
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaultsAreRyuks(t *testing.T) {
	cfg, err := loadConfig(env(nil))

	want := config{ConnectionTimeout: time.Minute, ReconnectionTimeout: 10 * time.Second,
		RequestTimeout: 10 * time.Second, RemoveRetries: 10, ShutdownTimeout: 10 * time.Minute, Port: 8080}
	if err != nil || cfg != want {
		t.Errorf("got %+v, %v; want %+v", cfg, err, want)
	}
}

func TestLoadConfigReadsRyuksVariables(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{
		"RYUK_CONNECTION_TIMEOUT": "2m", "RYUK_RECONNECTION_TIMEOUT": "1s", "RYUK_REQUEST_TIMEOUT": "3s",
		"RYUK_SHUTDOWN_TIMEOUT": "30s", "RYUK_REMOVE_RETRIES": "0", "RYUK_PORT": "9000", "RYUK_VERBOSE": "true",
	}))

	want := config{ConnectionTimeout: 2 * time.Minute, ReconnectionTimeout: time.Second,
		RequestTimeout: 3 * time.Second, RemoveRetries: 0, ShutdownTimeout: 30 * time.Second, Port: 9000, Verbose: true}
	if err != nil || cfg != want {
		t.Errorf("got %+v, %v; want %+v", cfg, err, want)
	}
}

func TestLoadConfigNamesTheBadVariable(t *testing.T) {
	cases := map[string]string{
		"RYUK_RECONNECTION_TIMEOUT": "10",
		"RYUK_CONNECTION_TIMEOUT":   "-1s",
		"RYUK_REMOVE_RETRIES":       "many",
		"RYUK_PORT":                 "70000",
		"RYUK_VERBOSE":              "loud",
	}
	for name, value := range cases {
		_, err := loadConfig(env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: got %v, want an error naming the variable", name, value, err)
		}
	}
}
