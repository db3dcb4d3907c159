{{/* The image every part runs: repository:tag, pinned @digest when one is given. */}}
{{- define "rootlock.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object (not selectors: those stay as rootlock's manifests name them, so upgrades never change them). */}}
{{- define "rootlock.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The .rootlock.yaml the parts read. */}}
{{- define "rootlock.config" -}}
# rootlock config: severities, disabled rules, exemptions (see docs/webhook.md)
{{ if .Values.config }}{{ toYaml .Values.config }}{{ else }}{}{{ end }}
{{- end -}}

{{/* A ConfigMap that stays mutable on purpose, and says why to rootlock's own audit. */}}
{{- define "rootlock.mutableReason" -}}
rootlock.dev/ignore: configmap-secret-immutable
rootlock.dev/ignore-reason: {{ . | quote }}
{{- end -}}

{{- define "rootlock.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The restricted container securityContext every non-drift container runs with. */}}
{{- define "rootlock.restrictedContainer" -}}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
runAsNonRoot: true
runAsUser: 65532
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "rootlock.restrictedPod" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Spread replicas over nodes: preferred, so a one-node cluster still runs them all. */}}
{{- define "rootlock.spread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
{{ toYaml . | indent 8 }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
{{ toYaml . | indent 14 }}
{{- end -}}
