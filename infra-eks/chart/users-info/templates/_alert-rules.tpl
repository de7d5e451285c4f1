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
      - alert: UsersInfoAvailabilityBurnRate
        expr: >-
          (users_info:http_requests_error_ratio:rate1h{ {{- $service }}} > (14.4 * {{ $availabilityBudget }})
            and users_info:http_requests_error_ratio:rate5m{ {{- $service }}} > (14.4 * {{ $availabilityBudget }}))
          or
          (users_info:http_requests_error_ratio:rate6h{ {{- $service }}} > (6 * {{ $availabilityBudget }})
            and users_info:http_requests_error_ratio:rate30m{ {{- $service }}} > (6 * {{ $availabilityBudget }}))
        for: {{ $a.pageFor }}
        labels:
          severity: critical
        annotations:
          summary: {{ $name }} is failing requests fast enough to exhaust its error budget within days.
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of requests to {{ $name }} in {{`{{ $labels.namespace }}`}} answered 5xx
            over the alert's long window; the availability objective is {{ mulf $a.availability.objective 100 }} %
            (at this rate the 30-day error budget lasts 2 to 5 days).
          runbook_url: {{ $runbooks }}/UsersInfoAvailabilityBurnRate.md
      - alert: UsersInfoAvailabilityBurnRate
        expr: >-
          (users_info:http_requests_error_ratio:rate1d{ {{- $service }}} > (3 * {{ $availabilityBudget }})
            and users_info:http_requests_error_ratio:rate2h{ {{- $service }}} > (3 * {{ $availabilityBudget }}))
          or
          (users_info:http_requests_error_ratio:rate3d{ {{- $service }}} > {{ $availabilityBudget }}
            and users_info:http_requests_error_ratio:rate6h{ {{- $service }}} > {{ $availabilityBudget }})
        for: {{ $a.ticketFor }}
        labels:
          severity: warning
        annotations:
          summary: {{ $name }} is slowly burning its error budget.
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of requests to {{ $name }} in {{`{{ $labels.namespace }}`}} answered 5xx
            over the alert's long window; the availability objective is {{ mulf $a.availability.objective 100 }} %
            (at this rate the 30-day error budget is gone before the month is).
          runbook_url: {{ $runbooks }}/UsersInfoAvailabilityBurnRate.md
      - alert: UsersInfoLatencyBurnRate
        expr: >-
          (users_info:http_requests_slow_ratio:rate1h{ {{- $service }}} > (14.4 * {{ $latencyBudget }})
            and users_info:http_requests_slow_ratio:rate5m{ {{- $service }}} > (14.4 * {{ $latencyBudget }}))
          or
          (users_info:http_requests_slow_ratio:rate6h{ {{- $service }}} > (6 * {{ $latencyBudget }})
            and users_info:http_requests_slow_ratio:rate30m{ {{- $service }}} > (6 * {{ $latencyBudget }}))
        for: {{ $a.pageFor }}
        labels:
          severity: critical
        annotations:
          summary: {{ $name }} is too slow for its latency objective.
          description: >-
            {{`{{ $value | humanizePercentage }}`}} of requests to {{ $name }} in {{`{{ $labels.namespace }}`}} took longer than
            {{ $a.latency.thresholdSeconds }} s over the alert's long window; the objective is {{ mulf $a.latency.objective 100 }} %
            within it (p{{ mulf $a.latency.objective 100 }} under {{ $a.latency.thresholdSeconds }} s).
          runbook_url: {{ $runbooks }}/UsersInfoLatencyBurnRate.md
  - name: users-info.causes
    rules:
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
      - alert: UsersInfoRestartingTooOften
        expr: >-
          sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{ {{- $pods }}, container="users-info"}[15m]))
            > {{ $a.restartsPer15m }}
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
