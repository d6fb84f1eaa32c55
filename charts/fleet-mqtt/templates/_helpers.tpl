{{/* Names and labels (the same scheme as charts/fleet-lib; this chart does not depend on it). */}}
{{- define "fleet-mqtt.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fleet-mqtt.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleet-mqtt.labels" -}}
{{ include "fleet-mqtt.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: broker
app.kubernetes.io/part-of: fleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 }}
{{- end -}}

{{- define "fleet-mqtt.metadata" -}}
{{- $ctx := index . 0 -}}
name: {{ printf "%s%s" (include "fleet-mqtt.fullname" $ctx) (index . 1) }}
namespace: {{ $ctx.Release.Namespace }}
labels:
  {{- include "fleet-mqtt.labels" $ctx | nindent 2 }}
{{- end -}}

{{- define "fleet-mqtt.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository ($img.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "fleet-mqtt.secretName" -}}
{{- .Values.existingSecret | default (include "fleet-mqtt.fullname" .) -}}
{{- end -}}

{{- define "fleet-mqtt.tlsSecretName" -}}
{{- if .Values.tls.existingSecret -}}
{{- .Values.tls.existingSecret -}}
{{- else -}}
{{- printf "%s-tls" (include "fleet-mqtt.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Broker accounts: the first field of every line of config/mosquitto/service-accounts (a JSON list),
then dynsec-admin (made by `mosquitto_ctrl dynsec init`; only the init container uses it).
*/}}
{{- define "fleet-mqtt.accounts" -}}
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

{{/* The environment variable init-dynsec.sh reads an account's password from. */}}
{{- define "fleet-mqtt.passwordEnv" -}}
FLEET_MQTT_PASSWORD_{{ . | upper | replace "-" "_" }}
{{- end -}}

{{/*
mosquitto.conf from config/mosquitto/mosquitto.conf.template, the same substitutions as
config/mosquitto/docker/render.sh with the pod's paths (volume at /var/lib/mosquitto, log to
stdout, listener on every interface of the pod), then the TLS listener. The template's comments
are left out (they document the template itself). A template that no longer has a line this
relies on fails the render instead of yielding a broker without it.
*/}}
{{- define "fleet-mqtt.conf" -}}
{{- $t := .Files.Get "files/mosquitto.conf.template" -}}
{{- range list "user root" "pid_file @PID_FILE@" "listener @PORT@ 127.0.0.1" "log_dest file @LOG_FILE@" "plugin_opt_config_file @DYNSEC_FILE@" "persistence_location @DATA_DIR@" "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so" "per_listener_settings false" "allow_anonymous false" -}}
{{- if not (regexMatch (printf "(?m)^%s$" (regexQuoteMeta .)) $t) -}}
{{- fail (printf "config/mosquitto/mosquitto.conf.template has no line %q (charts/fleet-mqtt renders it)" .) -}}
{{- end -}}
{{- end -}}
{{- $c := regexReplaceAll "(?m)^[ \\t]*(#.*)?\\n" $t "" -}}
{{- $c = regexReplaceAll "(?m)^user root$" $c "user mosquitto" -}}
{{- $c = regexReplaceAll "(?m)^pid_file @PID_FILE@$" $c "pid_file /tmp/mosquitto.pid" -}}
{{- $c = regexReplaceAll "(?m)^listener @PORT@ 127\\.0\\.0\\.1$" $c (printf "listener %d" (int .Values.port)) -}}
{{- $c = regexReplaceAll "(?m)^log_dest file @LOG_FILE@$" $c "log_dest stdout" -}}
{{- $c = regexReplaceAll "(?m)^plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security\\.so$" $c (printf "plugin %s" .Values.broker.dynsecPlugin) -}}
{{- $c = $c | replace "@DYNSEC_FILE@" "/var/lib/mosquitto/auth/dynamic-security.json" | replace "@DATA_DIR@" "/var/lib/mosquitto/" -}}
{{- if regexMatch "@[A-Z_]+@" $c -}}
{{- fail (printf "unreplaced placeholder in the rendered mosquitto.conf: %s" (regexFind "@[A-Z_]+@" $c)) -}}
{{- end -}}
# Rendered by charts/fleet-mqtt from config/mosquitto/mosquitto.conf.template (comments: there).
{{ $c | trimSuffix "\n" }}
{{- if .Values.tls.enabled }}
# MQTT over TLS (charts/fleet-mqtt values tls.*). Authentication and ACLs are the plugin's, as on
# the plain listener (per_listener_settings false).
listener {{ .Values.tls.port | int }}
protocol mqtt
certfile /etc/mosquitto/tls/tls.crt
keyfile /etc/mosquitto/tls/tls.key
tls_version tlsv1.2
{{- end }}
{{- end -}}
