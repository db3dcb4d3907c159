{{- define "rootlock.audit.selector" -}}
app.kubernetes.io/name: rootlock-audit
app.kubernetes.io/component: audit
{{- end -}}
