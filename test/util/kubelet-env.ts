/**
 * A container's env as the kubelet gives it to the process: `fieldRef` values from `fields`
 * (by field path), literal values with `$(VAR)` of earlier entries expanded (undefined stays
 * literal). Secret and ConfigMap references are left out: tests set those themselves.
 */
export function kubeletEnv(c: any, fields: { [fieldPath: string]: string }): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) out[e.name] = fields[e.valueFrom.fieldRef.fieldPath];
    else if (e.value !== undefined) out[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m: string, v: string) => out[v] ?? m);
  }
  return out;
}
