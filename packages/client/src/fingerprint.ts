import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { arch, cpus, hostname, platform, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

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
      const { stdout } = await run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']).catch(() => ({
        stdout: '',
      }));
      return /"IOPlatformUUID" = "([^"]+)"/.exec(stdout)?.[1];
    }
    case 'win32': {
      const { stdout } = await run('reg', [
        'query',
        'HKLM\\SOFTWARE\\Microsoft\\Cryptography',
        '/v',
        'MachineGuid',
      ]).catch(() => ({ stdout: '' }));
      return /MachineGuid\s+REG_SZ\s+(\S+)/.exec(stdout)?.[1];
    }
    default:
      return undefined;
  }
}

/**
 * This computer's fingerprint: the OS machine id with the hardware shape, hashed. Where no
 * machine id exists, the hardware shape and host name stand in. Applications whose hardware
 * identity changes (containers, VMs) pass their own fingerprint to the SDK instead.
 */
export async function computeFingerprint(): Promise<string> {
  const machineId = await platformMachineId();
  const cpu = cpus()[0]?.model ?? 'unknown-cpu';
  const parts = [machineId ?? hostname(), platform(), arch(), cpu, String(Math.round(totalmem() / 2 ** 30))];
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
