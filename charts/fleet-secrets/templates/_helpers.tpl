{{- define "fleet-secrets.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fleet-secrets.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: fleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 }}
{{- end -}}

{{- define "fleet-secrets.metadata" -}}
{{- $ctx := index . 0 -}}
name: {{ index . 1 }}
namespace: {{ $ctx.Release.Namespace }}
labels:
  {{- include "fleet-secrets.labels" $ctx | nindent 2 }}
{{- end -}}

{{/* Accounts of config/mosquitto/service-accounts (files/service-accounts links to it) + dynsec-admin. */}}
{{- define "fleet-secrets.accounts" -}}
{{- $accounts := list -}}
{{- range splitList "\n" (.Files.Get "files/service-accounts") -}}
{{- $line := trim . -}}
{{- if and $line (not (hasPrefix "#" $line)) -}}
{{- $accounts = append $accounts (first (regexSplit "\\s+" $line -1)) -}}
{{- end -}}
{{- end -}}
{{- if not $accounts -}}
{{- fail "files/service-accounts (config/mosquitto/service-accounts) lists no account" -}}
{{- end -}}
{{- append $accounts "dynsec-admin" | toJson -}}
{{- end -}}

{{/* Every Secret to produce: {secret: {key: credential}} (JSON); prod.secrets in prod only. */}}
{{- define "fleet-secrets.targets" -}}
{{- $targets := deepCopy .Values.secrets -}}
{{- if eq .Values.mode "prod" -}}
{{- range $secret, $keys := .Values.prod.secrets -}}
{{- $_ := set $targets $secret (merge (deepCopy (get $targets $secret | default dict)) $keys) -}}
{{- end -}}
{{- end -}}
{{- $broker := dict -}}
{{- range include "fleet-secrets.accounts" . | fromJsonArray -}}
{{- $_ := set $broker . (printf "mqtt-%s" .) -}}
{{- end -}}
{{- $_ := set $targets .Values.broker.secretName $broker -}}
{{- if and (eq .Values.mode "dev") .Values.database.enabled -}}
{{- $_ := set $targets .Values.database.secretName (dict .Values.database.key "postgres") -}}
{{- end -}}
{{- toJson $targets -}}
{{- end -}}

{{/* Every credential the targets use, sorted (JSON list). */}}
{{- define "fleet-secrets.credentials" -}}
{{- $creds := list -}}
{{- range $secret, $keys := include "fleet-secrets.targets" . | fromJson -}}
{{- range $key, $cred := $keys -}}
{{- $creds = append $creds $cred -}}
{{- end -}}
{{- end -}}
{{- $creds | uniq | sortAlpha | toJson -}}
{{- end -}}
