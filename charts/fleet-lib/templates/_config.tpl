{{/*
Non-secret environment (docs/configuration.md), loaded with envFrom. Secrets never go here: they
come from .Values.existingSecret through secretKeyRef (see _workload.tpl), and values.schema.json
refuses FLEET_*_PASSWORD / FLEET_*_TOKEN keys in .Values.env.
*/}}
{{- define "fleet-lib.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "fleet-lib.metadata" (list . "-env") | nindent 2 }}
data:
  FLEET_HTTP_HOST: "0.0.0.0"
  FLEET_HTTP_PORT: {{ .Values.httpPort | int | quote }}
  {{- with .Values.postgres }}
  {{- if .enabled }}
  FLEET_POSTGRES_HOST: {{ .host | quote }}
  FLEET_POSTGRES_PORT: {{ .port | int | quote }}
  FLEET_POSTGRES_USER: {{ .user | quote }}
  FLEET_POSTGRES_DATABASE: {{ .database | quote }}
  FLEET_POSTGRES_TLS: {{ .tls | quote }}
  FLEET_POSTGRES_POOL_SIZE: {{ .poolSize | int | quote }}
  {{- if and .caBundle .caBundle.enabled }}
  # `require` verifies the server against this bundle instead of the system roots (Amazon RDS CA).
  FLEET_POSTGRES_TLS_CA_FILE: {{ printf "%s/%s" (include "fleet-lib.postgresCADir" $) .caBundle.key | quote }}
  {{- end }}
  {{- end }}
  {{- end }}
  {{- with .Values.mqtt }}
  FLEET_MQTT_HOST: {{ .host | quote }}
  {{- if and .tls .tls.enabled }}
  FLEET_MQTT_PORT: {{ .tls.port | int | quote }}
  FLEET_MQTT_TLS: "require"
  {{- if .tls.ca.name }}
  FLEET_MQTT_TLS_CA_FILE: {{ printf "%s/%s" (include "fleet-lib.mqttCADir" $) .tls.ca.key | quote }}
  {{- end }}
  {{- else }}
  FLEET_MQTT_PORT: {{ .port | int | quote }}
  {{- end }}
  {{- with .username }}
  FLEET_MQTT_USERNAME: {{ . | quote }}
  {{- end }}
  {{- if .sessionExpirySeconds }}
  FLEET_MQTT_SESSION_EXPIRY_SECONDS: {{ .sessionExpirySeconds | int | quote }}
  {{- end }}
  {{- end }}
  FLEET_LOG_LEVEL: {{ .Values.log.level | quote }}
  FLEET_LOG_FORMAT: {{ .Values.log.format | quote }}
  {{- range $key, $value := .Values.env }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
{{- end -}}

{{/* Files mounted read-only at /etc/fleet (e.g. fleet-alerting's rules file). */}}
{{- define "fleet-lib.filesConfigMap" -}}
{{- if .Values.files }}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "fleet-lib.metadata" (list . "-files") | nindent 2 }}
data:
  {{- range $name, $content := .Values.files }}
  {{ $name }}: |-
    {{- $content | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}
