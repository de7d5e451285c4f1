package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

// started runs a server on a free loopback port with the given timeouts; the returned channel yields
// run's reason once it returns.
func started(t *testing.T, ctx context.Context, cfg config) (string, *registry, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reg := newRegistry()
	s := &server{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), registry: reg}
	done := make(chan string, 1)
	go func() { done <- s.run(ctx, ln) }()
	return ln.Addr().String(), reg, done
}

func quick() config {
	return config{ConnectionTimeout: 2 * time.Second, ReconnectionTimeout: 200 * time.Millisecond,
		ShutdownTimeout: 2 * time.Second}
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReader(conn)
}

func send(t *testing.T, conn net.Conn, in *bufio.Reader, line string) string {
	t.Helper()
	if _, err := io.WriteString(conn, line+"\n"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	answer, err := in.ReadString('\n')
	if err != nil {
		t.Fatalf("no answer to %q: %v", line, err)
	}
	return strings.TrimSuffix(answer, "\n")
}

func within(t *testing.T, done <-chan string, limit time.Duration) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case reason := <-done:
		return reason, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("the server did not stop within %v", limit)
		return "", 0
	}
}

func TestEachAcceptedLineIsAcknowledgedAndARefusedOneSaysWhy(t *testing.T) {
	addr, reg, _ := started(t, context.Background(), quick())
	conn, in := dial(t, addr)

	acks := []string{send(t, conn, in, "label=a%3D1"), send(t, conn, in, "label=b%3D2&name=x")}
	refused := send(t, conn, in, "colour=blue")
	again := send(t, conn, in, "label=a%3D1")

	if acks[0] != "ACK" || acks[1] != "ACK" || again != "ACK" {
		t.Errorf("answers %v then %q, want ACK each time", acks, again)
	}
	if !strings.HasPrefix(refused, "ERROR ") || !strings.Contains(refused, "colour") {
		t.Errorf("refused line answered %q, want ERROR naming the key", refused)
	}
	if got := len(reg.sets()); got != 2 {
		t.Errorf("%d filter sets registered, want 2 (the repeated one once)", got)
	}
}

func TestOneOffClientWithoutNewlineIsRegistered(t *testing.T) {
	// Ryuk's README: printf "label=x" | nc host 8080.
	addr, reg, done := started(t, context.Background(), quick())
	conn, _ := dial(t, addr)

	io.WriteString(conn, "label=one-off")
	conn.(*net.TCPConn).CloseWrite()
	io.ReadAll(conn)
	conn.Close()
	within(t, done, 2*time.Second)

	if got := reg.sets(); len(got) != 1 || got[0]["label"][0] != "one-off" {
		t.Errorf("sets = %v, want the one-off filter", got)
	}
}

func TestReapsOnceTheLastClientHasBeenGoneForTheReconnectionTimeout(t *testing.T) {
	addr, _, done := started(t, context.Background(), quick())
	first, in1 := dial(t, addr)
	second, in2 := dial(t, addr)
	send(t, first, in1, "label=a")
	send(t, second, in2, "label=b")

	first.Close()
	select {
	case reason := <-done:
		t.Fatalf("stopped while a client was still connected: %s", reason)
	case <-time.After(400 * time.Millisecond):
	}
	second.Close()
	reason, waited := within(t, done, 2*time.Second)

	if !strings.Contains(reason, "last client left") {
		t.Errorf("reason %q", reason)
	}
	if waited < 150*time.Millisecond {
		t.Errorf("stopped %v after the last client left, before the reconnection timeout (200ms)", waited)
	}
}

func TestAClientComingBackInTimeCancelsTheReaping(t *testing.T) {
	addr, _, done := started(t, context.Background(), quick())
	conn, in := dial(t, addr)
	send(t, conn, in, "label=a")
	conn.Close()

	time.Sleep(100 * time.Millisecond)
	back, in := dial(t, addr)
	send(t, back, in, "label=a")
	select {
	case reason := <-done:
		t.Fatalf("stopped although the client came back: %s", reason)
	case <-time.After(500 * time.Millisecond):
	}
	back.Close()

	within(t, done, 2*time.Second)
}

func TestGivesUpWhenNobodyConnects(t *testing.T) {
	cfg := quick()
	cfg.ConnectionTimeout = 100 * time.Millisecond
	_, _, done := started(t, context.Background(), cfg)

	reason, _ := within(t, done, 2*time.Second)

	if !strings.Contains(reason, "no client connected within 100ms") {
		t.Errorf("reason %q", reason)
	}
}

func TestSignalWaitsForConnectedClientsAtMostTheShutdownTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := quick()
	cfg.ShutdownTimeout = 300 * time.Millisecond
	addr, _, done := started(t, ctx, cfg)
	conn, in := dial(t, addr)
	send(t, conn, in, "label=a")

	cancel()
	reason, waited := within(t, done, 2*time.Second)

	if !strings.Contains(reason, "still connected after 300ms") || waited < 250*time.Millisecond {
		t.Errorf("reason %q after %v", reason, waited)
	}
	conn.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := in.ReadString('\n'); err == nil {
		t.Error("the client's connection is still open after the server stopped")
	}
}

func TestSignalWithClientsGoneStopsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, _, done := started(t, ctx, quick())
	conn, in := dial(t, addr)
	send(t, conn, in, "label=a")

	cancel()
	conn.Close()
	reason, _ := within(t, done, time.Second)

	if !strings.HasPrefix(reason, "signalled") {
		t.Errorf("reason %q", reason)
	}
}
