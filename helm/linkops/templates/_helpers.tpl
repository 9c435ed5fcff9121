{{/*
Helpers shared by every template. Per-service helpers take a dict:
  (dict "root" $ "name" "whis_data_input" "svc" $.Values.services.whis_data_input)
Service names use underscores (they are the SERVICE env values and the Prometheus job names);
Kubernetes object names use the same name with dashes.
*/}}

{{- define "linkops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "linkops.fullname" -}}
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

{{- define "linkops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selects every pod of this release (and only this chart's pods, not a bundled Redis). */}}
{{- define "linkops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "linkops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "linkops.labels" -}}
helm.sh/chart: {{ include "linkops.chart" . }}
{{ include "linkops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: linkops
{{- end }}

{{- define "linkops.componentName" -}}
{{- printf "%s-%s" (include "linkops.fullname" .root) (.name | replace "_" "-") | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* linkops.io/service carries the registry name (underscores); the ServiceMonitor turns it into job/service labels. */}}
{{- define "linkops.componentSelectorLabels" -}}
{{ include "linkops.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name | replace "_" "-" }}
linkops.io/service: {{ .name }}
{{- end }}

{{- define "linkops.componentLabels" -}}
{{ include "linkops.labels" .root }}
app.kubernetes.io/component: {{ .name | replace "_" "-" }}
linkops.io/service: {{ .name }}
{{- end }}

{{/* "true" when the service runs in the selected mode (mode=all runs everything), else empty. */}}
{{- define "linkops.active" -}}
{{- if or (eq .root.Values.mode "all") (has .root.Values.mode .svc.modes) }}true{{ end }}
{{- end }}

{{/*
Replica count for the selected mode: 0 outside the service's windows, the window override
(windowReplicas.daytime / .nighttime) when one is set, otherwise replicas.
*/}}
{{- define "linkops.replicas" -}}
{{- if not (include "linkops.active" .) }}0
{{- else if and (ne .root.Values.mode "all") (hasKey (default (dict) .svc.windowReplicas) .root.Values.mode) }}
{{- index .svc.windowReplicas .root.Values.mode }}
{{- else }}
{{- .svc.replicas }}
{{- end }}
{{- end }}

{{/* HPA only for running services: an HPA would scale a 0-replica (off-window) Deployment back up. */}}
{{- define "linkops.autoscaled" -}}
{{- if and (include "linkops.active" .) .svc.autoscaling .svc.autoscaling.enabled }}true{{ end }}
{{- end }}

{{- define "linkops.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "linkops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "linkops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "linkops.dataClaimName" -}}
{{- default (printf "%s-data" (include "linkops.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* REDIS_URL: from a Secret when one is named, the bundled Redis when enabled, else redis.url. */}}
{{- define "linkops.redisEnv" -}}
- name: REDIS_URL
{{- if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else if .Values.redis.enabled }}
  value: {{ printf "redis://%s-redis-master:6379" .Release.Name | quote }}
{{- else }}
  value: {{ required "set redis.url, redis.existingSecret or redis.enabled" .Values.redis.url | quote }}
{{- end }}
{{- end }}
