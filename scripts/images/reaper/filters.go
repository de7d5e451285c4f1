package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// kind is a type of Docker resource the reaper removes, in the order it removes them: containers first
// (they hold networks, volumes and images), images last.
type kind int

const (
	containers kind = iota
	networks
	volumes
	images
)

var kinds = []kind{containers, networks, volumes, images}

func (k kind) String() string {
	return [...]string{"container", "network", "volume", "image"}[k]
}

// filterKeys lists, per kind, the filter keys its Docker Engine list endpoint accepts (Engine API
// reference, GET /containers/json, /networks, /volumes, /images/json). The engine answers 400 to any
// other key, so a filter set is applied only to the kinds that understand every key in it.
var filterKeys = map[kind][]string{
	containers: {"ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label",
		"name", "network", "publish", "since", "status", "volume"},
	networks: {"dangling", "driver", "id", "label", "name", "scope", "type"},
	volumes:  {"dangling", "driver", "label", "name"},
	images:   {"before", "dangling", "label", "reference", "since"},
}

// filterSet is one line of the protocol: Docker Engine filters that a resource must all satisfy (the
// engine's semantics: values of one key such as label are all required; name, id and status values are
// alternatives).
type filterSet map[string][]string

// parseFilterLine reads one protocol line: URL query syntax, one key=value pair per filter, values
// URL-encoded (Testcontainers sends label=org.testcontainers.sessionId%3D<uuid>&label=...).
// A line that would match everything (nothing in it, an empty value) or that no kind of resource
// understands is refused: the reaper removes what its filters match, so a filter must say something.
func parseFilterLine(line string) (filterSet, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, fmt.Errorf("empty filter: send key=value pairs such as label=name%%3Dvalue")
	}
	values, err := url.ParseQuery(line)
	if err != nil {
		return nil, fmt.Errorf("not URL query syntax (%v): send key=value pairs joined by &", err)
	}
	set := filterSet{}
	for key, vals := range values {
		if key == "" {
			return nil, fmt.Errorf("a filter has no key: send key=value pairs such as label=name%%3Dvalue")
		}
		for _, v := range vals {
			if v == "" {
				return nil, fmt.Errorf("filter %q has an empty value", key)
			}
			set[key] = append(set[key], v)
		}
	}
	if len(set.kinds()) == 0 {
		return nil, fmt.Errorf("no Docker resource accepts the filter keys %s (label is the usual one)", strings.Join(set.keys(), ", "))
	}
	return set, nil
}

func (s filterSet) keys() []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// appliesTo: true when the engine's list endpoint for k accepts every key of the set.
func (s filterSet) appliesTo(k kind) bool {
	for key := range s {
		found := false
		for _, accepted := range filterKeys[k] {
			if key == accepted {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s filterSet) kinds() []kind {
	var out []kind
	for _, k := range kinds {
		if s.appliesTo(k) {
			out = append(out, k)
		}
	}
	return out
}

// engineJSON is the set as the Engine API's filters query parameter expects it, {"key":{"value":true}}.
// json.Marshal sorts map keys, so equal sets give equal strings: this is also the set's identity.
func (s filterSet) engineJSON() string {
	m := make(map[string]map[string]bool, len(s))
	for key, vals := range s {
		m[key] = make(map[string]bool, len(vals))
		for _, v := range vals {
			m[key][v] = true
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		// A map of strings to maps of strings to booleans always marshals.
		panic(err)
	}
	return string(out)
}
