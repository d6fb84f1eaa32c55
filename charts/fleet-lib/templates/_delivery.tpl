{{/*
Progressive delivery (docs/deployment/progressive-delivery.md).

- workloadKind Rollout: an Argo Rollouts canary. A background analysis (the AnalysisTemplate below)
  runs from the first step; a failed measurement beyond failureLimit aborts the rollout, which scales
  the canary away and the stable ReplicaSet back (automatic rollback).
- workloadKind StatefulSet: Argo Rollouts cannot drive a StatefulSet. It rolls with a partitioned
  RollingUpdate (statefulSet.partition), and the same metrics run as an AnalysisRun that Argo CD
  creates as a PostSync hook: a failed analysis fails the sync (the gate before lowering the partition,
  or the signal to revert the commit).

The analysis reads what Prometheus scrapes through the chart's ServiceMonitor: job = the Service name,
and, for a Rollout, the canary pods' rollouts_pod_template_hash (ServiceMonitor podTargetLabels).
*/}}

{{/* The Rollout's strategy block (canary, no traffic router: the weight is the share of pods). */}}
{{- define "fleet-lib.rolloutStrategy" -}}
{{- $r := .Values.rollout -}}
strategy:
  canary:
    maxSurge: {{ $r.maxSurge }}
    maxUnavailable: {{ $r.maxUnavailable }}
    {{- if include "fleet-lib.analysisEnabled" . }}
    analysis:
      templates:
        - templateName: {{ include "fleet-lib.fullname" . }}
      # From the first step to the end of the rollout; any failure aborts it.
      startingStep: 1
      args:
        - name: canary-hash
          valueFrom:
            podTemplateHashValue: Latest
    {{- end }}
    steps:
      {{- toYaml $r.steps | nindent 6 }}
{{- end -}}

{{/*
The metrics, shared by the AnalysisTemplate (Rollout) and the PostSync AnalysisRun (StatefulSet).
Argument: (list $ctx $selector). Each query answers one sample even without traffic (`or vector(0)`):
an empty answer would be an error, not a pass.
*/}}
{{- define "fleet-lib.analysisMetrics" -}}
{{- $ctx := index . 0 -}}
{{- $sel := index . 1 -}}
{{- $a := $ctx.Values.analysis -}}
{{- $routes := "http_route!~\"/metrics|/health/.*\"" -}}
- name: error-ratio
  # 5xx answers of the API (not /metrics, /health/*) over all answers, from the kit's Hummingbird counters.
  interval: {{ $a.interval }}
  initialDelay: {{ $a.initialDelay }}
  {{- with $a.count }}
  count: {{ . }}
  {{- end }}
  failureLimit: {{ $a.failureLimit }}
  successCondition: result[0] <= {{ $a.maxErrorRatio }}
  provider:
    prometheus:
      address: {{ $a.prometheusAddress }}
      timeout: 30
      query: >-
        (sum(rate(hb_requests{ {{- $sel }},{{ $routes }},http_response_status_code=~"5.."}[{{ $a.window }}])) or vector(0))
        / clamp_min((sum(rate(hb_requests{ {{- $sel }},{{ $routes }}}[{{ $a.window }}])) or vector(0)), 1e-9)
- name: latency-p95
  # Seconds; NaN (no request in the window) passes: no traffic is judged by the other metrics.
  interval: {{ $a.interval }}
  initialDelay: {{ $a.initialDelay }}
  {{- with $a.count }}
  count: {{ . }}
  {{- end }}
  failureLimit: {{ $a.failureLimit }}
  successCondition: isNaN(result[0]) || result[0] <= {{ $a.maxLatencyP95Seconds }}
  provider:
    prometheus:
      address: {{ $a.prometheusAddress }}
      timeout: 30
      query: >-
        histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_bucket{ {{- $sel }},{{ $routes }}}[{{ $a.window }}])))
        or vector(0)
- name: ready
  # Every analysed pod passes its readiness checks (database, broker) at each scrape.
  interval: {{ $a.interval }}
  initialDelay: {{ $a.initialDelay }}
  {{- with $a.count }}
  count: {{ . }}
  {{- end }}
  failureLimit: {{ $a.failureLimit }}
  successCondition: result[0] >= 1
  provider:
    prometheus:
      address: {{ $a.prometheusAddress }}
      timeout: 30
      query: min(fleet_service_ready{ {{- $sel }}}) or vector(0)
{{- range $a.extraMetrics }}
- name: {{ .name }}
  interval: {{ $a.interval }}
  initialDelay: {{ $a.initialDelay }}
  {{- with $a.count }}
  count: {{ . }}
  {{- end }}
  failureLimit: {{ $a.failureLimit }}
  successCondition: {{ .successCondition }}
  provider:
    prometheus:
      address: {{ $a.prometheusAddress }}
      timeout: 30
      query: {{ tpl .query (dict "selector" $sel "Template" $ctx.Template) | quote }}
{{- end }}
{{- end -}}

{{/* Prometheus label selector of the pods under analysis. */}}
{{- define "fleet-lib.analysisSelector" -}}
{{- printf "namespace=\"%s\",job=\"%s\"" .Release.Namespace (include "fleet-lib.fullname" .) -}}
{{- end -}}

{{- define "fleet-lib.analysisTemplate" -}}
{{- if and (eq .Values.workloadKind "Rollout") (include "fleet-lib.analysisEnabled" .) }}
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  args:
    - name: canary-hash
  metrics:
    {{- $sel := printf "%s,rollouts_pod_template_hash=\"{{args.canary-hash}}\"" (include "fleet-lib.analysisSelector" .) }}
    {{- include "fleet-lib.analysisMetrics" (list . $sel) | nindent 4 }}
{{- end }}
{{- end -}}

{{/*
StatefulSets: the analysis as an Argo CD PostSync hook. Argo CD runs it once the synced StatefulSet is
healthy (every pod of the partition updated and ready) and waits for its result through the built-in
AnalysisRun health check; Failed/Error fail the sync. A finite count: the run must end.
*/}}
{{- define "fleet-lib.postSyncAnalysisRun" -}}
{{- if and (eq .Values.workloadKind "StatefulSet") (include "fleet-lib.analysisEnabled" .) .Values.analysis.postSyncHook }}
{{- if not .Values.analysis.count -}}
{{- fail "analysis.count must be set for a StatefulSet: the PostSync AnalysisRun has to end" -}}
{{- end }}
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  {{- include "fleet-lib.metadata" (list . "-postsync") | nindent 2 }}
  annotations:
    argocd.argoproj.io/hook: PostSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  metrics:
    {{- include "fleet-lib.analysisMetrics" (list . (include "fleet-lib.analysisSelector" .)) | nindent 4 }}
{{- end }}
{{- end -}}
