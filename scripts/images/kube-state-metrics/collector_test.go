package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

var allFamilies = []string{
	"kube_horizontalpodautoscaler_spec_max_replicas",
	"kube_horizontalpodautoscaler_spec_min_replicas",
	"kube_horizontalpodautoscaler_status_current_replicas",
	"kube_horizontalpodautoscaler_status_desired_replicas",
	"kube_pod_container_status_restarts_total",
	"kube_pod_container_status_waiting_reason",
	"kube_pod_created",
	"kube_pod_status_ready",
}

// startExporter runs an exporter on a fake clientset holding objects (the informers list and watch it as
// they would the API server) and waits until it reports ready.
func startExporter(t *testing.T, resources []string, objects ...runtime.Object) (*exporter, *fake.Clientset) {
	t.Helper()
	client := fake.NewClientset(objects...)
	e, err := newExporter(client, resources)
	if err != nil {
		t.Fatal(err)
	}
	e.start(t.Context(), slog.New(slog.DiscardHandler))
	eventually(t, "the exporter to become ready", e.ready.Load)
	return e, client
}

func eventually(t *testing.T, what string, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hpa(namespace, name string, minReplicas *int32, maxReplicas, current, desired int32) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: minReplicas, MaxReplicas: maxReplicas},
		Status:     autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: current, DesiredReplicas: desired},
	}
}

// created is when every test pod was created (the fake clientset, unlike the API server, sets no time).
var created = metav1.Unix(1_763_942_400, 0)

func pod(namespace, name, uid string, ready corev1.ConditionStatus, containers ...corev1.ContainerStatus) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, UID: types.UID(uid),
			Labels: map[string]string{"app": name}, CreationTimestamp: created},
		Status: corev1.PodStatus{
			Conditions:        []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}},
			ContainerStatuses: containers,
		},
	}
	if ready != "" {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: ready})
	}
	return p
}

func running(name string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, RestartCount: restarts,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waiting(name string, restarts int32, reason string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, RestartCount: restarts,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: "back-off restarting"}}}
}

func TestFamiliesAsKubeStateMetricsWritesThem(t *testing.T) {
	crashing := pod("shop", "web-1", "uid-web-1", corev1.ConditionFalse, running("app", 3), waiting("sidecar", 7, "CrashLoopBackOff"))
	// Init containers are not reported under these names, not even while one is waiting.
	crashing.Status.InitContainerStatuses = []corev1.ContainerStatus{waiting("migrate", 2, "PodInitializing")}
	e, _ := startExporter(t, supportedResources,
		hpa("shop", "web", ptr(int32(2)), 5, 3, 4),
		// No minReplicas: what the API server would default it to.
		hpa("shop", "api", nil, 3, 1, 1),
		crashing,
		// Not yet scheduled: no Ready condition, so no kube_pod_status_ready series at all.
		pod("shop", "pending", "uid-pending", "", waiting("app", 0, "ContainerCreating")),
		pod("kube-system", "coredns-1", "uid-coredns-1", corev1.ConditionUnknown, running("coredns", 0)),
	)

	expected := `
# HELP kube_horizontalpodautoscaler_spec_max_replicas [STABLE] Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.
# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge
kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler="api",namespace="shop"} 3
kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler="web",namespace="shop"} 5
# HELP kube_horizontalpodautoscaler_spec_min_replicas [STABLE] Lower limit for the number of pods that can be set by the autoscaler, default 1.
# TYPE kube_horizontalpodautoscaler_spec_min_replicas gauge
kube_horizontalpodautoscaler_spec_min_replicas{horizontalpodautoscaler="api",namespace="shop"} 1
kube_horizontalpodautoscaler_spec_min_replicas{horizontalpodautoscaler="web",namespace="shop"} 2
# HELP kube_horizontalpodautoscaler_status_current_replicas [STABLE] Current number of replicas of pods managed by this autoscaler.
# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge
kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="api",namespace="shop"} 1
kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="web",namespace="shop"} 3
# HELP kube_horizontalpodautoscaler_status_desired_replicas [STABLE] Desired number of replicas of pods managed by this autoscaler.
# TYPE kube_horizontalpodautoscaler_status_desired_replicas gauge
kube_horizontalpodautoscaler_status_desired_replicas{horizontalpodautoscaler="api",namespace="shop"} 1
kube_horizontalpodautoscaler_status_desired_replicas{horizontalpodautoscaler="web",namespace="shop"} 4
# HELP kube_pod_container_status_restarts_total [STABLE] The number of container restarts per container.
# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{container="coredns",namespace="kube-system",pod="coredns-1",uid="uid-coredns-1"} 0
kube_pod_container_status_restarts_total{container="app",namespace="shop",pod="pending",uid="uid-pending"} 0
kube_pod_container_status_restarts_total{container="app",namespace="shop",pod="web-1",uid="uid-web-1"} 3
kube_pod_container_status_restarts_total{container="sidecar",namespace="shop",pod="web-1",uid="uid-web-1"} 7
# HELP kube_pod_container_status_waiting_reason [STABLE] Describes the reason the container is currently in waiting state.
# TYPE kube_pod_container_status_waiting_reason gauge
kube_pod_container_status_waiting_reason{container="app",namespace="shop",pod="pending",reason="ContainerCreating",uid="uid-pending"} 1
kube_pod_container_status_waiting_reason{container="sidecar",namespace="shop",pod="web-1",reason="CrashLoopBackOff",uid="uid-web-1"} 1
# HELP kube_pod_created [STABLE] Unix creation timestamp
# TYPE kube_pod_created gauge
kube_pod_created{namespace="kube-system",pod="coredns-1",uid="uid-coredns-1"} 1.7639424e+09
kube_pod_created{namespace="shop",pod="pending",uid="uid-pending"} 1.7639424e+09
kube_pod_created{namespace="shop",pod="web-1",uid="uid-web-1"} 1.7639424e+09
# HELP kube_pod_status_ready [STABLE] Describes whether the pod is ready to serve requests.
# TYPE kube_pod_status_ready gauge
kube_pod_status_ready{condition="false",namespace="kube-system",pod="coredns-1",uid="uid-coredns-1"} 0
kube_pod_status_ready{condition="true",namespace="kube-system",pod="coredns-1",uid="uid-coredns-1"} 0
kube_pod_status_ready{condition="unknown",namespace="kube-system",pod="coredns-1",uid="uid-coredns-1"} 1
kube_pod_status_ready{condition="false",namespace="shop",pod="web-1",uid="uid-web-1"} 1
kube_pod_status_ready{condition="true",namespace="shop",pod="web-1",uid="uid-web-1"} 0
kube_pod_status_ready{condition="unknown",namespace="shop",pod="web-1",uid="uid-web-1"} 0
`
	if err := testutil.GatherAndCompare(e.state, strings.NewReader(expected), allFamilies...); err != nil {
		t.Fatal(err)
	}
	// Nothing else: the subset is exactly the families above.
	if n, err := testutil.GatherAndCount(e.state); err != nil || n != 23 {
		t.Fatalf("gathered %d series (error %v), want the 23 above and nothing else", n, err)
	}
}

func TestOnlyTheEnabledResourcesAreReported(t *testing.T) {
	e, _ := startExporter(t, []string{resourcePods},
		hpa("shop", "web", ptr(int32(1)), 2, 1, 1),
		pod("shop", "web-1", "uid-web-1", corev1.ConditionTrue, running("app", 0)))

	families, err := e.state.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, family := range families {
		names = append(names, family.GetName())
	}
	want := []string{"kube_pod_container_status_restarts_total", "kube_pod_created", "kube_pod_status_ready"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("families %v, want %v (no HPA families without --resources=horizontalpodautoscalers)", names, want)
	}
}

// The values follow the objects through the watch: a restart, a new waiting reason, readiness, a scale-up.
func TestChangesArriveThroughTheWatch(t *testing.T) {
	e, client := startExporter(t, supportedResources,
		hpa("shop", "web", ptr(int32(1)), 4, 1, 1),
		pod("shop", "web-1", "uid-web-1", corev1.ConditionTrue, running("app", 0)))
	ctx := context.Background()

	changed := pod("shop", "web-1", "uid-web-1", corev1.ConditionFalse, waiting("app", 1, "CrashLoopBackOff"))
	if _, err := client.CoreV1().Pods("shop").UpdateStatus(ctx, changed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	scaled := hpa("shop", "web", ptr(int32(1)), 4, 4, 4)
	if _, err := client.AutoscalingV2().HorizontalPodAutoscalers("shop").UpdateStatus(ctx, scaled, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	expected := `
# HELP kube_horizontalpodautoscaler_status_current_replicas [STABLE] Current number of replicas of pods managed by this autoscaler.
# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge
kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="web",namespace="shop"} 4
# HELP kube_pod_container_status_restarts_total [STABLE] The number of container restarts per container.
# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{container="app",namespace="shop",pod="web-1",uid="uid-web-1"} 1
# HELP kube_pod_container_status_waiting_reason [STABLE] Describes the reason the container is currently in waiting state.
# TYPE kube_pod_container_status_waiting_reason gauge
kube_pod_container_status_waiting_reason{container="app",namespace="shop",pod="web-1",reason="CrashLoopBackOff",uid="uid-web-1"} 1
# HELP kube_pod_status_ready [STABLE] Describes whether the pod is ready to serve requests.
# TYPE kube_pod_status_ready gauge
kube_pod_status_ready{condition="false",namespace="shop",pod="web-1",uid="uid-web-1"} 1
kube_pod_status_ready{condition="true",namespace="shop",pod="web-1",uid="uid-web-1"} 0
kube_pod_status_ready{condition="unknown",namespace="shop",pod="web-1",uid="uid-web-1"} 0
`
	names := []string{"kube_horizontalpodautoscaler_status_current_replicas", "kube_pod_container_status_restarts_total",
		"kube_pod_container_status_waiting_reason", "kube_pod_status_ready"}
	var last error
	eventually(t, "the updates to be reported", func() bool {
		last = testutil.GatherAndCompare(e.state, strings.NewReader(expected), names...)
		return last == nil
	})

	// A deleted pod's series go with it.
	if err := client.CoreV1().Pods("shop").Delete(ctx, "web-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted pod's series to disappear", func() bool {
		n, err := testutil.GatherAndCount(e.state, "kube_pod_container_status_restarts_total", "kube_pod_created", "kube_pod_status_ready")
		return err == nil && n == 0
	})
}

func TestTrimPodKeepsOnlyWhatIsReported(t *testing.T) {
	full := pod("shop", "web-1", "uid-web-1", corev1.ConditionTrue, waiting("app", 2, "CrashLoopBackOff"))
	full.Spec.Containers = []corev1.Container{{Name: "app", Image: "example/app:1"}}
	full.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}
	full.Status.InitContainerStatuses = []corev1.ContainerStatus{running("init", 0)}

	obj, err := trimPod(full)
	if err != nil {
		t.Fatal(err)
	}
	trimmed := obj.(*corev1.Pod)
	if trimmed.Name != "web-1" || trimmed.Namespace != "shop" || trimmed.UID != "uid-web-1" ||
		!trimmed.CreationTimestamp.Equal(&created) {
		t.Errorf("identity lost: %s/%s %s created %s", trimmed.Namespace, trimmed.Name, trimmed.UID, trimmed.CreationTimestamp)
	}
	if len(trimmed.Spec.Containers) != 0 || trimmed.Labels != nil || trimmed.ManagedFields != nil || trimmed.Status.InitContainerStatuses != nil {
		t.Errorf("kept more than the reported fields: %+v", trimmed)
	}
	if len(trimmed.Status.Conditions) != 1 || trimmed.Status.Conditions[0].Type != corev1.PodReady {
		t.Errorf("conditions %+v, want only Ready", trimmed.Status.Conditions)
	}
	status := trimmed.Status.ContainerStatuses
	if len(status) != 1 || status[0].RestartCount != 2 || status[0].State.Waiting == nil || status[0].State.Waiting.Reason != "CrashLoopBackOff" {
		t.Errorf("container statuses %+v, want app with 2 restarts waiting in CrashLoopBackOff", status)
	}
	if full.ManagedFields == nil || len(full.Spec.Containers) != 1 {
		t.Error("trimPod changed the object it was given, which the informer may share")
	}
}

func ptr[T any](v T) *T { return &v }
