// libvirt's typed parameters: a field name, a type tag and a value. Counters (ullong/llong) are
// bigint so u64 values stay exact; "unsupported" is expressed by leaving a field out, never by 0.

export type TypedParam =
  | { field: string; type: 'int'; value: number }
  | { field: string; type: 'uint'; value: number }
  | { field: string; type: 'llong'; value: bigint }
  | { field: string; type: 'ullong'; value: bigint }
  | { field: string; type: 'double'; value: number }
  | { field: string; type: 'boolean'; value: boolean }
  | { field: string; type: 'string'; value: string };

export type TypedValue = TypedParam['value'];

/** Builds a record's parameter list in order, skipping values that are unknown. */
export class ParamList {
  readonly params: TypedParam[] = [];
  int(field: string, value: number | undefined): void {
    if (value !== undefined) this.params.push({ field, type: 'int', value });
  }
  uint(field: string, value: number | undefined): void {
    if (value !== undefined) this.params.push({ field, type: 'uint', value });
  }
  ullong(field: string, value: bigint | undefined): void {
    if (value !== undefined && value >= 0n) this.params.push({ field, type: 'ullong', value });
  }
  llong(field: string, value: bigint | undefined): void {
    if (value !== undefined && value >= 0n) this.params.push({ field, type: 'llong', value });
  }
  string(field: string, value: string | undefined): void {
    if (value !== undefined) this.params.push({ field, type: 'string', value });
  }
  boolean(field: string, value: boolean | undefined): void {
    if (value !== undefined) this.params.push({ field, type: 'boolean', value });
  }
}

/** virsh's rendering of one value (vshGetTypedParamValue). */
export function formatTypedValue(p: TypedParam): string {
  switch (p.type) {
    case 'int':
    case 'uint':
    case 'llong':
    case 'ullong':
      return String(p.value);
    case 'double':
      return p.value.toFixed(6);
    case 'boolean':
      return p.value ? 'yes' : 'no';
    case 'string':
      return p.value;
  }
}
