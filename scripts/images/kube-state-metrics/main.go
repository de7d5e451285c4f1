// Command kube-state-metrics is a subset of kube-state-metrics v2.20: from HorizontalPodAutoscalers and Pods
// it serves exactly the series the project's alert rules and dashboard use, under the names, labels, types and
// help texts of the real one, and it takes the real one's flags and endpoints, so the prometheus-community
// chart runs it unchanged. It exists because neither the real module nor its image can be fetched on machines
// without an image registry; on EKS the real kube-state-metrics runs instead. See docs/local-environment.md,
// "kube-state-metrics".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// compatibleVersion: the kube-state-metrics release whose series and flags this subset reproduces.
const compatibleVersion = "v2.20.0"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	opts, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube-state-metrics: %v\n", err)
		return 2
	}
	if opts.version {
		fmt.Printf("kube-state-metrics %s-subset (users-info: %s only)\n", compatibleVersion, strings.Join(supportedResources, ", "))
		return 0
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	config, err := clientConfig(opts.kubeconfig)
	if err != nil {
		log.Error("no Kubernetes API configuration", "error", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, opts, config, log); err != nil {
		log.Error("stopped", "error", err)
		return 1
	}
	return 0
}

// clientConfig: the kubeconfig file when one is given, else the pod's service account (in-cluster), as
// kube-state-metrics does.
func clientConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig=%s: %w", kubeconfig, err)
		}
		return config, nil
	}
	config, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("not running in a pod with a service account (%w): pass --kubeconfig=PATH outside a cluster", err)
	}
	return config, nil
}
