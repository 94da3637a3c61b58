{{- define "pg.name" -}}
{{- default "postgres" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pg.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pg.selectorLabels" -}}
app.kubernetes.io/component: {{ .component | default "database" }}
app.kubernetes.io/instance: {{ include "pg.fullname" .root }}
app.kubernetes.io/name: {{ include "pg.name" .root }}
{{- end -}}

{{- define "pg.labels" -}}
{{ include "pg.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- if not .noVersion }}
app.kubernetes.io/version: {{ .root.Values.version | quote }}
{{- end }}
{{- end -}}

{{- define "pg.metadata" -}}
metadata:
  labels:
    {{- include "pg.labels" . | nindent 4 }}
  name: {{ include "pg.fullname" .root }}{{ .suffix }}
  namespace: {{ .root.Release.Namespace }}
{{- end -}}

{{- define "pg.credentialsSecret" -}}
{{ include "pg.fullname" . }}-credentials
{{- end -}}

{{/* Patroni/Spilo configuration: the tuned parameters, then the user's (PostgresCluster's tuning table). */}}
{{- define "pg.spiloConfiguration" -}}
{{- $dcs := dict "ttl" .Values.patroni.ttl "loop_wait" .Values.patroni.loopWait "retry_timeout" .Values.patroni.retryTimeout "synchronous_mode" false
      "postgresql" (dict "use_pg_rewind" true "use_slots" true "parameters" (dict "max_connections" "128" "max_worker_processes" "8" "max_wal_senders" "10" "max_replication_slots" "10")) -}}
{{- $params := dict "shared_buffers" "1024MB" "effective_cache_size" "3072MB" "maintenance_work_mem" "256MB" "work_mem" "8192kB" "wal_buffers" "16384kB"
      "max_parallel_workers" "2" "max_parallel_workers_per_gather" "1" "max_parallel_maintenance_workers" "1" "min_wal_size" "320MB" "max_wal_size" "1280MB"
      "random_page_cost" "1.1" "effective_io_concurrency" "200" "max_slot_wal_keep_size" "2560MB" -}}
{{- $hba := list "local all all trust" "host all all 127.0.0.1/32 scram-sha-256" "host all all ::1/128 scram-sha-256" "local replication replicator trust"
      "hostssl replication replicator all scram-sha-256" "hostnossl all all all reject" "hostssl all all all scram-sha-256" -}}
{{- dict "bootstrap" (dict "post_init" "/etc/cdk8s-stateful/post-init.sh" "dcs" $dcs) "postgresql" (dict "parameters" (merge (deepCopy .Values.parameters) $params) "pg_hba" $hba) | toJson -}}
{{- end -}}
