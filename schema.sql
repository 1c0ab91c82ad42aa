-- domstat history database: the one definition. domstat creates a new database from this file
-- and records the schema version in PRAGMA user_version (and meta.schema_version).
--
-- Layout: a tick is one sample of the whole host. Each sampled thing is a `device`: a domain as a
-- whole (kind 'domain'), a vCPU, a network interface, a disk, or the host itself. Raw samples live
-- in one table per kind (<kind>_sample), one row per device per tick.
--
-- Raw rows are delta-encoded, which keeps them small (SQLite stores 0 and 1 in no bytes):
--   * a BASE row (dt_ms IS NULL) holds the readings themselves. A device's first row, the row
--     after a reset (a counter went down, the domain restarted with a new id) and the first row of
--     every keyframe period (10 minutes) are base rows;
--   * every other row holds, per column, the change since the device's previous row, and dt_ms
--     is the time since that row. Counter changes are exact, never negative: a wrap of a source
--     known to be 32-bit is unwrapped, any other decrease starts a new base row instead, and so
--     does a change of 2^53 or more (no real counter grows that fast in one tick).
-- So a rate is simply column * 1000.0 / dt_ms on non-base rows (views <kind>_rate), and a value
-- is the running sum from the last base row (views <kind>_value).
--
-- Integers: SQLite holds signed 64-bit integers. A counter reading of 2^63 or more (possible for
-- u64 kernel counters) is stored as reading - 2^64, i.e. its two's complement, and read back by
-- domstat exactly; plain SQL sees such a base value as negative. Changes never come near 2^63.
--
-- Rollups: <kind>_1m and <kind>_1h hold per device per minute/hour: n samples, secs covered by
-- rates; for a counter c: c_sum (increase), c_min / c_max (lowest/highest per-second rate) and
-- c_last (the reading at the end); for a gauge g: g_min, g_max, g_mean and g_last. c_last and
-- g_last are exact; c_sum, g_min and g_max are exact below 2^53 (a sum past that, a counter growing
-- by 2.5 TB every second for an hour, is rounded to the nearest double).
-- Retention: raw 2 days, 1m 90 days, 1h 2 years by default, plus a size cap (see README).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per sample of the host.
CREATE TABLE tick (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,     -- wall-clock time of the sample, Unix milliseconds
  collect_us  INTEGER NOT NULL,     -- time spent reading and parsing host files
  domains     INTEGER NOT NULL,     -- domains sampled
  keyframe    INTEGER NOT NULL      -- keyframe period number (base rows start each one)
);
CREATE INDEX tick_ts ON tick (ts);

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
-- block.N), or 'host'. name is the device name (vnet0, xvda, vcpu0), path the disk source or MAC.
CREATE TABLE device (
  id         INTEGER PRIMARY KEY,
  domain_id  INTEGER NOT NULL REFERENCES domain (id),
  kind       TEXT NOT NULL CHECK (kind IN ('domain', 'host', 'vcpu', 'net', 'block')),
  idx        INTEGER,
  name       TEXT NOT NULL,
  path       TEXT,
  UNIQUE (domain_id, kind, idx, name)
);

-- Which domstats key is stored where: the key pattern ({i} = the device's idx), its column,
-- counter or gauge, unit, and whether libvirt defines the key or domstat does.
CREATE TABLE key_map (
  kind     TEXT NOT NULL,
  col      TEXT NOT NULL,
  key      TEXT NOT NULL,
  type     TEXT NOT NULL CHECK (type IN ('counter', 'gauge')),
  unit     TEXT NOT NULL,
  origin   TEXT NOT NULL CHECK (origin IN ('libvirt', 'domstat')),
  note     TEXT NOT NULL,
  PRIMARY KEY (kind, col)
) WITHOUT ROWID;

INSERT INTO key_map VALUES ('domain', 'domid', 'extra.domid', 'gauge', 'id', 'domstat', 'domain id while running (a change means a restart: counters start again)');
INSERT INTO key_map VALUES ('domain', 'state', 'state.state', 'gauge', 'enum', 'libvirt', 'virDomainState');
INSERT INTO key_map VALUES ('domain', 'reason', 'state.reason', 'gauge', 'enum', 'libvirt', 'state reason');
INSERT INTO key_map VALUES ('domain', 'cpu_time', 'cpu.time', 'counter', 'ns', 'libvirt', 'CPU time of the domain');
INSERT INTO key_map VALUES ('domain', 'cpu_user', 'cpu.user', 'counter', 'ns', 'libvirt', 'user CPU time');
INSERT INTO key_map VALUES ('domain', 'cpu_system', 'cpu.system', 'counter', 'ns', 'libvirt', 'system CPU time');
INSERT INTO key_map VALUES ('domain', 'balloon_current', 'balloon.current', 'gauge', 'KiB', 'libvirt', 'current balloon');
INSERT INTO key_map VALUES ('domain', 'balloon_maximum', 'balloon.maximum', 'gauge', 'KiB', 'libvirt', 'maximum balloon');
INSERT INTO key_map VALUES ('domain', 'balloon_rss', 'balloon.rss', 'gauge', 'KiB', 'libvirt', 'resident set size of the QEMU process');
INSERT INTO key_map VALUES ('domain', 'vcpu_current', 'vcpu.current', 'gauge', 'count', 'libvirt', 'online vCPUs');
INSERT INTO key_map VALUES ('domain', 'vcpu_maximum', 'vcpu.maximum', 'gauge', 'count', 'libvirt', 'maximum vCPUs');
INSERT INTO key_map VALUES ('domain', 'io_rchar', 'extra.io.rchar', 'counter', 'bytes', 'domstat', '/proc/<pid>/io rchar (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_wchar', 'extra.io.wchar', 'counter', 'bytes', 'domstat', '/proc/<pid>/io wchar (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_syscr', 'extra.io.syscr', 'counter', 'count', 'domstat', '/proc/<pid>/io syscr (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_syscw', 'extra.io.syscw', 'counter', 'count', 'domstat', '/proc/<pid>/io syscw (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_read_bytes', 'extra.io.read_bytes', 'counter', 'bytes', 'domstat', '/proc/<pid>/io read_bytes (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_write_bytes', 'extra.io.write_bytes', 'counter', 'bytes', 'domstat', '/proc/<pid>/io write_bytes (domstat)');
INSERT INTO key_map VALUES ('domain', 'io_cancelled_write_bytes', 'extra.io.cancelled_write_bytes', 'counter', 'bytes', 'domstat', '/proc/<pid>/io cancelled_write_bytes (domstat)');
INSERT INTO key_map VALUES ('vcpu', 'state', 'vcpu.{i}.state', 'gauge', 'enum', 'libvirt', 'virVcpuState');
INSERT INTO key_map VALUES ('vcpu', 'time', 'vcpu.{i}.time', 'counter', 'ns', 'libvirt', 'CPU time of the vCPU thread');
INSERT INTO key_map VALUES ('vcpu', 'wait', 'vcpu.{i}.wait', 'counter', 'ns', 'libvirt', 'time waiting for a host CPU (schedstats)');
INSERT INTO key_map VALUES ('vcpu', 'delay', 'vcpu.{i}.delay', 'counter', 'ns', 'libvirt', 'run-queue delay (schedstat)');
INSERT INTO key_map VALUES ('net', 'rx_bytes', 'net.{i}.rx.bytes', 'counter', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'rx_pkts', 'net.{i}.rx.pkts', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'rx_errs', 'net.{i}.rx.errs', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'rx_drop', 'net.{i}.rx.drop', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_bytes', 'net.{i}.tx.bytes', 'counter', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_pkts', 'net.{i}.tx.pkts', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_errs', 'net.{i}.tx.errs', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('net', 'tx_drop', 'net.{i}.tx.drop', 'counter', 'packets', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_reqs', 'block.{i}.rd.reqs', 'counter', 'requests', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_bytes', 'block.{i}.rd.bytes', 'counter', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'rd_times', 'block.{i}.rd.times', 'counter', 'ns', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_reqs', 'block.{i}.wr.reqs', 'counter', 'requests', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_bytes', 'block.{i}.wr.bytes', 'counter', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'wr_times', 'block.{i}.wr.times', 'counter', 'ns', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'fl_reqs', 'block.{i}.fl.reqs', 'counter', 'requests', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'fl_times', 'block.{i}.fl.times', 'counter', 'ns', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'errors', 'block.{i}.errors', 'counter', 'requests', 'libvirt', 'Xen oo_req');
INSERT INTO key_map VALUES ('block', 'discard_reqs', 'extra.block.{i}.discard.reqs', 'counter', 'requests', 'domstat', 'Xen ds_req (domstat)');
INSERT INTO key_map VALUES ('block', 'allocation', 'block.{i}.allocation', 'gauge', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'capacity', 'block.{i}.capacity', 'gauge', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('block', 'physical', 'block.{i}.physical', 'gauge', 'bytes', 'libvirt', '');
INSERT INTO key_map VALUES ('host', 'cpu_user', 'host.cpu.user', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_nice', 'host.cpu.nice', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_system', 'host.cpu.system', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_idle', 'host.cpu.idle', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_iowait', 'host.cpu.iowait', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_irq', 'host.cpu.irq', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_softirq', 'host.cpu.softirq', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'cpu_steal', 'host.cpu.steal', 'counter', 'ns', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'mem_total', 'host.mem.total', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'mem_free', 'host.mem.free', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'mem_available', 'host.mem.available', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'mem_buffers', 'host.mem.buffers', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'mem_cached', 'host.mem.cached', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'swap_total', 'host.swap.total', 'gauge', 'KiB', 'domstat', '');
INSERT INTO key_map VALUES ('host', 'swap_free', 'host.swap.free', 'gauge', 'KiB', 'domstat', '');

-- Raw samples of the domain as a whole, one row per domain per tick.
CREATE TABLE domain_sample (
  tick_id    INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  dt_ms      INTEGER,              -- NULL: base row
  domid                    INTEGER,
  state                    INTEGER,
  reason                   INTEGER,
  cpu_time                 INTEGER,
  cpu_user                 INTEGER,
  cpu_system               INTEGER,
  balloon_current          INTEGER,
  balloon_maximum          INTEGER,
  balloon_rss              INTEGER,
  vcpu_current             INTEGER,
  vcpu_maximum             INTEGER,
  io_rchar                 INTEGER,
  io_wchar                 INTEGER,
  io_syscr                 INTEGER,
  io_syscw                 INTEGER,
  io_read_bytes            INTEGER,
  io_write_bytes           INTEGER,
  io_cancelled_write_bytes INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

CREATE TABLE domain_1m (
  bucket     INTEGER NOT NULL,     -- start of the minute, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  domid_min INTEGER, domid_max INTEGER, domid_mean REAL, domid_last INTEGER,
  state_min INTEGER, state_max INTEGER, state_mean REAL, state_last INTEGER,
  reason_min INTEGER, reason_max INTEGER, reason_mean REAL, reason_last INTEGER,
  cpu_time_sum INTEGER, cpu_time_min REAL, cpu_time_max REAL, cpu_time_last INTEGER,
  cpu_user_sum INTEGER, cpu_user_min REAL, cpu_user_max REAL, cpu_user_last INTEGER,
  cpu_system_sum INTEGER, cpu_system_min REAL, cpu_system_max REAL, cpu_system_last INTEGER,
  balloon_current_min INTEGER, balloon_current_max INTEGER, balloon_current_mean REAL, balloon_current_last INTEGER,
  balloon_maximum_min INTEGER, balloon_maximum_max INTEGER, balloon_maximum_mean REAL, balloon_maximum_last INTEGER,
  balloon_rss_min INTEGER, balloon_rss_max INTEGER, balloon_rss_mean REAL, balloon_rss_last INTEGER,
  vcpu_current_min INTEGER, vcpu_current_max INTEGER, vcpu_current_mean REAL, vcpu_current_last INTEGER,
  vcpu_maximum_min INTEGER, vcpu_maximum_max INTEGER, vcpu_maximum_mean REAL, vcpu_maximum_last INTEGER,
  io_rchar_sum INTEGER, io_rchar_min REAL, io_rchar_max REAL, io_rchar_last INTEGER,
  io_wchar_sum INTEGER, io_wchar_min REAL, io_wchar_max REAL, io_wchar_last INTEGER,
  io_syscr_sum INTEGER, io_syscr_min REAL, io_syscr_max REAL, io_syscr_last INTEGER,
  io_syscw_sum INTEGER, io_syscw_min REAL, io_syscw_max REAL, io_syscw_last INTEGER,
  io_read_bytes_sum INTEGER, io_read_bytes_min REAL, io_read_bytes_max REAL, io_read_bytes_last INTEGER,
  io_write_bytes_sum INTEGER, io_write_bytes_min REAL, io_write_bytes_max REAL, io_write_bytes_last INTEGER,
  io_cancelled_write_bytes_sum INTEGER, io_cancelled_write_bytes_min REAL, io_cancelled_write_bytes_max REAL, io_cancelled_write_bytes_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

CREATE TABLE domain_1h (
  bucket     INTEGER NOT NULL,     -- start of the hour, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  domid_min INTEGER, domid_max INTEGER, domid_mean REAL, domid_last INTEGER,
  state_min INTEGER, state_max INTEGER, state_mean REAL, state_last INTEGER,
  reason_min INTEGER, reason_max INTEGER, reason_mean REAL, reason_last INTEGER,
  cpu_time_sum INTEGER, cpu_time_min REAL, cpu_time_max REAL, cpu_time_last INTEGER,
  cpu_user_sum INTEGER, cpu_user_min REAL, cpu_user_max REAL, cpu_user_last INTEGER,
  cpu_system_sum INTEGER, cpu_system_min REAL, cpu_system_max REAL, cpu_system_last INTEGER,
  balloon_current_min INTEGER, balloon_current_max INTEGER, balloon_current_mean REAL, balloon_current_last INTEGER,
  balloon_maximum_min INTEGER, balloon_maximum_max INTEGER, balloon_maximum_mean REAL, balloon_maximum_last INTEGER,
  balloon_rss_min INTEGER, balloon_rss_max INTEGER, balloon_rss_mean REAL, balloon_rss_last INTEGER,
  vcpu_current_min INTEGER, vcpu_current_max INTEGER, vcpu_current_mean REAL, vcpu_current_last INTEGER,
  vcpu_maximum_min INTEGER, vcpu_maximum_max INTEGER, vcpu_maximum_mean REAL, vcpu_maximum_last INTEGER,
  io_rchar_sum INTEGER, io_rchar_min REAL, io_rchar_max REAL, io_rchar_last INTEGER,
  io_wchar_sum INTEGER, io_wchar_min REAL, io_wchar_max REAL, io_wchar_last INTEGER,
  io_syscr_sum INTEGER, io_syscr_min REAL, io_syscr_max REAL, io_syscr_last INTEGER,
  io_syscw_sum INTEGER, io_syscw_min REAL, io_syscw_max REAL, io_syscw_last INTEGER,
  io_read_bytes_sum INTEGER, io_read_bytes_min REAL, io_read_bytes_max REAL, io_read_bytes_last INTEGER,
  io_write_bytes_sum INTEGER, io_write_bytes_min REAL, io_write_bytes_max REAL, io_write_bytes_last INTEGER,
  io_cancelled_write_bytes_sum INTEGER, io_cancelled_write_bytes_min REAL, io_cancelled_write_bytes_max REAL, io_cancelled_write_bytes_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

-- Raw samples of one virtual CPU.
CREATE TABLE vcpu_sample (
  tick_id    INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  dt_ms      INTEGER,              -- NULL: base row
  state                    INTEGER,
  time                     INTEGER,
  wait                     INTEGER,
  delay                    INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

CREATE TABLE vcpu_1m (
  bucket     INTEGER NOT NULL,     -- start of the minute, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  state_min INTEGER, state_max INTEGER, state_mean REAL, state_last INTEGER,
  time_sum INTEGER, time_min REAL, time_max REAL, time_last INTEGER,
  wait_sum INTEGER, wait_min REAL, wait_max REAL, wait_last INTEGER,
  delay_sum INTEGER, delay_min REAL, delay_max REAL, delay_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

CREATE TABLE vcpu_1h (
  bucket     INTEGER NOT NULL,     -- start of the hour, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  state_min INTEGER, state_max INTEGER, state_mean REAL, state_last INTEGER,
  time_sum INTEGER, time_min REAL, time_max REAL, time_last INTEGER,
  wait_sum INTEGER, wait_min REAL, wait_max REAL, wait_last INTEGER,
  delay_sum INTEGER, delay_min REAL, delay_max REAL, delay_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

-- Raw samples of one network interface (guest view for domains, as is for the host).
CREATE TABLE net_sample (
  tick_id    INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  dt_ms      INTEGER,              -- NULL: base row
  rx_bytes                 INTEGER,
  rx_pkts                  INTEGER,
  rx_errs                  INTEGER,
  rx_drop                  INTEGER,
  tx_bytes                 INTEGER,
  tx_pkts                  INTEGER,
  tx_errs                  INTEGER,
  tx_drop                  INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

CREATE TABLE net_1m (
  bucket     INTEGER NOT NULL,     -- start of the minute, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  rx_bytes_sum INTEGER, rx_bytes_min REAL, rx_bytes_max REAL, rx_bytes_last INTEGER,
  rx_pkts_sum INTEGER, rx_pkts_min REAL, rx_pkts_max REAL, rx_pkts_last INTEGER,
  rx_errs_sum INTEGER, rx_errs_min REAL, rx_errs_max REAL, rx_errs_last INTEGER,
  rx_drop_sum INTEGER, rx_drop_min REAL, rx_drop_max REAL, rx_drop_last INTEGER,
  tx_bytes_sum INTEGER, tx_bytes_min REAL, tx_bytes_max REAL, tx_bytes_last INTEGER,
  tx_pkts_sum INTEGER, tx_pkts_min REAL, tx_pkts_max REAL, tx_pkts_last INTEGER,
  tx_errs_sum INTEGER, tx_errs_min REAL, tx_errs_max REAL, tx_errs_last INTEGER,
  tx_drop_sum INTEGER, tx_drop_min REAL, tx_drop_max REAL, tx_drop_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

CREATE TABLE net_1h (
  bucket     INTEGER NOT NULL,     -- start of the hour, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  rx_bytes_sum INTEGER, rx_bytes_min REAL, rx_bytes_max REAL, rx_bytes_last INTEGER,
  rx_pkts_sum INTEGER, rx_pkts_min REAL, rx_pkts_max REAL, rx_pkts_last INTEGER,
  rx_errs_sum INTEGER, rx_errs_min REAL, rx_errs_max REAL, rx_errs_last INTEGER,
  rx_drop_sum INTEGER, rx_drop_min REAL, rx_drop_max REAL, rx_drop_last INTEGER,
  tx_bytes_sum INTEGER, tx_bytes_min REAL, tx_bytes_max REAL, tx_bytes_last INTEGER,
  tx_pkts_sum INTEGER, tx_pkts_min REAL, tx_pkts_max REAL, tx_pkts_last INTEGER,
  tx_errs_sum INTEGER, tx_errs_min REAL, tx_errs_max REAL, tx_errs_last INTEGER,
  tx_drop_sum INTEGER, tx_drop_min REAL, tx_drop_max REAL, tx_drop_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

-- Raw samples of one disk.
CREATE TABLE block_sample (
  tick_id    INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  dt_ms      INTEGER,              -- NULL: base row
  rd_reqs                  INTEGER,
  rd_bytes                 INTEGER,
  rd_times                 INTEGER,
  wr_reqs                  INTEGER,
  wr_bytes                 INTEGER,
  wr_times                 INTEGER,
  fl_reqs                  INTEGER,
  fl_times                 INTEGER,
  errors                   INTEGER,
  discard_reqs             INTEGER,
  allocation               INTEGER,
  capacity                 INTEGER,
  physical                 INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

CREATE TABLE block_1m (
  bucket     INTEGER NOT NULL,     -- start of the minute, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  rd_reqs_sum INTEGER, rd_reqs_min REAL, rd_reqs_max REAL, rd_reqs_last INTEGER,
  rd_bytes_sum INTEGER, rd_bytes_min REAL, rd_bytes_max REAL, rd_bytes_last INTEGER,
  rd_times_sum INTEGER, rd_times_min REAL, rd_times_max REAL, rd_times_last INTEGER,
  wr_reqs_sum INTEGER, wr_reqs_min REAL, wr_reqs_max REAL, wr_reqs_last INTEGER,
  wr_bytes_sum INTEGER, wr_bytes_min REAL, wr_bytes_max REAL, wr_bytes_last INTEGER,
  wr_times_sum INTEGER, wr_times_min REAL, wr_times_max REAL, wr_times_last INTEGER,
  fl_reqs_sum INTEGER, fl_reqs_min REAL, fl_reqs_max REAL, fl_reqs_last INTEGER,
  fl_times_sum INTEGER, fl_times_min REAL, fl_times_max REAL, fl_times_last INTEGER,
  errors_sum INTEGER, errors_min REAL, errors_max REAL, errors_last INTEGER,
  discard_reqs_sum INTEGER, discard_reqs_min REAL, discard_reqs_max REAL, discard_reqs_last INTEGER,
  allocation_min INTEGER, allocation_max INTEGER, allocation_mean REAL, allocation_last INTEGER,
  capacity_min INTEGER, capacity_max INTEGER, capacity_mean REAL, capacity_last INTEGER,
  physical_min INTEGER, physical_max INTEGER, physical_mean REAL, physical_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

CREATE TABLE block_1h (
  bucket     INTEGER NOT NULL,     -- start of the hour, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  rd_reqs_sum INTEGER, rd_reqs_min REAL, rd_reqs_max REAL, rd_reqs_last INTEGER,
  rd_bytes_sum INTEGER, rd_bytes_min REAL, rd_bytes_max REAL, rd_bytes_last INTEGER,
  rd_times_sum INTEGER, rd_times_min REAL, rd_times_max REAL, rd_times_last INTEGER,
  wr_reqs_sum INTEGER, wr_reqs_min REAL, wr_reqs_max REAL, wr_reqs_last INTEGER,
  wr_bytes_sum INTEGER, wr_bytes_min REAL, wr_bytes_max REAL, wr_bytes_last INTEGER,
  wr_times_sum INTEGER, wr_times_min REAL, wr_times_max REAL, wr_times_last INTEGER,
  fl_reqs_sum INTEGER, fl_reqs_min REAL, fl_reqs_max REAL, fl_reqs_last INTEGER,
  fl_times_sum INTEGER, fl_times_min REAL, fl_times_max REAL, fl_times_last INTEGER,
  errors_sum INTEGER, errors_min REAL, errors_max REAL, errors_last INTEGER,
  discard_reqs_sum INTEGER, discard_reqs_min REAL, discard_reqs_max REAL, discard_reqs_last INTEGER,
  allocation_min INTEGER, allocation_max INTEGER, allocation_mean REAL, allocation_last INTEGER,
  capacity_min INTEGER, capacity_max INTEGER, capacity_mean REAL, capacity_last INTEGER,
  physical_min INTEGER, physical_max INTEGER, physical_mean REAL, physical_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

-- Raw samples of the host itself (/proc/stat, /proc/meminfo).
CREATE TABLE host_sample (
  tick_id    INTEGER NOT NULL,
  device_id  INTEGER NOT NULL,
  dt_ms      INTEGER,              -- NULL: base row
  cpu_user                 INTEGER,
  cpu_nice                 INTEGER,
  cpu_system               INTEGER,
  cpu_idle                 INTEGER,
  cpu_iowait               INTEGER,
  cpu_irq                  INTEGER,
  cpu_softirq              INTEGER,
  cpu_steal                INTEGER,
  mem_total                INTEGER,
  mem_free                 INTEGER,
  mem_available            INTEGER,
  mem_buffers              INTEGER,
  mem_cached               INTEGER,
  swap_total               INTEGER,
  swap_free                INTEGER,
  PRIMARY KEY (tick_id, device_id)
) WITHOUT ROWID;

CREATE TABLE host_1m (
  bucket     INTEGER NOT NULL,     -- start of the minute, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  cpu_user_sum INTEGER, cpu_user_min REAL, cpu_user_max REAL, cpu_user_last INTEGER,
  cpu_nice_sum INTEGER, cpu_nice_min REAL, cpu_nice_max REAL, cpu_nice_last INTEGER,
  cpu_system_sum INTEGER, cpu_system_min REAL, cpu_system_max REAL, cpu_system_last INTEGER,
  cpu_idle_sum INTEGER, cpu_idle_min REAL, cpu_idle_max REAL, cpu_idle_last INTEGER,
  cpu_iowait_sum INTEGER, cpu_iowait_min REAL, cpu_iowait_max REAL, cpu_iowait_last INTEGER,
  cpu_irq_sum INTEGER, cpu_irq_min REAL, cpu_irq_max REAL, cpu_irq_last INTEGER,
  cpu_softirq_sum INTEGER, cpu_softirq_min REAL, cpu_softirq_max REAL, cpu_softirq_last INTEGER,
  cpu_steal_sum INTEGER, cpu_steal_min REAL, cpu_steal_max REAL, cpu_steal_last INTEGER,
  mem_total_min INTEGER, mem_total_max INTEGER, mem_total_mean REAL, mem_total_last INTEGER,
  mem_free_min INTEGER, mem_free_max INTEGER, mem_free_mean REAL, mem_free_last INTEGER,
  mem_available_min INTEGER, mem_available_max INTEGER, mem_available_mean REAL, mem_available_last INTEGER,
  mem_buffers_min INTEGER, mem_buffers_max INTEGER, mem_buffers_mean REAL, mem_buffers_last INTEGER,
  mem_cached_min INTEGER, mem_cached_max INTEGER, mem_cached_mean REAL, mem_cached_last INTEGER,
  swap_total_min INTEGER, swap_total_max INTEGER, swap_total_mean REAL, swap_total_last INTEGER,
  swap_free_min INTEGER, swap_free_max INTEGER, swap_free_mean REAL, swap_free_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

CREATE TABLE host_1h (
  bucket     INTEGER NOT NULL,     -- start of the hour, Unix seconds
  device_id  INTEGER NOT NULL,
  n          INTEGER NOT NULL,     -- samples
  secs       REAL NOT NULL,        -- seconds covered by rates
  cpu_user_sum INTEGER, cpu_user_min REAL, cpu_user_max REAL, cpu_user_last INTEGER,
  cpu_nice_sum INTEGER, cpu_nice_min REAL, cpu_nice_max REAL, cpu_nice_last INTEGER,
  cpu_system_sum INTEGER, cpu_system_min REAL, cpu_system_max REAL, cpu_system_last INTEGER,
  cpu_idle_sum INTEGER, cpu_idle_min REAL, cpu_idle_max REAL, cpu_idle_last INTEGER,
  cpu_iowait_sum INTEGER, cpu_iowait_min REAL, cpu_iowait_max REAL, cpu_iowait_last INTEGER,
  cpu_irq_sum INTEGER, cpu_irq_min REAL, cpu_irq_max REAL, cpu_irq_last INTEGER,
  cpu_softirq_sum INTEGER, cpu_softirq_min REAL, cpu_softirq_max REAL, cpu_softirq_last INTEGER,
  cpu_steal_sum INTEGER, cpu_steal_min REAL, cpu_steal_max REAL, cpu_steal_last INTEGER,
  mem_total_min INTEGER, mem_total_max INTEGER, mem_total_mean REAL, mem_total_last INTEGER,
  mem_free_min INTEGER, mem_free_max INTEGER, mem_free_mean REAL, mem_free_last INTEGER,
  mem_available_min INTEGER, mem_available_max INTEGER, mem_available_mean REAL, mem_available_last INTEGER,
  mem_buffers_min INTEGER, mem_buffers_max INTEGER, mem_buffers_mean REAL, mem_buffers_last INTEGER,
  mem_cached_min INTEGER, mem_cached_max INTEGER, mem_cached_mean REAL, mem_cached_last INTEGER,
  swap_total_min INTEGER, swap_total_max INTEGER, swap_total_mean REAL, swap_total_last INTEGER,
  swap_free_min INTEGER, swap_free_max INTEGER, swap_free_mean REAL, swap_free_last INTEGER,
  PRIMARY KEY (device_id, bucket)
) WITHOUT ROWID;

-- Views for plain SQL. Times are Unix milliseconds; `domain` and `device` are names.
CREATE VIEW domain_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, s.dt_ms AS dt_ms,
  cpu_time * 1000.0 / s.dt_ms AS cpu_time,
  cpu_user * 1000.0 / s.dt_ms AS cpu_user,
  cpu_system * 1000.0 / s.dt_ms AS cpu_system,
  io_rchar * 1000.0 / s.dt_ms AS io_rchar,
  io_wchar * 1000.0 / s.dt_ms AS io_wchar,
  io_syscr * 1000.0 / s.dt_ms AS io_syscr,
  io_syscw * 1000.0 / s.dt_ms AS io_syscw,
  io_read_bytes * 1000.0 / s.dt_ms AS io_read_bytes,
  io_write_bytes * 1000.0 / s.dt_ms AS io_write_bytes,
  io_cancelled_write_bytes * 1000.0 / s.dt_ms AS io_cancelled_write_bytes
FROM domain_sample s JOIN tick t ON t.id = s.tick_id JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id
WHERE s.dt_ms IS NOT NULL;

CREATE VIEW domain_value AS
WITH g AS (SELECT s.*, SUM(s.dt_ms IS NULL) OVER (PARTITION BY s.device_id ORDER BY s.tick_id) AS gen FROM domain_sample s)
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  SUM(g.domid) OVER w AS domid,
  SUM(g.state) OVER w AS state,
  SUM(g.reason) OVER w AS reason,
  SUM(g.cpu_time) OVER w AS cpu_time,
  SUM(g.cpu_user) OVER w AS cpu_user,
  SUM(g.cpu_system) OVER w AS cpu_system,
  SUM(g.balloon_current) OVER w AS balloon_current,
  SUM(g.balloon_maximum) OVER w AS balloon_maximum,
  SUM(g.balloon_rss) OVER w AS balloon_rss,
  SUM(g.vcpu_current) OVER w AS vcpu_current,
  SUM(g.vcpu_maximum) OVER w AS vcpu_maximum,
  SUM(g.io_rchar) OVER w AS io_rchar,
  SUM(g.io_wchar) OVER w AS io_wchar,
  SUM(g.io_syscr) OVER w AS io_syscr,
  SUM(g.io_syscw) OVER w AS io_syscw,
  SUM(g.io_read_bytes) OVER w AS io_read_bytes,
  SUM(g.io_write_bytes) OVER w AS io_write_bytes,
  SUM(g.io_cancelled_write_bytes) OVER w AS io_cancelled_write_bytes
FROM g JOIN tick t ON t.id = g.tick_id JOIN device v ON v.id = g.device_id JOIN domain d ON d.id = v.domain_id
WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id);

CREATE VIEW vcpu_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, s.dt_ms AS dt_ms,
  time * 1000.0 / s.dt_ms AS time,
  wait * 1000.0 / s.dt_ms AS wait,
  delay * 1000.0 / s.dt_ms AS delay
FROM vcpu_sample s JOIN tick t ON t.id = s.tick_id JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id
WHERE s.dt_ms IS NOT NULL;

CREATE VIEW vcpu_value AS
WITH g AS (SELECT s.*, SUM(s.dt_ms IS NULL) OVER (PARTITION BY s.device_id ORDER BY s.tick_id) AS gen FROM vcpu_sample s)
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  SUM(g.state) OVER w AS state,
  SUM(g.time) OVER w AS time,
  SUM(g.wait) OVER w AS wait,
  SUM(g.delay) OVER w AS delay
FROM g JOIN tick t ON t.id = g.tick_id JOIN device v ON v.id = g.device_id JOIN domain d ON d.id = v.domain_id
WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id);

CREATE VIEW net_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, s.dt_ms AS dt_ms,
  rx_bytes * 1000.0 / s.dt_ms AS rx_bytes,
  rx_pkts * 1000.0 / s.dt_ms AS rx_pkts,
  rx_errs * 1000.0 / s.dt_ms AS rx_errs,
  rx_drop * 1000.0 / s.dt_ms AS rx_drop,
  tx_bytes * 1000.0 / s.dt_ms AS tx_bytes,
  tx_pkts * 1000.0 / s.dt_ms AS tx_pkts,
  tx_errs * 1000.0 / s.dt_ms AS tx_errs,
  tx_drop * 1000.0 / s.dt_ms AS tx_drop
FROM net_sample s JOIN tick t ON t.id = s.tick_id JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id
WHERE s.dt_ms IS NOT NULL;

CREATE VIEW net_value AS
WITH g AS (SELECT s.*, SUM(s.dt_ms IS NULL) OVER (PARTITION BY s.device_id ORDER BY s.tick_id) AS gen FROM net_sample s)
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  SUM(g.rx_bytes) OVER w AS rx_bytes,
  SUM(g.rx_pkts) OVER w AS rx_pkts,
  SUM(g.rx_errs) OVER w AS rx_errs,
  SUM(g.rx_drop) OVER w AS rx_drop,
  SUM(g.tx_bytes) OVER w AS tx_bytes,
  SUM(g.tx_pkts) OVER w AS tx_pkts,
  SUM(g.tx_errs) OVER w AS tx_errs,
  SUM(g.tx_drop) OVER w AS tx_drop
FROM g JOIN tick t ON t.id = g.tick_id JOIN device v ON v.id = g.device_id JOIN domain d ON d.id = v.domain_id
WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id);

CREATE VIEW block_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, s.dt_ms AS dt_ms,
  rd_reqs * 1000.0 / s.dt_ms AS rd_reqs,
  rd_bytes * 1000.0 / s.dt_ms AS rd_bytes,
  rd_times * 1000.0 / s.dt_ms AS rd_times,
  wr_reqs * 1000.0 / s.dt_ms AS wr_reqs,
  wr_bytes * 1000.0 / s.dt_ms AS wr_bytes,
  wr_times * 1000.0 / s.dt_ms AS wr_times,
  fl_reqs * 1000.0 / s.dt_ms AS fl_reqs,
  fl_times * 1000.0 / s.dt_ms AS fl_times,
  errors * 1000.0 / s.dt_ms AS errors,
  discard_reqs * 1000.0 / s.dt_ms AS discard_reqs
FROM block_sample s JOIN tick t ON t.id = s.tick_id JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id
WHERE s.dt_ms IS NOT NULL;

CREATE VIEW block_value AS
WITH g AS (SELECT s.*, SUM(s.dt_ms IS NULL) OVER (PARTITION BY s.device_id ORDER BY s.tick_id) AS gen FROM block_sample s)
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  SUM(g.rd_reqs) OVER w AS rd_reqs,
  SUM(g.rd_bytes) OVER w AS rd_bytes,
  SUM(g.rd_times) OVER w AS rd_times,
  SUM(g.wr_reqs) OVER w AS wr_reqs,
  SUM(g.wr_bytes) OVER w AS wr_bytes,
  SUM(g.wr_times) OVER w AS wr_times,
  SUM(g.fl_reqs) OVER w AS fl_reqs,
  SUM(g.fl_times) OVER w AS fl_times,
  SUM(g.errors) OVER w AS errors,
  SUM(g.discard_reqs) OVER w AS discard_reqs,
  SUM(g.allocation) OVER w AS allocation,
  SUM(g.capacity) OVER w AS capacity,
  SUM(g.physical) OVER w AS physical
FROM g JOIN tick t ON t.id = g.tick_id JOIN device v ON v.id = g.device_id JOIN domain d ON d.id = v.domain_id
WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id);

CREATE VIEW host_rate AS
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, s.dt_ms AS dt_ms,
  cpu_user * 1000.0 / s.dt_ms AS cpu_user,
  cpu_nice * 1000.0 / s.dt_ms AS cpu_nice,
  cpu_system * 1000.0 / s.dt_ms AS cpu_system,
  cpu_idle * 1000.0 / s.dt_ms AS cpu_idle,
  cpu_iowait * 1000.0 / s.dt_ms AS cpu_iowait,
  cpu_irq * 1000.0 / s.dt_ms AS cpu_irq,
  cpu_softirq * 1000.0 / s.dt_ms AS cpu_softirq,
  cpu_steal * 1000.0 / s.dt_ms AS cpu_steal
FROM host_sample s JOIN tick t ON t.id = s.tick_id JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id
WHERE s.dt_ms IS NOT NULL;

CREATE VIEW host_value AS
WITH g AS (SELECT s.*, SUM(s.dt_ms IS NULL) OVER (PARTITION BY s.device_id ORDER BY s.tick_id) AS gen FROM host_sample s)
SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,
  SUM(g.cpu_user) OVER w AS cpu_user,
  SUM(g.cpu_nice) OVER w AS cpu_nice,
  SUM(g.cpu_system) OVER w AS cpu_system,
  SUM(g.cpu_idle) OVER w AS cpu_idle,
  SUM(g.cpu_iowait) OVER w AS cpu_iowait,
  SUM(g.cpu_irq) OVER w AS cpu_irq,
  SUM(g.cpu_softirq) OVER w AS cpu_softirq,
  SUM(g.cpu_steal) OVER w AS cpu_steal,
  SUM(g.mem_total) OVER w AS mem_total,
  SUM(g.mem_free) OVER w AS mem_free,
  SUM(g.mem_available) OVER w AS mem_available,
  SUM(g.mem_buffers) OVER w AS mem_buffers,
  SUM(g.mem_cached) OVER w AS mem_cached,
  SUM(g.swap_total) OVER w AS swap_total,
  SUM(g.swap_free) OVER w AS swap_free
FROM g JOIN tick t ON t.id = g.tick_id JOIN device v ON v.id = g.device_id JOIN domain d ON d.id = v.domain_id
WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id);
