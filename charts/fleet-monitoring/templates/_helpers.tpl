{{- define "fleet-monitoring.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fleet
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels for objects the Prometheus Operator selects. */}}
{{- define "fleet-monitoring.operatorLabels" -}}
{{ include "fleet-monitoring.labels" . }}
{{- with .Values.operatorLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "fleet-monitoring.exporterSelector" -}}
app.kubernetes.io/name: fleet-broker-exporter
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleet-monitoring.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* A matcher string of alertmanager.yml (name="v", name!="v", name=~"re", name!~"re") as an AlertmanagerConfig matcher. */}}
{{- define "fleet-monitoring.matcher" -}}
{{- $re := `^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$` -}}
{{- if not (regexMatch $re .) }}{{ fail (printf "alertmanager.yml: matcher %q is not name<op>\"value\"" .) }}{{ end -}}
name: {{ regexReplaceAll $re . "${1}" }}
matchType: {{ regexReplaceAll $re . "${2}" | quote }}
value: {{ regexReplaceAll $re . "${3}" | quote }}
{{- end -}}
