package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// exporter holds the informers of the enabled resources and the two registries kube-state-metrics serves:
// the Kubernetes state on --port, its own process metrics on --telemetry-port.
type exporter struct {
	factory   informers.SharedInformerFactory
	synced    []cache.InformerSynced
	state     *prometheus.Registry
	telemetry *prometheus.Registry
	ready     atomic.Bool
}

func newExporter(client kubernetes.Interface, resources []string) (*exporter, error) {
	// No periodic resync: the watch delivers every change, and a resync would only replay the cache.
	e := &exporter{
		factory:   informers.NewSharedInformerFactory(client, 0),
		state:     prometheus.NewRegistry(),
		telemetry: prometheus.NewRegistry(),
	}
	collector := &stateCollector{}
	for _, resource := range resources {
		switch resource {
		case resourceHPAs:
			hpas := e.factory.Autoscaling().V2().HorizontalPodAutoscalers()
			e.synced = append(e.synced, hpas.Informer().HasSynced)
			collector.hpas = hpas.Lister()
		case resourcePods:
			pods := e.factory.Core().V1().Pods()
			if err := pods.Informer().SetTransform(trimPod); err != nil {
				return nil, err
			}
			e.synced = append(e.synced, pods.Informer().HasSynced)
			collector.pods = pods.Lister()
		default:
			return nil, fmt.Errorf("resource %q is not implemented", resource)
		}
	}
	e.state.MustRegister(collector)
	e.telemetry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return e, nil
}

// start runs the informers until ctx ends and marks the exporter ready once every cache holds a full list,
// so that a scrape never sees a partial cluster as if it were the whole one.
func (e *exporter) start(ctx context.Context, log *slog.Logger) {
	began := time.Now()
	e.factory.Start(ctx.Done())
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), e.synced...) {
			e.ready.Store(true)
			log.Info("informer caches synced: ready", "after", time.Since(began).Round(time.Millisecond))
		}
	}()
}

// stateHandler serves --port as kube-state-metrics does: /metrics, /livez, /healthz, and here /readyz too.
func (e *exporter) stateHandler() http.Handler {
	mux := http.NewServeMux()
	// Scrapes of the state are counted in the telemetry registry (promhttp_metric_handler_requests_total).
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(e.telemetry,
		promhttp.HandlerFor(e.state, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})))
	// Alive as long as it answers: unlike kube-state-metrics, which asks the API server's /livez, an API
	// outage does not restart this pod (restarting cannot fix the API server; readiness already reports it).
	mux.HandleFunc("GET /livez", ok)
	mux.HandleFunc("GET /healthz", ok)
	mux.HandleFunc("GET /readyz", e.readyz)
	mux.HandleFunc("GET /{$}", index("Metrics for Kubernetes' state", "/metrics", "/livez", "/healthz", "/readyz"))
	return mux
}

// telemetryHandler serves --telemetry-port: the process's own metrics and /readyz, where the chart's
// readinessProbe asks.
func (e *exporter) telemetryHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.telemetry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /readyz", e.readyz)
	mux.HandleFunc("GET /{$}", index("Self-metrics of kube-state-metrics", "/metrics", "/readyz"))
	return mux
}

func (e *exporter) readyz(w http.ResponseWriter, _ *http.Request) {
	if !e.ready.Load() {
		http.Error(w, "informer caches not synced yet (is the API server reachable, and may the service account list and watch the resources?)",
			http.StatusServiceUnavailable)
		return
	}
	ok(w, nil)
}

func ok(w http.ResponseWriter, _ *http.Request) {
	_, _ = w.Write([]byte("OK"))
}

func index(title string, paths ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "kube-state-metrics %s-subset: %s\n", compatibleVersion, title)
		for _, path := range paths {
			fmt.Fprintln(w, path)
		}
	}
}

// serve connects to the API server, starts the informers and serves both ports until ctx ends.
func serve(ctx context.Context, opts options, config *rest.Config, log *slog.Logger) error {
	config = rest.CopyConfig(config)
	config.UserAgent = "kube-state-metrics/" + compatibleVersion + "-subset (users-info)"
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fmt.Errorf("Kubernetes client for %s: %w", config.Host, err)
	}
	e, err := newExporter(client, opts.resources)
	if err != nil {
		return err
	}
	stateAddress := net.JoinHostPort(opts.host, strconv.Itoa(opts.port))
	telemetryAddress := net.JoinHostPort(opts.telemetryHost, strconv.Itoa(opts.telemetryPort))
	if stateAddress == telemetryAddress {
		return fmt.Errorf("--port and --telemetry-port are both %d on the same host: give them different ports", opts.port)
	}
	listeners := map[string]http.Handler{stateAddress: e.stateHandler(), telemetryAddress: e.telemetryHandler()}
	servers := make([]*http.Server, 0, len(listeners))
	failed := make(chan error, len(listeners))
	for address, handler := range listeners {
		ln, err := net.Listen("tcp", address)
		if err != nil {
			return fmt.Errorf("cannot listen on %s: %w", address, err)
		}
		server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, server)
		go func() {
			if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				failed <- fmt.Errorf("serving %s: %w", address, err)
			}
		}()
	}
	log.Info("serving", "state", stateAddress, "telemetry", telemetryAddress,
		"resources", opts.resources, "api_server", config.Host)

	// Logged for whoever debugs a pod that never becomes ready; the informers retry on their own.
	if version, err := client.Discovery().ServerVersion(); err != nil {
		log.Error("the API server does not answer yet; the informers keep retrying", "api_server", config.Host, "error", err)
	} else {
		log.Info("API server answers", "api_server", config.Host, "version", version.GitVersion)
	}
	e.start(ctx, log)

	select {
	case <-ctx.Done():
	case err = <-failed:
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, server := range servers {
		_ = server.Shutdown(shutdown)
	}
	return err
}
