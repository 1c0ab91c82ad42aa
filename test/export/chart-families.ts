// The page's chart list (chart-families.ts): built from the keys a domain's history has, grouped
// by the table of families, never two units on one axis, keys no family claims drawn apart by
// their own unit, states and ids left out; and every key the key map knows today belongs to a
// known family or is deliberately not drawn.
import t from 'tap';
import { FAMILIES, planCharts, type ChartPlan } from '../../src/export/chart-families.js';
import { SPEC_COLUMNS } from '../../src/store/layout.js';
import { KINDS } from '../../src/sample/row-map.js';

const brief = (cs: ChartPlan[]) => cs.map((c) => [c.id, c.title, c.presentation.unit, c.keys]);

t.test('a KVM domain: its families in table order, one chart each', async (t) => {
  const series = [
    ['state.state', 'enum'],
    ['cpu.time', 'ns/s'],
    ['cpu.user', 'ns/s'],
    ['balloon.current', 'KiB'],
    ['balloon.rss', 'KiB'],
    ['vcpu.current', 'count'],
    ['extra.io.rchar', 'bytes/s'],
    ['extra.io.syscr', 'count/s'],
    ['vcpu.0.state', 'enum'],
    ['vcpu.0.time', 'ns/s'],
    ['vcpu.0.delay', 'ns/s'],
    ['vcpu.1.time', 'ns/s'],
    ['net.0.rx.bytes', 'bytes/s'],
    ['net.0.rx.pkts', 'packets/s'],
    ['net.0.rx.errs', 'packets/s'],
    ['net.0.rx.drop', 'packets/s'],
    ['net.0.tx.bytes', 'bytes/s'],
    ['block.0.rd.reqs', 'requests/s'],
    ['block.0.rd.bytes', 'bytes/s'],
    ['block.0.rd.times', 'ns/s'],
    ['block.0.fl.reqs', 'requests/s'],
    ['block.0.capacity', 'bytes'],
    ['extra.domid', 'id'],
  ].map(([key, unit]) => ({ key: key!, unit: unit! }));
  t.same(brief(planCharts(series)), [
    ['cpu', 'CPU', 'cores', ['cpu.time', 'cpu.user']],
    ['vcpu-time', 'CPU per vCPU', 'cores', ['vcpu.0.time', 'vcpu.1.time']],
    ['vcpu-wait', 'vCPU wait and run-queue delay (steal)', 's/s', ['vcpu.0.delay']],
    ['memory', 'Memory', 'B', ['balloon.current', 'balloon.rss']],
    ['net-bytes', 'Network bytes (guest view)', 'B/s', ['net.0.rx.bytes', 'net.0.tx.bytes']],
    ['net-packets', 'Network packets', 'packets/s', ['net.0.rx.pkts']],
    ['net-errors', 'Network errors and drops', 'packets/s', ['net.0.rx.errs', 'net.0.rx.drop']],
    ['disk-bytes', 'Disk bytes', 'B/s', ['block.0.rd.bytes']],
    ['disk-requests', 'Disk requests (IOPS)', 'requests/s', ['block.0.rd.reqs', 'block.0.fl.reqs']],
    ['disk-time', 'Disk time', 's/s', ['block.0.rd.times']],
    ['disk-size', 'Disk size', 'B', ['block.0.capacity']],
    ['process-io', 'QEMU process I/O bytes', 'B/s', ['extra.io.rchar']],
    ['process-calls', 'QEMU process I/O calls', '/s', ['extra.io.syscr']],
  ]);
});

t.test("the host: its own families, its interfaces named as the host's", async (t) => {
  const series = ['host.cpu.user', 'host.cpu.steal', 'host.mem.available', 'host.mem.total', 'host.swap.free', 'net.0.rx.bytes'].map((key) => ({
    key,
    unit: key.includes('cpu') ? 'ns/s' : key.startsWith('net') ? 'bytes/s' : 'KiB',
  }));
  t.same(brief(planCharts(series, 'host')), [
    ['host-cpu', 'Host CPU', 'cores', ['host.cpu.user', 'host.cpu.steal']],
    ['host-memory', 'Host memory', 'B', ['host.mem.available', 'host.mem.total', 'host.swap.free']],
    ['net-bytes', 'Network bytes (host interfaces)', 'B/s', ['net.0.rx.bytes']],
  ]);
});

t.test('the cgroup families: the keys the KVM driver emits and the store keeps', async (t) => {
  const series = [
    ['pressure.cpu.some.time', 'ns/s'],
    ['pressure.memory.full.time', 'ns/s'],
    ['pressure.io.some.time', 'ns/s'],
    ['cgroup.cpu.throttled.time', 'ns/s'],
    ['cgroup.cpu.throttled', 'count/s'],
    ['cgroup.memory.current', 'bytes'],
    ['cgroup.memory.swap', 'bytes'],
    ['cgroup.io.0.rd.bytes', 'bytes/s'],
    ['cgroup.io.0.wr.reqs', 'requests/s'],
    ['cgroup.numa.0.anon', 'bytes'],
    ['cgroup.numa.1.file', 'bytes'],
  ].map(([key, unit]) => ({ key: key!, unit: unit! }));
  t.same(brief(planCharts(series)), [
    ['pressure', 'Pressure (time stalled: some, full)', 's/s', ['pressure.cpu.some.time', 'pressure.memory.full.time', 'pressure.io.some.time']],
    // Time and periods in one family: two charts, one per unit.
    ['cpu-throttling:s/s', 'CPU throttling (s/s)', 's/s', ['cgroup.cpu.throttled.time']],
    ['cpu-throttling:/s', 'CPU throttling (count/s)', '/s', ['cgroup.cpu.throttled']],
    ['cgroup-memory', 'Memory (cgroup)', 'B', ['cgroup.memory.current', 'cgroup.memory.swap']],
    ['host-device-io:B/s', 'I/O per host device (cgroup) (B/s)', 'B/s', ['cgroup.io.0.rd.bytes']],
    ['host-device-io:requests/s', 'I/O per host device (cgroup) (requests/s)', 'requests/s', ['cgroup.io.0.wr.reqs']],
    ['numa', 'Memory per NUMA node (cgroup)', 'B', ['cgroup.numa.0.anon', 'cgroup.numa.1.file']],
  ]);
});

t.test('the cgroup keys the store keeps on domain rows, with the units the history gives their rates', async (t) => {
  const series = [
    ['pressure.cpu.some.time', 'ns/s'],
    ['pressure.memory.full.time', 'ns/s'],
    ['pressure.io.some.time', 'ns/s'],
    ['cgroup.memory.current', 'bytes'],
    ['cgroup.memory.swap', 'bytes'],
    ['cgroup.memory.events.oom_kill', 'count/s'],
    ['cgroup.cpu.throttled.time', 'ns/s'],
  ].map(([key, unit]) => ({ key: key!, unit: unit! }));
  t.same(brief(planCharts(series)), [
    ['pressure', 'Pressure (time stalled: some, full)', 's/s', ['pressure.cpu.some.time', 'pressure.memory.full.time', 'pressure.io.some.time']],
    ['cpu-throttling', 'CPU throttling', 's/s', ['cgroup.cpu.throttled.time']],
    // A count of kills is not a memory size: its own chart, not the cgroup memory's split by unit.
    ['oom-kills', 'OOM kills (cgroup)', '/s', ['cgroup.memory.events.oom_kill']],
    ['cgroup-memory', 'Memory (cgroup)', 'B', ['cgroup.memory.current', 'cgroup.memory.swap']],
  ]);
});

t.test('keys no family claims: drawn apart, by unit, never on another unit', async (t) => {
  const series = [
    ['cpu.time', 'ns/s'],
    ['some.new.key', 'bytes/s'],
    ['some.new.other', 'bytes/s'],
    ['some.new.count', 'widgets'],
    ['net.0.rx.newthing', 'packets/s'],
    ['net.1.rx.newthing', 'packets/s'],
    ['odd', 'furlongs'],
    ['some.state', 'enum'],
  ].map(([key, unit]) => ({ key: key!, unit: unit! }));
  const plans = planCharts(series);
  t.same(brief(plans), [
    ['cpu', 'CPU', 'cores', ['cpu.time']],
    ['other:net:packets/s', 'Other: net (packets/s)', 'packets/s', ['net.0.rx.newthing', 'net.1.rx.newthing']],
    ['other:odd:furlongs', 'Other: odd (furlongs)', 'furlongs', ['odd']],
    ['other:some.new:B/s', 'Other: some.new (B/s)', 'B/s', ['some.new.key', 'some.new.other']],
    ['other:some.new:widgets', 'Other: some.new (widgets)', 'widgets', ['some.new.count']],
  ]);
  t.same(
    plans.map((p) => p.known),
    [true, false, false, false, false],
  );
});

t.test('every key the store keeps today: in a known family, or deliberately not drawn (states, ids, vCPU counts)', async (t) => {
  const notDrawn = ['extra.domid', 'state.state', 'state.reason', 'vcpu.current', 'vcpu.maximum', 'vcpu.0.state'];
  for (const kind of KINDS) {
    for (const c of SPEC_COLUMNS[kind]) {
      const key = c.key.replace('{i}', '0');
      const unit = c.type === 'counter' ? `${c.unit}/s` : c.unit;
      const plans = planCharts([{ key, unit }]);
      if (notDrawn.includes(key)) t.same(plans, [], `${key}: not drawn`);
      else t.ok(plans.length === 1 && plans[0]!.known, `${key}: ${plans[0]?.title}`);
    }
  }
  t.equal(new Set(FAMILIES.map((f) => f.id)).size, FAMILIES.length, 'family ids are unique');
});
