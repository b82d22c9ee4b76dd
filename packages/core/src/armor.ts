import { createHash } from 'node:crypto';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * Keyward's text file format, safe to send by e-mail:
 *
 *   -----BEGIN KEYWARD LICENSE REQUEST-----
 *   Serial: ABCDE-...
 *
 *   <base64 body, 64 characters a line>
 *   =<checksum>
 *   -----END KEYWARD LICENSE REQUEST-----
 *
 * The checksum (SHA-256 of label, headers and body, first 8 bytes) is an integrity check only,
 * separate from any signature inside the body: a damaged file is told apart from a forged one.
 */
export interface ArmoredFile {
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

const LINE_WIDTH = 64;
const LABEL = /^[A-Z][A-Z ]*[A-Z]$/;
const HEADER_NAME = /^[A-Z][A-Za-z-]*$/;

function checksum(file: ArmoredFile): string {
  const hash = createHash('sha256').update(`${file.label}\n`);
  for (const [name, value] of Object.entries(file.headers)) hash.update(`${name}: ${value}\n`);
  return hash.update(file.body).digest('hex').slice(0, 16);
}

export function encodeArmor(file: ArmoredFile): string {
  if (!LABEL.test(file.label)) throw new RangeError(`Not an armor label: ${file.label}`);
  const lines = [`-----BEGIN KEYWARD ${file.label}-----`];
  for (const [name, value] of Object.entries(file.headers)) {
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value)) throw new RangeError(`Not an armor header: ${name}`);
    lines.push(`${name}: ${value}`);
  }
  lines.push('');
  const body = Buffer.from(file.body).toString('base64');
  for (let i = 0; i < body.length; i += LINE_WIDTH) lines.push(body.slice(i, i + LINE_WIDTH));
  lines.push(`=${checksum(file)}`, `-----END KEYWARD ${file.label}-----`, '');
  return lines.join('\n');
}

function reencodesTo(file: ArmoredFile, text: string): boolean {
  try {
    return encodeArmor(file) === text;
  } catch {
    return false;
  }
}

const corrupted = () => refuse('FILE_CORRUPTED');

/**
 * Parses strictly: the text must be exactly what `encodeArmor` writes (line endings aside, and
 * blank space around it as mail programs add), so any damaged byte, checksum included, is
 * reported as corruption.
 */
export function decodeArmor(text: string, expectedLabel: string): Result<ArmoredFile> {
  const normalized = text.replace(/\r\n/g, '\n').replace(/^[ \n]+|[ \n]+$/g, '');
  const begin = /^-----BEGIN KEYWARD ([A-Z ]+)-----\n/.exec(normalized);
  if (begin === null) {
    // One damaged byte spoils at most one of the two marker lines: the other still says Keyward.
    return /-----(BEGIN|END) KEYWARD /.test(normalized)
      ? corrupted()
      : refuse('WRONG_FILE_KIND', 'This is not a Keyward file.');
  }
  const label = begin[1] ?? '';
  const lines = normalized.split('\n');
  const blank = lines.indexOf('');
  if (blank < 1 || lines.length < blank + 3) return corrupted();
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1, blank)) {
    const separator = line.indexOf(': ');
    if (separator < 1) return corrupted();
    headers[line.slice(0, separator)] = line.slice(separator + 2);
  }
  const bodyText = lines.slice(blank + 1, -2).join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(bodyText)) return corrupted();
  const file: ArmoredFile = { label, headers, body: Buffer.from(bodyText, 'base64') };
  if (!reencodesTo(file, `${normalized}\n`)) return corrupted();
  if (label !== expectedLabel) {
    return refuse(
      'WRONG_FILE_KIND',
      `This is a ${label.toLowerCase()} file, not a ${expectedLabel.toLowerCase()} file.`,
    );
  }
  return ok(file);
}

/**
 * The body of an armored file whose exact bytes are already vouched for (their hash is on
 * record), so none of `decodeArmor`'s checks can fail: a fast path for files read at every start.
 */
export function vouchedArmorBody(text: string): Buffer {
  const start = text.indexOf('\n\n') + 2;
  const end = text.indexOf('\n=', start);
  return Buffer.from(text.slice(start, end).replaceAll('\n', ''), 'base64');
}
