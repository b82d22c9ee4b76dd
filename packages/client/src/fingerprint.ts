import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { arch, cpus, hostname, networkInterfaces, platform, totalmem } from 'node:os';
import { formatFingerprint } from '@keyward/core/license-container';

/** A command's output, empty if it fails. Loaded only where it runs (not on Linux): it is slow to load. */
async function commandOutput(file: string, args: readonly string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile(file, args, (error, stdout) => resolve(error ? '' : stdout)));
}

async function firstLine(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The operating system's own stable id of this installation, where it has one. */
async function platformMachineId(): Promise<string | undefined> {
  switch (platform()) {
    case 'linux':
      return (await firstLine('/etc/machine-id')) ?? (await firstLine('/var/lib/dbus/machine-id'));
    case 'darwin': {
      const stdout = await commandOutput('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
      return /"IOPlatformUUID" = "([^"]+)"/.exec(stdout)?.[1];
    }
    case 'win32': {
      const stdout = await commandOutput('reg', [
        'query',
        'HKLM\\SOFTWARE\\Microsoft\\Cryptography',
        '/v',
        'MachineGuid',
      ]);
      return /MachineGuid\s+REG_SZ\s+(\S+)/.exec(stdout)?.[1];
    }
    default:
      return undefined;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The first physical network adapter's MAC address, the same whichever order the OS lists them. */
function networkAdapter(): string {
  const macs = Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && !entry.internal && entry.mac !== '00:00:00:00:00:00')
    .map((entry) => entry?.mac ?? '');
  return [...new Set(macs)].sort()[0] ?? 'no-network';
}

/**
 * This computer's fingerprint, part by part (see `FINGERPRINT_PARTS` in core): the OS machine id
 * (the host name where there is none), the CPU model and count, the memory size, the first network
 * adapter and the host name, each hashed. One of them may change (a RAM upgrade, a new network
 * card) and it is still this computer. Applications whose hardware identity changes as a whole
 * (containers, VMs) pass their own fingerprint to the SDK instead; it is then one part.
 */
export async function computeFingerprint(): Promise<string> {
  const machineId = await platformMachineId();
  const processors = cpus();
  return formatFingerprint({
    machine: digest(`${platform()}\n${arch()}\n${machineId ?? hostname()}`),
    cpu: digest(`${processors[0]?.model ?? 'unknown-cpu'}\n${processors.length}`),
    memory: digest(String(Math.round(totalmem() / 2 ** 30))),
    network: digest(networkAdapter()),
    host: digest(hostname()),
  });
}
