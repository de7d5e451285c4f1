package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFilterLineReadsWhatTestcontainersSends(t *testing.T) {
	// Testcontainers 2.0.5 (ResourceReaper.FilterRegistry) URL-encodes key and value and joins pairs by &.
	line := "label=org.testcontainers%3Dtrue&label=org.testcontainers.lang%3Djava" +
		"&label=org.testcontainers.version%3D2.0.5&label=org.testcontainers.sessionId%3D5c1d2b7e-0f3a-4d2c-9a6b-1e2f3a4b5c6d"

	set, err := parseFilterLine(line)

	if err != nil {
		t.Fatalf("parseFilterLine: %v", err)
	}
	want := filterSet{"label": {
		"org.testcontainers=true", "org.testcontainers.lang=java", "org.testcontainers.version=2.0.5",
		"org.testcontainers.sessionId=5c1d2b7e-0f3a-4d2c-9a6b-1e2f3a4b5c6d",
	}}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("got %v, want %v", set, want)
	}
	if got := set.kinds(); !reflect.DeepEqual(got, kinds) {
		t.Errorf("a label filter applies to %v, want every kind %v", got, kinds)
	}
}

func TestParseFilterLineToleratesLineEndingsAndSpaces(t *testing.T) {
	set, err := parseFilterLine("label=a%3Db\r")

	if err != nil || !reflect.DeepEqual(set, filterSet{"label": {"a=b"}}) {
		t.Errorf("got %v, %v", set, err)
	}
}

func TestParseFilterLineRefusesFiltersThatWouldMatchEverythingOrNothingKnown(t *testing.T) {
	cases := map[string]string{
		"":                  "empty filter",
		"   ":               "empty filter",
		"label=":            "empty value",
		"label=a&name=":     "empty value",
		"=x":                "no key",
		"label=%zz":         "URL query syntax",
		"colour=blue":       "no Docker resource accepts the filter keys colour",
		"status=up&driver=": "empty value",
	}
	for line, want := range cases {
		_, err := parseFilterLine(line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseFilterLine(%q) = %v, want an error containing %q", line, err, want)
		}
	}
}

func TestFilterSetAppliesOnlyToKindsThatAcceptAllItsKeys(t *testing.T) {
	cases := []struct {
		line string
		want []kind
	}{
		{"label=a", []kind{containers, networks, volumes, images}},
		{"name=db", []kind{containers, networks, volumes}},
		{"status=exited&label=a", []kind{containers}},
		{"driver=bridge&label=a", []kind{networks, volumes}},
		{"reference=users-info%2F*", []kind{images}},
		{"dangling=true", []kind{networks, volumes, images}},
	}
	for _, c := range cases {
		set, err := parseFilterLine(c.line)
		if err != nil {
			t.Fatalf("parseFilterLine(%q): %v", c.line, err)
		}
		if got := set.kinds(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q applies to %v, want %v", c.line, got, c.want)
		}
	}
}

func TestEngineJSONIsTheEngineFormatAndTheSameForEqualSets(t *testing.T) {
	a, _ := parseFilterLine("label=b%3D2&label=a%3D1&name=x")
	b, _ := parseFilterLine("name=x&label=a%3D1&label=b%3D2")

	want := `{"label":{"a=1":true,"b=2":true},"name":{"x":true}}`
	if a.engineJSON() != want {
		t.Errorf("got %s, want %s", a.engineJSON(), want)
	}
	if a.engineJSON() != b.engineJSON() {
		t.Errorf("the same filters in another order differ: %s vs %s", a.engineJSON(), b.engineJSON())
	}
}

func TestRegistryKeepsEachSetOnceInArrivalOrder(t *testing.T) {
	r := newRegistry()
	first, _ := parseFilterLine("label=a")
	second, _ := parseFilterLine("label=b")
	again, _ := parseFilterLine("label=a")

	added := []bool{r.add(first), r.add(second), r.add(again)}

	if !reflect.DeepEqual(added, []bool{true, true, false}) {
		t.Errorf("add returned %v, want [true true false]", added)
	}
	if got := r.sets(); !reflect.DeepEqual(got, []filterSet{first, second}) {
		t.Errorf("sets = %v", got)
	}
}
