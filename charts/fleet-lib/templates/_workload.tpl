{{/*
The workload: a StatefulSet (services with a persistent MQTT session: a stable pod name is a stable
FLEET_MQTT_CLIENT_ID, so a restarted replica resumes its own session and the messages the broker
queued for it), an Argo Rollouts Rollout (ReplicaSet pods rolled out as an analysed canary: only
where a pod-name session is clean or expires quickly and nothing is lost when a name is not reused,
docs/deployment/progressive-delivery.md) or a Deployment.

The pod and container security settings are fixed, not values: the image runs as UID/GID 10001
(Dockerfile) and writes nothing but /tmp.
*/}}
{{- define "fleet-lib.workload" -}}
{{- $fullname := include "fleet-lib.fullname" . -}}
{{- $kind := .Values.workloadKind -}}
apiVersion: {{ include "fleet-lib.workloadAPIVersion" . }}
kind: {{ $kind }}
metadata:
  {{- include "fleet-lib.metadata" (list . "") | nindent 2 }}
  annotations:
    checkov.io/skip1: CKV_K8S_43=Images are referenced by tag by default; set image.digest to pin a digest per environment.
    checkov.io/skip2: CKV_K8S_15=IfNotPresent is right for immutable tags (ECR repositories are IMMUTABLE); Always adds a registry round trip to every start.
    checkov.io/skip3: CKV_K8S_35=The services read FLEET_*_PASSWORD and FLEET_CONTROL_ADMIN_TOKEN from the environment only (swift-configuration environment provider).
spec:
  {{- if not (include "fleet-lib.autoscaled" .) }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "fleet-lib.selectorLabels" . | nindent 6 }}
  {{- if eq $kind "StatefulSet" }}
  serviceName: {{ $fullname }}-headless
  # Replicas are independent (shared subscription): start and stop them together.
  podManagementPolicy: Parallel
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      # Pods with an ordinal >= partition take the new revision: a partition above 0 is a canary
      # of the highest ordinals (docs/deployment/progressive-delivery.md).
      partition: {{ .Values.statefulSet.partition | default 0 }}
  {{- else if eq $kind "Rollout" }}
  {{- include "fleet-lib.rolloutStrategy" . | nindent 2 }}
  {{- else }}
  strategy:
    {{- toYaml (.Values.strategy | default (dict "type" "RollingUpdate")) | nindent 4 }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "fleet-lib.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/env: {{ include "fleet-lib.configMap" . | sha256sum }}
        {{- if .Values.files }}
        checksum/files: {{ include "fleet-lib.filesConfigMap" . | sha256sum }}
        {{- end }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ $fullname }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "fleet-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          {{- with .Values.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ .Values.httpPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ $fullname }}-env
          env:
            {{- if .Values.mqtt.clientIdFromPodName }}
            # One MQTT session per pod, stable across restarts (StatefulSet pod names).
            - name: FLEET_MQTT_CLIENT_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            {{- end }}
            {{- $secretName := include "fleet-lib.secretName" . }}
            {{- range $name, $ref := .Values.secretEnv }}
            - name: {{ $name }}
              valueFrom:
                secretKeyRef:
                  name: {{ $secretName }}
                  {{- if kindIs "map" $ref }}
                  key: {{ $ref.key }}
                  {{- if $ref.optional }}
                  # Optional: without the key (or the Secret) the variable is unset and the pod still starts.
                  optional: true
                  {{- end }}
                  {{- else }}
                  key: {{ $ref }}
                  {{- end }}
            {{- end }}
          # Start-up work (migrations, the simulator's road graph) precedes the HTTP server: allow 5 minutes.
          startupProbe:
            httpGet:
              path: /health/live
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /health/live
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          # /health/ready answers within 2 s (database and broker checks).
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 3
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            runAsGroup: 10001
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .Values.files }}
            - name: files
              mountPath: /etc/fleet
              readOnly: true
            {{- end }}
            {{- if and .Values.mqtt.tls .Values.mqtt.tls.enabled .Values.mqtt.tls.ca.name }}
            - name: mqtt-ca
              mountPath: {{ include "fleet-lib.mqttCADir" . }}
              readOnly: true
            {{- end }}
            {{- if and .Values.postgres.enabled .Values.postgres.caBundle .Values.postgres.caBundle.enabled }}
            - name: postgres-ca
              mountPath: {{ include "fleet-lib.postgresCADir" . }}
              readOnly: true
            {{- end }}
            {{- with .Values.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if .Values.files }}
        - name: files
          configMap:
            name: {{ $fullname }}-files
        {{- end }}
        {{- with .Values.mqtt.tls }}
        {{- if and .enabled .ca.name }}
        - name: mqtt-ca
          {{- if eq .ca.kind "Secret" }}
          secret:
            secretName: {{ .ca.name }}
            items: [{key: {{ .ca.key | quote }}, path: {{ .ca.key | quote }}}]
          {{- else }}
          configMap:
            name: {{ .ca.name }}
            items: [{key: {{ .ca.key | quote }}, path: {{ .ca.key | quote }}}]
          {{- end }}
        {{- end }}
        {{- end }}
        {{- if and .Values.postgres.enabled .Values.postgres.caBundle .Values.postgres.caBundle.enabled }}
        {{- with .Values.postgres.caBundle }}
        # The PostgreSQL CA bundle (fleet-postgres chart / docs/deployment/cluster.md: Amazon RDS bundle).
        - name: postgres-ca
          configMap:
            name: {{ .configMap }}
            items: [{key: {{ .key | quote }}, path: {{ .key | quote }}}]
        {{- end }}
        {{- end }}
        {{- with .Values.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      # Spread replicas over nodes when possible (a node loss takes one share of the stream).
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "fleet-lib.selectorLabels" . | nindent 14 }}
      {{- $ingest := and .Values.ingestPool .Values.ingestPool.enabled | default false | eq true }}
      {{- /* The ingest node pool (terraform modules/eks): label fleet.dev/pool=ingest, taint fleet.dev/ingest=true:NoSchedule. */}}
      {{- $nodeSelector := merge (dict) (.Values.nodeSelector | default dict) (ternary (dict "fleet.dev/pool" "ingest") (dict) $ingest) }}
      {{- with $nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- $tolerations := concat (.Values.tolerations | default list) (ternary (list (dict "key" "fleet.dev/ingest" "operator" "Equal" "value" "true" "effect" "NoSchedule")) (list) $ingest) }}
      {{- with $tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
