import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';

/** What the node agent reads from the machine for its Node object (cAdvisor's MachineInfo, in small). */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the data dir. */
  ephemeralStorageBytes: number;
  hostname: string;
  internalIP: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
};

/** PRETTY_NAME from /etc/os-release. */
export function osImage(text = read('/etc/os-release')): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? 'Linux';
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(a = arch()): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[a] ?? a;
}

/** The first non-loopback IPv4 address (the one a default route would use is not worth a netlink call). */
export function firstIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * Size of the filesystem that holds `dir`, or will hold it: the agent reads it before it makes its
 * data dir, so the nearest existing parent is asked (a data dir not made yet read as 0 bytes, and no
 * pod requesting ephemeral-storage could be scheduled on the node).
 */
export function filesystemBytes(dir: string): number {
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      const s = statfsSync(d);
      return s.blocks * s.bsize;
    } catch {
      if (d === dirname(d)) return 0;
    }
  }
}

export function readMachineInfo(dataDir: string, nodeIP?: string): MachineInfo {
  const storage = filesystemBytes(dataDir);
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: storage,
    hostname: hostname(),
    internalIP: nodeIP ?? firstIPv4(),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(),
    machineID: read('/etc/machine-id'),
    systemUUID: read('/sys/class/dmi/id/product_uuid'),
    bootID: read('/proc/sys/kernel/random/boot_id'),
  };
}
