package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Resource names as kube-state-metrics spells them in --resources (and the chart in `collectors`).
const (
	resourceHPAs = "horizontalpodautoscalers"
	resourcePods = "pods"
)

// supportedResources: the collectors this exporter implements, in the order --help lists them.
var supportedResources = []string{resourceHPAs, resourcePods}

// options are the command-line flags: the subset of kube-state-metrics' own flags that the
// prometheus-community chart passes for `collectors: [horizontalpodautoscalers, pods]`, with the same names,
// meanings and defaults, so the chart runs this image unchanged.
type options struct {
	host          string
	port          int
	telemetryHost string
	telemetryPort int
	resources     []string
	kubeconfig    string
	version       bool
}

// parseFlags reads args (without the program name). Usage and flag errors are written to out; an unknown
// flag or resource is an error that says what this exporter supports.
func parseFlags(args []string, out io.Writer) (options, error) {
	var opts options
	var resources string
	fs := flag.NewFlagSet("kube-state-metrics", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&opts.host, "host", "::", "Host to expose the Kubernetes state metrics on.")
	fs.IntVar(&opts.port, "port", 8080, "Port to expose the Kubernetes state metrics on (/metrics, /livez, /healthz, /readyz).")
	fs.StringVar(&opts.telemetryHost, "telemetry-host", "::", "Host to expose the exporter's own metrics on.")
	fs.IntVar(&opts.telemetryPort, "telemetry-port", 8081, "Port to expose the exporter's own metrics (/metrics) and readiness (/readyz) on.")
	fs.StringVar(&resources, "resources", "", "Comma-separated list of resources to be enabled (default: all of "+
		strings.Join(supportedResources, ",")+").")
	fs.StringVar(&opts.kubeconfig, "kubeconfig", "", "Absolute path to a kubeconfig file; without it the in-cluster configuration is used.")
	fs.BoolVar(&opts.version, "version", false, "Print the version and exit.")
	fs.Usage = func() {
		fmt.Fprintf(out, "kube-state-metrics (users-info subset, %s): the kube-state-metrics series of %s only.\n"+
			"It accepts these kube-state-metrics flags and no others:\n", compatibleVersion, strings.Join(supportedResources, " and "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q: every setting is a --flag (see --help)", fs.Arg(0))
	}
	if err := checkPort("port", opts.port); err != nil {
		return opts, err
	}
	if err := checkPort("telemetry-port", opts.telemetryPort); err != nil {
		return opts, err
	}
	var err error
	opts.resources, err = parseResources(resources)
	return opts, err
}

func checkPort(name string, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("--%s=%d is not a TCP port (1-65535)", name, port)
	}
	return nil
}

// parseResources: the --resources list, checked against what this exporter implements; empty means all of
// them, as kube-state-metrics enables its default set when the flag is absent.
func parseResources(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(supportedResources), nil
	}
	var chosen, unsupported []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			continue
		case !slices.Contains(supportedResources, name):
			unsupported = append(unsupported, name)
		case !slices.Contains(chosen, name):
			chosen = append(chosen, name)
		}
	}
	if len(unsupported) > 0 {
		return nil, fmt.Errorf("--resources: %s not implemented by this kube-state-metrics subset; it supports only %s "+
			"(set the chart's `collectors` to those, or run the upstream image for more)",
			strings.Join(unsupported, ", "), strings.Join(supportedResources, ", "))
	}
	if len(chosen) == 0 {
		return nil, errors.New("--resources names no resource: give one or more of " + strings.Join(supportedResources, ", "))
	}
	return chosen, nil
}
