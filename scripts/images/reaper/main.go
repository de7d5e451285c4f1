// Command reaper is a resource reaper compatible with Testcontainers' Ryuk: clients connect over TCP and
// send label filters (one URL-query line each, answered "ACK"); once the last client has gone for
// RYUK_RECONNECTION_TIMEOUT, every container, network, volume and image matching a filter is removed
// through the Docker Engine API and the process exits. A test JVM that dies, even by kill -9, drops
// its connection, so what it started is removed. See docs/local-environment.md, "Testcontainers images".
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	cfg, cfgErr := loadConfig(os.Getenv)
	level := slog.LevelInfo
	if cfg.Verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if cfgErr != nil {
		log.Error("bad configuration", "error", cfgErr)
		return 2
	}

	eng, err := newEngine(os.Getenv("DOCKER_HOST"), cfg.RequestTimeout)
	if err != nil {
		log.Error("bad configuration", "error", err)
		return 2
	}
	if err := eng.ping(context.Background()); err != nil {
		log.Error("Docker Engine does not answer: mount its socket (-v /var/run/docker.sock:/var/run/docker.sock) or set DOCKER_HOST", "error", err)
		return 1
	}
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		log.Error("cannot listen", "port", cfg.Port, "error", err)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Testcontainers waits for a log line matching .*Started.* before it connects.
	log.Info("Started", "address", ln.Addr().String(),
		"connection_timeout", cfg.ConnectionTimeout, "reconnection_timeout", cfg.ReconnectionTimeout,
		"request_timeout", cfg.RequestTimeout, "remove_retries", cfg.RemoveRetries,
		"shutdown_timeout", cfg.ShutdownTimeout)

	reg := newRegistry()
	reason := (&server{cfg: cfg, log: log, registry: reg}).run(ctx, ln)
	sets := reg.sets()
	log.Info("reaping", "reason", reason, "filters", len(sets))
	r := &reaper{engine: eng, log: log, retries: cfg.RemoveRetries, interval: time.Second, self: ownContainerID()}
	counts, err := r.reap(context.Background(), sets)
	log.Info(counts.String())
	if err != nil {
		log.Error("some resources are left", "error", err)
		return 1
	}
	return 0
}

var shortContainerID = regexp.MustCompile(`^[0-9a-f]{12}$`)

// ownContainerID: Docker names a container's host after its short ID unless told otherwise.
func ownContainerID() string {
	host, err := os.Hostname()
	if err != nil || !shortContainerID.MatchString(host) {
		return ""
	}
	return host
}
