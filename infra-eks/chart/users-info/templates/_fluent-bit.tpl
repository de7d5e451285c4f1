{{/*
The Fluent Bit sidecar (logs.sidecar, docs/logs.md): the pieces deployment.yaml includes when it is enabled.
The service writes its JSON lines to a file on a volume both containers share (USERS_INFO_LOG_FILE; stdout
is unchanged), Fluent Bit tails that file and ships it to CloudWatch Logs with the pod's own IAM role.
*/}}

{{- define "users-info.fluentBit.logDir" -}}/var/log/users-info{{- end }}

{{/* The sidecar's image: repository@digest, or repository:tag. */}}
{{- define "users-info.fluentBit.image" -}}
{{- with .Values.logs.sidecar.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}
{{- end }}

{{/* Values the sidecar cannot work without, and a grace period long enough for its last flush. */}}
{{- define "users-info.fluentBit.validate" -}}
{{- $cw := .Values.logs.sidecar.cloudWatch }}
{{- $_ := required "logs.sidecar.cloudWatch.region: the region of the log group, required when logs.sidecar.enabled is true" $cw.region }}
{{- $_ := required "logs.sidecar.cloudWatch.logGroup: the CloudWatch Logs group to ship to (infra-eks's Terraform creates it, e.g. /aws/eks/<cluster>/users-info), required when logs.sidecar.enabled is true" $cw.logGroup }}
{{- $needed := add .Values.preStopSleepSeconds 20 (include "users-info.fluentBit.graceSeconds" . | int) }}
{{- if lt (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "logs.sidecar.enabled needs terminationGracePeriodSeconds of at least %d (preStopSleepSeconds %d + 20 s of graceful shutdown + %s s for Fluent Bit's last flush), not %d" (int $needed) (int .Values.preStopSleepSeconds) (include "users-info.fluentBit.graceSeconds" .) (int .Values.terminationGracePeriodSeconds)) }}
{{- end }}
{{- end }}

{{/* Seconds Fluent Bit keeps flushing after SIGTERM, which a native sidecar receives once the service has exited. */}}
{{- define "users-info.fluentBit.graceSeconds" -}}5{{- end }}

{{- define "users-info.fluentBit.podAnnotations" -}}
# A change of the Fluent Bit configuration rolls the pods too.
checksum/fluent-bit: {{ include (print $.Template.BasePath "/fluent-bit-configmap.yaml") . | sha256sum }}
{{- end }}

{{/* A native sidecar (an init container that keeps running, Kubernetes 1.29+; Chart.yaml's kubeVersion already asks
for more): it starts before the service, so no early line is missed, and stops after it, so the last lines of a
shutdown are shipped too. */}}
{{- define "users-info.fluentBit.initContainers" -}}
- name: fluent-bit
  image: {{ include "users-info.fluentBit.image" . }}
  imagePullPolicy: {{ .Values.logs.sidecar.image.pullPolicy }}
  restartPolicy: Always
  # The binary itself, not the image's entrypoint script, so SIGTERM reaches Fluent Bit and it flushes.
  command:
    - /fluent-bit/bin/fluent-bit
    - -c
    - /fluent-bit/etc/fluent-bit.conf
  env:
    # The log stream's name (fluent-bit.conf); Pod Identity adds its own variables for the credentials.
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
  resources:
    {{- toYaml .Values.logs.sidecar.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: fluent-bit-config
      mountPath: /fluent-bit/etc
      readOnly: true
    - name: logs
      mountPath: {{ include "users-info.fluentBit.logDir" . }}
      readOnly: true
    - name: fluent-bit-state
      mountPath: /fluent-bit/state
{{- end }}

{{- define "users-info.fluentBit.appEnv" -}}
- name: USERS_INFO_LOG_FILE
  value: {{ include "users-info.fluentBit.logDir" . }}/users-info.json
{{- end }}

{{- define "users-info.fluentBit.appVolumeMounts" -}}
- name: logs
  mountPath: {{ include "users-info.fluentBit.logDir" . }}
{{- end }}

{{- define "users-info.fluentBit.volumes" -}}
- name: fluent-bit-config
  configMap:
    name: {{ include "users-info.fullname" . }}-fluent-bit
# On disk, not in memory (that would count against the pod's memory limit); the service keeps at most two
# files of 10 MB here, and a volume over its limit gets the pod evicted.
- name: logs
  emptyDir:
    sizeLimit: {{ .Values.logs.sidecar.logVolumeSizeLimit }}
# Fluent Bit's read position: a restarted sidecar resumes where it stopped, without gaps or duplicates.
- name: fluent-bit-state
  emptyDir:
    sizeLimit: 8Mi
{{- end }}
