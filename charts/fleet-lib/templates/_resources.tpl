{{- define "fleet-lib.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
  {{- with (.Values.serviceAccount).annotations }}
  # e.g. eks.amazonaws.com/role-arn: the IAM role of this service account (terraform output irsa_role_arns).
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
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
With autoscaling.keda.enabled a KEDA ScaledObject replaces it (KEDA makes and owns the HPA).
*/}}
{{- define "fleet-lib.autoscalingChecks" -}}
{{- $a := .Values.autoscaling -}}
{{- if not (and .Values.resources .Values.resources.requests .Values.resources.requests.cpu) -}}
{{- fail "autoscaling.enabled needs resources.requests.cpu (utilisation is relative to it)" -}}
{{- end -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" -}}
{{- end -}}
{{- end -}}

{{- define "fleet-lib.hpa" -}}
{{- if and (include "fleet-lib.autoscaled" .) (not (include "fleet-lib.kedaEnabled" .)) }}
{{- include "fleet-lib.autoscalingChecks" . }}
{{- $a := .Values.autoscaling }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: {{ include "fleet-lib.workloadAPIVersion" . }}
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
  {{- if eq .Values.workloadKind "Rollout" }}
  # Canary and stable pods told apart in Prometheus (the Rollout's analysis selects the canary).
  podTargetLabels:
    - rollouts-pod-template-hash
  {{- end }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end -}}

{{/*
KEDA ScaledObject (keda.sh/v1alpha1): the workload scales on CPU and on the Prometheus queries of
autoscaling.keda.triggers (backlog, ingest lag). KEDA creates the HPA with autoscaling.behavior, so
scale-down keeps the slow pace persistent MQTT sessions need (a departing replica leaves the shared
subscription and drains). A trigger whose query fails stops scale-down only; CPU still scales up.
*/}}
{{- define "fleet-lib.scaledObject" -}}
{{- if include "fleet-lib.kedaEnabled" . }}
{{- include "fleet-lib.autoscalingChecks" . }}
{{- $a := .Values.autoscaling }}
{{- $k := $a.keda }}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: {{ include "fleet-lib.workloadAPIVersion" . }}
    kind: {{ .Values.workloadKind }}
    name: {{ include "fleet-lib.fullname" . }}
  minReplicaCount: {{ $a.minReplicas }}
  maxReplicaCount: {{ $a.maxReplicas }}
  pollingInterval: {{ $k.pollingInterval }}
  advanced:
    horizontalPodAutoscalerConfig:
      {{- with $a.behavior }}
      behavior:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: {{ $a.targetCPUUtilizationPercentage | quote }}
    {{- range $k.triggers }}
    - type: prometheus
      name: {{ .name }}
      metricType: {{ .metricType }}
      metadata:
        serverAddress: {{ $k.prometheusAddress | quote }}
        query: {{ tpl .query $ | quote }}
        threshold: {{ .threshold | quote }}
        {{- with .activationThreshold }}
        activationThreshold: {{ . | quote }}
        {{- end }}
        # No answer (Prometheus down, series not there yet) is an error, not 0: it must not scale down.
        ignoreNullValues: "false"
    {{- end }}
{{- end }}
{{- end -}}

{{/*
Ingress (networking.k8s.io/v1) with TLS for the public API paths only: ingress.paths is limited by
the schema to /v1, /auth and /console (never /metrics or /health). The certificate comes from
ingress.tls.secretName or, with ingress.certManager.clusterIssuer, from cert-manager (annotation).
*/}}
{{- define "fleet-lib.ingress" -}}
{{- with .Values.ingress }}
{{- if .enabled }}
{{- $fullname := include "fleet-lib.fullname" $ }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  {{- include "fleet-lib.metadata" (list $ "") | nindent 2 }}
  {{- $ann := dict }}
  {{- with .certManager.clusterIssuer }}{{ $_ := set $ann "cert-manager.io/cluster-issuer" . }}{{ end }}
  {{- if .websocket }}
  {{- /* ingress-nginx closes an idle proxied connection after 60 s; a live stream may be quiet longer. */}}
  {{- $_ := set $ann "nginx.ingress.kubernetes.io/proxy-read-timeout" (.websocket.timeoutSeconds | toString) }}
  {{- $_ := set $ann "nginx.ingress.kubernetes.io/proxy-send-timeout" (.websocket.timeoutSeconds | toString) }}
  {{- end }}
  {{- $ann = merge $ann (.annotations | default dict) }}
  {{- with $ann }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  ingressClassName: {{ .className }}
  tls:
    - hosts: [{{ .host | quote }}]
      secretName: {{ .tls.secretName | default (printf "%s-tls" $fullname) }}
  rules:
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ . }}
            pathType: Prefix
            backend:
              service:
                name: {{ $fullname }}
                port:
                  name: http
          {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
NetworkPolicy: ingress and egress, each limited to what the service needs.
Ingress (HTTP port only): the ingress controller's namespace (when ingress.enabled), Prometheus'
namespace, the Fleet services of networkPolicy.callers (same namespace) and networkPolicy.ingressFrom.
Egress: DNS, the broker (pods, or CIDRs when it is outside the cluster), PostgreSQL (fleet-postgres
pods in dev, the RDS subnets' CIDRs in prod), the Fleet services it calls, networkPolicy.objectStore
(fleet-tracking: the archive), networkPolicy.webhooks (fleet-alerting: public addresses) and
networkPolicy.extraEgress. fleet-tracking also admits its weekly report job's pods (weeklyReport).
*/}}
{{- define "fleet-lib.networkPolicy" -}}
{{- with .Values.networkPolicy }}
{{- if .enabled }}
{{- $np := . }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "fleet-lib.metadata" (list $ "") | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "fleet-lib.selectorLabels" $ | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - ports:
        - port: http
          protocol: TCP
      from:
        {{- if $.Values.ingress.enabled }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $np.ingressControllerNamespace }}
        {{- end }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $np.monitoringNamespace }}
        {{- range $np.callers }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
        {{- end }}
        {{- if include "fleet-lib.weeklyReportEnabled" $ }}
        # fleet-tracking: the weekly report CronJob's pods (POST /v1/reports).
        - podSelector:
            matchLabels:
              {{- include "fleet-lib.weeklyReportSelectorLabels" $ | nindent 14 }}
        {{- end }}
        {{- with $np.ingressFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  egress:
    - ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
      to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              {{- toYaml $np.dnsPodLabels | nindent 14 }}
    - ports:
        - {port: 1883, protocol: TCP}
        - {port: 8883, protocol: TCP}
      to:
        {{- include "fleet-lib.networkPeers" $np.mqtt | nindent 8 }}
    {{- if $.Values.postgres.enabled }}
    - ports:
        - {port: {{ $.Values.postgres.port }}, protocol: TCP}
      to:
        {{- include "fleet-lib.networkPeers" $np.postgres | nindent 8 }}
    {{- end }}
    {{- range $np.calls }}
    - ports:
        - {port: {{ .port }}, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ .name }}
    {{- end }}
    {{- with $np.objectStore }}
    {{- if or .cidrs .podLabels }}
    {{- $store := . }}
    # The archive's object store (FLEET_ARCHIVE_S3_ENDPOINT): addresses (AWS S3: its public ranges, reached
    # through the VPC's gateway endpoint), else in-cluster pods.
    - ports:
        {{- range .ports }}
        - {port: {{ . }}, protocol: TCP}
        {{- end }}
      to:
        {{- if .cidrs }}
        {{- range .cidrs }}
        - ipBlock:
            cidr: {{ . }}
            {{- with $store.except }}
            except:
              {{- toYaml . | nindent 14 }}
            {{- end }}
        {{- end }}
        {{- else }}
        - podSelector:
            matchLabels:
              {{- toYaml .podLabels | nindent 14 }}
        {{- end }}
    {{- end }}
    {{- end }}
    {{- with $np.webhooks }}
    {{- if .enabled }}
    # Webhook receivers: public addresses only (FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS ranges go in extraEgress).
    - ports:
        {{- range .ports }}
        - {port: {{ . }}, protocol: TCP}
        {{- end }}
      to:
        - ipBlock:
            cidr: {{ .cidr }}
            except:
              {{- toYaml .except | nindent 14 }}
    {{- end }}
    {{- end }}
    {{- with $np.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* NetworkPolicyPeers of a dependency: its CIDRs when given (outside the cluster), else its pods. */}}
{{- define "fleet-lib.networkPeers" -}}
{{- if .cidrs }}
{{- range .cidrs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- else }}
- podSelector:
    matchLabels:
      {{- toYaml .podLabels | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Everything, in one call from each service chart's templates/all.yaml. */}}
{{- define "fleet-lib.all" -}}
{{- $parts := list "serviceAccount" "configMap" "filesConfigMap" "service" "headlessService" "workload" "hpa" "scaledObject" "pdb" "networkPolicy" "ingress" "serviceMonitor" "analysisTemplate" "postSyncAnalysisRun" -}}
{{- range $parts }}
{{- $doc := include (printf "fleet-lib.%s" .) $ | trim }}
{{- if $doc }}
---
{{ $doc }}
{{- end }}
{{- end }}
{{- end -}}
