package main

import (
	"fmt"
	"strconv"
	"time"
)

// config holds the settings Ryuk reads from its environment, with Ryuk's defaults, so that Testcontainers
// clients that tune Ryuk (RYUK_* variables on the reaper container) tune this reaper the same way.
type config struct {
	// ConnectionTimeout: how long to wait for the first client before giving up (and exiting).
	ConnectionTimeout time.Duration
	// ReconnectionTimeout: how long after the last client left to wait for another before reaping.
	ReconnectionTimeout time.Duration
	// RequestTimeout bounds each Docker Engine API call.
	RequestTimeout time.Duration
	// RemoveRetries: further passes over what is still there when a removal failed (a network still
	// attached to a container being removed, an image still used).
	RemoveRetries int
	// ShutdownTimeout: after SIGTERM/SIGINT, how long to wait for clients to leave before reaping anyway.
	ShutdownTimeout time.Duration
	// Port to listen on, on every interface of the container.
	Port uint16
	// Verbose adds a log line per connection and per filter.
	Verbose bool
}

// loadConfig reads the configuration through getenv (os.Getenv in main), rejecting values it cannot use
// with a message that names the variable and the expected form.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		ConnectionTimeout:   60 * time.Second,
		ReconnectionTimeout: 10 * time.Second,
		RequestTimeout:      10 * time.Second,
		RemoveRetries:       10,
		ShutdownTimeout:     10 * time.Minute,
		Port:                8080,
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"RYUK_CONNECTION_TIMEOUT", &cfg.ConnectionTimeout},
		{"RYUK_RECONNECTION_TIMEOUT", &cfg.ReconnectionTimeout},
		{"RYUK_REQUEST_TIMEOUT", &cfg.RequestTimeout},
		{"RYUK_SHUTDOWN_TIMEOUT", &cfg.ShutdownTimeout},
	}
	for _, d := range durations {
		raw := getenv(d.name)
		if raw == "" {
			continue
		}
		v, err := time.ParseDuration(raw)
		if err != nil || v <= 0 {
			return cfg, fmt.Errorf("%s=%q is not a positive duration: use Go's form, e.g. 10s, 1m30s", d.name, raw)
		}
		*d.dst = v
	}
	if raw := getenv("RYUK_REMOVE_RETRIES"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 {
			return cfg, fmt.Errorf("RYUK_REMOVE_RETRIES=%q is not a whole number of retries (0 or more)", raw)
		}
		cfg.RemoveRetries = v
	}
	if raw := getenv("RYUK_PORT"); raw != "" {
		v, err := strconv.ParseUint(raw, 10, 16)
		if err != nil || v == 0 {
			return cfg, fmt.Errorf("RYUK_PORT=%q is not a TCP port (1-65535)", raw)
		}
		cfg.Port = uint16(v)
	}
	if raw := getenv("RYUK_VERBOSE"); raw != "" {
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return cfg, fmt.Errorf("RYUK_VERBOSE=%q is not a boolean (true or false)", raw)
		}
		cfg.Verbose = v
	}
	return cfg, nil
}
