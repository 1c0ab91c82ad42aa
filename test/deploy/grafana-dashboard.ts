// deploy/grafana/domstat.json against a real Prometheus scraping two real agents on simulated
// hosts (one Xen, one KVM; `domstat simulate` moves their counters) with
// deploy/prometheus/domstat-rules.yml loaded: every panel's query and every template variable
// returns data. Template variables are substituted as Grafana does for "All" (allValue ".*").
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/cli.js';
import { BIN, freePort, privateDir, spawnChild, waitFor, type Child } from '../helpers/moving.js';
import { metricNames } from '../helpers/promql.js';

interface Target {
  expr: string;
  refId: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  allValue?: string;
  includeAll?: boolean;
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const DASHBOARD = JSON.parse(fs.readFileSync(path.join(REPO, 'deploy/grafana/domstat.json'), 'utf8')) as Dashboard;
const RULES = path.join(REPO, 'deploy/prometheus/domstat-rules.yml');
const SUBST: Record<string, string> = { job: 'domstat', instance: '.*', domain: '.*', __rate_interval: '10s' };

const substitute = (expr: string) => expr.replace(/\$(\w+)/g, (whole, name: string) => SUBST[name] ?? whole);

t.test('the dashboard: panels, queries, variables', async (t) => {
  const panels = DASHBOARD.panels.filter((p) => p.type !== 'row');
  t.ok(panels.length >= 30, `${panels.length} panels`);
  t.equal(new Set(DASHBOARD.panels.map((p) => p.id)).size, DASHBOARD.panels.length, 'panel ids are unique');
  for (const p of panels) {
    t.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
    t.equal(p.datasource?.uid, '${datasource}', `${p.title}: uses the data source variable`);
    for (const q of p.targets ?? []) t.notMatch(substitute(q.expr), /\$/, `${p.title}/${q.refId}: every variable is known`);
  }
  const cells = new Map<string, string>();
  const overlaps = new Set<string>();
  for (const p of DASHBOARD.panels)
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        const k = `${x},${y}`;
        if (cells.has(k)) overlaps.add(`${cells.get(k)} / ${p.title}`);
        cells.set(k, p.title);
      }
  t.same([...overlaps], [], 'no two panels share a grid cell');
  t.ok(
    panels.every((p) => p.gridPos.x + p.gridPos.w <= 24),
    'every panel fits the 24-column grid',
  );
  const vars = DASHBOARD.templating.list.map((v) => v.name);
  t.same(vars, ['datasource', 'job', 'instance', 'domain'], 'variables: data source, job, host, domain');
  for (const v of DASHBOARD.templating.list.filter((v) => v.includeAll)) t.equal(v.allValue, '.*', `${v.name}: "All" is the regex .*`);
});

interface PromResult {
  status: string;
  data: { result: { metric: Record<string, string> }[] } | string[];
  error?: string;
}

t.test('every panel query returns data from a real Prometheus scraping agents on simulated hosts', async (t) => {
  const dir = privateDir(t);
  const hosts = [
    { kind: 'xen', domains: '2' },
    { kind: 'kvm', domains: '3' },
  ];
  const agents: { kind: string; port: number; agent: Child }[] = [];
  for (const h of hosts) {
    const root = path.join(dir, h.kind);
    const sim = spawnChild(t, process.execPath, [BIN, 'simulate', '--domains', h.domains, '--out', root, `--${h.kind}`, '--interval', '0.5']);
    await waitFor(`the ${h.kind} simulator`, 15_000, () => {
      if (sim.proc.exitCode !== null) throw new Error(`simulate exited: ${sim.stderr()}`);
      return sim.stdout().includes('updating every');
    });
    const agent = spawnChild(t, process.execPath, [
      BIN,
      'agent',
      '--root',
      root,
      '--db',
      path.join(dir, `${h.kind}.db`),
      '--interval',
      '1',
      '--listen',
      '127.0.0.1:0',
      '--quiet',
    ]);
    const port = await waitFor(`the ${h.kind} agent to listen`, 15_000, () => {
      if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
      const m = /serving http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(agent.stderr());
      return m === null ? undefined : Number(m[1]);
    });
    agents.push({ kind: h.kind, port, agent });
  }

  const promPort = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(RULES)}`,
      'scrape_configs:',
      '  - job_name: domstat',
      '    static_configs:',
      `      - targets: [${agents.map((a) => `'127.0.0.1:${a.port}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const prom = spawnChild(t, 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  const get = async (route: string, params: Record<string, string>): Promise<PromResult> => {
    const u = new URL(`${api}/${route}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return (await (await fetch(u)).json()) as PromResult;
  };
  const query = (q: string) => get('query', { query: q });
  const rows = (r: PromResult) => (Array.isArray(r.data) ? r.data : r.data.result);

  await waitFor('Prometheus to scrape both agents', 30_000, async () => {
    if (prom.proc.exitCode !== null) throw new Error(`prometheus exited: ${prom.stderr()}`);
    const r = await query('up{job="domstat"} == 1');
    return r.status === 'success' && rows(r).length === agents.length;
  });
  const rules = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: { name: string; rules: { health: string; name: string }[] }[] } };
  t.same(rules.data.groups.map((g) => g.name).sort(), ['domstat.alerts', 'domstat.recording'], 'Prometheus loaded both rule groups');

  const queries = DASHBOARD.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ panel: p.title, refId: q.refId, expr: substitute(q.expr) })));
  // Rates need two scrapes in their window and recording rules an evaluation after that: wait
  // (bounded) until every query answers with data, then hold each to it.
  const answers = new Map<string, PromResult>();
  await waitFor('every panel query to return data', 60_000, async () => {
    for (const q of queries) answers.set(q.expr, await query(q.expr));
    return queries.every((q) => rows(answers.get(q.expr)!).length > 0);
  }).catch(() => undefined);
  for (const q of queries) {
    const r = answers.get(q.expr)!;
    t.equal(r.status, 'success', `${q.panel}/${q.refId}: ${q.expr} ${r.error ?? ''}`);
    t.ok(rows(r).length > 0, `${q.panel}/${q.refId}: ${rows(r).length} series`);
  }
  // The rules are healthy once evaluated (a bad expression shows as health "err").
  const evaluated = (await (await fetch(`${api}/rules`)).json()) as typeof rules;
  for (const g of evaluated.data.groups) for (const r of g.rules) t.equal(r.health, 'ok', `rule ${r.name}: health ok`);

  // The template variables: label_values(metric{matchers}, label) as Grafana asks Prometheus.
  const labelValues = async (v: Variable): Promise<string[]> => {
    const q = typeof v.query === 'string' ? v.query : v.query!.query;
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q);
    if (m === null) throw new Error(`${v.name}: not label_values(...): ${q}`);
    const r = await get(`label/${m[2]}/values`, { 'match[]': substitute(m[1]!) });
    return r.data as string[];
  };
  const byName = new Map(DASHBOARD.templating.list.map((v) => [v.name, v]));
  t.same(await labelValues(byName.get('job')!), ['domstat'], 'job: domstat');
  t.same(await labelValues(byName.get('instance')!), agents.map((a) => `127.0.0.1:${a.port}`).sort(), 'instance: both hosts');
  t.same(await labelValues(byName.get('domain')!), ['sim-0001', 'sim-0002', 'sim-0003'], 'domain: every simulated domain');

  // Every series a panel names is one domstat exports, a recording rule, or Prometheus's own.
  const names = new Set(queries.flatMap((q) => metricNames(q.expr)));
  t.ok(names.size >= 30, `${names.size} distinct series named`);
  for (const a of agents) t.equal(a.agent.proc.exitCode, null, `the ${a.kind} agent is still running`);
});
