package main

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	autoscalinglisters "k8s.io/client-go/listers/autoscaling/v2"
	corelisters "k8s.io/client-go/listers/core/v1"
)

// The families, named, labelled and typed as kube-state-metrics v2.20 exposes them
// (docs/metrics/workload/horizontalpodautoscaler-metrics.md and pod-metrics.md upstream). Their help texts
// carry kube-state-metrics' stability prefix, as its own /metrics does; all of them are STABLE there.
var (
	hpaLabels       = []string{"namespace", "horizontalpodautoscaler"}
	containerLabels = []string{"namespace", "pod", "uid", "container"}

	hpaMaxReplicas = prometheus.NewDesc("kube_horizontalpodautoscaler_spec_max_replicas",
		stable("Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas."),
		hpaLabels, nil)
	hpaMinReplicas = prometheus.NewDesc("kube_horizontalpodautoscaler_spec_min_replicas",
		stable("Lower limit for the number of pods that can be set by the autoscaler, default 1."),
		hpaLabels, nil)
	hpaCurrentReplicas = prometheus.NewDesc("kube_horizontalpodautoscaler_status_current_replicas",
		stable("Current number of replicas of pods managed by this autoscaler."),
		hpaLabels, nil)
	hpaDesiredReplicas = prometheus.NewDesc("kube_horizontalpodautoscaler_status_desired_replicas",
		stable("Desired number of replicas of pods managed by this autoscaler."),
		hpaLabels, nil)

	containerRestarts = prometheus.NewDesc("kube_pod_container_status_restarts_total",
		stable("The number of container restarts per container."),
		containerLabels, nil)
	containerWaitingReason = prometheus.NewDesc("kube_pod_container_status_waiting_reason",
		stable("Describes the reason the container is currently in waiting state."),
		[]string{"namespace", "pod", "uid", "container", "reason"}, nil)
	podCreated = prometheus.NewDesc("kube_pod_created",
		stable("Unix creation timestamp"),
		[]string{"namespace", "pod", "uid"}, nil)
	podReady = prometheus.NewDesc("kube_pod_status_ready",
		stable("Describes whether the pod is ready to serve requests."),
		[]string{"namespace", "pod", "uid", "condition"}, nil)
)

func stable(help string) string { return "[STABLE] " + help }

// conditionStatuses: kube-state-metrics writes one series per possible status of a condition, 1 for the
// current one and 0 for the others, with the status lower-cased as the label value.
var conditionStatuses = []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown}

// stateCollector turns the informers' caches into samples at scrape time, as kube-state-metrics does: the
// values are those of the objects as last seen by the watch, with no API call per scrape. A nil lister
// means that resource is not enabled (--resources), and its families are absent.
type stateCollector struct {
	hpas autoscalinglisters.HorizontalPodAutoscalerLister
	pods corelisters.PodLister
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.hpas != nil {
		ch <- hpaMaxReplicas
		ch <- hpaMinReplicas
		ch <- hpaCurrentReplicas
		ch <- hpaDesiredReplicas
	}
	if c.pods != nil {
		ch <- containerRestarts
		ch <- containerWaitingReason
		ch <- podCreated
		ch <- podReady
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	if c.hpas != nil {
		// Listing a cache cannot fail: its only error is from the label selector, and everything matches.
		hpas, _ := c.hpas.List(labels.Everything())
		for _, hpa := range hpas {
			collectHPA(ch, hpa)
		}
	}
	if c.pods != nil {
		pods, _ := c.pods.List(labels.Everything())
		for _, pod := range pods {
			collectPod(ch, pod)
		}
	}
}

func collectHPA(ch chan<- prometheus.Metric, hpa *autoscalingv2.HorizontalPodAutoscaler) {
	gauge := func(desc *prometheus.Desc, value int32) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(value), hpa.Namespace, hpa.Name)
	}
	// The API server defaults minReplicas to 1, so it is only ever absent from objects made without one.
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	gauge(hpaMaxReplicas, hpa.Spec.MaxReplicas)
	gauge(hpaMinReplicas, minReplicas)
	gauge(hpaCurrentReplicas, hpa.Status.CurrentReplicas)
	gauge(hpaDesiredReplicas, hpa.Status.DesiredReplicas)
}

func collectPod(ch chan<- prometheus.Metric, pod *corev1.Pod) {
	uid := string(pod.UID)
	// The API server sets it on every pod; kube-state-metrics skips objects without one.
	if !pod.CreationTimestamp.IsZero() {
		ch <- prometheus.MustNewConstMetric(podCreated, prometheus.GaugeValue, float64(pod.CreationTimestamp.Unix()),
			pod.Namespace, pod.Name, uid)
	}
	// Regular containers only: kube-state-metrics reports init containers under other names.
	for _, status := range pod.Status.ContainerStatuses {
		ch <- prometheus.MustNewConstMetric(containerRestarts, prometheus.CounterValue, float64(status.RestartCount),
			pod.Namespace, pod.Name, uid, status.Name)
		// Only the current reason, and nothing for a container that is not waiting (kube-state-metrics ≥ 2.0).
		if waiting := status.State.Waiting; waiting != nil {
			ch <- prometheus.MustNewConstMetric(containerWaitingReason, prometheus.GaugeValue, 1,
				pod.Namespace, pod.Name, uid, status.Name, waiting.Reason)
		}
	}
	for _, condition := range pod.Status.Conditions {
		if condition.Type != corev1.PodReady {
			continue
		}
		for _, status := range conditionStatuses {
			value := 0.0
			if condition.Status == status {
				value = 1
			}
			ch <- prometheus.MustNewConstMetric(podReady, prometheus.GaugeValue, value,
				pod.Namespace, pod.Name, uid, strings.ToLower(string(status)))
		}
	}
}

// trimPod keeps of a pod what collectPod reads, so the cache holds a few hundred bytes per pod instead of its
// whole spec, status and managed fields (kube-state-metrics keeps whole objects; on a large cluster that is
// most of its memory).
func trimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		// A tombstone of a pod deleted while the watch was down: only its key is used.
		return obj, nil
	}
	trimmed := &corev1.Pod{ObjectMeta: pod.ObjectMeta}
	trimmed.ManagedFields = nil
	trimmed.Annotations = nil
	trimmed.Labels = nil
	trimmed.OwnerReferences = nil
	for _, condition := range pod.Status.Conditions {
		if condition.Type == corev1.PodReady {
			trimmed.Status.Conditions = []corev1.PodCondition{{Type: condition.Type, Status: condition.Status}}
		}
	}
	for _, status := range pod.Status.ContainerStatuses {
		kept := corev1.ContainerStatus{Name: status.Name, RestartCount: status.RestartCount}
		if status.State.Waiting != nil {
			kept.State.Waiting = &corev1.ContainerStateWaiting{Reason: status.State.Waiting.Reason}
		}
		trimmed.Status.ContainerStatuses = append(trimmed.Status.ContainerStatuses, kept)
	}
	return trimmed, nil
}
