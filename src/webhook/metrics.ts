// Prometheus text exposition (format 0.0.4) of what the webhook does:
// requests by endpoint and outcome, a latency histogram, denials by rule.
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
  return body ? `{${body}}` : '';
}

class Histogram {
  readonly counts = LATENCY_BUCKETS_SECONDS.map(() => 0);
  count = 0;
  sum = 0;
  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) if (seconds <= (LATENCY_BUCKETS_SECONDS[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }
}

function histogram(histograms: Map<string, Histogram>, endpoint: string): Histogram {
  let h = histograms.get(endpoint);
  if (h === undefined) {
    h = new Histogram();
    histograms.set(endpoint, h);
  }
  return h;
}

export class WebhookMetrics {
  private readonly requests = new Map<string, { endpoint: string; outcome: string; count: number }>();
  private readonly denials = new Map<string, number>();
  private readonly mutations = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly engine = new Map<string, Histogram>();
  certificateReloads = 0;
  configReloads = 0;
  configReloadErrors = 0;

  record(endpoint: string, outcome: string, seconds: number, engineSeconds: number, rules: readonly string[]): void {
    const key = `${endpoint}|${outcome}`;
    const entry = this.requests.get(key);
    if (entry) entry.count++;
    else this.requests.set(key, { endpoint, outcome, count: 1 });
    histogram(this.latency, endpoint).observe(seconds);
    histogram(this.engine, endpoint).observe(engineSeconds);
    const byRule = outcome === 'deny' ? this.denials : outcome === 'patch' ? this.mutations : undefined;
    if (byRule === undefined || rules.length === 0) return;
    // A rule that denied for several containers counts once (in order of first appearance, as a Set would).
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as string;
      if (i > 0 && rules.indexOf(rule) < i) continue;
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP rootlock_webhook_requests_total Admission requests by endpoint and outcome (allow, deny, warn, patch, error).');
    out.push('# TYPE rootlock_webhook_requests_total counter');
    for (const { endpoint, outcome, count } of this.requests.values()) out.push(`rootlock_webhook_requests_total${labels({ endpoint, outcome })} ${count}`);
    out.push('# HELP rootlock_webhook_denials_total Denied admission requests by rule (a request denied by two rules counts for both).');
    out.push('# TYPE rootlock_webhook_denials_total counter');
    for (const [rule, count] of this.denials) out.push(`rootlock_webhook_denials_total${labels({ rule })} ${count}`);
    out.push('# HELP rootlock_webhook_mutations_total Patched admission requests by the rule whose fix was applied.');
    out.push('# TYPE rootlock_webhook_mutations_total counter');
    for (const [rule, count] of this.mutations) out.push(`rootlock_webhook_mutations_total${labels({ rule })} ${count}`);
    for (const [name, help, histograms] of [
      ['rootlock_webhook_request_duration_seconds', 'Time from the end of the request body to the response, by endpoint.', this.latency],
      ['rootlock_webhook_engine_duration_seconds', 'Time spent in the rule or fix engine, by endpoint.', this.engine],
    ] as const) {
      out.push(`# HELP ${name} ${help}`);
      out.push(`# TYPE ${name} histogram`);
      for (const [endpoint, h] of histograms) {
        LATENCY_BUCKETS_SECONDS.forEach((le, i) => out.push(`${name}_bucket${labels({ endpoint, le: String(le) })} ${h.counts[i]}`));
        out.push(`${name}_bucket${labels({ endpoint, le: '+Inf' })} ${h.count}`);
        out.push(`${name}_sum${labels({ endpoint })} ${h.sum}`);
        out.push(`${name}_count${labels({ endpoint })} ${h.count}`);
      }
    }
    out.push('# HELP rootlock_webhook_certificate_reloads_total Serving certificate reloads from disk.');
    out.push('# TYPE rootlock_webhook_certificate_reloads_total counter');
    out.push(`rootlock_webhook_certificate_reloads_total ${this.certificateReloads}`);
    out.push('# HELP rootlock_webhook_config_reloads_total Successful config reloads from disk.');
    out.push('# TYPE rootlock_webhook_config_reloads_total counter');
    out.push(`rootlock_webhook_config_reloads_total ${this.configReloads}`);
    out.push('# HELP rootlock_webhook_config_reload_errors_total Config reloads refused (the previous config stays in force).');
    out.push('# TYPE rootlock_webhook_config_reload_errors_total counter');
    out.push(`rootlock_webhook_config_reload_errors_total ${this.configReloadErrors}`);
    return `${out.join('\n')}\n`;
  }
}
