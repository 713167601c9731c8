{{- define "portico.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "portico.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "portico.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portico.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "portico.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "portico.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "portico.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- /*
The pod's grace period: the preStop sleep, then PORTICO_DRAIN_MS for in-flight requests, then up to 20 s that
scripts/start.ts allows itself (flushing usage, closing connections) before it exits anyway, and a 10 s margin.
*/}}
{{- define "portico.terminationGracePeriodSeconds" -}}
{{- $drainMs := .Values.env.PORTICO_DRAIN_MS | default "10000" | int }}
{{- add .Values.preStopSleepSeconds (div (add $drainMs 999) 1000) 20 10 }}
{{- end }}

{{- /* A value of existingSecret, by key. */}}
{{- define "portico.secretRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ required "existingSecret is required: the Secret holding DATABASE_URL, NEXTAUTH_SECRET, …" $.root.Values.existingSecret }}
    key: {{ .key }}
{{- end }}

{{- /* The database, shared by the pods and the migration Job. */}}
{{- define "portico.databaseEnv" -}}
- name: DATABASE_URL
  {{- include "portico.secretRef" (dict "root" . "key" (required "secretKeys.databaseUrl is required" .Values.secretKeys.databaseUrl)) | nindent 2 }}
{{- end }}
