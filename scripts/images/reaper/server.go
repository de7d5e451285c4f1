package main

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// registry keeps every distinct filter set clients sent, in arrival order. Clients resend their sets
// after a reconnection, so duplicates are expected and kept once.
type registry struct {
	mu    sync.Mutex
	seen  map[string]bool
	order []filterSet
}

func newRegistry() *registry { return &registry{seen: map[string]bool{}} }

// add returns false when the set was registered already.
func (r *registry) add(s filterSet) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := s.engineJSON()
	if r.seen[id] {
		return false
	}
	r.seen[id] = true
	r.order = append(r.order, s)
	return true
}

func (r *registry) sets() []filterSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]filterSet(nil), r.order...)
}

// server speaks Ryuk's protocol: each client sends filter lines and gets "ACK" per accepted line (an
// "ERROR ..." line for one it refuses); the client keeps the connection open for as long as its
// resources must live. run returns when it is time to reap.
type server struct {
	cfg      config
	log      *slog.Logger
	registry *registry
}

// run accepts clients on ln until one of:
//   - nobody connected within cfg.ConnectionTimeout of the start;
//   - the last client left and nobody came back within cfg.ReconnectionTimeout;
//   - ctx was cancelled (SIGTERM) and every client left, or cfg.ShutdownTimeout passed.
//
// It closes ln and returns why it stopped.
func (s *server) run(ctx context.Context, ln net.Listener) string {
	events := make(chan int)
	stopped := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stopped)
		ln.Close()
		wg.Wait()
	}()
	signal := func(delta int) bool {
		select {
		case events <- delta:
			return true
		case <-stopped:
			return false
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					s.log.Error("accept failed", "error", err)
				}
				return
			}
			if !signal(+1) {
				conn.Close()
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(conn, stopped)
				signal(-1)
			}()
		}
	}()

	active := 0
	timer := time.NewTimer(s.cfg.ConnectionTimeout)
	defer timer.Stop()
	timeout := "no client connected within " + s.cfg.ConnectionTimeout.String()
	done := ctx.Done()
	var shutdown <-chan time.Time
	for {
		select {
		case delta := <-events:
			active += delta
			s.log.Debug("clients", "connected", active)
			switch {
			case active == 0 && shutdown != nil:
				return "signalled, and every client left"
			case active == 0:
				timer.Reset(s.cfg.ReconnectionTimeout)
				timeout = "the last client left " + s.cfg.ReconnectionTimeout.String() + " ago"
			default:
				timer.Stop()
			}
		case <-timer.C:
			return timeout
		case <-done:
			done = nil
			if active == 0 {
				return "signalled, no client connected"
			}
			s.log.Info("signalled: waiting for clients to leave", "connected", active, "at_most", s.cfg.ShutdownTimeout)
			timer.Stop()
			shutdown = time.After(s.cfg.ShutdownTimeout)
		case <-shutdown:
			return "signalled, and clients were still connected after " + s.cfg.ShutdownTimeout.String()
		}
	}
}

// serve reads one client's filter lines until it disconnects or the server stops.
func (s *server) serve(conn net.Conn, stopped <-chan struct{}) {
	defer conn.Close()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		// Unblocks the read below when run returns while this client is still connected.
		select {
		case <-stopped:
			conn.Close()
		case <-finished:
		}
	}()
	peer := conn.RemoteAddr().String()
	s.log.Debug("client connected", "client", peer)
	lines := bufio.NewScanner(conn)
	// Testcontainers sends about 200 bytes per line; a megabyte leaves room without trusting the peer.
	lines.Buffer(make([]byte, 0, 4096), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		set, err := parseFilterLine(line)
		if err != nil {
			s.log.Warn("filter refused", "client", peer, "line", line, "reason", err)
			if _, werr := conn.Write([]byte("ERROR " + err.Error() + "\n")); werr != nil {
				return
			}
			continue
		}
		if s.registry.add(set) {
			s.log.Info("filter registered", "client", peer, "filter", set.engineJSON())
		} else {
			s.log.Debug("filter registered already", "client", peer, "filter", set.engineJSON())
		}
		if _, err := conn.Write([]byte("ACK\n")); err != nil {
			return
		}
	}
	if err := lines.Err(); err != nil {
		s.log.Debug("client read failed", "client", peer, "error", err)
	}
	s.log.Debug("client disconnected", "client", peer)
}
