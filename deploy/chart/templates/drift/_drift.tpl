{{- define "rootlock.drift.selector" -}}
app.kubernetes.io/name: rootlock-drift
app.kubernetes.io/part-of: rootlock
{{- end -}}
