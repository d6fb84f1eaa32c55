{{/*
Names and labels. Names are cut to 52 characters: a StatefulSet adds "-<ordinal>" to pod names
and a 10-character revision hash to a label value limited to 63.
*/}}
{{- define "fleet-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "fleet-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fleet-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleet-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleet-lib.labels" -}}
{{ include "fleet-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/part-of: fleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* Common metadata of every object: name (with an optional suffix), namespace, labels. */}}
{{- define "fleet-lib.metadata" -}}
{{- $ctx := index . 0 -}}
{{- $suffix := index . 1 -}}
name: {{ printf "%s%s" (include "fleet-lib.fullname" $ctx) $suffix }}
namespace: {{ $ctx.Release.Namespace }}
labels:
  {{- include "fleet-lib.labels" $ctx | nindent 2 }}
{{- end -}}

{{/* image: registry/repository:tag or @digest (a digest wins). */}}
{{- define "fleet-lib.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository ($img.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "fleet-lib.secretName" -}}
{{- .Values.existingSecret | default (include "fleet-lib.fullname" .) -}}
{{- end -}}

{{- define "fleet-lib.autoscaled" -}}
{{- if and .Values.autoscaling .Values.autoscaling.enabled -}}true{{- end -}}
{{- end -}}

{{/* Where the CA bundles are mounted (outside /etc/fleet, which holds the `files` ConfigMap). */}}
{{- define "fleet-lib.mqttCADir" -}}/etc/fleet-tls/mqtt{{- end -}}
{{- define "fleet-lib.postgresCADir" -}}/etc/fleet-tls/postgres{{- end -}}

{{/* apiVersion of the workload kind (for scaleTargetRef). */}}
{{- define "fleet-lib.workloadAPIVersion" -}}
{{- if eq .Values.workloadKind "Rollout" -}}argoproj.io/v1alpha1{{- else -}}apps/v1{{- end -}}
{{- end -}}

{{- define "fleet-lib.kedaEnabled" -}}
{{- if and (include "fleet-lib.autoscaled" .) .Values.autoscaling.keda .Values.autoscaling.keda.enabled -}}true{{- end -}}
{{- end -}}

{{- define "fleet-lib.analysisEnabled" -}}
{{- if and .Values.analysis .Values.analysis.enabled -}}
{{- if not .Values.serviceMonitor.enabled -}}
{{- fail "analysis.enabled needs serviceMonitor.enabled: the analysis queries the series Prometheus scrapes through it (job, namespace and pod-template-hash labels)" -}}
{{- end -}}
true
{{- end -}}
{{- end -}}

{{/*
fleet-tracking's weekly report CronJob (charts/fleet-tracking/templates/weekly-report.yaml): whether it
is on, and its pods' labels, which the service's NetworkPolicy admits. Other charts have no such job.
*/}}
{{- define "fleet-lib.weeklyReportEnabled" -}}
{{- if and .Values.weeklyReport .Values.weeklyReport.enabled -}}
{{- if ne .Chart.Name "fleet-tracking" -}}
{{- fail "weeklyReport is fleet-tracking's (the report job calls fleet-tracking's POST /v1/reports)" -}}
{{- end -}}
true
{{- end -}}
{{- end -}}

{{- define "fleet-lib.weeklyReportSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-weekly-report" (include "fleet-lib.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
