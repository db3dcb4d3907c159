{{- define "rootlock.webhook.selector" -}}
app.kubernetes.io/name: rootlock-webhook
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{/* One webhook entry, as src/webhook/manifests.ts writes it. Arguments: dict root name path failurePolicy caBundle. */}}
{{- define "rootlock.webhook.entry" -}}
- name: {{ .name }}
  admissionReviewVersions: [v1]
  clientConfig:
    service:
      namespace: {{ .root.Values.namespaces.system }}
      name: rootlock-webhook
      path: {{ .path }}
      port: 443
    {{- if .caBundle }}
    caBundle: {{ .caBundle }}
    {{- end }}
  rules:
    - apiGroups: [""]
      resources: [pods, pods/ephemeralcontainers, replicationcontrollers, podtemplates]
      apiVersions: ["*"]
      operations: [CREATE, UPDATE]
      scope: Namespaced
    - apiGroups: [apps]
      resources: [deployments, replicasets, statefulsets, daemonsets]
      apiVersions: ["*"]
      operations: [CREATE, UPDATE]
      scope: Namespaced
    - apiGroups: [batch]
      resources: [jobs, cronjobs]
      apiVersions: ["*"]
      operations: [CREATE, UPDATE]
      scope: Namespaced
  failurePolicy: {{ .failurePolicy }}
  sideEffects: None
  timeoutSeconds: 5
  matchPolicy: Equivalent
  namespaceSelector:
    matchExpressions:
      - key: kubernetes.io/metadata.name
        operator: NotIn
        values: [kube-system, {{ .root.Values.namespaces.system }}]
  matchConditions:
    - name: not-exempted
      expression: "!(has(object.metadata.annotations) && 'rootlock.dev/ignore' in object.metadata.annotations && object.metadata.annotations['rootlock.dev/ignore'] in ['*', 'all'])"
{{- end -}}
