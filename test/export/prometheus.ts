// renderMetrics on the fixture trees' records: exact sample lines (values from KVM-FIXTURES.md
// and XEN-FIXTURES.md, converted to base units), HELP/TYPE per family, label escaping, a broken
// record that costs only itself, OpenMetrics, promtool's verdict; and parseListen.
import t, { type Test } from 'tap';
import { Connection } from '../../src/connection/connection.js';
import { type DomainStatsRecord } from '../../src/stats/records.js';
import { DomainState } from '../../src/stats/states.js';
import type { TypedParam } from '../../src/stats/typed-params.js';
import { renderMetrics, wantsOpenMetrics, type ExportInput } from '../../src/export/prometheus.js';
import { parseListen } from '../../src/export/http-server.js';
import type { DomainProblem } from '../../src/stats/records.js';
import { fixture } from '../helpers/cli.js';
import { find, parseExposition, promtoolCheck, type Exposition } from '../helpers/prom.js';

const ALL = 0x7ff | 0x10000;

function collect(tree: string): { records: DomainStatsRecord[]; problems: DomainProblem[] } {
  const conn = new Connection({ root: fixture(tree) });
  const records = conn.getAllDomainStats(ALL, 0);
  return { records, problems: conn.lastProblems };
}

function input(records: readonly DomainStatsRecord[], problems: readonly DomainProblem[] = [], storeMs: number | null = 1.5): ExportInput {
  return { records, problems, ts: 1_700_000_000_123, collectUs: 2500, ...(storeMs === null ? {} : { storeMs }), ticks: 42 };
}

const KVM = collect('kvm-cgroup1-systemd');
const XEN = collect('xen-4.x-pv-libxl');

const ALPHA = 'domain="alpha",uuid="1a1a1a1a-0001-4000-8000-000000000001"';
const BETA = 'domain="beta",uuid="2b2b2b2b-0002-4000-8000-000000000002"';
const DELTA = 'domain="delta",uuid="4d4d4d4d-0004-4000-8000-000000000004"';
const GAMMA = 'domain="gamma",uuid="3c3c3c3c-0003-4000-8000-00000000000c"';
const WEB1 = 'domain="web1",uuid="3ef03971-0d42-55d8-9c52-4ca0e5e13c45"';
const DB1 = 'domain="db1",uuid="a4013c98-d666-5b52-b36c-c948072e533a"';
const WIN1 = 'domain="win1",uuid="ae03e4ea-6660-52c2-9a31-e3497ef3768a"';
const BROKEN1 = 'domain="broken1",uuid="7d48d4bf-0176-5e70-883b-1d7f7ea8c2d4"';
const OFF1 = 'domain="off1",uuid="0ded59be-944a-5991-aa3b-cab59a38b3b0"';

function hasLines(t: Test, text: string, expected: readonly string[]): void {
  const lines = new Set(text.split('\n'));
  for (const l of expected) t.ok(lines.has(l), l);
}

function valid(t: Test, e: Exposition, what: string): void {
  t.same(e.problems, [], `${what}: well-formed (HELP and TYPE once per family, before its samples)`);
}

t.test('KVM (cgroup v1, systemd): guest-view values in base units', async (t) => {
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  hasLines(t, text, [
    // net.i.*: tap devices (vnet*) are host-view lines, swapped; macvtap0 is not.
    `libvirt_domain_interface_stats_receive_bytes_total{${ALPHA},target_device="vnet0"} 1040009`,
    `libvirt_domain_interface_stats_receive_bytes_total{${ALPHA},target_device="vnet1"} 1041009`,
    `libvirt_domain_interface_stats_receive_bytes_total{${ALPHA},target_device="macvtap0"} 1042001`,
    `libvirt_domain_interface_stats_receive_bytes_total{${BETA},target_device="vnet2"} 2040009`,
    `libvirt_domain_interface_stats_receive_bytes_total{${DELTA},target_device="vnet3"} 4040009`,
    `libvirt_domain_interface_stats_receive_packets_total{${ALPHA},target_device="vnet0"} 1040010`,
    `libvirt_domain_interface_stats_receive_errors_total{${ALPHA},target_device="vnet0"} 1040011`,
    `libvirt_domain_interface_stats_receive_drops_total{${ALPHA},target_device="vnet0"} 1040012`,
    `libvirt_domain_interface_stats_transmit_bytes_total{${ALPHA},target_device="vnet0"} 1040001`,
    `libvirt_domain_interface_stats_transmit_bytes_total{${ALPHA},target_device="macvtap0"} 1042009`,
    `libvirt_domain_interface_stats_transmit_packets_total{${ALPHA},target_device="vnet0"} 1040002`,
    `libvirt_domain_interface_stats_transmit_errors_total{${ALPHA},target_device="vnet0"} 1040003`,
    `libvirt_domain_interface_stats_transmit_drops_total{${ALPHA},target_device="vnet0"} 1040004`,
    // block.0 of alpha: sectors·512, ms·1e6 ns -> seconds.
    `libvirt_domain_block_stats_read_requests_total{${ALPHA},target_device="vda"} 1050001`,
    `libvirt_domain_block_stats_read_bytes_total{${ALPHA},target_device="vda"} 537601536`,
    `libvirt_domain_block_stats_read_time_seconds_total{${ALPHA},target_device="vda"} 1050.004`,
    `libvirt_domain_block_stats_write_requests_total{${ALPHA},target_device="vda"} 1050005`,
    `libvirt_domain_block_stats_write_bytes_total{${ALPHA},target_device="vda"} 537603584`,
    `libvirt_domain_block_stats_write_time_seconds_total{${ALPHA},target_device="vda"} 1050.008`,
    `libvirt_domain_block_stats_flush_requests_total{${ALPHA},target_device="vda"} 1050016`,
    `libvirt_domain_block_stats_flush_time_seconds_total{${ALPHA},target_device="vda"} 1050.017`,
    `libvirt_domain_block_stats_capacity_bytes{${ALPHA},target_device="vda"} 537609216`,
    `libvirt_domain_block_stats_physical_bytes{${ALPHA},target_device="vda"} 537609216`,
    // vCPUs: (utime+stime)·1e7 ns, wait_sum ms, schedstat field 2 ns.
    `libvirt_domain_vcpu_state{${ALPHA},vcpu="0"} 1`,
    `libvirt_domain_vcpu_time_seconds_total{${ALPHA},vcpu="0"} 20200.29`,
    `libvirt_domain_vcpu_time_seconds_total{${ALPHA},vcpu="1"} 20220.29`,
    `libvirt_domain_vcpu_time_seconds_total{${BETA},vcpu="0"} 40200.29`,
    `libvirt_domain_vcpu_wait_seconds_total{${ALPHA},vcpu="0"} 1.030001`,
    `libvirt_domain_vcpu_delay_seconds_total{${ALPHA},vcpu="0"} 0.001020002`,
    `libvirt_domain_vcpu_delay_seconds_total{${ALPHA},vcpu="1"} 0.001021002`,
    // CPU: cpuacct.usage ns; cpuacct.stat ticks·1e7 ns.
    `libvirt_domain_info_cpu_time_seconds_total{${ALPHA}} 0.001060001`,
    `libvirt_domain_info_cpu_time_seconds_total{${BETA}} 0.002060001`,
    `libvirt_domain_info_cpu_user_seconds_total{${ALPHA}} 10600.02`,
    `libvirt_domain_info_cpu_system_seconds_total{${ALPHA}} 10600.03`,
    // Memory: KiB·1024.
    `libvirt_domain_info_maximum_memory_bytes{${ALPHA}} 4294967296`,
    `libvirt_domain_memory_stats_current_balloon_bytes{${ALPHA}} 2147483648`,
    `libvirt_domain_memory_stats_rss_bytes{${ALPHA}} 4100194304`,
    `libvirt_domain_memory_stats_current_balloon_bytes{${GAMMA}} 536870912`,
    `libvirt_domain_info_virtual_cpus{${ALPHA}} 2`,
    `libvirt_domain_vcpu_maximum{${ALPHA}} 4`,
    // State.
    `libvirt_domain_state_code{${ALPHA},state_desc="running"} 1`,
    `libvirt_domain_state_code{${DELTA},state_desc="paused"} 3`,
    `libvirt_domain_state_code{${GAMMA},state_desc="shut off"} 5`,
    `libvirt_domain_state_reason_code{${DELTA}} 1`,
    `libvirt_domain_state_reason_code{${GAMMA}} 0`,
    // domstat's own: /proc/<pid>/io.
    `domstat_domain_io_read_chars_total{${ALPHA}} 1002001`,
    `domstat_domain_io_cancelled_write_bytes_total{${DELTA}} 4002007`,
  ]);
  const e = parseExposition(text, false);
  valid(t, e, 'text');
  // Absent stays absent, never 0: vcpu.1.wait of alpha, qcow2 disks' counters, gamma's CPU.
  t.same(find(e, 'libvirt_domain_vcpu_wait_seconds_total', { domain: 'alpha', vcpu: '1' }), [], 'no wait for alpha vcpu1 (no wait_sum line)');
  t.same(find(e, 'libvirt_domain_block_stats_read_bytes_total', { domain: 'alpha', target_device: 'vdb' }), [], 'no counters for the qcow2 disk vdb');
  t.same(find(e, 'libvirt_domain_block_stats_read_bytes_total', { domain: 'beta' }), [], 'no counters for beta (qcow2 only)');
  t.same(find(e, 'libvirt_domain_info_cpu_time_seconds_total', { domain: 'gamma' }), [], 'no CPU time for shut-off gamma');
  t.same(
    find(e, 'libvirt_domain_interface_stats_receive_bytes_total').map((s) => s.labels.target_device),
    ['vnet0', 'vnet1', 'macvtap0', 'vnet2', 'vnet3'],
    'one rx series per interface with counters',
  );
});

t.test('KVM: *_info series are 1 and carry the metadata', async (t) => {
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  hasLines(t, text, [
    `libvirt_domain_info{${ALPHA},hypervisor="kvm",driver="kvm",persistent="yes"} 1`,
    `libvirt_domain_info{${BETA},hypervisor="kvm",driver="kvm",persistent="no"} 1`,
    `libvirt_domain_info{${GAMMA},hypervisor="kvm",driver="kvm",persistent="yes"} 1`,
    `libvirt_domain_block_stats_info{${ALPHA},target_device="vda",source_file="/dev/vg0/alpha",disk_type="block",target_bus="virtio",driver_type="raw"} 1`,
    `libvirt_domain_block_stats_info{${ALPHA},target_device="vdb",source_file="/var/lib/libvirt/images/alpha-data.qcow2",disk_type="file",target_bus="virtio",driver_type="qcow2"} 1`,
    `libvirt_domain_block_stats_info{${GAMMA},target_device="vda",source_file="/var/lib/libvirt/images/gamma.qcow2",disk_type="file",target_bus="virtio",driver_type="qcow2"} 1`,
  ]);
  const e = parseExposition(text, false);
  const ifaces = find(e, 'libvirt_domain_interface_stats_info');
  t.same(
    ifaces.map((s) => [s.labels.domain, s.labels.target_device, s.labels.interface_type, s.labels.mac_address, s.labels.model_type, s.value]),
    [
      ['alpha', 'vnet0', 'network', '52:54:00:01:00:00', 'virtio', '1'],
      ['alpha', 'vnet1', 'network', '52:54:00:01:00:01', 'virtio', '1'],
      ['alpha', 'macvtap0', 'direct', '52:54:00:01:00:02', 'virtio', '1'],
      ['beta', 'vnet2', 'network', '52:54:00:02:00:00', 'virtio', '1'],
      ['delta', 'vnet3', 'network', '52:54:00:04:00:00', 'virtio', '1'],
    ],
    'one interface info series per interface',
  );
  for (const f of e.families.filter((f) => f.name.endsWith('_info') && !f.name.includes('_info_'))) {
    t.ok(
      f.samples.every((s) => s.value === '1'),
      `${f.name}: every value is 1`,
    );
    t.equal(f.type, 'gauge', `${f.name}: an info series is a gauge in the text format`);
  }
});

t.test('HELP and TYPE lines, once per family, before the samples', async (t) => {
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  const lines = text.split('\n');
  const i = lines.indexOf('# HELP libvirt_domain_interface_stats_receive_bytes_total Bytes received by the guest (guest view)');
  t.ok(i >= 0, 'HELP of the rx bytes family');
  t.equal(lines[i + 1], '# TYPE libvirt_domain_interface_stats_receive_bytes_total counter', 'TYPE right after HELP');
  t.match(lines[i + 2], /^libvirt_domain_interface_stats_receive_bytes_total\{/, 'then the samples');
  hasLines(t, text, [
    '# TYPE libvirt_domain_info gauge',
    '# TYPE libvirt_domain_block_stats_read_time_seconds_total counter',
    '# TYPE libvirt_domain_block_stats_capacity_bytes gauge',
    '# TYPE libvirt_domain_memory_stats_current_balloon_bytes gauge',
    '# TYPE domstat_domain_errors gauge',
    '# HELP domstat_domain_errors Values that could not be read for the domain in the latest tick',
    '# TYPE domstat_ticks_total counter',
  ]);
  const e = parseExposition(text, false);
  valid(t, e, 'text');
  for (const f of e.families) {
    if (f.type === 'counter') t.ok(f.name.endsWith('_total'), `${f.name}: a counter's name ends in _total`);
    t.ok(f.samples.length > 0, `${f.name}: has samples`);
  }
  t.equal(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length, e.families.length, 'one TYPE per family');
  t.notOk(text.includes('# EOF'), 'no # EOF in the 0.0.4 text');
});

t.test("domstat's self metrics and domstat_domain_errors", async (t) => {
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  hasLines(t, text, [
    'domstat_domains 4',
    'domstat_ticks_total 42',
    'domstat_last_tick_timestamp_seconds 1700000000.123',
    'domstat_tick_collect_seconds 0.0025',
    'domstat_tick_store_seconds 0.0015',
    `domstat_domain_errors{${ALPHA}} 0`,
    `domstat_domain_errors{${BETA}} 0`,
    `domstat_domain_errors{${DELTA}} 0`,
    `domstat_domain_errors{${GAMMA}} 0`,
  ]);
  const e = parseExposition(text, false);
  const scrape = find(e, 'domstat_scrape_duration_seconds');
  t.equal(scrape.length, 1, 'one scrape duration');
  t.ok(Number(scrape[0]?.value) >= 0 && Number(scrape[0]?.value) < 5, `scrape duration is plausible: ${scrape[0]?.value}`);
  t.equal(e.families[e.families.length - 1]?.name, 'domstat_scrape_duration_seconds', 'measured last, after everything else was rendered');
  const noStore = renderMetrics(input(KVM.records, KVM.problems, null), false);
  t.notOk(noStore.includes('domstat_tick_store_seconds'), 'no store time when the tick was not stored');

  // Problems are counted per domain: eta (kvm-cgroup2-systemd) has no QEMU process.
  const v2 = collect('kvm-cgroup2-systemd');
  const etaProblems = v2.problems.filter((p) => p.domain === 'eta').length;
  t.ok(etaProblems > 0, `eta has problems (${etaProblems})`);
  hasLines(t, renderMetrics(input(v2.records, v2.problems), false), [
    `domstat_domain_errors{domain="eta",uuid="70707070-0007-4000-8000-000000000007"} ${etaProblems}`,
    'domstat_domain_errors{domain="zeta",uuid="6f6f6f6f-0006-4000-8000-000000000006"} 0',
  ]);

  // A shut-off definition with a running domain's name (an old copy in --xml-dir): the running
  // one's problems are its own, not the namesake's.
  const eta = v2.records.find((r) => r.domain.name === 'eta')!;
  const uuid = '99999999-8888-4777-8666-555555555555';
  const namesake: DomainStatsRecord = { domain: { ...eta.domain, uuid, key: uuid, state: DomainState.SHUTOFF, id: -1 }, params: [] };
  hasLines(t, renderMetrics(input([...v2.records, namesake], v2.problems), false), [
    `domstat_domain_errors{domain="eta",uuid="70707070-0007-4000-8000-000000000007"} ${etaProblems}`,
    `domstat_domain_errors{domain="eta",uuid="${uuid}"} 0`,
  ]);
});

t.test('Xen (libxl): vif and vbd counters, metadata, and the broken domain', async (t) => {
  const text = renderMetrics(input(XEN.records, XEN.problems), false);
  hasLines(t, text, [
    // vif lines are the backend's (host) view: swapped into the guest's view.
    `libvirt_domain_interface_stats_receive_bytes_total{${WEB1},target_device="vif3.0"} 3000809`,
    `libvirt_domain_interface_stats_transmit_bytes_total{${WEB1},target_device="vif3.0"} 3000801`,
    `libvirt_domain_interface_stats_receive_bytes_total{${WEB1},target_device="vif3.1"} 3010809`,
    `libvirt_domain_interface_stats_receive_bytes_total{${DB1},target_device="vif7.0"} 7000809`,
    `libvirt_domain_interface_stats_receive_bytes_total{${WIN1},target_device="vif12.0-emu"} 12000809`,
    `libvirt_domain_interface_stats_receive_packets_total{${WEB1},target_device="vif3.0"} 3000810`,
    // vbd statistics: rd_sect·512 bytes, oo_req as errors, ds_req as domstat's discards.
    `libvirt_domain_block_stats_read_requests_total{${WEB1},target_device="xvda"} 3000101`,
    `libvirt_domain_block_stats_read_bytes_total{${WEB1},target_device="xvda"} 1536102912`,
    `libvirt_domain_block_stats_write_requests_total{${WEB1},target_device="xvda"} 3000301`,
    `libvirt_domain_block_stats_write_bytes_total{${WEB1},target_device="xvda"} 1536205312`,
    `libvirt_domain_block_stats_flush_requests_total{${WEB1},target_device="xvda"} 3000601`,
    `libvirt_domain_block_stats_errors_total{${WEB1},target_device="xvda"} 3000501`,
    `domstat_domain_block_discard_requests_total{${WEB1},target_device="xvda"} 3000701`,
    `libvirt_domain_block_stats_read_bytes_total{${DB1},target_device="sdb"} 3589222912`,
    `libvirt_domain_block_stats_read_requests_total{${WIN1},target_device="hdc"} 12010151`,
    `libvirt_domain_block_stats_read_bytes_total{${WIN1},target_device="hdc"} 6149248512`,
    // metadata
    `libvirt_domain_info{${WEB1},hypervisor="xen",driver="xen",persistent="yes"} 1`,
    `libvirt_domain_info{${WIN1},hypervisor="xen",driver="xen",persistent="no"} 1`,
    `libvirt_domain_info{${OFF1},hypervisor="xen",driver="xen",persistent="yes"} 1`,
    `libvirt_domain_interface_stats_info{${WEB1},target_device="vif3.0",interface_type="bridge",mac_address="00:16:3e:03:00:00",model_type="",source_bridge="xenbr0"} 1`,
    `libvirt_domain_interface_stats_info{${WEB1},target_device="vif3.1",interface_type="bridge",mac_address="00:16:3e:03:00:01",model_type="",source_bridge="xenbr1"} 1`,
    `libvirt_domain_interface_stats_info{${WIN1},target_device="vif12.0-emu",interface_type="bridge",mac_address="00:16:3e:0c:00:00",model_type="e1000",source_bridge="xenbr0"} 1`,
    `libvirt_domain_block_stats_info{${WEB1},target_device="xvda",source_file="/dev/vg0/web1-root",disk_type="block",target_bus="xen",driver_type="raw"} 1`,
    `libvirt_domain_block_stats_info{${DB1},target_device="sdb",source_file="/dev/vg0/db1-scsi",disk_type="block",target_bus="scsi",driver_type="raw"} 1`,
    `libvirt_domain_state_code{${WIN1},state_desc="paused"} 3`,
    `libvirt_domain_state_code{${OFF1},state_desc="shut off"} 5`,
    `libvirt_domain_memory_stats_current_balloon_bytes{${WEB1}} 805306368`,
    `libvirt_domain_info_maximum_memory_bytes{${WEB1}} 1073741824`,
    `libvirt_domain_info_virtual_cpus{${WEB1}} 2`,
    `libvirt_domain_vcpu_maximum{${WEB1}} 4`,
    // broken1: its vif line and vbd dir are missing on purpose -> two problems.
    `domstat_domain_errors{${BROKEN1}} 2`,
    `domstat_domain_errors{${WEB1}} 0`,
    `domstat_domain_errors{${OFF1}} 0`,
    'domstat_domains 5',
  ]);
  t.equal(XEN.problems.filter((p) => p.domain === 'broken1').length, 2, 'the collection reported two problems for broken1');
  const e = parseExposition(text, false);
  valid(t, e, 'xen text');
  t.same(find(e, 'libvirt_domain_interface_stats_receive_bytes_total', { domain: 'broken1' }), [], 'broken1: no rx series');
  t.same(find(e, 'libvirt_domain_block_stats_read_bytes_total', { domain: 'broken1' }), [], 'broken1: no block series');
  t.same(find(e, 'libvirt_domain_block_stats_read_time_seconds_total'), [], 'Xen vbds have no times');
  t.same(find(e, 'libvirt_domain_info_cpu_time_seconds_total'), [], 'no CPU time from Xen host files');
});

t.test('label values escape backslash, double quote and newline', async (t) => {
  const alpha = KVM.records.find((r) => r.domain.name === 'alpha')!;
  const name = 'we\\ird "name"\nx';
  const rec: DomainStatsRecord = {
    domain: { ...alpha.domain, name, uuid: 'c0ffee00-0000-4000-8000-000000000001', key: 'c0ffee00-0000-4000-8000-000000000001' },
    params: [
      { field: 'state.state', type: 'int', value: 1 },
      { field: 'state.reason', type: 'int', value: 1 },
      { field: 'net.count', type: 'uint', value: 1 },
      { field: 'net.0.name', type: 'string', value: 'tap"0\\' },
      { field: 'net.0.rx.bytes', type: 'ullong', value: 123n },
    ],
  };
  const text = renderMetrics(input([rec], [{ domain: name, key: rec.domain.uuid!, message: 'made up' }]), false);
  const esc = 'domain="we\\\\ird \\"name\\"\\nx",uuid="c0ffee00-0000-4000-8000-000000000001"';
  hasLines(t, text, [
    `libvirt_domain_info{${esc},hypervisor="kvm",driver="kvm",persistent="yes"} 1`,
    `libvirt_domain_interface_stats_receive_bytes_total{${esc},target_device="tap\\"0\\\\"} 123`,
    `domstat_domain_errors{${esc}} 1`,
  ]);
  t.notOk(text.includes('name"\n'), 'no raw newline inside a label value');
  const e = parseExposition(text, false);
  valid(t, e, 'escaped text');
  t.equal(find(e, 'libvirt_domain_info')[0]?.labels.domain, name, 'the escaped value reads back as the name');
  t.equal(find(e, 'libvirt_domain_interface_stats_receive_bytes_total')[0]?.labels.target_device, 'tap"0\\', 'device name round-trips');
  const check = await promtoolCheck(text);
  t.equal(check.code, 0, `promtool accepts the escaped labels: ${check.out}`);
});

t.test('a target named twice (status XML libvirt loads unvalidated): the second device is left out and counted', async (t) => {
  const alpha = KVM.records.find((r) => r.domain.name === 'alpha')!;
  const params = alpha.params.map((p): TypedParam => {
    if (p.field === 'block.1.name') return { field: p.field, type: 'string', value: 'vda' };
    if (p.field === 'net.1.name') return { field: p.field, type: 'string', value: 'vnet0' };
    return p;
  });
  t.ok(params.some((p) => p.field === 'block.1.name') && params.some((p) => p.field === 'net.1.name'), 'alpha has a second disk and NIC');
  const text = renderMetrics(input([{ ...alpha, params }]), false);
  const e = parseExposition(text, false);
  for (const fam of ['libvirt_domain_block_stats_read_bytes_total', 'libvirt_domain_interface_stats_receive_bytes_total']) {
    const samples = find(e, fam);
    const keys = samples.map((s) => JSON.stringify(s.labels));
    t.equal(new Set(keys).size, keys.length, `${fam}: no two samples share a label set`);
  }
  const block0 = alpha.params.find((p) => p.field === 'block.0.rd.bytes')!.value;
  hasLines(t, text, [`libvirt_domain_block_stats_read_bytes_total{${ALPHA},target_device="vda"} ${block0}`, `domstat_domain_errors{${ALPHA}} 2`]);
});

t.test('a record that cannot be rendered costs that domain only and counts as an error', async (t) => {
  const beta = KVM.records.find((r) => r.domain.name === 'beta')!;
  const delta = KVM.records.find((r) => r.domain.name === 'delta')!;
  const throwingParams = {
    domain: beta.domain,
    get params(): DomainStatsRecord['params'] {
      throw new Error('params exploded');
    },
  } as DomainStatsRecord;
  const throwingValue = {
    domain: delta.domain,
    params: [
      { field: 'state.state', type: 'int', value: 3 },
      {
        field: 'net.count',
        type: 'uint',
        get value(): number {
          throw new Error('value exploded');
        },
      },
    ],
  } as DomainStatsRecord;
  const others = KVM.records.filter((r) => r.domain.name !== 'beta' && r.domain.name !== 'delta');
  let text = '';
  t.doesNotThrow(() => {
    text = renderMetrics(
      input([...others, throwingParams, throwingValue], [{ domain: 'delta', key: throwingValue.domain.key, message: 'one read failed' }]),
      false,
    );
  }, 'render survives');
  hasLines(t, text, [
    `domstat_domain_errors{${BETA}} 1`,
    `domstat_domain_errors{${DELTA}} 2`,
    `domstat_domain_errors{${ALPHA}} 0`,
    `domstat_domain_errors{${GAMMA}} 0`,
    'domstat_domains 4',
    // the other domains are complete
    `libvirt_domain_interface_stats_receive_bytes_total{${ALPHA},target_device="vnet0"} 1040009`,
    `libvirt_domain_block_stats_read_bytes_total{${ALPHA},target_device="vda"} 537601536`,
    `libvirt_domain_info{${GAMMA},hypervisor="kvm",driver="kvm",persistent="yes"} 1`,
  ]);
  const e = parseExposition(text, false);
  valid(t, e, 'text with broken records');
  t.same(find(e, 'libvirt_domain_info', { domain: 'beta' }), [], 'nothing else for the domain whose params throw');
  const check = await promtoolCheck(text);
  t.equal(check.code, 0, `promtool accepts it: ${check.out}`);
});

t.test("other libvirt exporters' names: the same values as domstat's own, per domain and for the host", async (t) => {
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  hasLines(t, text, [
    // balloon.current 2 GiB / maximum 4 GiB, vcpu.current 2 (KVM-FIXTURES.md)
    `libvirt_domain_info_memory_usage_bytes{${ALPHA}} 2147483648`,
    `libvirt_domain_memory_stats_maximum_bytes{${ALPHA}} 4294967296`,
    `libvirt_domain_vcpu_current{${ALPHA}} 2`,
    `libvirt_domain_info_state{${ALPHA},state_desc="running"} 1`,
    `libvirt_domain_info_state{${DELTA},state_desc="paused"} 3`,
    `libvirt_domain_info_state{${GAMMA},state_desc="shut off"} 5`,
    `libvirt_domain_info_memory_usage_bytes{${GAMMA}} 536870912`,
    // alpha, beta, delta are active (running, running, paused); gamma is shut off.
    'libvirt_domains_number 3',
    'libvirt_domains 4',
  ]);
  const e = parseExposition(text, false);
  valid(t, e, 'text');
  const same = (alias: string, original: string) => {
    const key = (x: { labels: Record<string, string>; value: string }) => JSON.stringify([x.labels, x.value]);
    const a = find(e, alias).map(key);
    t.ok(a.length >= 4, `${alias}: one sample per domain (${a.length})`);
    t.same(a, find(e, original).map(key), `${alias} carries exactly ${original}'s samples`);
  };
  same('libvirt_domain_info_memory_usage_bytes', 'libvirt_domain_memory_stats_current_balloon_bytes');
  same('libvirt_domain_memory_stats_maximum_bytes', 'libvirt_domain_info_maximum_memory_bytes');
  same('libvirt_domain_vcpu_current', 'libvirt_domain_info_virtual_cpus');
  same('libvirt_domain_info_state', 'libvirt_domain_state_code');
  const xen = parseExposition(renderMetrics(input(XEN.records, XEN.problems), false), false);
  t.equal(find(xen, 'libvirt_domains_number')[0]?.value, '4', 'Xen: 4 active of 5 (off1 is shut off)');
  t.equal(find(xen, 'libvirt_domains')[0]?.value, '5', 'Xen: 5 domains');
});

t.test('OpenMetrics: bare family names, info type, # EOF', async (t) => {
  const om = renderMetrics(input(KVM.records, KVM.problems), true);
  hasLines(t, om, [
    '# HELP libvirt_domain_interface_stats_receive_bytes Bytes received by the guest (guest view)',
    '# TYPE libvirt_domain_interface_stats_receive_bytes counter',
    `libvirt_domain_interface_stats_receive_bytes_total{${ALPHA},target_device="vnet0"} 1040009`,
    '# TYPE libvirt_domain_block_stats_read_time_seconds counter',
    `libvirt_domain_block_stats_read_time_seconds_total{${ALPHA},target_device="vda"} 1050.004`,
    '# TYPE libvirt_domain info',
    `libvirt_domain_info{${ALPHA},hypervisor="kvm",driver="kvm",persistent="yes"} 1`,
    '# TYPE libvirt_domain_interface_stats info',
    '# TYPE libvirt_domain_block_stats info',
    '# TYPE domstat_ticks counter',
    'domstat_ticks_total 42',
    '# TYPE domstat_domain_errors gauge',
  ]);
  t.ok(om.endsWith('\n# EOF\n'), 'ends with # EOF and a newline');
  t.equal(om.split('\n').filter((l) => l === '# EOF').length, 1, 'one # EOF');
  t.notOk(/^# TYPE \S+_total /m.test(om), 'no TYPE line names a _total');
  const e = parseExposition(om, true);
  valid(t, e, 'OpenMetrics');
  t.ok(
    e.families.some((f) => f.type === 'info'),
    'info families present',
  );
  // The same samples as the text format, only the metadata differs.
  const text = renderMetrics(input(KVM.records, KVM.problems), false);
  const samples = (s: string) => s.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('domstat_scrape_duration_seconds'));
  t.same(samples(om), samples(text), 'same sample lines in both formats');

  t.equal(
    wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'),
    true,
    "Prometheus's Accept header asks for OpenMetrics",
  );
  t.equal(wantsOpenMetrics('text/plain;version=0.0.4'), false, 'text/plain does not');
  t.equal(wantsOpenMetrics(undefined), false, 'no Accept header does not');
  t.equal(wantsOpenMetrics('application/openmetrics-text;q=0'), false, 'q=0 refuses it');
  t.equal(wantsOpenMetrics('text/plain;version=0.0.4;q=0.5,application/openmetrics-text;q=0.1'), false, 'text preferred by q-value');
  t.equal(wantsOpenMetrics('APPLICATION/OpenMetrics-Text; Version=1.0.0'), true, 'media types in any case');
  t.equal(wantsOpenMetrics('*/*'), false, 'a wildcard alone: the text format');
  t.equal(wantsOpenMetrics('*/*;q=0.1, application/openmetrics-text;q=0.5'), true);
});

t.test('promtool check metrics accepts the text output', async (t) => {
  for (const [what, c] of [
    ['kvm-cgroup1-systemd', KVM],
    ['xen-4.x-pv-libxl', XEN],
    ['kvm-cgroup2-systemd', collect('kvm-cgroup2-systemd')],
    ['xen-2.6.18-old-layout', collect('xen-2.6.18-old-layout')],
    ['xen-no-libvirt', collect('xen-no-libvirt')],
  ] as const) {
    const r = await promtoolCheck(renderMetrics(input(c.records, c.problems), false));
    t.equal(r.code, 0, `${what}: promtool exit 0 ${r.out}`);
    t.equal(r.out.trim(), '', `${what}: no lint findings`);
  }
  const bad = await promtoolCheck('# TYPE x counter\nx{a="b} 1\n');
  t.not(bad.code, 0, 'and promtool does reject a broken text (the check can fail)');
});

t.test('parseListen', async (t) => {
  t.same(parseListen('9177'), { host: '127.0.0.1', port: 9177 }, 'a bare port is loopback');
  t.same(parseListen('localhost:9177'), { host: 'localhost', port: 9177 });
  t.same(parseListen('127.0.0.1:9177'), { host: '127.0.0.1', port: 9177 });
  t.same(parseListen('192.0.2.10:80'), { host: '192.0.2.10', port: 80 });
  t.same(parseListen(':9177'), { host: '0.0.0.0', port: 9177 }, '":port" is every address');
  t.same(parseListen('[::1]:9177'), { host: '::1', port: 9177 });
  t.same(parseListen('[::]:9177'), { host: '::', port: 9177 });
  t.same(parseListen(' 9177 '), { host: '127.0.0.1', port: 9177 }, 'spaces around are ignored');
  t.same(parseListen('0'), { host: '127.0.0.1', port: 0 }, 'port 0: any free port');
  for (const bad of [
    '',
    'abc',
    'localhost',
    'localhost:',
    'localhost9177',
    '::1:9177',
    '[::1]9177',
    '[::1]',
    'host:port',
    '1:99999',
    '70000',
    '9177:',
    'a:b:9177',
    '-1',
    '123456',
  ]) {
    t.throws(() => parseListen(bad), /--listen/, `rejects ${JSON.stringify(bad)}`);
  }
  t.throws(() => parseListen('70000'), /port out of range: 70000/, 'port range');
});

t.test("the VM's cgroup: pressure in cAdvisor's words, memory, OOM kills, throttling; promtool accepts it", async (t) => {
  const conn = new Connection({ root: fixture('kvm-cgroup2-systemd') });
  const records = conn.getAllDomainStats(ALL | (0x1f << 17), 0);
  const text = renderMetrics(input(records, conn.lastProblems), false);
  const ZETA = 'domain="zeta",uuid="6f6f6f6f-0006-4000-8000-000000000006"';
  // fixtures: pressure totals V(5, 80, N) µs, memory V(5, 81, N), oom_kill V(5, 83, 5), throttled_usec V(5, 71, 6)
  hasLines(t, text, [
    `domstat_domain_pressure_cpu_waiting_seconds_total{${ZETA}} 5.080001`,
    `domstat_domain_pressure_cpu_stalled_seconds_total{${ZETA}} 5.080002`,
    `domstat_domain_pressure_memory_waiting_seconds_total{${ZETA}} 5.080003`,
    `domstat_domain_pressure_memory_stalled_seconds_total{${ZETA}} 5.080004`,
    `domstat_domain_pressure_io_waiting_seconds_total{${ZETA}} 5.080005`,
    `domstat_domain_pressure_io_stalled_seconds_total{${ZETA}} 5.080006`,
    `domstat_domain_memory_usage_bytes{${ZETA}} 5081001`,
    `domstat_domain_memory_swap_bytes{${ZETA}} 5081002`,
    `domstat_domain_oom_kills_total{${ZETA}} 5083005`,
    `domstat_domain_cpu_cfs_throttled_seconds_total{${ZETA}} 5.071006`,
    '# TYPE domstat_domain_pressure_memory_stalled_seconds_total counter',
  ]);
  valid(t, parseExposition(text, false), 'with cgroup series');
  const check = await promtoolCheck(text);
  t.equal(check.code, 0, `promtool check metrics: ${check.out}`);
  t.notOk(renderMetrics(input(KVM.records, KVM.problems), false).includes('pressure'), 'no pressure series without the group (and none on v1)');
});
