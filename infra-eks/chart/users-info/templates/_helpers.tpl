{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "users-info.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name alone when it already contains the chart name. */}}
{{- define "users-info.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "users-info.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "users-info.labels" -}}
helm.sh/chart: {{ include "users-info.chart" . }}
{{ include "users-info.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: users-info
{{- end }}

{{/* Labels that select the pods: never change them on upgrade (selectors are immutable). */}}
{{- define "users-info.selectorLabels" -}}
app.kubernetes.io/name: {{ include "users-info.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "users-info.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "users-info.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest, or repository:tag (tag defaults to the appVersion). */}}
{{- define "users-info.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* PrometheusRule or ConfigMap, per alerts.format (auto: whichever the cluster can take). */}}
{{- define "users-info.alertsFormat" -}}
{{- if eq .Values.alerts.format "auto" }}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule" }}PrometheusRule{{ else }}ConfigMap{{ end }}
{{- else }}
{{- .Values.alerts.format }}
{{- end }}
{{- end }}

{{/* Cross-field rules a JSON schema cannot express; each message names the values to change. */}}
{{- define "users-info.validate" -}}
{{- if ge (int .Values.preStopSleepSeconds) (int .Values.terminationGracePeriodSeconds) }}
{{- fail (printf "preStopSleepSeconds (%d) must be below terminationGracePeriodSeconds (%d): the pod would be killed before it stops serving" (int .Values.preStopSleepSeconds) (int .Values.terminationGracePeriodSeconds)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- if and .Values.service.nodePort (ne .Values.service.type "NodePort") }}
{{- fail (printf "service.nodePort is set but service.type is %s: set service.type=NodePort or remove service.nodePort" .Values.service.type) }}
{{- end }}
{{- end }}
