/**
 * PromQL syntax check with Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of
 * the Prometheus web UI's editor): the positions of error nodes in the parse tree, empty when the
 * expression parses.
 */

/** The part of lezer's API used here (the package is an ES module with a CommonJS build; its typings are ESM-only). */
interface SyntaxTree { iterate(spec: { enter: (node: { type: { isError: boolean }; from: number }) => void }): void }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: { parse(input: string): SyntaxTree } };

export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(`syntax error at ${n.from} in: ${expr}`);
    },
  });
  return errors;
}

/** Every PromQL expression of a synthesized output: PrometheusRule exprs and dashboard panel targets. */
export function promqlOf(objs: any[]): string[] {
  const rules = objs.filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => String(r.expr))));
  const panels = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
    .flatMap((o) => Object.values(o.data as { [k: string]: string }).flatMap((json) => JSON.parse(json).panels
      .flatMap((p: any) => p.targets.map((t: any) => String(t.expr)))));
  return [...rules, ...panels];
}
