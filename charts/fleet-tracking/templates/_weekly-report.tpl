{{/*
The weekly report job's image: fleetctl. Repository empty: the fleetctl repository beside the service's
image (ghcr.io/fleet-oss/fleet-tracking -> ghcr.io/fleet-oss/fleetctl, <ECR>/fleet/fleet-tracking ->
<ECR>/fleet/fleetctl), so Argo CD's images.registry reaches it too. Tag empty: the service's tag, else the
chart's appVersion (the pipeline builds and tags every image of a commit together). A digest wins.
*/}}
{{- define "fleet-tracking.weeklyReportImage" -}}
{{- $w := .Values.weeklyReport.image -}}
{{- $repo := $w.repository -}}
{{- if not $repo -}}
{{- if not (contains "/" .Values.image.repository) -}}
{{- fail "weeklyReport.image.repository: set it (image.repository has no folder to find fleetctl beside)" -}}
{{- end -}}
{{- $repo = printf "%s/fleetctl" (dir .Values.image.repository) -}}
{{- end -}}
{{- if $w.digest -}}
{{- printf "%s@%s" $repo $w.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo ($w.tag | default .Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/*
Settings the archive and the job depend on, refused at render time rather than at the pod's start:
an endpoint without a bucket (the service would exit), the job without an archive (every run would
get 503), and the job beside the service's own weekly timer (two makers of the same report).
*/}}
{{- define "fleet-tracking.archiveChecks" -}}
{{- $env := .Values.env | default dict -}}
{{- if and (get $env "FLEET_ARCHIVE_S3_ENDPOINT") (not (get $env "FLEET_ARCHIVE_S3_BUCKET")) -}}
{{- fail "env.FLEET_ARCHIVE_S3_BUCKET: set the archive bucket (terraform output archive_bucket) with FLEET_ARCHIVE_S3_ENDPOINT" -}}
{{- end -}}
{{- if include "fleet-lib.weeklyReportEnabled" . -}}
{{- if not (get $env "FLEET_ARCHIVE_S3_ENDPOINT") -}}
{{- fail "weeklyReport.enabled needs the archive's object store (env.FLEET_ARCHIVE_S3_ENDPOINT): reports answer 503 without it" -}}
{{- end -}}
{{- if has (lower (toString (get $env "FLEET_REPORTS_WEEKLY"))) (list "true" "1" "yes") -}}
{{- fail "weeklyReport.enabled and env.FLEET_REPORTS_WEEKLY: choose one maker of the weekly report (the CronJob in Kubernetes)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
