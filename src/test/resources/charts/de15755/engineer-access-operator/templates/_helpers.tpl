{{/* The chart name, shortened to the 63 characters a label value allows. */}}
{{- define "engineer-access-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, or the release name (with the chart name added
unless the release name already contains it).
*/}}
{{- define "engineer-access-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "engineer-access-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "engineer-access-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "engineer-access-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "engineer-access-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "engineer-access-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "engineer-access-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The two ClusterRoles the AccessPolicy binds. These helpers are the only place that reads the values, so the
AccessPolicy, the operator's "bind" right and the example roles always name the same roles.
*/}}
{{- define "engineer-access-operator.deployClusterRole" -}}
{{- required "policy.deploy.clusterRole must name the ClusterRole for Production Deploy" .Values.policy.deploy.clusterRole }}
{{- end }}

{{- define "engineer-access-operator.adminClusterRole" -}}
{{- required "policy.admin.clusterRole must name the ClusterRole for Production Admin" .Values.policy.admin.clusterRole }}
{{- end }}

{{/* The operator's image: repository, then the digest if set, else the tag (default: the chart's appVersion). */}}
{{- define "engineer-access-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}
