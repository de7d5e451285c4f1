package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func get(t *testing.T, handler http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(recorder.Result().Body)
	return recorder.Code, string(body), recorder.Result().Header
}

// Not ready until the caches are synced (here: never started), while alive all along: the chart's
// readinessProbe asks the telemetry port, its livenessProbe the state port.
func TestNotReadyBeforeTheCachesSync(t *testing.T) {
	e, err := newExporter(fake.NewClientset(), supportedResources)
	if err != nil {
		t.Fatal(err)
	}
	for name, handler := range map[string]http.Handler{"state": e.stateHandler(), "telemetry": e.telemetryHandler()} {
		if code, body, _ := get(t, handler, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not synced") {
			t.Errorf("%s /readyz before sync: %d %q, want 503 saying the caches are not synced", name, code, body)
		}
	}
	for _, path := range []string{"/livez", "/healthz"} {
		if code, _, _ := get(t, e.stateHandler(), path); code != http.StatusOK {
			t.Errorf("%s before sync: %d, want 200", path, code)
		}
	}
}

func TestEndpointsOnceReady(t *testing.T) {
	e, _ := startExporter(t, supportedResources, pod("kube-system", "coredns-1", "uid-1", corev1.ConditionTrue, running("coredns", 0)))
	state, telemetry := e.stateHandler(), e.telemetryHandler()

	for name, handler := range map[string]http.Handler{"state": state, "telemetry": telemetry} {
		if code, body, _ := get(t, handler, "/readyz"); code != http.StatusOK || body != "OK" {
			t.Errorf("%s /readyz once synced: %d %q, want 200 OK", name, code, body)
		}
	}

	code, body, header := get(t, state, "/metrics")
	if code != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %q", code, header.Get("Content-Type"))
	}
	want := `kube_pod_status_ready{condition="true",namespace="kube-system",pod="coredns-1",uid="uid-1"} 1`
	if !strings.Contains(body, want) || strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on --port lacks %q or carries process metrics:\n%s", want, body)
	}

	_, self, _ := get(t, telemetry, "/metrics")
	for _, want := range []string{"go_goroutines", `promhttp_metric_handler_requests_total{code="200"} 1`} {
		if !strings.Contains(self, want) {
			t.Errorf("telemetry /metrics lacks %q", want)
		}
	}
	if strings.Contains(self, "kube_pod_status_ready") {
		t.Error("telemetry /metrics carries the state metrics")
	}

	if code, _, _ := get(t, state, "/nothing-here"); code != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", code)
	}
}
