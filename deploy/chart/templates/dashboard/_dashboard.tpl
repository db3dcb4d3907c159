{{- define "rootlock.dashboard.selector" -}}
app.kubernetes.io/name: rootlock-dashboard
app.kubernetes.io/component: dashboard
{{- end -}}
