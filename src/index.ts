// domstat's library API: a libvirt-shaped connection over the host's files.

export { Connection, matchesFilters } from './connection/connection.js';
export type { ConnectionOptions } from './connection/connection.js';
export { MEMORY_STAT_NAMES, MEMORY_STAT_NR } from './stats/records.js';
export type { DomainStatsRecord, DomainProblem, MemoryStat } from './stats/records.js';
export { StatsGroup, StatsFlag, GROUP_ORDER, LIBVIRT_GROUPS } from './stats/groups.js';
export { DomainState, STATE_WORDS } from './stats/states.js';
export type { TypedParam, TypedValue } from './stats/typed-params.js';
export { formatTypedValue } from './stats/typed-params.js';
export type { InterfaceStats, BlockStats } from './stats/structs.js';
export { VirError, VirErrorCode, NoDomainError } from './stats/errors.js';
export type { Inventory, InventoryProblem } from './domains/inventory.js';
export type { Domain, DriverName } from './stats/domain.js';
export { readInventory } from './domains/inventory.js';
export type { DomainDef, DiskDef, InterfaceDef } from './stats/domain.js';
export { parseDomainXml } from './domains/domain-def.js';
export { XmlError } from './domains/xml.js';
export { HostFs, Gone, isGone } from './host/hostfs.js';
export { xenDeviceNumber, xenDeviceName } from './drivers/xen/devnum.js';
export type { CpuStatsParams } from './drivers/driver.js';
