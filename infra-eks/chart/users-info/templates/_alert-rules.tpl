{{/*
The service's Prometheus rules: the one source that templates/prometheusrule.yaml (Prometheus Operator) and
templates/alert-rules-configmap.yaml (a plain rule file for any other Prometheus) both render.

Few alerts, on symptoms users feel first (SLO burn rates), then the few causes that self-healing cannot fix.
Every alert has severity, summary, description and a runbook under docs/runbooks/<alert>.md.
Recording rules compute the SLIs once per window; alerts compare them with the error budget
(multi-window, multi-burn-rate: Google SRE workbook, "Alerting on SLOs", alert 6).
Selectors match this release's pods by namespace and pod name, which both the annotation-based
kubernetes-pods job and a ServiceMonitor attach to every series.
*/}}
{{- define "users-info.alertRules" -}}
{{- $name := include "users-info.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $pods := printf "namespace=%q, pod=~%q" $ns (printf "%s-[a-z0-9]+-[a-z0-9]{5}" $name) -}}
{{- $hpa := printf "namespace=%q, horizontalpodautoscaler=%q" $ns $name -}}
{{- $service := printf "namespace=%q, service=%q" $ns $name -}}
{{- /* Probes and scrapes are not user traffic: they would dilute the error ratio with successes. */ -}}
{{- $requests := printf "%s, uri!~%q" $pods "/health.*|/prometheus" -}}
{{- $a := .Values.alerts -}}
{{- $runbooks := trimSuffix "/" $a.runbookBaseUrl -}}
{{- $availabilityBudget := printf "(1 - %v)" $a.availability.objective -}}
{{- $latencyBudget := printf "(1 - %v)" $a.latency.objective -}}
{{- /* The workbook's window pairs and burn factors for a 30-day objective: a page spends 2 % of the budget in
1 h or 5 % in 6 h, a ticket 10 % in 1 d or 10 % in 3 d. At factor F the budget is spent in 30 / F days. */ -}}
{{- $page := dict "severity" "critical" "for" $a.pageFor "summary" "is failing requests fast enough to exhaust its error budget within days." -}}
{{- $ticket := dict "severity" "warning" "for" $a.ticketFor "summary" "is slowly burning its error budget." -}}
{{- $pages := list (merge (dict "long" "1h" "short" "5m" "factor" 14.4) $page) (merge (dict "long" "6h" "short" "30m" "factor" 6) $page) -}}
{{- $tickets := list (merge (dict "long" "1d" "short" "2h" "factor" 3) $ticket) (merge (dict "long" "3d" "short" "6h" "factor" 1) $ticket) -}}
groups:
  # SLIs and the SLO alerts share a group: rules in a group run in order, so each alert reads the ratios
  # recorded in the same evaluation, not the previous one.
  - name: users-info.slo
    rules:
      {{- range $window := list "5m" "30m" "1h" "2h" "6h" "1d" "3d" }}
      - record: users_info:http_requests_error_ratio:rate{{ $window }}
        expr: >-
          1 - (
            sum by (namespace) (rate(http_server_requests_seconds_count{ {{- $requests }}, status!~"5.."}[{{ $window }}]))
            /
            sum by (namespace) (rate(http_server_requests_seconds_count{ {{- $requests }}}[{{ $window }}]))
          )
        labels:
          service: {{ $name }}
      - record: users_info:http_requests_slow_ratio:rate{{ $window }}
        expr: >-
          1 - (
            sum by (namespace) (rate(http_server_requests_seconds_bucket{ {{- $requests }}, le="{{ $a.latency.thresholdSeconds }}"}[{{ $window }}]))
            /
            sum by (namespace) (rate(http_server_requests_seconds_count{ {{- $requests }}}[{{ $window }}]))
          )
        labels:
          service: {{ $name }}
      {{- end }}
      {{- /* Each window pair is its own rule (as Pyrra generates them), labelled with its windows: the
      notification says how fast the budget burns, and the fast pair resolves as soon as its 5 min window is
      clean instead of staying up with the 30 min window of the other pair. Alertmanager groups the pairs of one
      incident into one notification (group_by alertname, namespace, service). */}}
      {{- range $pair := concat $pages $tickets }}
      - alert: UsersInfoAvailabilityBurnRate
        expr: >-
          users_info:http_requests_error_ratio:rate{{ $pair.long }}{ {{- $service }}} > ({{ $pair.factor }} * {{ $availabilityBudget }})
            and users_info:http_requests_error_ratio:rate{{ $pair.short }}{ {{- $service }}} > ({{ $pair.factor }} * {{ $availabilityBudget }})
        for: {{ $pair.for }}
        labels:
          severity: {{ $pair.severity }}
          long_window: {{ $pair.long }}
          short_window: {{ $pair.short }}
        annotations:
          summary: {{ $name }} {{ $pair.summary }}
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of requests to {{ $name }} in {{`{{ $labels.namespace }}`}} answered 5xx
            over the last {{ $pair.long }} (and over {{ $pair.short }}), more than {{ $pair.factor }} times the error budget of
            the {{ mulf $a.availability.objective 100 }} % objective: at this rate the 30-day budget is spent in {{ divf 30 $pair.factor | printf "%.0f" }} days.
          runbook_url: {{ $runbooks }}/UsersInfoAvailabilityBurnRate.md
      {{- end }}
      {{- range $pair := $pages }}
      - alert: UsersInfoLatencyBurnRate
        expr: >-
          users_info:http_requests_slow_ratio:rate{{ $pair.long }}{ {{- $service }}} > ({{ $pair.factor }} * {{ $latencyBudget }})
            and users_info:http_requests_slow_ratio:rate{{ $pair.short }}{ {{- $service }}} > ({{ $pair.factor }} * {{ $latencyBudget }})
        for: {{ $pair.for }}
        labels:
          severity: critical
          long_window: {{ $pair.long }}
          short_window: {{ $pair.short }}
        annotations:
          summary: {{ $name }} is too slow for its latency objective.
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of requests to {{ $name }} in {{`{{ $labels.namespace }}`}} took longer than
            {{ $a.latency.thresholdSeconds }} s over the last {{ $pair.long }} (and over {{ $pair.short }}), more than
            {{ $pair.factor }} times the budget of the objective, {{ mulf $a.latency.objective 100 }} % within it
            (p{{ mulf $a.latency.objective 100 }} under {{ $a.latency.thresholdSeconds }} s).
          runbook_url: {{ $runbooks }}/UsersInfoLatencyBurnRate.md
      {{- end }}
  - name: users-info.causes
    rules:
      {{- /* The SLO alerts count the requests the pods answer: with no pod Ready, nothing is answered, nothing
      is counted, and they stay silent while every client is refused. This is the page for that case. */}}
      - alert: UsersInfoNoReadyPod
        expr: >-
          sum by (namespace) (kube_pod_status_ready{ {{- $pods }}, condition="true"}) == 0
        for: {{ $a.pageFor }}
        labels:
          severity: critical
          service: {{ $name }}
        annotations:
          summary: No {{ $name }} pod is Ready; every request is refused.
          description: >-
            None of the {{ $name }} pods in {{`{{ $labels.namespace }}`}} has been Ready for {{ $a.pageFor }}: the Service has
            no endpoints, clients get connection errors, and the service's own metrics see no requests at all.
          runbook_url: {{ $runbooks }}/UsersInfoNoReadyPod.md
      - alert: UsersInfoAtMaxReplicas
        expr: >-
          kube_horizontalpodautoscaler_status_current_replicas{ {{- $hpa }}}
            >= kube_horizontalpodautoscaler_spec_max_replicas{ {{- $hpa }}}
          and
          kube_horizontalpodautoscaler_spec_max_replicas{ {{- $hpa }}}
            > kube_horizontalpodautoscaler_spec_min_replicas{ {{- $hpa }}}
        for: {{ $a.atMaxReplicasFor }}
        labels:
          severity: warning
          service: {{ $name }}
        annotations:
          summary: {{ $name }} has run at its maximum replica count for {{ $a.atMaxReplicasFor }}; it cannot scale out further.
          description: >-
            The HPA of {{ $name }} in {{`{{ $labels.namespace }}`}} has kept {{`{{ $value }}`}} replicas, its maximum, for
            {{ $a.atMaxReplicasFor }}. More load will show up as latency and errors.
          runbook_url: {{ $runbooks }}/UsersInfoAtMaxReplicas.md
      {{- /* Restarts within 15 minutes, counted exactly where Prometheus can:
      - the count now minus the count 15 minutes ago, once Prometheus has that much of the pod's history;
      - every restart of a pod created within the window: its count started at 0. increase() would miss a
        crash-looping new pod's restarts before its series' first sample, and the kubelet's back-off would delay
        the alert by one more restart (80 s, 160 s, then 5 min);
      - otherwise (an older pod, a Prometheus with less history than that) the increase() estimate.
      Every branch needs the pod's current count, so the alert ends with the pod (a range selector alone would
      keep returning a deleted pod's samples for the window's length). */}}
      {{- $restarts := printf "kube_pod_container_status_restarts_total{%s, container=%q}" $pods "users-info" }}
      - alert: UsersInfoRestartingTooOften
        expr: >-
          sum by (namespace, pod) (
              {{ $restarts }} - {{ $restarts }} offset 15m
            or
              {{ $restarts }} and on (namespace, pod) (time() - kube_pod_created{ {{- $pods }}} < 15 * 60)
            or
              increase({{ $restarts }}[15m]) and {{ $restarts }}
          ) > {{ $a.restartsPer15m }}
        labels:
          severity: warning
          service: {{ $name }}
        annotations:
          summary: A {{ $name }} pod keeps restarting; restarting is not fixing it.
          description: >-
            {{`{{ $labels.pod }}`}} in {{`{{ $labels.namespace }}`}} restarted {{`{{ $value | humanize }}`}} times in 15 minutes
            (threshold {{ $a.restartsPer15m }}). A single restart is self-healing at work and pages nobody.
          runbook_url: {{ $runbooks }}/UsersInfoRestartingTooOften.md
      - alert: UsersInfoDynamoDBErrors
        expr: >-
          1 - (
            sum by (namespace) (rate(dynamodb_client_calls_seconds_count{ {{- $pods }}, outcome="success"}[5m]))
            /
            sum by (namespace) (rate(dynamodb_client_calls_seconds_count{ {{- $pods }}}[5m]))
          ) > {{ $a.dynamodbErrorRatio }}
        for: 5m
        labels:
          severity: warning
          service: {{ $name }}
        annotations:
          summary: DynamoDB calls of {{ $name }} are failing (errors or throttling beyond the SDK's retries).
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of the DynamoDB calls of {{ $name }} in {{`{{ $labels.namespace }}`}} failed
            over 5 minutes, after retries (threshold {{ mulf $a.dynamodbErrorRatio 100 }} %).
          runbook_url: {{ $runbooks }}/UsersInfoDynamoDBErrors.md
      - alert: UsersInfoHeapSaturation
        expr: >-
          max by (namespace, pod) (
            jvm_gc_live_data_size_bytes{ {{- $pods }}} / jvm_gc_max_data_size_bytes{ {{- $pods }}}
          ) > {{ $a.heapLiveRatio }}
        for: 15m
        labels:
          severity: warning
          service: {{ $name }}
        annotations:
          summary: A {{ $name }} pod's heap stays nearly full after garbage collection.
          description: >-
            After the last major collection {{`{{ $value | humanizePercentage }}`}} of the old generation of
            {{`{{ $labels.pod }}`}} in {{`{{ $labels.namespace }}`}} is still live (threshold {{ mulf $a.heapLiveRatio 100 }} %):
            collections reclaim little, latency and OutOfMemoryError follow.
          runbook_url: {{ $runbooks }}/UsersInfoHeapSaturation.md
{{- end }}
