{{- define "fleet-lib.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
{{- end -}}

{{/* ClusterIP Service: HTTP API, health and /metrics on one port. */}}
{{- define "fleet-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
    app.kubernetes.io/component: http
spec:
  type: ClusterIP
  selector:
    {{- include "fleet-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.httpPort }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{/* Headless governing Service of a StatefulSet (stable per-pod DNS names). */}}
{{- define "fleet-lib.headlessService" -}}
{{- if eq .Values.workloadKind "StatefulSet" }}
apiVersion: v1
kind: Service
metadata:
  {{- include "fleet-lib.metadata" (list . "-headless") | nindent 2 }}
    app.kubernetes.io/component: headless
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "fleet-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.httpPort }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end -}}

{{/*
HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation of the requests. The workload then
has no spec.replicas (the HPA owns it; Argo CD ignores the field too, see argocd/apps).
*/}}
{{- define "fleet-lib.hpa" -}}
{{- if include "fleet-lib.autoscaled" . }}
{{- $a := .Values.autoscaling -}}
{{- if not (and .Values.resources .Values.resources.requests .Values.resources.requests.cpu) -}}
{{- fail "autoscaling.enabled needs resources.requests.cpu (utilisation is relative to it)" -}}
{{- end -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" -}}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {{ .Values.workloadKind }}
    name: {{ include "fleet-lib.fullname" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
  {{- with $a.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "fleet-lib.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  # A pod that is not ready (crash loop) must not block node drains.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "fleet-lib.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Prometheus Operator ServiceMonitor; off by default (the CRD may be absent). */}}
{{- define "fleet-lib.serviceMonitor" -}}
{{- if .Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  namespaceSelector:
    matchNames:
      - {{ .Release.Namespace }}
  selector:
    matchLabels:
      {{- include "fleet-lib.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: http
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end -}}

{{/*
NetworkPolicy: only the HTTP port (API, health, /metrics) is reachable, from networkPolicy.ingressFrom
(NetworkPolicyPeers; empty: from anywhere). Egress stays open: PostgreSQL (RDS) and the broker are
outside the cluster at addresses the chart does not know, and alerting's webhooks go anywhere.
*/}}
{{- define "fleet-lib.networkPolicy" -}}
{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "fleet-lib.selectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress"]
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- with .Values.networkPolicy.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
{{- end -}}

{{/* Everything, in one call from each service chart's templates/all.yaml. */}}
{{- define "fleet-lib.all" -}}
{{- $parts := list "serviceAccount" "configMap" "filesConfigMap" "service" "headlessService" "workload" "hpa" "pdb" "networkPolicy" "serviceMonitor" -}}
{{- range $parts }}
{{- $doc := include (printf "fleet-lib.%s" .) $ | trim }}
{{- if $doc }}
---
{{ $doc }}
{{- end }}
{{- end }}
{{- end -}}
