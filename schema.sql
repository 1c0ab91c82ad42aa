-- domstat history database: generated from src/store/columns.ts by `npm run schema`
-- (test/store/schema.ts keeps the two equal). domstat creates a new database from this file and
-- records the schema version in PRAGMA user_version (and meta.schema_version).
--
-- A tick is one sample of the whole host. Each sampled thing is a `device`: a domain as a whole
-- (kind 'domain'), a vCPU, a network interface, a disk, the host itself, and (domstat's own, KVM)
-- a host block device the VM's cgroup did I/O to (cgroup_io) or a NUMA node holding its memory (numa). key_map says which
-- stats key lives in which column, how it is stored and in which unit.
--
-- Three tiers, each readable through views:
--   raw   <kind>_raw: one row per device per tick; counters as the increase since the device's
--         previous row, gauges as their change. Readings are whole in <kind>_base at a device's
--         first tick, after a reset and at the first tick of every 10-minute keyframe period.
--         Views: <kind>_rate (per-second rates per tick; not for numa, which has no counters),
--         <kind>_value (decoded readings).
--   1m/1h <kind>_1m_block, <kind>_1h_block: one row per device per block of six minutes (hours),
--         columns <name>_<slot> for slot 0..5. Per bucket: counters their exact increase (and the
--         peak per-second rate of the busy ones, <col>_peak), gauges their mean and one extreme;
--         gap_<slot> is how many ms the device covered less than the host's ticks (cover_<tier>),
--         NULL when the device has nothing in that bucket. Views: <kind>_1m, <kind>_1h (v1's
--         column names: <col>_sum, <col>_max, <col>_mean) and <kind>_1m_rate, <kind>_1h_rate.
--   attributes (state, capacity, maximum memory, vCPU counts): table `attribute`, one row per
--         change; view attribute_log.
--
-- Values are integers in the column's unit divided by key_map.scale (vCPU times in 10 ms clock
-- ticks, disk times in ms, disk bytes in 512-byte sectors); the views multiply back. An increase
-- is exact and never negative: a decrease is a reset (a 32-bit source's wrap is unwrapped), and a
-- domain that restarts (new id) starts its counters again. A reading of 2^63 or more, or any value
-- outside SQLite's signed 64-bit integers, is stored as its decimal text (exact; domstat reads it
-- back exactly; plain SQL arithmetic on it is approximate). Rollup sums are exact below 2^53.
-- Retention: raw 2 days, 1m 90 days, 1h 2 years by default, plus a size cap (see README).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Domains by identity: the uuid, or the name when there is none (libvirt-less Xen hosts).
-- The host itself is the domain with key '@host'.
CREATE TABLE domain (
  id       INTEGER PRIMARY KEY,
  key      TEXT NOT NULL UNIQUE,
  uuid     TEXT,
  name     TEXT NOT NULL,
  hv_type  TEXT NOT NULL
);

-- What is sampled: kind 'domain' (idx NULL), 'vcpu', 'net', 'block' (idx = N of vcpu.N, net.N,
-- block.N), or 'host'. name is the device name (vnet0, xvda, vcpu0), path the disk source.
CREATE TABLE device (
  id         INTEGER PRIMARY KEY,
  domain_id  INTEGER NOT NULL REFERENCES domain (id),
  kind       TEXT NOT NULL CHECK (kind IN ('domain', 'host', 'vcpu', 'net', 'block', 'cgroup_io', 'numa')),
  idx        INTEGER,
  name       TEXT NOT NULL,
  path       TEXT,
  UNIQUE (domain_id, kind, idx, name)
);

-- ---- The history: everything but meta, domain and device ----

-- One row per sample of the host. ts never goes back: after a wall clock stepped back it advances at
-- half the monotonic clock's pace until the wall clock catches up (see README, "Clocks").
CREATE TABLE tick (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,     -- time of the sample, Unix milliseconds
  dt          INTEGER,              -- ms since the previous tick, by the monotonic clock (NULL: unknown)
  mono        INTEGER,              -- the monotonic clock (CLOCK_MONOTONIC, ms) at the sample
  collect_us  INTEGER NOT NULL,     -- time spent reading and parsing host files
  domains     INTEGER NOT NULL      -- domains sampled
);
CREATE INDEX tick_ts ON tick (ts);

-- Which stats key is stored where: the key pattern ({i} = the device's idx), its column and its
-- position in the kind's list, how it is stored (counter, gauge, attribute), its unit and scale
-- (stored value * scale = value in unit), what the rollups keep, and whether libvirt or domstat
-- defines the key.
CREATE TABLE key_map (
  kind     TEXT NOT NULL,
  col      TEXT NOT NULL,
  pos      INTEGER NOT NULL,
  key      TEXT NOT NULL,
  type     TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'attribute')),
  unit     TEXT NOT NULL,
  scale    INTEGER NOT NULL,
  rollup   TEXT NOT NULL,
  origin   TEXT NOT NULL CHECK (origin IN ('libvirt', 'domstat')),
  note     TEXT NOT NULL,
  PRIMARY KEY (kind, col)
) WITHOUT ROWID;

-- Attributes, one row per change (value NULL: no longer known). The value as of a time is the
-- newest row at or before it.
CREATE TABLE attribute (
  device_id  INTEGER NOT NULL,
  col        TEXT NOT NULL,
  ts         INTEGER NOT NULL,      -- the tick that saw the change, Unix ms
  value,
  PRIMARY KEY (device_id, col, ts)
) WITHOUT ROWID;

-- The milliseconds the host's ticks covered in each bucket (a tick covers the time since the one
-- before it): what a rollup's increase is divided by for a rate.
CREATE TABLE cover_1m (bucket INTEGER PRIMARY KEY, ms INTEGER NOT NULL);
CREATE TABLE cover_1h (bucket INTEGER PRIMARY KEY, ms INTEGER NOT NULL);

INSERT INTO key_map VALUES ('domain', 'domid', 0, 'extra.domid', 'attribute', 'id', 1, '', 'domstat', 'domain id while running (a change means a restart: counters start again)');
INSERT INTO key_map VALUES ('domain', 'state', 1, 'state.state', 'attribute', 'enum', 1, '', 'libvirt', 'virDomainState');
INSERT INTO key_map VALUES ('domain', 'reason', 2, 'state.reason', 'attribute', 'enum', 1, '', 'libvirt', 'state reason');
INSERT INTO key_map VALUES ('domain', 'cpu_time', 3, 'cpu.time', 'counter', 'ns', 1, 'sum max', 'libvirt', 'CPU time of the domain');
INSERT INTO key_map VALUES ('domain', 'cpu_user', 4, 'cpu.user', 'counter', 'ns', 1000, 'sum', 'libvirt', 'user CPU time');
INSERT INTO key_map VALUES ('domain', 'cpu_system', 5, 'cpu.system', 'counter', 'ns', 1000, 'sum', 'libvirt', 'system CPU time');
INSERT INTO key_map VALUES ('domain', 'balloon_current', 6, 'balloon.current', 'attribute', 'KiB', 1, '', 'libvirt', 'current balloon');
INSERT INTO key_map VALUES ('domain', 'balloon_maximum', 7, 'balloon.maximum', 'attribute', 'KiB', 1, '', 'libvirt', 'maximum balloon');
INSERT INTO key_map VALUES ('domain', 'balloon_rss', 8, 'balloon.rss', 'gauge', 'KiB', 1, 'mean max', 'libvirt', 'resident set size of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'vcpu_current', 9, 'vcpu.current', 'attribute', 'count', 1, '', 'libvirt', 'online vCPUs');
INSERT INTO key_map VALUES ('domain', 'vcpu_maximum', 10, 'vcpu.maximum', 'attribute', 'count', 1, '', 'libvirt', 'maximum vCPUs');
INSERT INTO key_map VALUES ('domain', 'io_rchar', 11, 'extra.io.rchar', 'counter', 'bytes', 1, 'sum', 'domstat', '/proc/<pid>/io rchar of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_wchar', 12, 'extra.io.wchar', 'counter', 'bytes', 1, 'sum', 'domstat', '/proc/<pid>/io wchar of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_syscr', 13, 'extra.io.syscr', 'counter', 'count', 1, 'sum', 'domstat', '/proc/<pid>/io syscr of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_syscw', 14, 'extra.io.syscw', 'counter', 'count', 1, 'sum', 'domstat', '/proc/<pid>/io syscw of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_read_bytes', 15, 'extra.io.read_bytes', 'counter', 'bytes', 1, 'sum', 'domstat', '/proc/<pid>/io read_bytes of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_write_bytes', 16, 'extra.io.write_bytes', 'counter', 'bytes', 1, 'sum', 'domstat', '/proc/<pid>/io write_bytes of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'io_cancelled_write_bytes', 17, 'extra.io.cancelled_write_bytes', 'counter', 'bytes', 1, 'sum', 'domstat', '/proc/<pid>/io cancelled_write_bytes of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'psi_cpu_some', 18, 'pressure.cpu.some.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'cpu.pressure some total: time some of the VM''s tasks stalled on cpu');
INSERT INTO key_map VALUES ('domain', 'psi_cpu_full', 19, 'pressure.cpu.full.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'cpu.pressure full total: time all of the VM''s tasks stalled on cpu');
INSERT INTO key_map VALUES ('domain', 'psi_memory_some', 20, 'pressure.memory.some.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'memory.pressure some total: time some of the VM''s tasks stalled on memory');
INSERT INTO key_map VALUES ('domain', 'psi_memory_full', 21, 'pressure.memory.full.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'memory.pressure full total: time all of the VM''s tasks stalled on memory');
INSERT INTO key_map VALUES ('domain', 'psi_io_some', 22, 'pressure.io.some.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'io.pressure some total: time some of the VM''s tasks stalled on io');
INSERT INTO key_map VALUES ('domain', 'psi_io_full', 23, 'pressure.io.full.time', 'counter', 'ns', 1000, 'sum', 'domstat', 'io.pressure full total: time all of the VM''s tasks stalled on io');
INSERT INTO key_map VALUES ('domain', 'mem_current', 24, 'cgroup.memory.current', 'gauge', 'bytes', 1, 'mean max', 'domstat', 'v2 memory.current, v1 memory.usage_in_bytes');
INSERT INTO key_map VALUES ('domain', 'mem_swap', 25, 'cgroup.memory.swap', 'gauge', 'bytes', 1, 'mean max', 'domstat', 'v2 memory.swap.current, v1 memory.stat total_swap');
INSERT INTO key_map VALUES ('domain', 'mem_events_oom_kill', 26, 'cgroup.memory.events.oom_kill', 'counter', 'count', 1, 'sum', 'domstat', 'v2 memory.events oom_kill, v1 memory.oom_control oom_kill');
INSERT INTO key_map VALUES ('domain', 'cpu_throttled_time', 27, 'cgroup.cpu.throttled.time', 'counter', 'ns', 1, 'sum', 'domstat', 'cpu.stat throttled_usec (v2) or throttled_time (v1)');
INSERT INTO key_map VALUES ('host', 'cpu_user', 0, 'host.cpu.user', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat user');
INSERT INTO key_map VALUES ('host', 'cpu_nice', 1, 'host.cpu.nice', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat nice');
INSERT INTO key_map VALUES ('host', 'cpu_system', 2, 'host.cpu.system', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat system');
INSERT INTO key_map VALUES ('host', 'cpu_idle', 3, 'host.cpu.idle', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat idle');
INSERT INTO key_map VALUES ('host', 'cpu_iowait', 4, 'host.cpu.iowait', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat iowait');
INSERT INTO key_map VALUES ('host', 'cpu_irq', 5, 'host.cpu.irq', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat irq');
INSERT INTO key_map VALUES ('host', 'cpu_softirq', 6, 'host.cpu.softirq', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat softirq');
INSERT INTO key_map VALUES ('host', 'cpu_steal', 7, 'host.cpu.steal', 'counter', 'ns', 10000000, 'sum', 'domstat', '/proc/stat steal');
INSERT INTO key_map VALUES ('host', 'mem_total', 8, 'host.mem.total', 'attribute', 'KiB', 1, '', 'domstat', '/proc/meminfo MemTotal');
INSERT INTO key_map VALUES ('host', 'mem_free', 9, 'host.mem.free', 'gauge', 'KiB', 1, 'mean min', 'domstat', '/proc/meminfo MemFree');
INSERT INTO key_map VALUES ('host', 'mem_available', 10, 'host.mem.available', 'gauge', 'KiB', 1, 'mean min', 'domstat', '/proc/meminfo MemAvailable');
INSERT INTO key_map VALUES ('host', 'mem_buffers', 11, 'host.mem.buffers', 'gauge', 'KiB', 1, 'mean max', 'domstat', '/proc/meminfo Buffers');
INSERT INTO key_map VALUES ('host', 'mem_cached', 12, 'host.mem.cached', 'gauge', 'KiB', 1, 'mean max', 'domstat', '/proc/meminfo Cached');
INSERT INTO key_map VALUES ('host', 'swap_total', 13, 'host.swap.total', 'attribute', 'KiB', 1, '', 'domstat', '/proc/meminfo SwapTotal');
INSERT INTO key_map VALUES ('host', 'swap_free', 14, 'host.swap.free', 'gauge', 'KiB', 1, 'mean min', 'domstat', '/proc/meminfo SwapFree');
INSERT INTO key_map VALUES ('vcpu', 'state', 0, 'vcpu.{i}.state', 'attribute', 'enum', 1, '', 'libvirt', 'virVcpuState');
INSERT INTO key_map VALUES ('vcpu', 'time', 1, 'vcpu.{i}.time', 'counter', 'ns', 10000000, 'sum', 'libvirt', 'CPU time of the vCPU thread');
INSERT INTO key_map VALUES ('vcpu', 'wait', 2, 'vcpu.{i}.wait', 'counter', 'ns', 1, 'sum', 'libvirt', 'time waiting for a host CPU (schedstats)');
INSERT INTO key_map VALUES ('vcpu', 'delay', 3, 'vcpu.{i}.delay', 'counter', 'ns', 1, 'sum', 'libvirt', 'run-queue delay (schedstat)');
INSERT INTO key_map VALUES ('net', 'rx_bytes', 0, 'net.{i}.rx.bytes', 'counter', 'bytes', 1, 'sum max', 'libvirt', 'bytes received by the guest');
INSERT INTO key_map VALUES ('net', 'rx_pkts', 1, 'net.{i}.rx.pkts', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'rx_errs', 2, 'net.{i}.rx.errs', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'rx_drop', 3, 'net.{i}.rx.drop', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_bytes', 4, 'net.{i}.tx.bytes', 'counter', 'bytes', 1, 'sum max', 'libvirt', 'bytes sent by the guest');
INSERT INTO key_map VALUES ('net', 'tx_pkts', 5, 'net.{i}.tx.pkts', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_errs', 6, 'net.{i}.tx.errs', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_drop', 7, 'net.{i}.tx.drop', 'counter', 'packets', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_reqs', 0, 'block.{i}.rd.reqs', 'counter', 'requests', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_bytes', 1, 'block.{i}.rd.bytes', 'counter', 'bytes', 512, 'sum max', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_times', 2, 'block.{i}.rd.times', 'counter', 'ns', 1000000, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_reqs', 3, 'block.{i}.wr.reqs', 'counter', 'requests', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_bytes', 4, 'block.{i}.wr.bytes', 'counter', 'bytes', 512, 'sum max', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_times', 5, 'block.{i}.wr.times', 'counter', 'ns', 1000000, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'fl_reqs', 6, 'block.{i}.fl.reqs', 'counter', 'requests', 1, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'fl_times', 7, 'block.{i}.fl.times', 'counter', 'ns', 1000000, 'sum', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'errors', 8, 'block.{i}.errors', 'counter', 'requests', 1, 'sum', 'libvirt', 'Xen oo_req');
INSERT INTO key_map VALUES ('block', 'discard_reqs', 9, 'extra.block.{i}.discard.reqs', 'counter', 'requests', 1, 'sum', 'domstat', 'Xen ds_req');
INSERT INTO key_map VALUES ('block', 'allocation', 10, 'block.{i}.allocation', 'attribute', 'bytes', 1, '', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'capacity', 11, 'block.{i}.capacity', 'attribute', 'bytes', 1, '', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'physical', 12, 'block.{i}.physical', 'attribute', 'bytes', 1, '', 'libvirt', '');
INSERT INTO key_map VALUES ('cgroup_io', 'rd_bytes', 0, 'cgroup.io.{i}.rd.bytes', 'counter', 'bytes', 1, 'sum', 'domstat', 'v2 io.stat rbytes, v1 blkio.throttle.io_service_bytes Read');
INSERT INTO key_map VALUES ('cgroup_io', 'wr_bytes', 1, 'cgroup.io.{i}.wr.bytes', 'counter', 'bytes', 1, 'sum', 'domstat', 'v2 io.stat wbytes, v1 blkio.throttle.io_service_bytes Write');
INSERT INTO key_map VALUES ('cgroup_io', 'rd_reqs', 2, 'cgroup.io.{i}.rd.reqs', 'counter', 'requests', 1, 'sum', 'domstat', 'v2 io.stat rios, v1 blkio.throttle.io_serviced Read');
INSERT INTO key_map VALUES ('cgroup_io', 'wr_reqs', 3, 'cgroup.io.{i}.wr.reqs', 'counter', 'requests', 1, 'sum', 'domstat', 'v2 io.stat wios, v1 blkio.throttle.io_serviced Write');
INSERT INTO key_map VALUES ('cgroup_io', 'dc_bytes', 4, 'cgroup.io.{i}.dc.bytes', 'counter', 'bytes', 1, 'sum', 'domstat', 'v2 io.stat dbytes, v1 blkio.throttle.io_service_bytes Discard');
INSERT INTO key_map VALUES ('cgroup_io', 'dc_reqs', 5, 'cgroup.io.{i}.dc.reqs', 'counter', 'requests', 1, 'sum', 'domstat', 'v2 io.stat dios, v1 blkio.throttle.io_serviced Discard');
INSERT INTO key_map VALUES ('numa', 'anon', 0, 'cgroup.numa.{i}.anon', 'gauge', 'bytes', 1, 'mean max', 'domstat', 'memory.numa_stat anon (v1 hierarchical_anon pages × 4096) on the node');
INSERT INTO key_map VALUES ('numa', 'file', 1, 'cgroup.numa.{i}.file', 'gauge', 'bytes', 1, 'mean max', 'domstat', 'memory.numa_stat file (v1 hierarchical_file pages × 4096) on the node');

-- domain: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE domain_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  cpu_time                   INTEGER,
  cpu_user                   INTEGER,
  cpu_system                 INTEGER,
  balloon_rss                INTEGER,
  io_rchar                   INTEGER,
  io_wchar                   INTEGER,
  io_syscr                   INTEGER,
  io_syscw                   INTEGER,
  io_read_bytes              INTEGER,
  io_write_bytes             INTEGER,
  io_cancelled_write_bytes   INTEGER,
  psi_cpu_some               INTEGER,
  psi_cpu_full               INTEGER,
  psi_memory_some            INTEGER,
  psi_memory_full            INTEGER,
  psi_io_some                INTEGER,
  psi_io_full                INTEGER,
  mem_current                INTEGER,
  mem_swap                   INTEGER,
  mem_events_oom_kill        INTEGER,
  cpu_throttled_time         INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- domain: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE domain_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  cpu_time,
  cpu_user,
  cpu_system,
  balloon_rss,
  io_rchar,
  io_wchar,
  io_syscr,
  io_syscw,
  io_read_bytes,
  io_write_bytes,
  io_cancelled_write_bytes,
  psi_cpu_some,
  psi_cpu_full,
  psi_memory_some,
  psi_memory_full,
  psi_io_some,
  psi_io_full,
  mem_current,
  mem_swap,
  mem_events_oom_kill,
  cpu_throttled_time,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- domain: 1m rollups, six buckets per row.
CREATE TABLE domain_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, cpu_time_0 INTEGER, cpu_time_peak_0 INTEGER, cpu_user_0 INTEGER, cpu_system_0 INTEGER, balloon_rss_0 INTEGER, balloon_rss_max_0 INTEGER, io_rchar_0 INTEGER, io_wchar_0 INTEGER, io_syscr_0 INTEGER, io_syscw_0 INTEGER, io_read_bytes_0 INTEGER, io_write_bytes_0 INTEGER, io_cancelled_write_bytes_0 INTEGER, psi_cpu_some_0 INTEGER, psi_cpu_full_0 INTEGER, psi_memory_some_0 INTEGER, psi_memory_full_0 INTEGER, psi_io_some_0 INTEGER, psi_io_full_0 INTEGER, mem_current_0 INTEGER, mem_current_max_0 INTEGER, mem_swap_0 INTEGER, mem_swap_max_0 INTEGER, mem_events_oom_kill_0 INTEGER, cpu_throttled_time_0 INTEGER,
  gap_1 INTEGER, cpu_time_1 INTEGER, cpu_time_peak_1 INTEGER, cpu_user_1 INTEGER, cpu_system_1 INTEGER, balloon_rss_1 INTEGER, balloon_rss_max_1 INTEGER, io_rchar_1 INTEGER, io_wchar_1 INTEGER, io_syscr_1 INTEGER, io_syscw_1 INTEGER, io_read_bytes_1 INTEGER, io_write_bytes_1 INTEGER, io_cancelled_write_bytes_1 INTEGER, psi_cpu_some_1 INTEGER, psi_cpu_full_1 INTEGER, psi_memory_some_1 INTEGER, psi_memory_full_1 INTEGER, psi_io_some_1 INTEGER, psi_io_full_1 INTEGER, mem_current_1 INTEGER, mem_current_max_1 INTEGER, mem_swap_1 INTEGER, mem_swap_max_1 INTEGER, mem_events_oom_kill_1 INTEGER, cpu_throttled_time_1 INTEGER,
  gap_2 INTEGER, cpu_time_2 INTEGER, cpu_time_peak_2 INTEGER, cpu_user_2 INTEGER, cpu_system_2 INTEGER, balloon_rss_2 INTEGER, balloon_rss_max_2 INTEGER, io_rchar_2 INTEGER, io_wchar_2 INTEGER, io_syscr_2 INTEGER, io_syscw_2 INTEGER, io_read_bytes_2 INTEGER, io_write_bytes_2 INTEGER, io_cancelled_write_bytes_2 INTEGER, psi_cpu_some_2 INTEGER, psi_cpu_full_2 INTEGER, psi_memory_some_2 INTEGER, psi_memory_full_2 INTEGER, psi_io_some_2 INTEGER, psi_io_full_2 INTEGER, mem_current_2 INTEGER, mem_current_max_2 INTEGER, mem_swap_2 INTEGER, mem_swap_max_2 INTEGER, mem_events_oom_kill_2 INTEGER, cpu_throttled_time_2 INTEGER,
  gap_3 INTEGER, cpu_time_3 INTEGER, cpu_time_peak_3 INTEGER, cpu_user_3 INTEGER, cpu_system_3 INTEGER, balloon_rss_3 INTEGER, balloon_rss_max_3 INTEGER, io_rchar_3 INTEGER, io_wchar_3 INTEGER, io_syscr_3 INTEGER, io_syscw_3 INTEGER, io_read_bytes_3 INTEGER, io_write_bytes_3 INTEGER, io_cancelled_write_bytes_3 INTEGER, psi_cpu_some_3 INTEGER, psi_cpu_full_3 INTEGER, psi_memory_some_3 INTEGER, psi_memory_full_3 INTEGER, psi_io_some_3 INTEGER, psi_io_full_3 INTEGER, mem_current_3 INTEGER, mem_current_max_3 INTEGER, mem_swap_3 INTEGER, mem_swap_max_3 INTEGER, mem_events_oom_kill_3 INTEGER, cpu_throttled_time_3 INTEGER,
  gap_4 INTEGER, cpu_time_4 INTEGER, cpu_time_peak_4 INTEGER, cpu_user_4 INTEGER, cpu_system_4 INTEGER, balloon_rss_4 INTEGER, balloon_rss_max_4 INTEGER, io_rchar_4 INTEGER, io_wchar_4 INTEGER, io_syscr_4 INTEGER, io_syscw_4 INTEGER, io_read_bytes_4 INTEGER, io_write_bytes_4 INTEGER, io_cancelled_write_bytes_4 INTEGER, psi_cpu_some_4 INTEGER, psi_cpu_full_4 INTEGER, psi_memory_some_4 INTEGER, psi_memory_full_4 INTEGER, psi_io_some_4 INTEGER, psi_io_full_4 INTEGER, mem_current_4 INTEGER, mem_current_max_4 INTEGER, mem_swap_4 INTEGER, mem_swap_max_4 INTEGER, mem_events_oom_kill_4 INTEGER, cpu_throttled_time_4 INTEGER,
  gap_5 INTEGER, cpu_time_5 INTEGER, cpu_time_peak_5 INTEGER, cpu_user_5 INTEGER, cpu_system_5 INTEGER, balloon_rss_5 INTEGER, balloon_rss_max_5 INTEGER, io_rchar_5 INTEGER, io_wchar_5 INTEGER, io_syscr_5 INTEGER, io_syscw_5 INTEGER, io_read_bytes_5 INTEGER, io_write_bytes_5 INTEGER, io_cancelled_write_bytes_5 INTEGER, psi_cpu_some_5 INTEGER, psi_cpu_full_5 INTEGER, psi_memory_some_5 INTEGER, psi_memory_full_5 INTEGER, psi_io_some_5 INTEGER, psi_io_full_5 INTEGER, mem_current_5 INTEGER, mem_current_max_5 INTEGER, mem_swap_5 INTEGER, mem_swap_max_5 INTEGER, mem_events_oom_kill_5 INTEGER, cpu_throttled_time_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- domain: 1h rollups, six buckets per row.
CREATE TABLE domain_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, cpu_time_0 INTEGER, cpu_time_peak_0 INTEGER, cpu_user_0 INTEGER, cpu_system_0 INTEGER, balloon_rss_0 INTEGER, balloon_rss_max_0 INTEGER, io_rchar_0 INTEGER, io_wchar_0 INTEGER, io_syscr_0 INTEGER, io_syscw_0 INTEGER, io_read_bytes_0 INTEGER, io_write_bytes_0 INTEGER, io_cancelled_write_bytes_0 INTEGER, psi_cpu_some_0 INTEGER, psi_cpu_full_0 INTEGER, psi_memory_some_0 INTEGER, psi_memory_full_0 INTEGER, psi_io_some_0 INTEGER, psi_io_full_0 INTEGER, mem_current_0 INTEGER, mem_current_max_0 INTEGER, mem_swap_0 INTEGER, mem_swap_max_0 INTEGER, mem_events_oom_kill_0 INTEGER, cpu_throttled_time_0 INTEGER,
  gap_1 INTEGER, cpu_time_1 INTEGER, cpu_time_peak_1 INTEGER, cpu_user_1 INTEGER, cpu_system_1 INTEGER, balloon_rss_1 INTEGER, balloon_rss_max_1 INTEGER, io_rchar_1 INTEGER, io_wchar_1 INTEGER, io_syscr_1 INTEGER, io_syscw_1 INTEGER, io_read_bytes_1 INTEGER, io_write_bytes_1 INTEGER, io_cancelled_write_bytes_1 INTEGER, psi_cpu_some_1 INTEGER, psi_cpu_full_1 INTEGER, psi_memory_some_1 INTEGER, psi_memory_full_1 INTEGER, psi_io_some_1 INTEGER, psi_io_full_1 INTEGER, mem_current_1 INTEGER, mem_current_max_1 INTEGER, mem_swap_1 INTEGER, mem_swap_max_1 INTEGER, mem_events_oom_kill_1 INTEGER, cpu_throttled_time_1 INTEGER,
  gap_2 INTEGER, cpu_time_2 INTEGER, cpu_time_peak_2 INTEGER, cpu_user_2 INTEGER, cpu_system_2 INTEGER, balloon_rss_2 INTEGER, balloon_rss_max_2 INTEGER, io_rchar_2 INTEGER, io_wchar_2 INTEGER, io_syscr_2 INTEGER, io_syscw_2 INTEGER, io_read_bytes_2 INTEGER, io_write_bytes_2 INTEGER, io_cancelled_write_bytes_2 INTEGER, psi_cpu_some_2 INTEGER, psi_cpu_full_2 INTEGER, psi_memory_some_2 INTEGER, psi_memory_full_2 INTEGER, psi_io_some_2 INTEGER, psi_io_full_2 INTEGER, mem_current_2 INTEGER, mem_current_max_2 INTEGER, mem_swap_2 INTEGER, mem_swap_max_2 INTEGER, mem_events_oom_kill_2 INTEGER, cpu_throttled_time_2 INTEGER,
  gap_3 INTEGER, cpu_time_3 INTEGER, cpu_time_peak_3 INTEGER, cpu_user_3 INTEGER, cpu_system_3 INTEGER, balloon_rss_3 INTEGER, balloon_rss_max_3 INTEGER, io_rchar_3 INTEGER, io_wchar_3 INTEGER, io_syscr_3 INTEGER, io_syscw_3 INTEGER, io_read_bytes_3 INTEGER, io_write_bytes_3 INTEGER, io_cancelled_write_bytes_3 INTEGER, psi_cpu_some_3 INTEGER, psi_cpu_full_3 INTEGER, psi_memory_some_3 INTEGER, psi_memory_full_3 INTEGER, psi_io_some_3 INTEGER, psi_io_full_3 INTEGER, mem_current_3 INTEGER, mem_current_max_3 INTEGER, mem_swap_3 INTEGER, mem_swap_max_3 INTEGER, mem_events_oom_kill_3 INTEGER, cpu_throttled_time_3 INTEGER,
  gap_4 INTEGER, cpu_time_4 INTEGER, cpu_time_peak_4 INTEGER, cpu_user_4 INTEGER, cpu_system_4 INTEGER, balloon_rss_4 INTEGER, balloon_rss_max_4 INTEGER, io_rchar_4 INTEGER, io_wchar_4 INTEGER, io_syscr_4 INTEGER, io_syscw_4 INTEGER, io_read_bytes_4 INTEGER, io_write_bytes_4 INTEGER, io_cancelled_write_bytes_4 INTEGER, psi_cpu_some_4 INTEGER, psi_cpu_full_4 INTEGER, psi_memory_some_4 INTEGER, psi_memory_full_4 INTEGER, psi_io_some_4 INTEGER, psi_io_full_4 INTEGER, mem_current_4 INTEGER, mem_current_max_4 INTEGER, mem_swap_4 INTEGER, mem_swap_max_4 INTEGER, mem_events_oom_kill_4 INTEGER, cpu_throttled_time_4 INTEGER,
  gap_5 INTEGER, cpu_time_5 INTEGER, cpu_time_peak_5 INTEGER, cpu_user_5 INTEGER, cpu_system_5 INTEGER, balloon_rss_5 INTEGER, balloon_rss_max_5 INTEGER, io_rchar_5 INTEGER, io_wchar_5 INTEGER, io_syscr_5 INTEGER, io_syscw_5 INTEGER, io_read_bytes_5 INTEGER, io_write_bytes_5 INTEGER, io_cancelled_write_bytes_5 INTEGER, psi_cpu_some_5 INTEGER, psi_cpu_full_5 INTEGER, psi_memory_some_5 INTEGER, psi_memory_full_5 INTEGER, psi_io_some_5 INTEGER, psi_io_full_5 INTEGER, mem_current_5 INTEGER, mem_current_max_5 INTEGER, mem_swap_5 INTEGER, mem_swap_max_5 INTEGER, mem_events_oom_kill_5 INTEGER, cpu_throttled_time_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- host: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE host_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  cpu_user                   INTEGER,
  cpu_nice                   INTEGER,
  cpu_system                 INTEGER,
  cpu_idle                   INTEGER,
  cpu_iowait                 INTEGER,
  cpu_irq                    INTEGER,
  cpu_softirq                INTEGER,
  cpu_steal                  INTEGER,
  mem_free                   INTEGER,
  mem_available              INTEGER,
  mem_buffers                INTEGER,
  mem_cached                 INTEGER,
  swap_free                  INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- host: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE host_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  cpu_user,
  cpu_nice,
  cpu_system,
  cpu_idle,
  cpu_iowait,
  cpu_irq,
  cpu_softirq,
  cpu_steal,
  mem_free,
  mem_available,
  mem_buffers,
  mem_cached,
  swap_free,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- host: 1m rollups, six buckets per row.
CREATE TABLE host_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, cpu_user_0 INTEGER, cpu_nice_0 INTEGER, cpu_system_0 INTEGER, cpu_idle_0 INTEGER, cpu_iowait_0 INTEGER, cpu_irq_0 INTEGER, cpu_softirq_0 INTEGER, cpu_steal_0 INTEGER, mem_free_0 INTEGER, mem_free_min_0 INTEGER, mem_available_0 INTEGER, mem_available_min_0 INTEGER, mem_buffers_0 INTEGER, mem_buffers_max_0 INTEGER, mem_cached_0 INTEGER, mem_cached_max_0 INTEGER, swap_free_0 INTEGER, swap_free_min_0 INTEGER,
  gap_1 INTEGER, cpu_user_1 INTEGER, cpu_nice_1 INTEGER, cpu_system_1 INTEGER, cpu_idle_1 INTEGER, cpu_iowait_1 INTEGER, cpu_irq_1 INTEGER, cpu_softirq_1 INTEGER, cpu_steal_1 INTEGER, mem_free_1 INTEGER, mem_free_min_1 INTEGER, mem_available_1 INTEGER, mem_available_min_1 INTEGER, mem_buffers_1 INTEGER, mem_buffers_max_1 INTEGER, mem_cached_1 INTEGER, mem_cached_max_1 INTEGER, swap_free_1 INTEGER, swap_free_min_1 INTEGER,
  gap_2 INTEGER, cpu_user_2 INTEGER, cpu_nice_2 INTEGER, cpu_system_2 INTEGER, cpu_idle_2 INTEGER, cpu_iowait_2 INTEGER, cpu_irq_2 INTEGER, cpu_softirq_2 INTEGER, cpu_steal_2 INTEGER, mem_free_2 INTEGER, mem_free_min_2 INTEGER, mem_available_2 INTEGER, mem_available_min_2 INTEGER, mem_buffers_2 INTEGER, mem_buffers_max_2 INTEGER, mem_cached_2 INTEGER, mem_cached_max_2 INTEGER, swap_free_2 INTEGER, swap_free_min_2 INTEGER,
  gap_3 INTEGER, cpu_user_3 INTEGER, cpu_nice_3 INTEGER, cpu_system_3 INTEGER, cpu_idle_3 INTEGER, cpu_iowait_3 INTEGER, cpu_irq_3 INTEGER, cpu_softirq_3 INTEGER, cpu_steal_3 INTEGER, mem_free_3 INTEGER, mem_free_min_3 INTEGER, mem_available_3 INTEGER, mem_available_min_3 INTEGER, mem_buffers_3 INTEGER, mem_buffers_max_3 INTEGER, mem_cached_3 INTEGER, mem_cached_max_3 INTEGER, swap_free_3 INTEGER, swap_free_min_3 INTEGER,
  gap_4 INTEGER, cpu_user_4 INTEGER, cpu_nice_4 INTEGER, cpu_system_4 INTEGER, cpu_idle_4 INTEGER, cpu_iowait_4 INTEGER, cpu_irq_4 INTEGER, cpu_softirq_4 INTEGER, cpu_steal_4 INTEGER, mem_free_4 INTEGER, mem_free_min_4 INTEGER, mem_available_4 INTEGER, mem_available_min_4 INTEGER, mem_buffers_4 INTEGER, mem_buffers_max_4 INTEGER, mem_cached_4 INTEGER, mem_cached_max_4 INTEGER, swap_free_4 INTEGER, swap_free_min_4 INTEGER,
  gap_5 INTEGER, cpu_user_5 INTEGER, cpu_nice_5 INTEGER, cpu_system_5 INTEGER, cpu_idle_5 INTEGER, cpu_iowait_5 INTEGER, cpu_irq_5 INTEGER, cpu_softirq_5 INTEGER, cpu_steal_5 INTEGER, mem_free_5 INTEGER, mem_free_min_5 INTEGER, mem_available_5 INTEGER, mem_available_min_5 INTEGER, mem_buffers_5 INTEGER, mem_buffers_max_5 INTEGER, mem_cached_5 INTEGER, mem_cached_max_5 INTEGER, swap_free_5 INTEGER, swap_free_min_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- host: 1h rollups, six buckets per row.
CREATE TABLE host_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, cpu_user_0 INTEGER, cpu_nice_0 INTEGER, cpu_system_0 INTEGER, cpu_idle_0 INTEGER, cpu_iowait_0 INTEGER, cpu_irq_0 INTEGER, cpu_softirq_0 INTEGER, cpu_steal_0 INTEGER, mem_free_0 INTEGER, mem_free_min_0 INTEGER, mem_available_0 INTEGER, mem_available_min_0 INTEGER, mem_buffers_0 INTEGER, mem_buffers_max_0 INTEGER, mem_cached_0 INTEGER, mem_cached_max_0 INTEGER, swap_free_0 INTEGER, swap_free_min_0 INTEGER,
  gap_1 INTEGER, cpu_user_1 INTEGER, cpu_nice_1 INTEGER, cpu_system_1 INTEGER, cpu_idle_1 INTEGER, cpu_iowait_1 INTEGER, cpu_irq_1 INTEGER, cpu_softirq_1 INTEGER, cpu_steal_1 INTEGER, mem_free_1 INTEGER, mem_free_min_1 INTEGER, mem_available_1 INTEGER, mem_available_min_1 INTEGER, mem_buffers_1 INTEGER, mem_buffers_max_1 INTEGER, mem_cached_1 INTEGER, mem_cached_max_1 INTEGER, swap_free_1 INTEGER, swap_free_min_1 INTEGER,
  gap_2 INTEGER, cpu_user_2 INTEGER, cpu_nice_2 INTEGER, cpu_system_2 INTEGER, cpu_idle_2 INTEGER, cpu_iowait_2 INTEGER, cpu_irq_2 INTEGER, cpu_softirq_2 INTEGER, cpu_steal_2 INTEGER, mem_free_2 INTEGER, mem_free_min_2 INTEGER, mem_available_2 INTEGER, mem_available_min_2 INTEGER, mem_buffers_2 INTEGER, mem_buffers_max_2 INTEGER, mem_cached_2 INTEGER, mem_cached_max_2 INTEGER, swap_free_2 INTEGER, swap_free_min_2 INTEGER,
  gap_3 INTEGER, cpu_user_3 INTEGER, cpu_nice_3 INTEGER, cpu_system_3 INTEGER, cpu_idle_3 INTEGER, cpu_iowait_3 INTEGER, cpu_irq_3 INTEGER, cpu_softirq_3 INTEGER, cpu_steal_3 INTEGER, mem_free_3 INTEGER, mem_free_min_3 INTEGER, mem_available_3 INTEGER, mem_available_min_3 INTEGER, mem_buffers_3 INTEGER, mem_buffers_max_3 INTEGER, mem_cached_3 INTEGER, mem_cached_max_3 INTEGER, swap_free_3 INTEGER, swap_free_min_3 INTEGER,
  gap_4 INTEGER, cpu_user_4 INTEGER, cpu_nice_4 INTEGER, cpu_system_4 INTEGER, cpu_idle_4 INTEGER, cpu_iowait_4 INTEGER, cpu_irq_4 INTEGER, cpu_softirq_4 INTEGER, cpu_steal_4 INTEGER, mem_free_4 INTEGER, mem_free_min_4 INTEGER, mem_available_4 INTEGER, mem_available_min_4 INTEGER, mem_buffers_4 INTEGER, mem_buffers_max_4 INTEGER, mem_cached_4 INTEGER, mem_cached_max_4 INTEGER, swap_free_4 INTEGER, swap_free_min_4 INTEGER,
  gap_5 INTEGER, cpu_user_5 INTEGER, cpu_nice_5 INTEGER, cpu_system_5 INTEGER, cpu_idle_5 INTEGER, cpu_iowait_5 INTEGER, cpu_irq_5 INTEGER, cpu_softirq_5 INTEGER, cpu_steal_5 INTEGER, mem_free_5 INTEGER, mem_free_min_5 INTEGER, mem_available_5 INTEGER, mem_available_min_5 INTEGER, mem_buffers_5 INTEGER, mem_buffers_max_5 INTEGER, mem_cached_5 INTEGER, mem_cached_max_5 INTEGER, swap_free_5 INTEGER, swap_free_min_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- vcpu: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE vcpu_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  time                       INTEGER,
  wait                       INTEGER,
  delay                      INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- vcpu: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE vcpu_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  time,
  wait,
  delay,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- vcpu: 1m rollups, six buckets per row.
CREATE TABLE vcpu_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, time_0 INTEGER, wait_0 INTEGER, delay_0 INTEGER,
  gap_1 INTEGER, time_1 INTEGER, wait_1 INTEGER, delay_1 INTEGER,
  gap_2 INTEGER, time_2 INTEGER, wait_2 INTEGER, delay_2 INTEGER,
  gap_3 INTEGER, time_3 INTEGER, wait_3 INTEGER, delay_3 INTEGER,
  gap_4 INTEGER, time_4 INTEGER, wait_4 INTEGER, delay_4 INTEGER,
  gap_5 INTEGER, time_5 INTEGER, wait_5 INTEGER, delay_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- vcpu: 1h rollups, six buckets per row.
CREATE TABLE vcpu_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, time_0 INTEGER, wait_0 INTEGER, delay_0 INTEGER,
  gap_1 INTEGER, time_1 INTEGER, wait_1 INTEGER, delay_1 INTEGER,
  gap_2 INTEGER, time_2 INTEGER, wait_2 INTEGER, delay_2 INTEGER,
  gap_3 INTEGER, time_3 INTEGER, wait_3 INTEGER, delay_3 INTEGER,
  gap_4 INTEGER, time_4 INTEGER, wait_4 INTEGER, delay_4 INTEGER,
  gap_5 INTEGER, time_5 INTEGER, wait_5 INTEGER, delay_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- net: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE net_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  rx_bytes                   INTEGER,
  rx_pkts                    INTEGER,
  rx_errs                    INTEGER,
  rx_drop                    INTEGER,
  tx_bytes                   INTEGER,
  tx_pkts                    INTEGER,
  tx_errs                    INTEGER,
  tx_drop                    INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- net: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE net_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  rx_bytes,
  rx_pkts,
  rx_errs,
  rx_drop,
  tx_bytes,
  tx_pkts,
  tx_errs,
  tx_drop,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- net: 1m rollups, six buckets per row.
CREATE TABLE net_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rx_bytes_0 INTEGER, rx_bytes_peak_0 INTEGER, rx_pkts_0 INTEGER, rx_errs_0 INTEGER, rx_drop_0 INTEGER, tx_bytes_0 INTEGER, tx_bytes_peak_0 INTEGER, tx_pkts_0 INTEGER, tx_errs_0 INTEGER, tx_drop_0 INTEGER,
  gap_1 INTEGER, rx_bytes_1 INTEGER, rx_bytes_peak_1 INTEGER, rx_pkts_1 INTEGER, rx_errs_1 INTEGER, rx_drop_1 INTEGER, tx_bytes_1 INTEGER, tx_bytes_peak_1 INTEGER, tx_pkts_1 INTEGER, tx_errs_1 INTEGER, tx_drop_1 INTEGER,
  gap_2 INTEGER, rx_bytes_2 INTEGER, rx_bytes_peak_2 INTEGER, rx_pkts_2 INTEGER, rx_errs_2 INTEGER, rx_drop_2 INTEGER, tx_bytes_2 INTEGER, tx_bytes_peak_2 INTEGER, tx_pkts_2 INTEGER, tx_errs_2 INTEGER, tx_drop_2 INTEGER,
  gap_3 INTEGER, rx_bytes_3 INTEGER, rx_bytes_peak_3 INTEGER, rx_pkts_3 INTEGER, rx_errs_3 INTEGER, rx_drop_3 INTEGER, tx_bytes_3 INTEGER, tx_bytes_peak_3 INTEGER, tx_pkts_3 INTEGER, tx_errs_3 INTEGER, tx_drop_3 INTEGER,
  gap_4 INTEGER, rx_bytes_4 INTEGER, rx_bytes_peak_4 INTEGER, rx_pkts_4 INTEGER, rx_errs_4 INTEGER, rx_drop_4 INTEGER, tx_bytes_4 INTEGER, tx_bytes_peak_4 INTEGER, tx_pkts_4 INTEGER, tx_errs_4 INTEGER, tx_drop_4 INTEGER,
  gap_5 INTEGER, rx_bytes_5 INTEGER, rx_bytes_peak_5 INTEGER, rx_pkts_5 INTEGER, rx_errs_5 INTEGER, rx_drop_5 INTEGER, tx_bytes_5 INTEGER, tx_bytes_peak_5 INTEGER, tx_pkts_5 INTEGER, tx_errs_5 INTEGER, tx_drop_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- net: 1h rollups, six buckets per row.
CREATE TABLE net_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rx_bytes_0 INTEGER, rx_bytes_peak_0 INTEGER, rx_pkts_0 INTEGER, rx_errs_0 INTEGER, rx_drop_0 INTEGER, tx_bytes_0 INTEGER, tx_bytes_peak_0 INTEGER, tx_pkts_0 INTEGER, tx_errs_0 INTEGER, tx_drop_0 INTEGER,
  gap_1 INTEGER, rx_bytes_1 INTEGER, rx_bytes_peak_1 INTEGER, rx_pkts_1 INTEGER, rx_errs_1 INTEGER, rx_drop_1 INTEGER, tx_bytes_1 INTEGER, tx_bytes_peak_1 INTEGER, tx_pkts_1 INTEGER, tx_errs_1 INTEGER, tx_drop_1 INTEGER,
  gap_2 INTEGER, rx_bytes_2 INTEGER, rx_bytes_peak_2 INTEGER, rx_pkts_2 INTEGER, rx_errs_2 INTEGER, rx_drop_2 INTEGER, tx_bytes_2 INTEGER, tx_bytes_peak_2 INTEGER, tx_pkts_2 INTEGER, tx_errs_2 INTEGER, tx_drop_2 INTEGER,
  gap_3 INTEGER, rx_bytes_3 INTEGER, rx_bytes_peak_3 INTEGER, rx_pkts_3 INTEGER, rx_errs_3 INTEGER, rx_drop_3 INTEGER, tx_bytes_3 INTEGER, tx_bytes_peak_3 INTEGER, tx_pkts_3 INTEGER, tx_errs_3 INTEGER, tx_drop_3 INTEGER,
  gap_4 INTEGER, rx_bytes_4 INTEGER, rx_bytes_peak_4 INTEGER, rx_pkts_4 INTEGER, rx_errs_4 INTEGER, rx_drop_4 INTEGER, tx_bytes_4 INTEGER, tx_bytes_peak_4 INTEGER, tx_pkts_4 INTEGER, tx_errs_4 INTEGER, tx_drop_4 INTEGER,
  gap_5 INTEGER, rx_bytes_5 INTEGER, rx_bytes_peak_5 INTEGER, rx_pkts_5 INTEGER, rx_errs_5 INTEGER, rx_drop_5 INTEGER, tx_bytes_5 INTEGER, tx_bytes_peak_5 INTEGER, tx_pkts_5 INTEGER, tx_errs_5 INTEGER, tx_drop_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- block: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE block_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  rd_reqs                    INTEGER,
  rd_bytes                   INTEGER,
  rd_times                   INTEGER,
  wr_reqs                    INTEGER,
  wr_bytes                   INTEGER,
  wr_times                   INTEGER,
  fl_reqs                    INTEGER,
  fl_times                   INTEGER,
  errors                     INTEGER,
  discard_reqs               INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- block: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE block_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  rd_reqs,
  rd_bytes,
  rd_times,
  wr_reqs,
  wr_bytes,
  wr_times,
  fl_reqs,
  fl_times,
  errors,
  discard_reqs,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- block: 1m rollups, six buckets per row.
CREATE TABLE block_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rd_reqs_0 INTEGER, rd_bytes_0 INTEGER, rd_bytes_peak_0 INTEGER, rd_times_0 INTEGER, wr_reqs_0 INTEGER, wr_bytes_0 INTEGER, wr_bytes_peak_0 INTEGER, wr_times_0 INTEGER, fl_reqs_0 INTEGER, fl_times_0 INTEGER, errors_0 INTEGER, discard_reqs_0 INTEGER,
  gap_1 INTEGER, rd_reqs_1 INTEGER, rd_bytes_1 INTEGER, rd_bytes_peak_1 INTEGER, rd_times_1 INTEGER, wr_reqs_1 INTEGER, wr_bytes_1 INTEGER, wr_bytes_peak_1 INTEGER, wr_times_1 INTEGER, fl_reqs_1 INTEGER, fl_times_1 INTEGER, errors_1 INTEGER, discard_reqs_1 INTEGER,
  gap_2 INTEGER, rd_reqs_2 INTEGER, rd_bytes_2 INTEGER, rd_bytes_peak_2 INTEGER, rd_times_2 INTEGER, wr_reqs_2 INTEGER, wr_bytes_2 INTEGER, wr_bytes_peak_2 INTEGER, wr_times_2 INTEGER, fl_reqs_2 INTEGER, fl_times_2 INTEGER, errors_2 INTEGER, discard_reqs_2 INTEGER,
  gap_3 INTEGER, rd_reqs_3 INTEGER, rd_bytes_3 INTEGER, rd_bytes_peak_3 INTEGER, rd_times_3 INTEGER, wr_reqs_3 INTEGER, wr_bytes_3 INTEGER, wr_bytes_peak_3 INTEGER, wr_times_3 INTEGER, fl_reqs_3 INTEGER, fl_times_3 INTEGER, errors_3 INTEGER, discard_reqs_3 INTEGER,
  gap_4 INTEGER, rd_reqs_4 INTEGER, rd_bytes_4 INTEGER, rd_bytes_peak_4 INTEGER, rd_times_4 INTEGER, wr_reqs_4 INTEGER, wr_bytes_4 INTEGER, wr_bytes_peak_4 INTEGER, wr_times_4 INTEGER, fl_reqs_4 INTEGER, fl_times_4 INTEGER, errors_4 INTEGER, discard_reqs_4 INTEGER,
  gap_5 INTEGER, rd_reqs_5 INTEGER, rd_bytes_5 INTEGER, rd_bytes_peak_5 INTEGER, rd_times_5 INTEGER, wr_reqs_5 INTEGER, wr_bytes_5 INTEGER, wr_bytes_peak_5 INTEGER, wr_times_5 INTEGER, fl_reqs_5 INTEGER, fl_times_5 INTEGER, errors_5 INTEGER, discard_reqs_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- block: 1h rollups, six buckets per row.
CREATE TABLE block_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rd_reqs_0 INTEGER, rd_bytes_0 INTEGER, rd_bytes_peak_0 INTEGER, rd_times_0 INTEGER, wr_reqs_0 INTEGER, wr_bytes_0 INTEGER, wr_bytes_peak_0 INTEGER, wr_times_0 INTEGER, fl_reqs_0 INTEGER, fl_times_0 INTEGER, errors_0 INTEGER, discard_reqs_0 INTEGER,
  gap_1 INTEGER, rd_reqs_1 INTEGER, rd_bytes_1 INTEGER, rd_bytes_peak_1 INTEGER, rd_times_1 INTEGER, wr_reqs_1 INTEGER, wr_bytes_1 INTEGER, wr_bytes_peak_1 INTEGER, wr_times_1 INTEGER, fl_reqs_1 INTEGER, fl_times_1 INTEGER, errors_1 INTEGER, discard_reqs_1 INTEGER,
  gap_2 INTEGER, rd_reqs_2 INTEGER, rd_bytes_2 INTEGER, rd_bytes_peak_2 INTEGER, rd_times_2 INTEGER, wr_reqs_2 INTEGER, wr_bytes_2 INTEGER, wr_bytes_peak_2 INTEGER, wr_times_2 INTEGER, fl_reqs_2 INTEGER, fl_times_2 INTEGER, errors_2 INTEGER, discard_reqs_2 INTEGER,
  gap_3 INTEGER, rd_reqs_3 INTEGER, rd_bytes_3 INTEGER, rd_bytes_peak_3 INTEGER, rd_times_3 INTEGER, wr_reqs_3 INTEGER, wr_bytes_3 INTEGER, wr_bytes_peak_3 INTEGER, wr_times_3 INTEGER, fl_reqs_3 INTEGER, fl_times_3 INTEGER, errors_3 INTEGER, discard_reqs_3 INTEGER,
  gap_4 INTEGER, rd_reqs_4 INTEGER, rd_bytes_4 INTEGER, rd_bytes_peak_4 INTEGER, rd_times_4 INTEGER, wr_reqs_4 INTEGER, wr_bytes_4 INTEGER, wr_bytes_peak_4 INTEGER, wr_times_4 INTEGER, fl_reqs_4 INTEGER, fl_times_4 INTEGER, errors_4 INTEGER, discard_reqs_4 INTEGER,
  gap_5 INTEGER, rd_reqs_5 INTEGER, rd_bytes_5 INTEGER, rd_bytes_peak_5 INTEGER, rd_times_5 INTEGER, wr_reqs_5 INTEGER, wr_bytes_5 INTEGER, wr_bytes_peak_5 INTEGER, wr_times_5 INTEGER, fl_reqs_5 INTEGER, fl_times_5 INTEGER, errors_5 INTEGER, discard_reqs_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- cgroup_io: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE cgroup_io_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  rd_bytes                   INTEGER,
  wr_bytes                   INTEGER,
  rd_reqs                    INTEGER,
  wr_reqs                    INTEGER,
  dc_bytes                   INTEGER,
  dc_reqs                    INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- cgroup_io: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE cgroup_io_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  rd_bytes,
  wr_bytes,
  rd_reqs,
  wr_reqs,
  dc_bytes,
  dc_reqs,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- cgroup_io: 1m rollups, six buckets per row.
CREATE TABLE cgroup_io_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rd_bytes_0 INTEGER, wr_bytes_0 INTEGER, rd_reqs_0 INTEGER, wr_reqs_0 INTEGER, dc_bytes_0 INTEGER, dc_reqs_0 INTEGER,
  gap_1 INTEGER, rd_bytes_1 INTEGER, wr_bytes_1 INTEGER, rd_reqs_1 INTEGER, wr_reqs_1 INTEGER, dc_bytes_1 INTEGER, dc_reqs_1 INTEGER,
  gap_2 INTEGER, rd_bytes_2 INTEGER, wr_bytes_2 INTEGER, rd_reqs_2 INTEGER, wr_reqs_2 INTEGER, dc_bytes_2 INTEGER, dc_reqs_2 INTEGER,
  gap_3 INTEGER, rd_bytes_3 INTEGER, wr_bytes_3 INTEGER, rd_reqs_3 INTEGER, wr_reqs_3 INTEGER, dc_bytes_3 INTEGER, dc_reqs_3 INTEGER,
  gap_4 INTEGER, rd_bytes_4 INTEGER, wr_bytes_4 INTEGER, rd_reqs_4 INTEGER, wr_reqs_4 INTEGER, dc_bytes_4 INTEGER, dc_reqs_4 INTEGER,
  gap_5 INTEGER, rd_bytes_5 INTEGER, wr_bytes_5 INTEGER, rd_reqs_5 INTEGER, wr_reqs_5 INTEGER, dc_bytes_5 INTEGER, dc_reqs_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- cgroup_io: 1h rollups, six buckets per row.
CREATE TABLE cgroup_io_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, rd_bytes_0 INTEGER, wr_bytes_0 INTEGER, rd_reqs_0 INTEGER, wr_reqs_0 INTEGER, dc_bytes_0 INTEGER, dc_reqs_0 INTEGER,
  gap_1 INTEGER, rd_bytes_1 INTEGER, wr_bytes_1 INTEGER, rd_reqs_1 INTEGER, wr_reqs_1 INTEGER, dc_bytes_1 INTEGER, dc_reqs_1 INTEGER,
  gap_2 INTEGER, rd_bytes_2 INTEGER, wr_bytes_2 INTEGER, rd_reqs_2 INTEGER, wr_reqs_2 INTEGER, dc_bytes_2 INTEGER, dc_reqs_2 INTEGER,
  gap_3 INTEGER, rd_bytes_3 INTEGER, wr_bytes_3 INTEGER, rd_reqs_3 INTEGER, wr_reqs_3 INTEGER, dc_bytes_3 INTEGER, dc_reqs_3 INTEGER,
  gap_4 INTEGER, rd_bytes_4 INTEGER, wr_bytes_4 INTEGER, rd_reqs_4 INTEGER, wr_reqs_4 INTEGER, dc_bytes_4 INTEGER, dc_reqs_4 INTEGER,
  gap_5 INTEGER, rd_bytes_5 INTEGER, wr_bytes_5 INTEGER, rd_reqs_5 INTEGER, wr_reqs_5 INTEGER, dc_bytes_5 INTEGER, dc_reqs_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- numa: raw rows, one per device per tick. Counters: the increase since the device's previous row
-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since
-- the device's previous row when that was not the previous tick (NULL: the tick's dt).
CREATE TABLE numa_raw (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  dt                         INTEGER,
  anon                       INTEGER,
  file                       INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- numa: readings at a device's first tick, after a reset and at the first tick of every keyframe period
-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).
CREATE TABLE numa_base (
  tick_id                    INTEGER NOT NULL,
  device_id                  INTEGER NOT NULL,
  anon,
  file,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

-- numa: 1m rollups, six buckets per row.
CREATE TABLE numa_1m_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, anon_0 INTEGER, anon_max_0 INTEGER, file_0 INTEGER, file_max_0 INTEGER,
  gap_1 INTEGER, anon_1 INTEGER, anon_max_1 INTEGER, file_1 INTEGER, file_max_1 INTEGER,
  gap_2 INTEGER, anon_2 INTEGER, anon_max_2 INTEGER, file_2 INTEGER, file_max_2 INTEGER,
  gap_3 INTEGER, anon_3 INTEGER, anon_max_3 INTEGER, file_3 INTEGER, file_max_3 INTEGER,
  gap_4 INTEGER, anon_4 INTEGER, anon_max_4 INTEGER, file_4 INTEGER, file_max_4 INTEGER,
  gap_5 INTEGER, anon_5 INTEGER, anon_max_5 INTEGER, file_5 INTEGER, file_max_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- numa: 1h rollups, six buckets per row.
CREATE TABLE numa_1h_block (
  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds
  device_id  INTEGER NOT NULL,
  gap_0 INTEGER, anon_0 INTEGER, anon_max_0 INTEGER, file_0 INTEGER, file_max_0 INTEGER,
  gap_1 INTEGER, anon_1 INTEGER, anon_max_1 INTEGER, file_1 INTEGER, file_max_1 INTEGER,
  gap_2 INTEGER, anon_2 INTEGER, anon_max_2 INTEGER, file_2 INTEGER, file_max_2 INTEGER,
  gap_3 INTEGER, anon_3 INTEGER, anon_max_3 INTEGER, file_3 INTEGER, file_max_3 INTEGER,
  gap_4 INTEGER, anon_4 INTEGER, anon_max_4 INTEGER, file_4 INTEGER, file_max_4 INTEGER,
  gap_5 INTEGER, anon_5 INTEGER, anon_max_5 INTEGER, file_5 INTEGER, file_max_5 INTEGER,
  PRIMARY KEY (block, device_id)
) WITHOUT ROWID;

-- Views for plain SQL. Times are Unix milliseconds (ts) or seconds (bucket); `domain` and `device` are names.

CREATE VIEW domain_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.cpu_time * 1000.0 / coalesce(r.dt, t.dt) AS cpu_time,
  r.cpu_user * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_user,
  r.cpu_system * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_system,
  r.io_rchar * 1000.0 / coalesce(r.dt, t.dt) AS io_rchar,
  r.io_wchar * 1000.0 / coalesce(r.dt, t.dt) AS io_wchar,
  r.io_syscr * 1000.0 / coalesce(r.dt, t.dt) AS io_syscr,
  r.io_syscw * 1000.0 / coalesce(r.dt, t.dt) AS io_syscw,
  r.io_read_bytes * 1000.0 / coalesce(r.dt, t.dt) AS io_read_bytes,
  r.io_write_bytes * 1000.0 / coalesce(r.dt, t.dt) AS io_write_bytes,
  r.io_cancelled_write_bytes * 1000.0 / coalesce(r.dt, t.dt) AS io_cancelled_write_bytes,
  r.psi_cpu_some * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_cpu_some,
  r.psi_cpu_full * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_cpu_full,
  r.psi_memory_some * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_memory_some,
  r.psi_memory_full * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_memory_full,
  r.psi_io_some * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_io_some,
  r.psi_io_full * 1000 * 1000.0 / coalesce(r.dt, t.dt) AS psi_io_full,
  r.mem_events_oom_kill * 1000.0 / coalesce(r.dt, t.dt) AS mem_events_oom_kill,
  r.cpu_throttled_time * 1000.0 / coalesce(r.dt, t.dt) AS cpu_throttled_time
FROM domain_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW domain_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, cpu_time, cpu_user, cpu_system, balloon_rss, io_rchar, io_wchar, io_syscr, io_syscw, io_read_bytes, io_write_bytes, io_cancelled_write_bytes, psi_cpu_some, psi_cpu_full, psi_memory_some, psi_memory_full, psi_io_some, psi_io_full, mem_current, mem_swap, mem_events_oom_kill, cpu_throttled_time FROM domain_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, cpu_time, cpu_user, cpu_system, balloon_rss, io_rchar, io_wchar, io_syscr, io_syscw, io_read_bytes, io_write_bytes, io_cancelled_write_bytes, psi_cpu_some, psi_cpu_full, psi_memory_some, psi_memory_full, psi_io_some, psi_io_full, mem_current, mem_swap, mem_events_oom_kill, cpu_throttled_time FROM domain_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_time) >= 4611686018427387904 THEN g.cpu_time * 1.0 ELSE g.cpu_time END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_time END) OVER w AS cpu_time,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_user) >= 4611686018427387904 THEN g.cpu_user * 1.0 ELSE g.cpu_user END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_user END) OVER w AS cpu_user,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_system) >= 4611686018427387904 THEN g.cpu_system * 1.0 ELSE g.cpu_system END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_system END) OVER w AS cpu_system,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.balloon_rss) >= 4611686018427387904 THEN g.balloon_rss * 1.0 ELSE g.balloon_rss END WHEN g.tick_id = g.bt THEN NULL ELSE g.balloon_rss END) OVER w AS balloon_rss,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_rchar) >= 4611686018427387904 THEN g.io_rchar * 1.0 ELSE g.io_rchar END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_rchar END) OVER w AS io_rchar,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_wchar) >= 4611686018427387904 THEN g.io_wchar * 1.0 ELSE g.io_wchar END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_wchar END) OVER w AS io_wchar,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_syscr) >= 4611686018427387904 THEN g.io_syscr * 1.0 ELSE g.io_syscr END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_syscr END) OVER w AS io_syscr,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_syscw) >= 4611686018427387904 THEN g.io_syscw * 1.0 ELSE g.io_syscw END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_syscw END) OVER w AS io_syscw,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_read_bytes) >= 4611686018427387904 THEN g.io_read_bytes * 1.0 ELSE g.io_read_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_read_bytes END) OVER w AS io_read_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_write_bytes) >= 4611686018427387904 THEN g.io_write_bytes * 1.0 ELSE g.io_write_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_write_bytes END) OVER w AS io_write_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.io_cancelled_write_bytes) >= 4611686018427387904 THEN g.io_cancelled_write_bytes * 1.0 ELSE g.io_cancelled_write_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.io_cancelled_write_bytes END) OVER w AS io_cancelled_write_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_cpu_some) >= 4611686018427387904 THEN g.psi_cpu_some * 1.0 ELSE g.psi_cpu_some END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_cpu_some END) OVER w AS psi_cpu_some,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_cpu_full) >= 4611686018427387904 THEN g.psi_cpu_full * 1.0 ELSE g.psi_cpu_full END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_cpu_full END) OVER w AS psi_cpu_full,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_memory_some) >= 4611686018427387904 THEN g.psi_memory_some * 1.0 ELSE g.psi_memory_some END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_memory_some END) OVER w AS psi_memory_some,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_memory_full) >= 4611686018427387904 THEN g.psi_memory_full * 1.0 ELSE g.psi_memory_full END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_memory_full END) OVER w AS psi_memory_full,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_io_some) >= 4611686018427387904 THEN g.psi_io_some * 1.0 ELSE g.psi_io_some END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_io_some END) OVER w AS psi_io_some,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.psi_io_full) >= 4611686018427387904 THEN g.psi_io_full * 1.0 ELSE g.psi_io_full END WHEN g.tick_id = g.bt THEN NULL ELSE g.psi_io_full END) OVER w AS psi_io_full,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_current) >= 4611686018427387904 THEN g.mem_current * 1.0 ELSE g.mem_current END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_current END) OVER w AS mem_current,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_swap) >= 4611686018427387904 THEN g.mem_swap * 1.0 ELSE g.mem_swap END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_swap END) OVER w AS mem_swap,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_events_oom_kill) >= 4611686018427387904 THEN g.mem_events_oom_kill * 1.0 ELSE g.mem_events_oom_kill END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_events_oom_kill END) OVER w AS mem_events_oom_kill,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_throttled_time) >= 4611686018427387904 THEN g.cpu_throttled_time * 1.0 ELSE g.cpu_throttled_time END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_throttled_time END) OVER w AS cpu_throttled_time
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.cpu_time END AS cpu_time,
  CASE WHEN y.gen > 0 THEN y.cpu_user * 1000 END AS cpu_user,
  CASE WHEN y.gen > 0 THEN y.cpu_system * 1000 END AS cpu_system,
  CASE WHEN y.gen > 0 THEN y.balloon_rss END AS balloon_rss,
  CASE WHEN y.gen > 0 THEN y.io_rchar END AS io_rchar,
  CASE WHEN y.gen > 0 THEN y.io_wchar END AS io_wchar,
  CASE WHEN y.gen > 0 THEN y.io_syscr END AS io_syscr,
  CASE WHEN y.gen > 0 THEN y.io_syscw END AS io_syscw,
  CASE WHEN y.gen > 0 THEN y.io_read_bytes END AS io_read_bytes,
  CASE WHEN y.gen > 0 THEN y.io_write_bytes END AS io_write_bytes,
  CASE WHEN y.gen > 0 THEN y.io_cancelled_write_bytes END AS io_cancelled_write_bytes,
  CASE WHEN y.gen > 0 THEN y.psi_cpu_some * 1000 END AS psi_cpu_some,
  CASE WHEN y.gen > 0 THEN y.psi_cpu_full * 1000 END AS psi_cpu_full,
  CASE WHEN y.gen > 0 THEN y.psi_memory_some * 1000 END AS psi_memory_some,
  CASE WHEN y.gen > 0 THEN y.psi_memory_full * 1000 END AS psi_memory_full,
  CASE WHEN y.gen > 0 THEN y.psi_io_some * 1000 END AS psi_io_some,
  CASE WHEN y.gen > 0 THEN y.psi_io_full * 1000 END AS psi_io_full,
  CASE WHEN y.gen > 0 THEN y.mem_current END AS mem_current,
  CASE WHEN y.gen > 0 THEN y.mem_swap END AS mem_swap,
  CASE WHEN y.gen > 0 THEN y.mem_events_oom_kill END AS mem_events_oom_kill,
  CASE WHEN y.gen > 0 THEN y.cpu_throttled_time END AS cpu_throttled_time
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW domain_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.cpu_time_0 WHEN 1 THEN b.cpu_time_1 WHEN 2 THEN b.cpu_time_2 WHEN 3 THEN b.cpu_time_3 WHEN 4 THEN b.cpu_time_4 WHEN 5 THEN b.cpu_time_5 END AS cpu_time_sum,
  CASE s.slot WHEN 0 THEN b.cpu_time_peak_0 WHEN 1 THEN b.cpu_time_peak_1 WHEN 2 THEN b.cpu_time_peak_2 WHEN 3 THEN b.cpu_time_peak_3 WHEN 4 THEN b.cpu_time_peak_4 WHEN 5 THEN b.cpu_time_peak_5 END AS cpu_time_max,
  CASE s.slot WHEN 0 THEN b.cpu_user_0 WHEN 1 THEN b.cpu_user_1 WHEN 2 THEN b.cpu_user_2 WHEN 3 THEN b.cpu_user_3 WHEN 4 THEN b.cpu_user_4 WHEN 5 THEN b.cpu_user_5 END * 1000 AS cpu_user_sum,
  CASE s.slot WHEN 0 THEN b.cpu_system_0 WHEN 1 THEN b.cpu_system_1 WHEN 2 THEN b.cpu_system_2 WHEN 3 THEN b.cpu_system_3 WHEN 4 THEN b.cpu_system_4 WHEN 5 THEN b.cpu_system_5 END * 1000 AS cpu_system_sum,
  CASE s.slot WHEN 0 THEN b.balloon_rss_0 WHEN 1 THEN b.balloon_rss_1 WHEN 2 THEN b.balloon_rss_2 WHEN 3 THEN b.balloon_rss_3 WHEN 4 THEN b.balloon_rss_4 WHEN 5 THEN b.balloon_rss_5 END AS balloon_rss_mean,
  CASE s.slot WHEN 0 THEN b.balloon_rss_max_0 WHEN 1 THEN b.balloon_rss_max_1 WHEN 2 THEN b.balloon_rss_max_2 WHEN 3 THEN b.balloon_rss_max_3 WHEN 4 THEN b.balloon_rss_max_4 WHEN 5 THEN b.balloon_rss_max_5 END AS balloon_rss_max,
  CASE s.slot WHEN 0 THEN b.io_rchar_0 WHEN 1 THEN b.io_rchar_1 WHEN 2 THEN b.io_rchar_2 WHEN 3 THEN b.io_rchar_3 WHEN 4 THEN b.io_rchar_4 WHEN 5 THEN b.io_rchar_5 END AS io_rchar_sum,
  CASE s.slot WHEN 0 THEN b.io_wchar_0 WHEN 1 THEN b.io_wchar_1 WHEN 2 THEN b.io_wchar_2 WHEN 3 THEN b.io_wchar_3 WHEN 4 THEN b.io_wchar_4 WHEN 5 THEN b.io_wchar_5 END AS io_wchar_sum,
  CASE s.slot WHEN 0 THEN b.io_syscr_0 WHEN 1 THEN b.io_syscr_1 WHEN 2 THEN b.io_syscr_2 WHEN 3 THEN b.io_syscr_3 WHEN 4 THEN b.io_syscr_4 WHEN 5 THEN b.io_syscr_5 END AS io_syscr_sum,
  CASE s.slot WHEN 0 THEN b.io_syscw_0 WHEN 1 THEN b.io_syscw_1 WHEN 2 THEN b.io_syscw_2 WHEN 3 THEN b.io_syscw_3 WHEN 4 THEN b.io_syscw_4 WHEN 5 THEN b.io_syscw_5 END AS io_syscw_sum,
  CASE s.slot WHEN 0 THEN b.io_read_bytes_0 WHEN 1 THEN b.io_read_bytes_1 WHEN 2 THEN b.io_read_bytes_2 WHEN 3 THEN b.io_read_bytes_3 WHEN 4 THEN b.io_read_bytes_4 WHEN 5 THEN b.io_read_bytes_5 END AS io_read_bytes_sum,
  CASE s.slot WHEN 0 THEN b.io_write_bytes_0 WHEN 1 THEN b.io_write_bytes_1 WHEN 2 THEN b.io_write_bytes_2 WHEN 3 THEN b.io_write_bytes_3 WHEN 4 THEN b.io_write_bytes_4 WHEN 5 THEN b.io_write_bytes_5 END AS io_write_bytes_sum,
  CASE s.slot WHEN 0 THEN b.io_cancelled_write_bytes_0 WHEN 1 THEN b.io_cancelled_write_bytes_1 WHEN 2 THEN b.io_cancelled_write_bytes_2 WHEN 3 THEN b.io_cancelled_write_bytes_3 WHEN 4 THEN b.io_cancelled_write_bytes_4 WHEN 5 THEN b.io_cancelled_write_bytes_5 END AS io_cancelled_write_bytes_sum,
  CASE s.slot WHEN 0 THEN b.psi_cpu_some_0 WHEN 1 THEN b.psi_cpu_some_1 WHEN 2 THEN b.psi_cpu_some_2 WHEN 3 THEN b.psi_cpu_some_3 WHEN 4 THEN b.psi_cpu_some_4 WHEN 5 THEN b.psi_cpu_some_5 END * 1000 AS psi_cpu_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_cpu_full_0 WHEN 1 THEN b.psi_cpu_full_1 WHEN 2 THEN b.psi_cpu_full_2 WHEN 3 THEN b.psi_cpu_full_3 WHEN 4 THEN b.psi_cpu_full_4 WHEN 5 THEN b.psi_cpu_full_5 END * 1000 AS psi_cpu_full_sum,
  CASE s.slot WHEN 0 THEN b.psi_memory_some_0 WHEN 1 THEN b.psi_memory_some_1 WHEN 2 THEN b.psi_memory_some_2 WHEN 3 THEN b.psi_memory_some_3 WHEN 4 THEN b.psi_memory_some_4 WHEN 5 THEN b.psi_memory_some_5 END * 1000 AS psi_memory_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_memory_full_0 WHEN 1 THEN b.psi_memory_full_1 WHEN 2 THEN b.psi_memory_full_2 WHEN 3 THEN b.psi_memory_full_3 WHEN 4 THEN b.psi_memory_full_4 WHEN 5 THEN b.psi_memory_full_5 END * 1000 AS psi_memory_full_sum,
  CASE s.slot WHEN 0 THEN b.psi_io_some_0 WHEN 1 THEN b.psi_io_some_1 WHEN 2 THEN b.psi_io_some_2 WHEN 3 THEN b.psi_io_some_3 WHEN 4 THEN b.psi_io_some_4 WHEN 5 THEN b.psi_io_some_5 END * 1000 AS psi_io_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_io_full_0 WHEN 1 THEN b.psi_io_full_1 WHEN 2 THEN b.psi_io_full_2 WHEN 3 THEN b.psi_io_full_3 WHEN 4 THEN b.psi_io_full_4 WHEN 5 THEN b.psi_io_full_5 END * 1000 AS psi_io_full_sum,
  CASE s.slot WHEN 0 THEN b.mem_current_0 WHEN 1 THEN b.mem_current_1 WHEN 2 THEN b.mem_current_2 WHEN 3 THEN b.mem_current_3 WHEN 4 THEN b.mem_current_4 WHEN 5 THEN b.mem_current_5 END AS mem_current_mean,
  CASE s.slot WHEN 0 THEN b.mem_current_max_0 WHEN 1 THEN b.mem_current_max_1 WHEN 2 THEN b.mem_current_max_2 WHEN 3 THEN b.mem_current_max_3 WHEN 4 THEN b.mem_current_max_4 WHEN 5 THEN b.mem_current_max_5 END AS mem_current_max,
  CASE s.slot WHEN 0 THEN b.mem_swap_0 WHEN 1 THEN b.mem_swap_1 WHEN 2 THEN b.mem_swap_2 WHEN 3 THEN b.mem_swap_3 WHEN 4 THEN b.mem_swap_4 WHEN 5 THEN b.mem_swap_5 END AS mem_swap_mean,
  CASE s.slot WHEN 0 THEN b.mem_swap_max_0 WHEN 1 THEN b.mem_swap_max_1 WHEN 2 THEN b.mem_swap_max_2 WHEN 3 THEN b.mem_swap_max_3 WHEN 4 THEN b.mem_swap_max_4 WHEN 5 THEN b.mem_swap_max_5 END AS mem_swap_max,
  CASE s.slot WHEN 0 THEN b.mem_events_oom_kill_0 WHEN 1 THEN b.mem_events_oom_kill_1 WHEN 2 THEN b.mem_events_oom_kill_2 WHEN 3 THEN b.mem_events_oom_kill_3 WHEN 4 THEN b.mem_events_oom_kill_4 WHEN 5 THEN b.mem_events_oom_kill_5 END AS mem_events_oom_kill_sum,
  CASE s.slot WHEN 0 THEN b.cpu_throttled_time_0 WHEN 1 THEN b.cpu_throttled_time_1 WHEN 2 THEN b.cpu_throttled_time_2 WHEN 3 THEN b.cpu_throttled_time_3 WHEN 4 THEN b.cpu_throttled_time_4 WHEN 5 THEN b.cpu_throttled_time_5 END AS cpu_throttled_time_sum
FROM domain_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW domain_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.cpu_time_sum / r.secs AS cpu_time,
  r.cpu_time_max AS cpu_time_max,
  r.cpu_user_sum / r.secs AS cpu_user,
  r.cpu_system_sum / r.secs AS cpu_system,
  r.balloon_rss_mean AS balloon_rss,
  r.balloon_rss_max AS balloon_rss_max,
  r.io_rchar_sum / r.secs AS io_rchar,
  r.io_wchar_sum / r.secs AS io_wchar,
  r.io_syscr_sum / r.secs AS io_syscr,
  r.io_syscw_sum / r.secs AS io_syscw,
  r.io_read_bytes_sum / r.secs AS io_read_bytes,
  r.io_write_bytes_sum / r.secs AS io_write_bytes,
  r.io_cancelled_write_bytes_sum / r.secs AS io_cancelled_write_bytes,
  r.psi_cpu_some_sum / r.secs AS psi_cpu_some,
  r.psi_cpu_full_sum / r.secs AS psi_cpu_full,
  r.psi_memory_some_sum / r.secs AS psi_memory_some,
  r.psi_memory_full_sum / r.secs AS psi_memory_full,
  r.psi_io_some_sum / r.secs AS psi_io_some,
  r.psi_io_full_sum / r.secs AS psi_io_full,
  r.mem_current_mean AS mem_current,
  r.mem_current_max AS mem_current_max,
  r.mem_swap_mean AS mem_swap,
  r.mem_swap_max AS mem_swap_max,
  r.mem_events_oom_kill_sum / r.secs AS mem_events_oom_kill,
  r.cpu_throttled_time_sum / r.secs AS cpu_throttled_time
FROM domain_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW domain_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.cpu_time_0 WHEN 1 THEN b.cpu_time_1 WHEN 2 THEN b.cpu_time_2 WHEN 3 THEN b.cpu_time_3 WHEN 4 THEN b.cpu_time_4 WHEN 5 THEN b.cpu_time_5 END AS cpu_time_sum,
  CASE s.slot WHEN 0 THEN b.cpu_time_peak_0 WHEN 1 THEN b.cpu_time_peak_1 WHEN 2 THEN b.cpu_time_peak_2 WHEN 3 THEN b.cpu_time_peak_3 WHEN 4 THEN b.cpu_time_peak_4 WHEN 5 THEN b.cpu_time_peak_5 END AS cpu_time_max,
  CASE s.slot WHEN 0 THEN b.cpu_user_0 WHEN 1 THEN b.cpu_user_1 WHEN 2 THEN b.cpu_user_2 WHEN 3 THEN b.cpu_user_3 WHEN 4 THEN b.cpu_user_4 WHEN 5 THEN b.cpu_user_5 END * 1000 AS cpu_user_sum,
  CASE s.slot WHEN 0 THEN b.cpu_system_0 WHEN 1 THEN b.cpu_system_1 WHEN 2 THEN b.cpu_system_2 WHEN 3 THEN b.cpu_system_3 WHEN 4 THEN b.cpu_system_4 WHEN 5 THEN b.cpu_system_5 END * 1000 AS cpu_system_sum,
  CASE s.slot WHEN 0 THEN b.balloon_rss_0 WHEN 1 THEN b.balloon_rss_1 WHEN 2 THEN b.balloon_rss_2 WHEN 3 THEN b.balloon_rss_3 WHEN 4 THEN b.balloon_rss_4 WHEN 5 THEN b.balloon_rss_5 END AS balloon_rss_mean,
  CASE s.slot WHEN 0 THEN b.balloon_rss_max_0 WHEN 1 THEN b.balloon_rss_max_1 WHEN 2 THEN b.balloon_rss_max_2 WHEN 3 THEN b.balloon_rss_max_3 WHEN 4 THEN b.balloon_rss_max_4 WHEN 5 THEN b.balloon_rss_max_5 END AS balloon_rss_max,
  CASE s.slot WHEN 0 THEN b.io_rchar_0 WHEN 1 THEN b.io_rchar_1 WHEN 2 THEN b.io_rchar_2 WHEN 3 THEN b.io_rchar_3 WHEN 4 THEN b.io_rchar_4 WHEN 5 THEN b.io_rchar_5 END AS io_rchar_sum,
  CASE s.slot WHEN 0 THEN b.io_wchar_0 WHEN 1 THEN b.io_wchar_1 WHEN 2 THEN b.io_wchar_2 WHEN 3 THEN b.io_wchar_3 WHEN 4 THEN b.io_wchar_4 WHEN 5 THEN b.io_wchar_5 END AS io_wchar_sum,
  CASE s.slot WHEN 0 THEN b.io_syscr_0 WHEN 1 THEN b.io_syscr_1 WHEN 2 THEN b.io_syscr_2 WHEN 3 THEN b.io_syscr_3 WHEN 4 THEN b.io_syscr_4 WHEN 5 THEN b.io_syscr_5 END AS io_syscr_sum,
  CASE s.slot WHEN 0 THEN b.io_syscw_0 WHEN 1 THEN b.io_syscw_1 WHEN 2 THEN b.io_syscw_2 WHEN 3 THEN b.io_syscw_3 WHEN 4 THEN b.io_syscw_4 WHEN 5 THEN b.io_syscw_5 END AS io_syscw_sum,
  CASE s.slot WHEN 0 THEN b.io_read_bytes_0 WHEN 1 THEN b.io_read_bytes_1 WHEN 2 THEN b.io_read_bytes_2 WHEN 3 THEN b.io_read_bytes_3 WHEN 4 THEN b.io_read_bytes_4 WHEN 5 THEN b.io_read_bytes_5 END AS io_read_bytes_sum,
  CASE s.slot WHEN 0 THEN b.io_write_bytes_0 WHEN 1 THEN b.io_write_bytes_1 WHEN 2 THEN b.io_write_bytes_2 WHEN 3 THEN b.io_write_bytes_3 WHEN 4 THEN b.io_write_bytes_4 WHEN 5 THEN b.io_write_bytes_5 END AS io_write_bytes_sum,
  CASE s.slot WHEN 0 THEN b.io_cancelled_write_bytes_0 WHEN 1 THEN b.io_cancelled_write_bytes_1 WHEN 2 THEN b.io_cancelled_write_bytes_2 WHEN 3 THEN b.io_cancelled_write_bytes_3 WHEN 4 THEN b.io_cancelled_write_bytes_4 WHEN 5 THEN b.io_cancelled_write_bytes_5 END AS io_cancelled_write_bytes_sum,
  CASE s.slot WHEN 0 THEN b.psi_cpu_some_0 WHEN 1 THEN b.psi_cpu_some_1 WHEN 2 THEN b.psi_cpu_some_2 WHEN 3 THEN b.psi_cpu_some_3 WHEN 4 THEN b.psi_cpu_some_4 WHEN 5 THEN b.psi_cpu_some_5 END * 1000 AS psi_cpu_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_cpu_full_0 WHEN 1 THEN b.psi_cpu_full_1 WHEN 2 THEN b.psi_cpu_full_2 WHEN 3 THEN b.psi_cpu_full_3 WHEN 4 THEN b.psi_cpu_full_4 WHEN 5 THEN b.psi_cpu_full_5 END * 1000 AS psi_cpu_full_sum,
  CASE s.slot WHEN 0 THEN b.psi_memory_some_0 WHEN 1 THEN b.psi_memory_some_1 WHEN 2 THEN b.psi_memory_some_2 WHEN 3 THEN b.psi_memory_some_3 WHEN 4 THEN b.psi_memory_some_4 WHEN 5 THEN b.psi_memory_some_5 END * 1000 AS psi_memory_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_memory_full_0 WHEN 1 THEN b.psi_memory_full_1 WHEN 2 THEN b.psi_memory_full_2 WHEN 3 THEN b.psi_memory_full_3 WHEN 4 THEN b.psi_memory_full_4 WHEN 5 THEN b.psi_memory_full_5 END * 1000 AS psi_memory_full_sum,
  CASE s.slot WHEN 0 THEN b.psi_io_some_0 WHEN 1 THEN b.psi_io_some_1 WHEN 2 THEN b.psi_io_some_2 WHEN 3 THEN b.psi_io_some_3 WHEN 4 THEN b.psi_io_some_4 WHEN 5 THEN b.psi_io_some_5 END * 1000 AS psi_io_some_sum,
  CASE s.slot WHEN 0 THEN b.psi_io_full_0 WHEN 1 THEN b.psi_io_full_1 WHEN 2 THEN b.psi_io_full_2 WHEN 3 THEN b.psi_io_full_3 WHEN 4 THEN b.psi_io_full_4 WHEN 5 THEN b.psi_io_full_5 END * 1000 AS psi_io_full_sum,
  CASE s.slot WHEN 0 THEN b.mem_current_0 WHEN 1 THEN b.mem_current_1 WHEN 2 THEN b.mem_current_2 WHEN 3 THEN b.mem_current_3 WHEN 4 THEN b.mem_current_4 WHEN 5 THEN b.mem_current_5 END AS mem_current_mean,
  CASE s.slot WHEN 0 THEN b.mem_current_max_0 WHEN 1 THEN b.mem_current_max_1 WHEN 2 THEN b.mem_current_max_2 WHEN 3 THEN b.mem_current_max_3 WHEN 4 THEN b.mem_current_max_4 WHEN 5 THEN b.mem_current_max_5 END AS mem_current_max,
  CASE s.slot WHEN 0 THEN b.mem_swap_0 WHEN 1 THEN b.mem_swap_1 WHEN 2 THEN b.mem_swap_2 WHEN 3 THEN b.mem_swap_3 WHEN 4 THEN b.mem_swap_4 WHEN 5 THEN b.mem_swap_5 END AS mem_swap_mean,
  CASE s.slot WHEN 0 THEN b.mem_swap_max_0 WHEN 1 THEN b.mem_swap_max_1 WHEN 2 THEN b.mem_swap_max_2 WHEN 3 THEN b.mem_swap_max_3 WHEN 4 THEN b.mem_swap_max_4 WHEN 5 THEN b.mem_swap_max_5 END AS mem_swap_max,
  CASE s.slot WHEN 0 THEN b.mem_events_oom_kill_0 WHEN 1 THEN b.mem_events_oom_kill_1 WHEN 2 THEN b.mem_events_oom_kill_2 WHEN 3 THEN b.mem_events_oom_kill_3 WHEN 4 THEN b.mem_events_oom_kill_4 WHEN 5 THEN b.mem_events_oom_kill_5 END AS mem_events_oom_kill_sum,
  CASE s.slot WHEN 0 THEN b.cpu_throttled_time_0 WHEN 1 THEN b.cpu_throttled_time_1 WHEN 2 THEN b.cpu_throttled_time_2 WHEN 3 THEN b.cpu_throttled_time_3 WHEN 4 THEN b.cpu_throttled_time_4 WHEN 5 THEN b.cpu_throttled_time_5 END AS cpu_throttled_time_sum
FROM domain_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW domain_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.cpu_time_sum / r.secs AS cpu_time,
  r.cpu_time_max AS cpu_time_max,
  r.cpu_user_sum / r.secs AS cpu_user,
  r.cpu_system_sum / r.secs AS cpu_system,
  r.balloon_rss_mean AS balloon_rss,
  r.balloon_rss_max AS balloon_rss_max,
  r.io_rchar_sum / r.secs AS io_rchar,
  r.io_wchar_sum / r.secs AS io_wchar,
  r.io_syscr_sum / r.secs AS io_syscr,
  r.io_syscw_sum / r.secs AS io_syscw,
  r.io_read_bytes_sum / r.secs AS io_read_bytes,
  r.io_write_bytes_sum / r.secs AS io_write_bytes,
  r.io_cancelled_write_bytes_sum / r.secs AS io_cancelled_write_bytes,
  r.psi_cpu_some_sum / r.secs AS psi_cpu_some,
  r.psi_cpu_full_sum / r.secs AS psi_cpu_full,
  r.psi_memory_some_sum / r.secs AS psi_memory_some,
  r.psi_memory_full_sum / r.secs AS psi_memory_full,
  r.psi_io_some_sum / r.secs AS psi_io_some,
  r.psi_io_full_sum / r.secs AS psi_io_full,
  r.mem_current_mean AS mem_current,
  r.mem_current_max AS mem_current_max,
  r.mem_swap_mean AS mem_swap,
  r.mem_swap_max AS mem_swap_max,
  r.mem_events_oom_kill_sum / r.secs AS mem_events_oom_kill,
  r.cpu_throttled_time_sum / r.secs AS cpu_throttled_time
FROM domain_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW host_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.cpu_user * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_user,
  r.cpu_nice * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_nice,
  r.cpu_system * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_system,
  r.cpu_idle * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_idle,
  r.cpu_iowait * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_iowait,
  r.cpu_irq * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_irq,
  r.cpu_softirq * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_softirq,
  r.cpu_steal * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS cpu_steal
FROM host_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW host_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, cpu_user, cpu_nice, cpu_system, cpu_idle, cpu_iowait, cpu_irq, cpu_softirq, cpu_steal, mem_free, mem_available, mem_buffers, mem_cached, swap_free FROM host_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, cpu_user, cpu_nice, cpu_system, cpu_idle, cpu_iowait, cpu_irq, cpu_softirq, cpu_steal, mem_free, mem_available, mem_buffers, mem_cached, swap_free FROM host_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_user) >= 4611686018427387904 THEN g.cpu_user * 1.0 ELSE g.cpu_user END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_user END) OVER w AS cpu_user,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_nice) >= 4611686018427387904 THEN g.cpu_nice * 1.0 ELSE g.cpu_nice END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_nice END) OVER w AS cpu_nice,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_system) >= 4611686018427387904 THEN g.cpu_system * 1.0 ELSE g.cpu_system END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_system END) OVER w AS cpu_system,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_idle) >= 4611686018427387904 THEN g.cpu_idle * 1.0 ELSE g.cpu_idle END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_idle END) OVER w AS cpu_idle,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_iowait) >= 4611686018427387904 THEN g.cpu_iowait * 1.0 ELSE g.cpu_iowait END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_iowait END) OVER w AS cpu_iowait,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_irq) >= 4611686018427387904 THEN g.cpu_irq * 1.0 ELSE g.cpu_irq END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_irq END) OVER w AS cpu_irq,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_softirq) >= 4611686018427387904 THEN g.cpu_softirq * 1.0 ELSE g.cpu_softirq END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_softirq END) OVER w AS cpu_softirq,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.cpu_steal) >= 4611686018427387904 THEN g.cpu_steal * 1.0 ELSE g.cpu_steal END WHEN g.tick_id = g.bt THEN NULL ELSE g.cpu_steal END) OVER w AS cpu_steal,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_free) >= 4611686018427387904 THEN g.mem_free * 1.0 ELSE g.mem_free END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_free END) OVER w AS mem_free,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_available) >= 4611686018427387904 THEN g.mem_available * 1.0 ELSE g.mem_available END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_available END) OVER w AS mem_available,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_buffers) >= 4611686018427387904 THEN g.mem_buffers * 1.0 ELSE g.mem_buffers END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_buffers END) OVER w AS mem_buffers,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.mem_cached) >= 4611686018427387904 THEN g.mem_cached * 1.0 ELSE g.mem_cached END WHEN g.tick_id = g.bt THEN NULL ELSE g.mem_cached END) OVER w AS mem_cached,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.swap_free) >= 4611686018427387904 THEN g.swap_free * 1.0 ELSE g.swap_free END WHEN g.tick_id = g.bt THEN NULL ELSE g.swap_free END) OVER w AS swap_free
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.cpu_user * 10000000 END AS cpu_user,
  CASE WHEN y.gen > 0 THEN y.cpu_nice * 10000000 END AS cpu_nice,
  CASE WHEN y.gen > 0 THEN y.cpu_system * 10000000 END AS cpu_system,
  CASE WHEN y.gen > 0 THEN y.cpu_idle * 10000000 END AS cpu_idle,
  CASE WHEN y.gen > 0 THEN y.cpu_iowait * 10000000 END AS cpu_iowait,
  CASE WHEN y.gen > 0 THEN y.cpu_irq * 10000000 END AS cpu_irq,
  CASE WHEN y.gen > 0 THEN y.cpu_softirq * 10000000 END AS cpu_softirq,
  CASE WHEN y.gen > 0 THEN y.cpu_steal * 10000000 END AS cpu_steal,
  CASE WHEN y.gen > 0 THEN y.mem_free END AS mem_free,
  CASE WHEN y.gen > 0 THEN y.mem_available END AS mem_available,
  CASE WHEN y.gen > 0 THEN y.mem_buffers END AS mem_buffers,
  CASE WHEN y.gen > 0 THEN y.mem_cached END AS mem_cached,
  CASE WHEN y.gen > 0 THEN y.swap_free END AS swap_free
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW host_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.cpu_user_0 WHEN 1 THEN b.cpu_user_1 WHEN 2 THEN b.cpu_user_2 WHEN 3 THEN b.cpu_user_3 WHEN 4 THEN b.cpu_user_4 WHEN 5 THEN b.cpu_user_5 END * 10000000 AS cpu_user_sum,
  CASE s.slot WHEN 0 THEN b.cpu_nice_0 WHEN 1 THEN b.cpu_nice_1 WHEN 2 THEN b.cpu_nice_2 WHEN 3 THEN b.cpu_nice_3 WHEN 4 THEN b.cpu_nice_4 WHEN 5 THEN b.cpu_nice_5 END * 10000000 AS cpu_nice_sum,
  CASE s.slot WHEN 0 THEN b.cpu_system_0 WHEN 1 THEN b.cpu_system_1 WHEN 2 THEN b.cpu_system_2 WHEN 3 THEN b.cpu_system_3 WHEN 4 THEN b.cpu_system_4 WHEN 5 THEN b.cpu_system_5 END * 10000000 AS cpu_system_sum,
  CASE s.slot WHEN 0 THEN b.cpu_idle_0 WHEN 1 THEN b.cpu_idle_1 WHEN 2 THEN b.cpu_idle_2 WHEN 3 THEN b.cpu_idle_3 WHEN 4 THEN b.cpu_idle_4 WHEN 5 THEN b.cpu_idle_5 END * 10000000 AS cpu_idle_sum,
  CASE s.slot WHEN 0 THEN b.cpu_iowait_0 WHEN 1 THEN b.cpu_iowait_1 WHEN 2 THEN b.cpu_iowait_2 WHEN 3 THEN b.cpu_iowait_3 WHEN 4 THEN b.cpu_iowait_4 WHEN 5 THEN b.cpu_iowait_5 END * 10000000 AS cpu_iowait_sum,
  CASE s.slot WHEN 0 THEN b.cpu_irq_0 WHEN 1 THEN b.cpu_irq_1 WHEN 2 THEN b.cpu_irq_2 WHEN 3 THEN b.cpu_irq_3 WHEN 4 THEN b.cpu_irq_4 WHEN 5 THEN b.cpu_irq_5 END * 10000000 AS cpu_irq_sum,
  CASE s.slot WHEN 0 THEN b.cpu_softirq_0 WHEN 1 THEN b.cpu_softirq_1 WHEN 2 THEN b.cpu_softirq_2 WHEN 3 THEN b.cpu_softirq_3 WHEN 4 THEN b.cpu_softirq_4 WHEN 5 THEN b.cpu_softirq_5 END * 10000000 AS cpu_softirq_sum,
  CASE s.slot WHEN 0 THEN b.cpu_steal_0 WHEN 1 THEN b.cpu_steal_1 WHEN 2 THEN b.cpu_steal_2 WHEN 3 THEN b.cpu_steal_3 WHEN 4 THEN b.cpu_steal_4 WHEN 5 THEN b.cpu_steal_5 END * 10000000 AS cpu_steal_sum,
  CASE s.slot WHEN 0 THEN b.mem_free_0 WHEN 1 THEN b.mem_free_1 WHEN 2 THEN b.mem_free_2 WHEN 3 THEN b.mem_free_3 WHEN 4 THEN b.mem_free_4 WHEN 5 THEN b.mem_free_5 END AS mem_free_mean,
  CASE s.slot WHEN 0 THEN b.mem_free_min_0 WHEN 1 THEN b.mem_free_min_1 WHEN 2 THEN b.mem_free_min_2 WHEN 3 THEN b.mem_free_min_3 WHEN 4 THEN b.mem_free_min_4 WHEN 5 THEN b.mem_free_min_5 END AS mem_free_min,
  CASE s.slot WHEN 0 THEN b.mem_available_0 WHEN 1 THEN b.mem_available_1 WHEN 2 THEN b.mem_available_2 WHEN 3 THEN b.mem_available_3 WHEN 4 THEN b.mem_available_4 WHEN 5 THEN b.mem_available_5 END AS mem_available_mean,
  CASE s.slot WHEN 0 THEN b.mem_available_min_0 WHEN 1 THEN b.mem_available_min_1 WHEN 2 THEN b.mem_available_min_2 WHEN 3 THEN b.mem_available_min_3 WHEN 4 THEN b.mem_available_min_4 WHEN 5 THEN b.mem_available_min_5 END AS mem_available_min,
  CASE s.slot WHEN 0 THEN b.mem_buffers_0 WHEN 1 THEN b.mem_buffers_1 WHEN 2 THEN b.mem_buffers_2 WHEN 3 THEN b.mem_buffers_3 WHEN 4 THEN b.mem_buffers_4 WHEN 5 THEN b.mem_buffers_5 END AS mem_buffers_mean,
  CASE s.slot WHEN 0 THEN b.mem_buffers_max_0 WHEN 1 THEN b.mem_buffers_max_1 WHEN 2 THEN b.mem_buffers_max_2 WHEN 3 THEN b.mem_buffers_max_3 WHEN 4 THEN b.mem_buffers_max_4 WHEN 5 THEN b.mem_buffers_max_5 END AS mem_buffers_max,
  CASE s.slot WHEN 0 THEN b.mem_cached_0 WHEN 1 THEN b.mem_cached_1 WHEN 2 THEN b.mem_cached_2 WHEN 3 THEN b.mem_cached_3 WHEN 4 THEN b.mem_cached_4 WHEN 5 THEN b.mem_cached_5 END AS mem_cached_mean,
  CASE s.slot WHEN 0 THEN b.mem_cached_max_0 WHEN 1 THEN b.mem_cached_max_1 WHEN 2 THEN b.mem_cached_max_2 WHEN 3 THEN b.mem_cached_max_3 WHEN 4 THEN b.mem_cached_max_4 WHEN 5 THEN b.mem_cached_max_5 END AS mem_cached_max,
  CASE s.slot WHEN 0 THEN b.swap_free_0 WHEN 1 THEN b.swap_free_1 WHEN 2 THEN b.swap_free_2 WHEN 3 THEN b.swap_free_3 WHEN 4 THEN b.swap_free_4 WHEN 5 THEN b.swap_free_5 END AS swap_free_mean,
  CASE s.slot WHEN 0 THEN b.swap_free_min_0 WHEN 1 THEN b.swap_free_min_1 WHEN 2 THEN b.swap_free_min_2 WHEN 3 THEN b.swap_free_min_3 WHEN 4 THEN b.swap_free_min_4 WHEN 5 THEN b.swap_free_min_5 END AS swap_free_min
FROM host_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW host_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.cpu_user_sum / r.secs AS cpu_user,
  r.cpu_nice_sum / r.secs AS cpu_nice,
  r.cpu_system_sum / r.secs AS cpu_system,
  r.cpu_idle_sum / r.secs AS cpu_idle,
  r.cpu_iowait_sum / r.secs AS cpu_iowait,
  r.cpu_irq_sum / r.secs AS cpu_irq,
  r.cpu_softirq_sum / r.secs AS cpu_softirq,
  r.cpu_steal_sum / r.secs AS cpu_steal,
  r.mem_free_mean AS mem_free,
  r.mem_free_min AS mem_free_min,
  r.mem_available_mean AS mem_available,
  r.mem_available_min AS mem_available_min,
  r.mem_buffers_mean AS mem_buffers,
  r.mem_buffers_max AS mem_buffers_max,
  r.mem_cached_mean AS mem_cached,
  r.mem_cached_max AS mem_cached_max,
  r.swap_free_mean AS swap_free,
  r.swap_free_min AS swap_free_min
FROM host_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW host_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.cpu_user_0 WHEN 1 THEN b.cpu_user_1 WHEN 2 THEN b.cpu_user_2 WHEN 3 THEN b.cpu_user_3 WHEN 4 THEN b.cpu_user_4 WHEN 5 THEN b.cpu_user_5 END * 10000000 AS cpu_user_sum,
  CASE s.slot WHEN 0 THEN b.cpu_nice_0 WHEN 1 THEN b.cpu_nice_1 WHEN 2 THEN b.cpu_nice_2 WHEN 3 THEN b.cpu_nice_3 WHEN 4 THEN b.cpu_nice_4 WHEN 5 THEN b.cpu_nice_5 END * 10000000 AS cpu_nice_sum,
  CASE s.slot WHEN 0 THEN b.cpu_system_0 WHEN 1 THEN b.cpu_system_1 WHEN 2 THEN b.cpu_system_2 WHEN 3 THEN b.cpu_system_3 WHEN 4 THEN b.cpu_system_4 WHEN 5 THEN b.cpu_system_5 END * 10000000 AS cpu_system_sum,
  CASE s.slot WHEN 0 THEN b.cpu_idle_0 WHEN 1 THEN b.cpu_idle_1 WHEN 2 THEN b.cpu_idle_2 WHEN 3 THEN b.cpu_idle_3 WHEN 4 THEN b.cpu_idle_4 WHEN 5 THEN b.cpu_idle_5 END * 10000000 AS cpu_idle_sum,
  CASE s.slot WHEN 0 THEN b.cpu_iowait_0 WHEN 1 THEN b.cpu_iowait_1 WHEN 2 THEN b.cpu_iowait_2 WHEN 3 THEN b.cpu_iowait_3 WHEN 4 THEN b.cpu_iowait_4 WHEN 5 THEN b.cpu_iowait_5 END * 10000000 AS cpu_iowait_sum,
  CASE s.slot WHEN 0 THEN b.cpu_irq_0 WHEN 1 THEN b.cpu_irq_1 WHEN 2 THEN b.cpu_irq_2 WHEN 3 THEN b.cpu_irq_3 WHEN 4 THEN b.cpu_irq_4 WHEN 5 THEN b.cpu_irq_5 END * 10000000 AS cpu_irq_sum,
  CASE s.slot WHEN 0 THEN b.cpu_softirq_0 WHEN 1 THEN b.cpu_softirq_1 WHEN 2 THEN b.cpu_softirq_2 WHEN 3 THEN b.cpu_softirq_3 WHEN 4 THEN b.cpu_softirq_4 WHEN 5 THEN b.cpu_softirq_5 END * 10000000 AS cpu_softirq_sum,
  CASE s.slot WHEN 0 THEN b.cpu_steal_0 WHEN 1 THEN b.cpu_steal_1 WHEN 2 THEN b.cpu_steal_2 WHEN 3 THEN b.cpu_steal_3 WHEN 4 THEN b.cpu_steal_4 WHEN 5 THEN b.cpu_steal_5 END * 10000000 AS cpu_steal_sum,
  CASE s.slot WHEN 0 THEN b.mem_free_0 WHEN 1 THEN b.mem_free_1 WHEN 2 THEN b.mem_free_2 WHEN 3 THEN b.mem_free_3 WHEN 4 THEN b.mem_free_4 WHEN 5 THEN b.mem_free_5 END AS mem_free_mean,
  CASE s.slot WHEN 0 THEN b.mem_free_min_0 WHEN 1 THEN b.mem_free_min_1 WHEN 2 THEN b.mem_free_min_2 WHEN 3 THEN b.mem_free_min_3 WHEN 4 THEN b.mem_free_min_4 WHEN 5 THEN b.mem_free_min_5 END AS mem_free_min,
  CASE s.slot WHEN 0 THEN b.mem_available_0 WHEN 1 THEN b.mem_available_1 WHEN 2 THEN b.mem_available_2 WHEN 3 THEN b.mem_available_3 WHEN 4 THEN b.mem_available_4 WHEN 5 THEN b.mem_available_5 END AS mem_available_mean,
  CASE s.slot WHEN 0 THEN b.mem_available_min_0 WHEN 1 THEN b.mem_available_min_1 WHEN 2 THEN b.mem_available_min_2 WHEN 3 THEN b.mem_available_min_3 WHEN 4 THEN b.mem_available_min_4 WHEN 5 THEN b.mem_available_min_5 END AS mem_available_min,
  CASE s.slot WHEN 0 THEN b.mem_buffers_0 WHEN 1 THEN b.mem_buffers_1 WHEN 2 THEN b.mem_buffers_2 WHEN 3 THEN b.mem_buffers_3 WHEN 4 THEN b.mem_buffers_4 WHEN 5 THEN b.mem_buffers_5 END AS mem_buffers_mean,
  CASE s.slot WHEN 0 THEN b.mem_buffers_max_0 WHEN 1 THEN b.mem_buffers_max_1 WHEN 2 THEN b.mem_buffers_max_2 WHEN 3 THEN b.mem_buffers_max_3 WHEN 4 THEN b.mem_buffers_max_4 WHEN 5 THEN b.mem_buffers_max_5 END AS mem_buffers_max,
  CASE s.slot WHEN 0 THEN b.mem_cached_0 WHEN 1 THEN b.mem_cached_1 WHEN 2 THEN b.mem_cached_2 WHEN 3 THEN b.mem_cached_3 WHEN 4 THEN b.mem_cached_4 WHEN 5 THEN b.mem_cached_5 END AS mem_cached_mean,
  CASE s.slot WHEN 0 THEN b.mem_cached_max_0 WHEN 1 THEN b.mem_cached_max_1 WHEN 2 THEN b.mem_cached_max_2 WHEN 3 THEN b.mem_cached_max_3 WHEN 4 THEN b.mem_cached_max_4 WHEN 5 THEN b.mem_cached_max_5 END AS mem_cached_max,
  CASE s.slot WHEN 0 THEN b.swap_free_0 WHEN 1 THEN b.swap_free_1 WHEN 2 THEN b.swap_free_2 WHEN 3 THEN b.swap_free_3 WHEN 4 THEN b.swap_free_4 WHEN 5 THEN b.swap_free_5 END AS swap_free_mean,
  CASE s.slot WHEN 0 THEN b.swap_free_min_0 WHEN 1 THEN b.swap_free_min_1 WHEN 2 THEN b.swap_free_min_2 WHEN 3 THEN b.swap_free_min_3 WHEN 4 THEN b.swap_free_min_4 WHEN 5 THEN b.swap_free_min_5 END AS swap_free_min
FROM host_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW host_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.cpu_user_sum / r.secs AS cpu_user,
  r.cpu_nice_sum / r.secs AS cpu_nice,
  r.cpu_system_sum / r.secs AS cpu_system,
  r.cpu_idle_sum / r.secs AS cpu_idle,
  r.cpu_iowait_sum / r.secs AS cpu_iowait,
  r.cpu_irq_sum / r.secs AS cpu_irq,
  r.cpu_softirq_sum / r.secs AS cpu_softirq,
  r.cpu_steal_sum / r.secs AS cpu_steal,
  r.mem_free_mean AS mem_free,
  r.mem_free_min AS mem_free_min,
  r.mem_available_mean AS mem_available,
  r.mem_available_min AS mem_available_min,
  r.mem_buffers_mean AS mem_buffers,
  r.mem_buffers_max AS mem_buffers_max,
  r.mem_cached_mean AS mem_cached,
  r.mem_cached_max AS mem_cached_max,
  r.swap_free_mean AS swap_free,
  r.swap_free_min AS swap_free_min
FROM host_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW vcpu_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.time * 10000000 * 1000.0 / coalesce(r.dt, t.dt) AS time,
  r.wait * 1000.0 / coalesce(r.dt, t.dt) AS wait,
  r.delay * 1000.0 / coalesce(r.dt, t.dt) AS delay
FROM vcpu_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW vcpu_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, time, wait, delay FROM vcpu_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, time, wait, delay FROM vcpu_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.time) >= 4611686018427387904 THEN g.time * 1.0 ELSE g.time END WHEN g.tick_id = g.bt THEN NULL ELSE g.time END) OVER w AS time,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wait) >= 4611686018427387904 THEN g.wait * 1.0 ELSE g.wait END WHEN g.tick_id = g.bt THEN NULL ELSE g.wait END) OVER w AS wait,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.delay) >= 4611686018427387904 THEN g.delay * 1.0 ELSE g.delay END WHEN g.tick_id = g.bt THEN NULL ELSE g.delay END) OVER w AS delay
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.time * 10000000 END AS time,
  CASE WHEN y.gen > 0 THEN y.wait END AS wait,
  CASE WHEN y.gen > 0 THEN y.delay END AS delay
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW vcpu_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.time_0 WHEN 1 THEN b.time_1 WHEN 2 THEN b.time_2 WHEN 3 THEN b.time_3 WHEN 4 THEN b.time_4 WHEN 5 THEN b.time_5 END * 10000000 AS time_sum,
  CASE s.slot WHEN 0 THEN b.wait_0 WHEN 1 THEN b.wait_1 WHEN 2 THEN b.wait_2 WHEN 3 THEN b.wait_3 WHEN 4 THEN b.wait_4 WHEN 5 THEN b.wait_5 END AS wait_sum,
  CASE s.slot WHEN 0 THEN b.delay_0 WHEN 1 THEN b.delay_1 WHEN 2 THEN b.delay_2 WHEN 3 THEN b.delay_3 WHEN 4 THEN b.delay_4 WHEN 5 THEN b.delay_5 END AS delay_sum
FROM vcpu_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW vcpu_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.time_sum / r.secs AS time,
  r.wait_sum / r.secs AS wait,
  r.delay_sum / r.secs AS delay
FROM vcpu_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW vcpu_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.time_0 WHEN 1 THEN b.time_1 WHEN 2 THEN b.time_2 WHEN 3 THEN b.time_3 WHEN 4 THEN b.time_4 WHEN 5 THEN b.time_5 END * 10000000 AS time_sum,
  CASE s.slot WHEN 0 THEN b.wait_0 WHEN 1 THEN b.wait_1 WHEN 2 THEN b.wait_2 WHEN 3 THEN b.wait_3 WHEN 4 THEN b.wait_4 WHEN 5 THEN b.wait_5 END AS wait_sum,
  CASE s.slot WHEN 0 THEN b.delay_0 WHEN 1 THEN b.delay_1 WHEN 2 THEN b.delay_2 WHEN 3 THEN b.delay_3 WHEN 4 THEN b.delay_4 WHEN 5 THEN b.delay_5 END AS delay_sum
FROM vcpu_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW vcpu_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.time_sum / r.secs AS time,
  r.wait_sum / r.secs AS wait,
  r.delay_sum / r.secs AS delay
FROM vcpu_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW net_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.rx_bytes * 1000.0 / coalesce(r.dt, t.dt) AS rx_bytes,
  r.rx_pkts * 1000.0 / coalesce(r.dt, t.dt) AS rx_pkts,
  r.rx_errs * 1000.0 / coalesce(r.dt, t.dt) AS rx_errs,
  r.rx_drop * 1000.0 / coalesce(r.dt, t.dt) AS rx_drop,
  r.tx_bytes * 1000.0 / coalesce(r.dt, t.dt) AS tx_bytes,
  r.tx_pkts * 1000.0 / coalesce(r.dt, t.dt) AS tx_pkts,
  r.tx_errs * 1000.0 / coalesce(r.dt, t.dt) AS tx_errs,
  r.tx_drop * 1000.0 / coalesce(r.dt, t.dt) AS tx_drop
FROM net_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW net_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, rx_bytes, rx_pkts, rx_errs, rx_drop, tx_bytes, tx_pkts, tx_errs, tx_drop FROM net_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, rx_bytes, rx_pkts, rx_errs, rx_drop, tx_bytes, tx_pkts, tx_errs, tx_drop FROM net_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rx_bytes) >= 4611686018427387904 THEN g.rx_bytes * 1.0 ELSE g.rx_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.rx_bytes END) OVER w AS rx_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rx_pkts) >= 4611686018427387904 THEN g.rx_pkts * 1.0 ELSE g.rx_pkts END WHEN g.tick_id = g.bt THEN NULL ELSE g.rx_pkts END) OVER w AS rx_pkts,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rx_errs) >= 4611686018427387904 THEN g.rx_errs * 1.0 ELSE g.rx_errs END WHEN g.tick_id = g.bt THEN NULL ELSE g.rx_errs END) OVER w AS rx_errs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rx_drop) >= 4611686018427387904 THEN g.rx_drop * 1.0 ELSE g.rx_drop END WHEN g.tick_id = g.bt THEN NULL ELSE g.rx_drop END) OVER w AS rx_drop,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.tx_bytes) >= 4611686018427387904 THEN g.tx_bytes * 1.0 ELSE g.tx_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.tx_bytes END) OVER w AS tx_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.tx_pkts) >= 4611686018427387904 THEN g.tx_pkts * 1.0 ELSE g.tx_pkts END WHEN g.tick_id = g.bt THEN NULL ELSE g.tx_pkts END) OVER w AS tx_pkts,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.tx_errs) >= 4611686018427387904 THEN g.tx_errs * 1.0 ELSE g.tx_errs END WHEN g.tick_id = g.bt THEN NULL ELSE g.tx_errs END) OVER w AS tx_errs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.tx_drop) >= 4611686018427387904 THEN g.tx_drop * 1.0 ELSE g.tx_drop END WHEN g.tick_id = g.bt THEN NULL ELSE g.tx_drop END) OVER w AS tx_drop
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.rx_bytes END AS rx_bytes,
  CASE WHEN y.gen > 0 THEN y.rx_pkts END AS rx_pkts,
  CASE WHEN y.gen > 0 THEN y.rx_errs END AS rx_errs,
  CASE WHEN y.gen > 0 THEN y.rx_drop END AS rx_drop,
  CASE WHEN y.gen > 0 THEN y.tx_bytes END AS tx_bytes,
  CASE WHEN y.gen > 0 THEN y.tx_pkts END AS tx_pkts,
  CASE WHEN y.gen > 0 THEN y.tx_errs END AS tx_errs,
  CASE WHEN y.gen > 0 THEN y.tx_drop END AS tx_drop
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW net_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rx_bytes_0 WHEN 1 THEN b.rx_bytes_1 WHEN 2 THEN b.rx_bytes_2 WHEN 3 THEN b.rx_bytes_3 WHEN 4 THEN b.rx_bytes_4 WHEN 5 THEN b.rx_bytes_5 END AS rx_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rx_bytes_peak_0 WHEN 1 THEN b.rx_bytes_peak_1 WHEN 2 THEN b.rx_bytes_peak_2 WHEN 3 THEN b.rx_bytes_peak_3 WHEN 4 THEN b.rx_bytes_peak_4 WHEN 5 THEN b.rx_bytes_peak_5 END AS rx_bytes_max,
  CASE s.slot WHEN 0 THEN b.rx_pkts_0 WHEN 1 THEN b.rx_pkts_1 WHEN 2 THEN b.rx_pkts_2 WHEN 3 THEN b.rx_pkts_3 WHEN 4 THEN b.rx_pkts_4 WHEN 5 THEN b.rx_pkts_5 END AS rx_pkts_sum,
  CASE s.slot WHEN 0 THEN b.rx_errs_0 WHEN 1 THEN b.rx_errs_1 WHEN 2 THEN b.rx_errs_2 WHEN 3 THEN b.rx_errs_3 WHEN 4 THEN b.rx_errs_4 WHEN 5 THEN b.rx_errs_5 END AS rx_errs_sum,
  CASE s.slot WHEN 0 THEN b.rx_drop_0 WHEN 1 THEN b.rx_drop_1 WHEN 2 THEN b.rx_drop_2 WHEN 3 THEN b.rx_drop_3 WHEN 4 THEN b.rx_drop_4 WHEN 5 THEN b.rx_drop_5 END AS rx_drop_sum,
  CASE s.slot WHEN 0 THEN b.tx_bytes_0 WHEN 1 THEN b.tx_bytes_1 WHEN 2 THEN b.tx_bytes_2 WHEN 3 THEN b.tx_bytes_3 WHEN 4 THEN b.tx_bytes_4 WHEN 5 THEN b.tx_bytes_5 END AS tx_bytes_sum,
  CASE s.slot WHEN 0 THEN b.tx_bytes_peak_0 WHEN 1 THEN b.tx_bytes_peak_1 WHEN 2 THEN b.tx_bytes_peak_2 WHEN 3 THEN b.tx_bytes_peak_3 WHEN 4 THEN b.tx_bytes_peak_4 WHEN 5 THEN b.tx_bytes_peak_5 END AS tx_bytes_max,
  CASE s.slot WHEN 0 THEN b.tx_pkts_0 WHEN 1 THEN b.tx_pkts_1 WHEN 2 THEN b.tx_pkts_2 WHEN 3 THEN b.tx_pkts_3 WHEN 4 THEN b.tx_pkts_4 WHEN 5 THEN b.tx_pkts_5 END AS tx_pkts_sum,
  CASE s.slot WHEN 0 THEN b.tx_errs_0 WHEN 1 THEN b.tx_errs_1 WHEN 2 THEN b.tx_errs_2 WHEN 3 THEN b.tx_errs_3 WHEN 4 THEN b.tx_errs_4 WHEN 5 THEN b.tx_errs_5 END AS tx_errs_sum,
  CASE s.slot WHEN 0 THEN b.tx_drop_0 WHEN 1 THEN b.tx_drop_1 WHEN 2 THEN b.tx_drop_2 WHEN 3 THEN b.tx_drop_3 WHEN 4 THEN b.tx_drop_4 WHEN 5 THEN b.tx_drop_5 END AS tx_drop_sum
FROM net_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW net_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rx_bytes_sum / r.secs AS rx_bytes,
  r.rx_bytes_max AS rx_bytes_max,
  r.rx_pkts_sum / r.secs AS rx_pkts,
  r.rx_errs_sum / r.secs AS rx_errs,
  r.rx_drop_sum / r.secs AS rx_drop,
  r.tx_bytes_sum / r.secs AS tx_bytes,
  r.tx_bytes_max AS tx_bytes_max,
  r.tx_pkts_sum / r.secs AS tx_pkts,
  r.tx_errs_sum / r.secs AS tx_errs,
  r.tx_drop_sum / r.secs AS tx_drop
FROM net_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW net_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rx_bytes_0 WHEN 1 THEN b.rx_bytes_1 WHEN 2 THEN b.rx_bytes_2 WHEN 3 THEN b.rx_bytes_3 WHEN 4 THEN b.rx_bytes_4 WHEN 5 THEN b.rx_bytes_5 END AS rx_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rx_bytes_peak_0 WHEN 1 THEN b.rx_bytes_peak_1 WHEN 2 THEN b.rx_bytes_peak_2 WHEN 3 THEN b.rx_bytes_peak_3 WHEN 4 THEN b.rx_bytes_peak_4 WHEN 5 THEN b.rx_bytes_peak_5 END AS rx_bytes_max,
  CASE s.slot WHEN 0 THEN b.rx_pkts_0 WHEN 1 THEN b.rx_pkts_1 WHEN 2 THEN b.rx_pkts_2 WHEN 3 THEN b.rx_pkts_3 WHEN 4 THEN b.rx_pkts_4 WHEN 5 THEN b.rx_pkts_5 END AS rx_pkts_sum,
  CASE s.slot WHEN 0 THEN b.rx_errs_0 WHEN 1 THEN b.rx_errs_1 WHEN 2 THEN b.rx_errs_2 WHEN 3 THEN b.rx_errs_3 WHEN 4 THEN b.rx_errs_4 WHEN 5 THEN b.rx_errs_5 END AS rx_errs_sum,
  CASE s.slot WHEN 0 THEN b.rx_drop_0 WHEN 1 THEN b.rx_drop_1 WHEN 2 THEN b.rx_drop_2 WHEN 3 THEN b.rx_drop_3 WHEN 4 THEN b.rx_drop_4 WHEN 5 THEN b.rx_drop_5 END AS rx_drop_sum,
  CASE s.slot WHEN 0 THEN b.tx_bytes_0 WHEN 1 THEN b.tx_bytes_1 WHEN 2 THEN b.tx_bytes_2 WHEN 3 THEN b.tx_bytes_3 WHEN 4 THEN b.tx_bytes_4 WHEN 5 THEN b.tx_bytes_5 END AS tx_bytes_sum,
  CASE s.slot WHEN 0 THEN b.tx_bytes_peak_0 WHEN 1 THEN b.tx_bytes_peak_1 WHEN 2 THEN b.tx_bytes_peak_2 WHEN 3 THEN b.tx_bytes_peak_3 WHEN 4 THEN b.tx_bytes_peak_4 WHEN 5 THEN b.tx_bytes_peak_5 END AS tx_bytes_max,
  CASE s.slot WHEN 0 THEN b.tx_pkts_0 WHEN 1 THEN b.tx_pkts_1 WHEN 2 THEN b.tx_pkts_2 WHEN 3 THEN b.tx_pkts_3 WHEN 4 THEN b.tx_pkts_4 WHEN 5 THEN b.tx_pkts_5 END AS tx_pkts_sum,
  CASE s.slot WHEN 0 THEN b.tx_errs_0 WHEN 1 THEN b.tx_errs_1 WHEN 2 THEN b.tx_errs_2 WHEN 3 THEN b.tx_errs_3 WHEN 4 THEN b.tx_errs_4 WHEN 5 THEN b.tx_errs_5 END AS tx_errs_sum,
  CASE s.slot WHEN 0 THEN b.tx_drop_0 WHEN 1 THEN b.tx_drop_1 WHEN 2 THEN b.tx_drop_2 WHEN 3 THEN b.tx_drop_3 WHEN 4 THEN b.tx_drop_4 WHEN 5 THEN b.tx_drop_5 END AS tx_drop_sum
FROM net_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW net_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rx_bytes_sum / r.secs AS rx_bytes,
  r.rx_bytes_max AS rx_bytes_max,
  r.rx_pkts_sum / r.secs AS rx_pkts,
  r.rx_errs_sum / r.secs AS rx_errs,
  r.rx_drop_sum / r.secs AS rx_drop,
  r.tx_bytes_sum / r.secs AS tx_bytes,
  r.tx_bytes_max AS tx_bytes_max,
  r.tx_pkts_sum / r.secs AS tx_pkts,
  r.tx_errs_sum / r.secs AS tx_errs,
  r.tx_drop_sum / r.secs AS tx_drop
FROM net_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW block_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.rd_reqs * 1000.0 / coalesce(r.dt, t.dt) AS rd_reqs,
  r.rd_bytes * 512 * 1000.0 / coalesce(r.dt, t.dt) AS rd_bytes,
  r.rd_times * 1000000 * 1000.0 / coalesce(r.dt, t.dt) AS rd_times,
  r.wr_reqs * 1000.0 / coalesce(r.dt, t.dt) AS wr_reqs,
  r.wr_bytes * 512 * 1000.0 / coalesce(r.dt, t.dt) AS wr_bytes,
  r.wr_times * 1000000 * 1000.0 / coalesce(r.dt, t.dt) AS wr_times,
  r.fl_reqs * 1000.0 / coalesce(r.dt, t.dt) AS fl_reqs,
  r.fl_times * 1000000 * 1000.0 / coalesce(r.dt, t.dt) AS fl_times,
  r.errors * 1000.0 / coalesce(r.dt, t.dt) AS errors,
  r.discard_reqs * 1000.0 / coalesce(r.dt, t.dt) AS discard_reqs
FROM block_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW block_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, rd_reqs, rd_bytes, rd_times, wr_reqs, wr_bytes, wr_times, fl_reqs, fl_times, errors, discard_reqs FROM block_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, rd_reqs, rd_bytes, rd_times, wr_reqs, wr_bytes, wr_times, fl_reqs, fl_times, errors, discard_reqs FROM block_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rd_reqs) >= 4611686018427387904 THEN g.rd_reqs * 1.0 ELSE g.rd_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.rd_reqs END) OVER w AS rd_reqs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rd_bytes) >= 4611686018427387904 THEN g.rd_bytes * 1.0 ELSE g.rd_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.rd_bytes END) OVER w AS rd_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rd_times) >= 4611686018427387904 THEN g.rd_times * 1.0 ELSE g.rd_times END WHEN g.tick_id = g.bt THEN NULL ELSE g.rd_times END) OVER w AS rd_times,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wr_reqs) >= 4611686018427387904 THEN g.wr_reqs * 1.0 ELSE g.wr_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.wr_reqs END) OVER w AS wr_reqs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wr_bytes) >= 4611686018427387904 THEN g.wr_bytes * 1.0 ELSE g.wr_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.wr_bytes END) OVER w AS wr_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wr_times) >= 4611686018427387904 THEN g.wr_times * 1.0 ELSE g.wr_times END WHEN g.tick_id = g.bt THEN NULL ELSE g.wr_times END) OVER w AS wr_times,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.fl_reqs) >= 4611686018427387904 THEN g.fl_reqs * 1.0 ELSE g.fl_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.fl_reqs END) OVER w AS fl_reqs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.fl_times) >= 4611686018427387904 THEN g.fl_times * 1.0 ELSE g.fl_times END WHEN g.tick_id = g.bt THEN NULL ELSE g.fl_times END) OVER w AS fl_times,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.errors) >= 4611686018427387904 THEN g.errors * 1.0 ELSE g.errors END WHEN g.tick_id = g.bt THEN NULL ELSE g.errors END) OVER w AS errors,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.discard_reqs) >= 4611686018427387904 THEN g.discard_reqs * 1.0 ELSE g.discard_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.discard_reqs END) OVER w AS discard_reqs
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.rd_reqs END AS rd_reqs,
  CASE WHEN y.gen > 0 THEN y.rd_bytes * 512 END AS rd_bytes,
  CASE WHEN y.gen > 0 THEN y.rd_times * 1000000 END AS rd_times,
  CASE WHEN y.gen > 0 THEN y.wr_reqs END AS wr_reqs,
  CASE WHEN y.gen > 0 THEN y.wr_bytes * 512 END AS wr_bytes,
  CASE WHEN y.gen > 0 THEN y.wr_times * 1000000 END AS wr_times,
  CASE WHEN y.gen > 0 THEN y.fl_reqs END AS fl_reqs,
  CASE WHEN y.gen > 0 THEN y.fl_times * 1000000 END AS fl_times,
  CASE WHEN y.gen > 0 THEN y.errors END AS errors,
  CASE WHEN y.gen > 0 THEN y.discard_reqs END AS discard_reqs
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW block_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rd_reqs_0 WHEN 1 THEN b.rd_reqs_1 WHEN 2 THEN b.rd_reqs_2 WHEN 3 THEN b.rd_reqs_3 WHEN 4 THEN b.rd_reqs_4 WHEN 5 THEN b.rd_reqs_5 END AS rd_reqs_sum,
  CASE s.slot WHEN 0 THEN b.rd_bytes_0 WHEN 1 THEN b.rd_bytes_1 WHEN 2 THEN b.rd_bytes_2 WHEN 3 THEN b.rd_bytes_3 WHEN 4 THEN b.rd_bytes_4 WHEN 5 THEN b.rd_bytes_5 END * 512 AS rd_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rd_bytes_peak_0 WHEN 1 THEN b.rd_bytes_peak_1 WHEN 2 THEN b.rd_bytes_peak_2 WHEN 3 THEN b.rd_bytes_peak_3 WHEN 4 THEN b.rd_bytes_peak_4 WHEN 5 THEN b.rd_bytes_peak_5 END * 512 AS rd_bytes_max,
  CASE s.slot WHEN 0 THEN b.rd_times_0 WHEN 1 THEN b.rd_times_1 WHEN 2 THEN b.rd_times_2 WHEN 3 THEN b.rd_times_3 WHEN 4 THEN b.rd_times_4 WHEN 5 THEN b.rd_times_5 END * 1000000 AS rd_times_sum,
  CASE s.slot WHEN 0 THEN b.wr_reqs_0 WHEN 1 THEN b.wr_reqs_1 WHEN 2 THEN b.wr_reqs_2 WHEN 3 THEN b.wr_reqs_3 WHEN 4 THEN b.wr_reqs_4 WHEN 5 THEN b.wr_reqs_5 END AS wr_reqs_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_0 WHEN 1 THEN b.wr_bytes_1 WHEN 2 THEN b.wr_bytes_2 WHEN 3 THEN b.wr_bytes_3 WHEN 4 THEN b.wr_bytes_4 WHEN 5 THEN b.wr_bytes_5 END * 512 AS wr_bytes_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_peak_0 WHEN 1 THEN b.wr_bytes_peak_1 WHEN 2 THEN b.wr_bytes_peak_2 WHEN 3 THEN b.wr_bytes_peak_3 WHEN 4 THEN b.wr_bytes_peak_4 WHEN 5 THEN b.wr_bytes_peak_5 END * 512 AS wr_bytes_max,
  CASE s.slot WHEN 0 THEN b.wr_times_0 WHEN 1 THEN b.wr_times_1 WHEN 2 THEN b.wr_times_2 WHEN 3 THEN b.wr_times_3 WHEN 4 THEN b.wr_times_4 WHEN 5 THEN b.wr_times_5 END * 1000000 AS wr_times_sum,
  CASE s.slot WHEN 0 THEN b.fl_reqs_0 WHEN 1 THEN b.fl_reqs_1 WHEN 2 THEN b.fl_reqs_2 WHEN 3 THEN b.fl_reqs_3 WHEN 4 THEN b.fl_reqs_4 WHEN 5 THEN b.fl_reqs_5 END AS fl_reqs_sum,
  CASE s.slot WHEN 0 THEN b.fl_times_0 WHEN 1 THEN b.fl_times_1 WHEN 2 THEN b.fl_times_2 WHEN 3 THEN b.fl_times_3 WHEN 4 THEN b.fl_times_4 WHEN 5 THEN b.fl_times_5 END * 1000000 AS fl_times_sum,
  CASE s.slot WHEN 0 THEN b.errors_0 WHEN 1 THEN b.errors_1 WHEN 2 THEN b.errors_2 WHEN 3 THEN b.errors_3 WHEN 4 THEN b.errors_4 WHEN 5 THEN b.errors_5 END AS errors_sum,
  CASE s.slot WHEN 0 THEN b.discard_reqs_0 WHEN 1 THEN b.discard_reqs_1 WHEN 2 THEN b.discard_reqs_2 WHEN 3 THEN b.discard_reqs_3 WHEN 4 THEN b.discard_reqs_4 WHEN 5 THEN b.discard_reqs_5 END AS discard_reqs_sum
FROM block_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW block_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rd_reqs_sum / r.secs AS rd_reqs,
  r.rd_bytes_sum / r.secs AS rd_bytes,
  r.rd_bytes_max AS rd_bytes_max,
  r.rd_times_sum / r.secs AS rd_times,
  r.wr_reqs_sum / r.secs AS wr_reqs,
  r.wr_bytes_sum / r.secs AS wr_bytes,
  r.wr_bytes_max AS wr_bytes_max,
  r.wr_times_sum / r.secs AS wr_times,
  r.fl_reqs_sum / r.secs AS fl_reqs,
  r.fl_times_sum / r.secs AS fl_times,
  r.errors_sum / r.secs AS errors,
  r.discard_reqs_sum / r.secs AS discard_reqs
FROM block_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW block_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rd_reqs_0 WHEN 1 THEN b.rd_reqs_1 WHEN 2 THEN b.rd_reqs_2 WHEN 3 THEN b.rd_reqs_3 WHEN 4 THEN b.rd_reqs_4 WHEN 5 THEN b.rd_reqs_5 END AS rd_reqs_sum,
  CASE s.slot WHEN 0 THEN b.rd_bytes_0 WHEN 1 THEN b.rd_bytes_1 WHEN 2 THEN b.rd_bytes_2 WHEN 3 THEN b.rd_bytes_3 WHEN 4 THEN b.rd_bytes_4 WHEN 5 THEN b.rd_bytes_5 END * 512 AS rd_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rd_bytes_peak_0 WHEN 1 THEN b.rd_bytes_peak_1 WHEN 2 THEN b.rd_bytes_peak_2 WHEN 3 THEN b.rd_bytes_peak_3 WHEN 4 THEN b.rd_bytes_peak_4 WHEN 5 THEN b.rd_bytes_peak_5 END * 512 AS rd_bytes_max,
  CASE s.slot WHEN 0 THEN b.rd_times_0 WHEN 1 THEN b.rd_times_1 WHEN 2 THEN b.rd_times_2 WHEN 3 THEN b.rd_times_3 WHEN 4 THEN b.rd_times_4 WHEN 5 THEN b.rd_times_5 END * 1000000 AS rd_times_sum,
  CASE s.slot WHEN 0 THEN b.wr_reqs_0 WHEN 1 THEN b.wr_reqs_1 WHEN 2 THEN b.wr_reqs_2 WHEN 3 THEN b.wr_reqs_3 WHEN 4 THEN b.wr_reqs_4 WHEN 5 THEN b.wr_reqs_5 END AS wr_reqs_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_0 WHEN 1 THEN b.wr_bytes_1 WHEN 2 THEN b.wr_bytes_2 WHEN 3 THEN b.wr_bytes_3 WHEN 4 THEN b.wr_bytes_4 WHEN 5 THEN b.wr_bytes_5 END * 512 AS wr_bytes_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_peak_0 WHEN 1 THEN b.wr_bytes_peak_1 WHEN 2 THEN b.wr_bytes_peak_2 WHEN 3 THEN b.wr_bytes_peak_3 WHEN 4 THEN b.wr_bytes_peak_4 WHEN 5 THEN b.wr_bytes_peak_5 END * 512 AS wr_bytes_max,
  CASE s.slot WHEN 0 THEN b.wr_times_0 WHEN 1 THEN b.wr_times_1 WHEN 2 THEN b.wr_times_2 WHEN 3 THEN b.wr_times_3 WHEN 4 THEN b.wr_times_4 WHEN 5 THEN b.wr_times_5 END * 1000000 AS wr_times_sum,
  CASE s.slot WHEN 0 THEN b.fl_reqs_0 WHEN 1 THEN b.fl_reqs_1 WHEN 2 THEN b.fl_reqs_2 WHEN 3 THEN b.fl_reqs_3 WHEN 4 THEN b.fl_reqs_4 WHEN 5 THEN b.fl_reqs_5 END AS fl_reqs_sum,
  CASE s.slot WHEN 0 THEN b.fl_times_0 WHEN 1 THEN b.fl_times_1 WHEN 2 THEN b.fl_times_2 WHEN 3 THEN b.fl_times_3 WHEN 4 THEN b.fl_times_4 WHEN 5 THEN b.fl_times_5 END * 1000000 AS fl_times_sum,
  CASE s.slot WHEN 0 THEN b.errors_0 WHEN 1 THEN b.errors_1 WHEN 2 THEN b.errors_2 WHEN 3 THEN b.errors_3 WHEN 4 THEN b.errors_4 WHEN 5 THEN b.errors_5 END AS errors_sum,
  CASE s.slot WHEN 0 THEN b.discard_reqs_0 WHEN 1 THEN b.discard_reqs_1 WHEN 2 THEN b.discard_reqs_2 WHEN 3 THEN b.discard_reqs_3 WHEN 4 THEN b.discard_reqs_4 WHEN 5 THEN b.discard_reqs_5 END AS discard_reqs_sum
FROM block_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW block_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rd_reqs_sum / r.secs AS rd_reqs,
  r.rd_bytes_sum / r.secs AS rd_bytes,
  r.rd_bytes_max AS rd_bytes_max,
  r.rd_times_sum / r.secs AS rd_times,
  r.wr_reqs_sum / r.secs AS wr_reqs,
  r.wr_bytes_sum / r.secs AS wr_bytes,
  r.wr_bytes_max AS wr_bytes_max,
  r.wr_times_sum / r.secs AS wr_times,
  r.fl_reqs_sum / r.secs AS fl_reqs,
  r.fl_times_sum / r.secs AS fl_times,
  r.errors_sum / r.secs AS errors,
  r.discard_reqs_sum / r.secs AS discard_reqs
FROM block_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW cgroup_io_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,
  r.rd_bytes * 1000.0 / coalesce(r.dt, t.dt) AS rd_bytes,
  r.wr_bytes * 1000.0 / coalesce(r.dt, t.dt) AS wr_bytes,
  r.rd_reqs * 1000.0 / coalesce(r.dt, t.dt) AS rd_reqs,
  r.wr_reqs * 1000.0 / coalesce(r.dt, t.dt) AS wr_reqs,
  r.dc_bytes * 1000.0 / coalesce(r.dt, t.dt) AS dc_bytes,
  r.dc_reqs * 1000.0 / coalesce(r.dt, t.dt) AS dc_reqs
FROM cgroup_io_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW cgroup_io_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, rd_bytes, wr_bytes, rd_reqs, wr_reqs, dc_bytes, dc_reqs FROM cgroup_io_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, rd_bytes, wr_bytes, rd_reqs, wr_reqs, dc_bytes, dc_reqs FROM cgroup_io_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rd_bytes) >= 4611686018427387904 THEN g.rd_bytes * 1.0 ELSE g.rd_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.rd_bytes END) OVER w AS rd_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wr_bytes) >= 4611686018427387904 THEN g.wr_bytes * 1.0 ELSE g.wr_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.wr_bytes END) OVER w AS wr_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.rd_reqs) >= 4611686018427387904 THEN g.rd_reqs * 1.0 ELSE g.rd_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.rd_reqs END) OVER w AS rd_reqs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.wr_reqs) >= 4611686018427387904 THEN g.wr_reqs * 1.0 ELSE g.wr_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.wr_reqs END) OVER w AS wr_reqs,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.dc_bytes) >= 4611686018427387904 THEN g.dc_bytes * 1.0 ELSE g.dc_bytes END WHEN g.tick_id = g.bt THEN NULL ELSE g.dc_bytes END) OVER w AS dc_bytes,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.dc_reqs) >= 4611686018427387904 THEN g.dc_reqs * 1.0 ELSE g.dc_reqs END WHEN g.tick_id = g.bt THEN NULL ELSE g.dc_reqs END) OVER w AS dc_reqs
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.rd_bytes END AS rd_bytes,
  CASE WHEN y.gen > 0 THEN y.wr_bytes END AS wr_bytes,
  CASE WHEN y.gen > 0 THEN y.rd_reqs END AS rd_reqs,
  CASE WHEN y.gen > 0 THEN y.wr_reqs END AS wr_reqs,
  CASE WHEN y.gen > 0 THEN y.dc_bytes END AS dc_bytes,
  CASE WHEN y.gen > 0 THEN y.dc_reqs END AS dc_reqs
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW cgroup_io_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rd_bytes_0 WHEN 1 THEN b.rd_bytes_1 WHEN 2 THEN b.rd_bytes_2 WHEN 3 THEN b.rd_bytes_3 WHEN 4 THEN b.rd_bytes_4 WHEN 5 THEN b.rd_bytes_5 END AS rd_bytes_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_0 WHEN 1 THEN b.wr_bytes_1 WHEN 2 THEN b.wr_bytes_2 WHEN 3 THEN b.wr_bytes_3 WHEN 4 THEN b.wr_bytes_4 WHEN 5 THEN b.wr_bytes_5 END AS wr_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rd_reqs_0 WHEN 1 THEN b.rd_reqs_1 WHEN 2 THEN b.rd_reqs_2 WHEN 3 THEN b.rd_reqs_3 WHEN 4 THEN b.rd_reqs_4 WHEN 5 THEN b.rd_reqs_5 END AS rd_reqs_sum,
  CASE s.slot WHEN 0 THEN b.wr_reqs_0 WHEN 1 THEN b.wr_reqs_1 WHEN 2 THEN b.wr_reqs_2 WHEN 3 THEN b.wr_reqs_3 WHEN 4 THEN b.wr_reqs_4 WHEN 5 THEN b.wr_reqs_5 END AS wr_reqs_sum,
  CASE s.slot WHEN 0 THEN b.dc_bytes_0 WHEN 1 THEN b.dc_bytes_1 WHEN 2 THEN b.dc_bytes_2 WHEN 3 THEN b.dc_bytes_3 WHEN 4 THEN b.dc_bytes_4 WHEN 5 THEN b.dc_bytes_5 END AS dc_bytes_sum,
  CASE s.slot WHEN 0 THEN b.dc_reqs_0 WHEN 1 THEN b.dc_reqs_1 WHEN 2 THEN b.dc_reqs_2 WHEN 3 THEN b.dc_reqs_3 WHEN 4 THEN b.dc_reqs_4 WHEN 5 THEN b.dc_reqs_5 END AS dc_reqs_sum
FROM cgroup_io_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW cgroup_io_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rd_bytes_sum / r.secs AS rd_bytes,
  r.wr_bytes_sum / r.secs AS wr_bytes,
  r.rd_reqs_sum / r.secs AS rd_reqs,
  r.wr_reqs_sum / r.secs AS wr_reqs,
  r.dc_bytes_sum / r.secs AS dc_bytes,
  r.dc_reqs_sum / r.secs AS dc_reqs
FROM cgroup_io_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW cgroup_io_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.rd_bytes_0 WHEN 1 THEN b.rd_bytes_1 WHEN 2 THEN b.rd_bytes_2 WHEN 3 THEN b.rd_bytes_3 WHEN 4 THEN b.rd_bytes_4 WHEN 5 THEN b.rd_bytes_5 END AS rd_bytes_sum,
  CASE s.slot WHEN 0 THEN b.wr_bytes_0 WHEN 1 THEN b.wr_bytes_1 WHEN 2 THEN b.wr_bytes_2 WHEN 3 THEN b.wr_bytes_3 WHEN 4 THEN b.wr_bytes_4 WHEN 5 THEN b.wr_bytes_5 END AS wr_bytes_sum,
  CASE s.slot WHEN 0 THEN b.rd_reqs_0 WHEN 1 THEN b.rd_reqs_1 WHEN 2 THEN b.rd_reqs_2 WHEN 3 THEN b.rd_reqs_3 WHEN 4 THEN b.rd_reqs_4 WHEN 5 THEN b.rd_reqs_5 END AS rd_reqs_sum,
  CASE s.slot WHEN 0 THEN b.wr_reqs_0 WHEN 1 THEN b.wr_reqs_1 WHEN 2 THEN b.wr_reqs_2 WHEN 3 THEN b.wr_reqs_3 WHEN 4 THEN b.wr_reqs_4 WHEN 5 THEN b.wr_reqs_5 END AS wr_reqs_sum,
  CASE s.slot WHEN 0 THEN b.dc_bytes_0 WHEN 1 THEN b.dc_bytes_1 WHEN 2 THEN b.dc_bytes_2 WHEN 3 THEN b.dc_bytes_3 WHEN 4 THEN b.dc_bytes_4 WHEN 5 THEN b.dc_bytes_5 END AS dc_bytes_sum,
  CASE s.slot WHEN 0 THEN b.dc_reqs_0 WHEN 1 THEN b.dc_reqs_1 WHEN 2 THEN b.dc_reqs_2 WHEN 3 THEN b.dc_reqs_3 WHEN 4 THEN b.dc_reqs_4 WHEN 5 THEN b.dc_reqs_5 END AS dc_reqs_sum
FROM cgroup_io_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW cgroup_io_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.rd_bytes_sum / r.secs AS rd_bytes,
  r.wr_bytes_sum / r.secs AS wr_bytes,
  r.rd_reqs_sum / r.secs AS rd_reqs,
  r.wr_reqs_sum / r.secs AS wr_reqs,
  r.dc_bytes_sum / r.secs AS dc_bytes,
  r.dc_reqs_sum / r.secs AS dc_reqs
FROM cgroup_io_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW numa_value AS
WITH x AS (SELECT tick_id, device_id, 1 AS b, anon, file FROM numa_base
           UNION ALL SELECT tick_id, device_id, 0 AS b, anon, file FROM numa_raw),
g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x
      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),
y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.anon) >= 4611686018427387904 THEN g.anon * 1.0 ELSE g.anon END WHEN g.tick_id = g.bt THEN NULL ELSE g.anon END) OVER w AS anon,
  sum(CASE WHEN g.b = 1 THEN CASE WHEN abs(g.file) >= 4611686018427387904 THEN g.file * 1.0 ELSE g.file END WHEN g.tick_id = g.bt THEN NULL ELSE g.file END) OVER w AS file
  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  CASE WHEN y.gen > 0 THEN y.anon END AS anon,
  CASE WHEN y.gen > 0 THEN y.file END AS file
FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;

CREATE VIEW numa_1m AS
SELECT CAST(b.block + 60 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.anon_0 WHEN 1 THEN b.anon_1 WHEN 2 THEN b.anon_2 WHEN 3 THEN b.anon_3 WHEN 4 THEN b.anon_4 WHEN 5 THEN b.anon_5 END AS anon_mean,
  CASE s.slot WHEN 0 THEN b.anon_max_0 WHEN 1 THEN b.anon_max_1 WHEN 2 THEN b.anon_max_2 WHEN 3 THEN b.anon_max_3 WHEN 4 THEN b.anon_max_4 WHEN 5 THEN b.anon_max_5 END AS anon_max,
  CASE s.slot WHEN 0 THEN b.file_0 WHEN 1 THEN b.file_1 WHEN 2 THEN b.file_2 WHEN 3 THEN b.file_3 WHEN 4 THEN b.file_4 WHEN 5 THEN b.file_5 END AS file_mean,
  CASE s.slot WHEN 0 THEN b.file_max_0 WHEN 1 THEN b.file_max_1 WHEN 2 THEN b.file_max_2 WHEN 3 THEN b.file_max_3 WHEN 4 THEN b.file_max_4 WHEN 5 THEN b.file_max_5 END AS file_max
FROM numa_1m_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1m c ON c.bucket = b.block + 60 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW numa_1m_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.anon_mean AS anon,
  r.anon_max AS anon_max,
  r.file_mean AS file,
  r.file_max AS file_max
FROM numa_1m r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW numa_1h AS
SELECT CAST(b.block + 3600 * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END) / 1000.0 AS secs,
  CASE s.slot WHEN 0 THEN b.anon_0 WHEN 1 THEN b.anon_1 WHEN 2 THEN b.anon_2 WHEN 3 THEN b.anon_3 WHEN 4 THEN b.anon_4 WHEN 5 THEN b.anon_5 END AS anon_mean,
  CASE s.slot WHEN 0 THEN b.anon_max_0 WHEN 1 THEN b.anon_max_1 WHEN 2 THEN b.anon_max_2 WHEN 3 THEN b.anon_max_3 WHEN 4 THEN b.anon_max_4 WHEN 5 THEN b.anon_max_5 END AS anon_max,
  CASE s.slot WHEN 0 THEN b.file_0 WHEN 1 THEN b.file_1 WHEN 2 THEN b.file_2 WHEN 3 THEN b.file_3 WHEN 4 THEN b.file_4 WHEN 5 THEN b.file_5 END AS file_mean,
  CASE s.slot WHEN 0 THEN b.file_max_0 WHEN 1 THEN b.file_max_1 WHEN 2 THEN b.file_max_2 WHEN 3 THEN b.file_max_3 WHEN 4 THEN b.file_max_4 WHEN 5 THEN b.file_max_5 END AS file_max
FROM numa_1h_block b CROSS JOIN (SELECT 0 AS slot UNION ALL SELECT 1 AS slot UNION ALL SELECT 2 AS slot UNION ALL SELECT 3 AS slot UNION ALL SELECT 4 AS slot UNION ALL SELECT 5 AS slot) s JOIN cover_1h c ON c.bucket = b.block + 3600 * s.slot
WHERE CASE s.slot WHEN 0 THEN b.gap_0 WHEN 1 THEN b.gap_1 WHEN 2 THEN b.gap_2 WHEN 3 THEN b.gap_3 WHEN 4 THEN b.gap_4 WHEN 5 THEN b.gap_5 END IS NOT NULL;

CREATE VIEW numa_1h_rate AS
SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,
  r.anon_mean AS anon,
  r.anon_max AS anon_max,
  r.file_mean AS file,
  r.file_max AS file_max
FROM numa_1h r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;

CREATE VIEW attribute_log AS
SELECT a.ts AS ts, d.name AS domain, v.name AS device, v.kind AS kind, v.idx AS idx,
  replace(k.key, '{i}', coalesce(v.idx, '')) AS key, a.value AS value
FROM attribute a JOIN device v ON v.id = a.device_id JOIN domain d ON d.id = v.domain_id
JOIN key_map k ON k.kind = v.kind AND k.col = a.col;
