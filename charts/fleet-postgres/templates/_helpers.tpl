{{/* Names and labels (the same scheme as charts/fleet-lib; this chart does not depend on it). */}}
{{- define "fleet-postgres.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fleet-postgres.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleet-postgres.labels" -}}
{{ include "fleet-postgres.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: database
app.kubernetes.io/part-of: fleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 }}
{{- end -}}

{{- define "fleet-postgres.metadata" -}}
{{- $ctx := index . 0 -}}
name: {{ printf "%s%s" (include "fleet-postgres.fullname" $ctx) (index . 1) }}
namespace: {{ $ctx.Release.Namespace }}
labels:
  {{- include "fleet-postgres.labels" $ctx | nindent 2 }}
{{- end -}}

{{- define "fleet-postgres.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository ($img.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "fleet-postgres.secretName" -}}
{{- .Values.existingSecret | default (include "fleet-postgres.fullname" .) -}}
{{- end -}}

{{- define "fleet-postgres.tlsSecretName" -}}
{{- if .Values.tls.existingSecret -}}
{{- .Values.tls.existingSecret -}}
{{- else -}}
{{- printf "%s-tls" (include "fleet-postgres.fullname" .) -}}
{{- end -}}
{{- end -}}

