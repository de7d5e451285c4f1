package main

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

// What the prometheus-community chart 8.4.1 passes with `collectors: [horizontalpodautoscalers, pods]`.
func TestAcceptsTheChartsArguments(t *testing.T) {
	opts, err := parseFlags([]string{"--port=8080", "--resources=horizontalpodautoscalers,pods"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.port != 8080 || opts.telemetryPort != 8081 || !slices.Equal(opts.resources, []string{resourceHPAs, resourcePods}) {
		t.Errorf("got %+v", opts)
	}
}

func TestDefaultsAreKubeStateMetricsOwn(t *testing.T) {
	opts, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := options{host: "::", port: 8080, telemetryHost: "::", telemetryPort: 8081, resources: supportedResources}
	if opts.host != want.host || opts.port != want.port || opts.telemetryHost != want.telemetryHost ||
		opts.telemetryPort != want.telemetryPort || !slices.Equal(opts.resources, want.resources) || opts.kubeconfig != "" {
		t.Errorf("got %+v, want %+v", opts, want)
	}
}

func TestOptionalChartFlags(t *testing.T) {
	opts, err := parseFlags([]string{"--host=127.0.0.1", "--telemetry-host=127.0.0.1", "--telemetry-port=9091",
		"--kubeconfig=/opt/k8s/.kube/config", "--resources=pods,pods"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if opts.host != "127.0.0.1" || opts.telemetryPort != 9091 || opts.kubeconfig != "/opt/k8s/.kube/config" ||
		!slices.Equal(opts.resources, []string{resourcePods}) {
		t.Errorf("got %+v", opts)
	}
}

func TestRejectsAResourceItDoesNotImplement(t *testing.T) {
	_, err := parseFlags([]string{"--resources=pods,deployments,nodes"}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("accepted deployments and nodes")
	}
	for _, want := range []string{"deployments, nodes not implemented", "supports only horizontalpodautoscalers, pods"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestRejectsBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--resources=,"},
		{"--port=0"},
		{"--telemetry-port=70000"},
		{"--port=8080", "pods"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// A kube-state-metrics flag this subset does not take (the chart passes them only when their values are set)
// fails with the list of the flags it does take.
func TestUnknownFlagListsTheSupportedOnes(t *testing.T) {
	var out bytes.Buffer
	_, err := parseFlags([]string{"--metric-labels-allowlist=pods=[*]"}, &out)
	if err == nil || !strings.Contains(err.Error(), "metric-labels-allowlist") {
		t.Fatalf("error %v, want one naming the flag", err)
	}
	for _, want := range []string{"accepts these kube-state-metrics flags and no others", "-resources", "-telemetry-port"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage does not say %q:\n%s", want, out.String())
		}
	}
}

func TestHelpIsNotAnError(t *testing.T) {
	_, err := parseFlags([]string{"--help"}, &bytes.Buffer{})
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("got %v, want flag.ErrHelp", err)
	}
	if code := run([]string{"--help"}); code != 0 {
		t.Errorf("--help exits %d", code)
	}
	if code := run([]string{"--resources=nodes"}); code != 2 {
		t.Errorf("an unsupported resource exits %d, want 2", code)
	}
}
