package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"
)

// Against the real Docker Engine (the tests of the local environment need it anyway): networks and
// volumes need no image, so they prove list-by-filter, removal and the retry pass without one.
// Containers are covered by the Java test that kills a Testcontainers JVM (ReaperIT).

func dockerEngine(t *testing.T) *engine {
	t.Helper()
	e, err := newEngine(os.Getenv("DOCKER_HOST"), 10*time.Second)
	if err == nil {
		err = e.ping(context.Background())
	}
	if err != nil {
		t.Fatalf("Docker Engine is not reachable (%v): run scripts/docker-engine.sh", err)
	}
	return e
}

// create POSTs a JSON body (test set-up only: the reaper itself never creates anything).
func create(t *testing.T, e *engine, path string, body any) string {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := e.client.Post(e.base+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s %s", path, resp.Status, answer)
	}
	var created struct{ ID, Id, Name string }
	json.Unmarshal(answer, &created)
	for _, v := range []string{created.Id, created.ID, created.Name} {
		if v != "" {
			return v
		}
	}
	t.Fatalf("POST %s answered %s", path, answer)
	return ""
}

func exists(t *testing.T, e *engine, k kind, id string) bool {
	t.Helper()
	path := map[kind]string{networks: "/networks/", volumes: "/volumes/"}[k] + id
	status, err := e.call(context.Background(), http.MethodGet, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return status != http.StatusNotFound
}

func TestReapRemovesMatchingNetworksAndVolumesAndKeepsTheRest(t *testing.T) {
	e := dockerEngine(t)
	session := fmt.Sprintf("users-info-reaper-test-%d", time.Now().UnixNano())
	labels := map[string]string{"users-info.reaper-test": session}
	other := map[string]string{"users-info.reaper-test": session + "-other"}
	network := create(t, e, "/networks/create", map[string]any{"Name": session, "Labels": labels})
	volume := create(t, e, "/volumes/create", map[string]any{"Name": session, "Labels": labels})
	kept := create(t, e, "/networks/create", map[string]any{"Name": session + "-other", "Labels": other})
	t.Cleanup(func() {
		for _, id := range []string{network, kept} {
			e.remove(context.Background(), networks, resource{ID: id})
		}
		e.remove(context.Background(), volumes, resource{ID: volume})
	})
	set, err := parseFilterLine("label=users-info.reaper-test%3D" + session)
	if err != nil {
		t.Fatal(err)
	}
	r := &reaper{engine: e, log: slog.New(slog.NewTextHandler(io.Discard, nil)), retries: 2, interval: 100 * time.Millisecond}

	counts, err := r.reap(context.Background(), []filterSet{set})

	if err != nil {
		t.Fatalf("reap: %v", err)
	}
	if counts[networks] != 1 || counts[volumes] != 1 || counts[containers] != 0 || counts[images] != 0 {
		t.Errorf("counts: %s", counts)
	}
	if exists(t, e, networks, network) || exists(t, e, volumes, volume) {
		t.Error("a matching network or volume is still there")
	}
	if !exists(t, e, networks, kept) {
		t.Error("a network with another label value was removed")
	}
}

func TestReapReportsWhatItCouldNotRemove(t *testing.T) {
	e := dockerEngine(t)
	// Only the predefined networks (bridge, host, none) match, and the engine refuses to remove them:
	// the failure this test needs, with nothing else at risk.
	set, _ := parseFilterLine("type=builtin")
	r := &reaper{engine: e, log: slog.New(slog.NewTextHandler(io.Discard, nil)), retries: 1, interval: 10 * time.Millisecond}

	_, err := r.reap(context.Background(), []filterSet{set})

	if err == nil {
		t.Fatal("removing the predefined networks did not fail")
	}
	if !exists(t, e, networks, "bridge") {
		t.Fatal("the bridge network is gone")
	}
}
