package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// reaper removes everything the registered filter sets match, kind by kind, and goes over what is left
// again when a removal failed: a network cannot go while a container being removed still uses it.
type reaper struct {
	engine   *engine
	log      *slog.Logger
	retries  int
	interval time.Duration
	// self is this process's own container ID prefix (its host name), never removed even if a filter
	// matched it; empty outside a container.
	self string
}

// tally counts removed resources per kind.
type tally map[kind]int

func (t tally) String() string {
	return fmt.Sprintf("Removed %d container(s), %d network(s), %d volume(s), %d image(s)",
		t[containers], t[networks], t[volumes], t[images])
}

func (r *reaper) reap(ctx context.Context, sets []filterSet) (tally, error) {
	removed := map[string]bool{}
	counts := tally{}
	for attempt := 0; ; attempt++ {
		var failures []string
		for _, k := range kinds {
			for _, s := range sets {
				if !s.appliesTo(k) {
					continue
				}
				found, err := r.engine.list(ctx, k, s)
				if err != nil {
					failures = append(failures, err.Error())
					continue
				}
				for _, res := range found {
					id := k.String() + "/" + res.ID
					if removed[id] || (k == containers && r.self != "" && strings.HasPrefix(res.ID, r.self)) {
						continue
					}
					if err := r.engine.remove(ctx, k, res); err != nil {
						failures = append(failures, err.Error())
						continue
					}
					removed[id] = true
					counts[k]++
					r.log.Info("removed "+k.String(), "id", shortID(res.ID), "name", res.Name)
				}
			}
		}
		if len(failures) == 0 {
			return counts, nil
		}
		if attempt >= r.retries {
			return counts, fmt.Errorf("%d removal(s) still failing after %d retries: %s",
				len(failures), r.retries, strings.Join(failures, "; "))
		}
		r.log.Warn("removals failed, trying again", "attempt", attempt+1, "of", r.retries, "errors", strings.Join(failures, "; "))
		select {
		case <-time.After(r.interval):
		case <-ctx.Done():
			return counts, ctx.Err()
		}
	}
}

// shortID is how docker ps shows an ID: 12 hex digits, without an algorithm prefix.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
