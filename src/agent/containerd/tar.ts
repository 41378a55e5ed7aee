/**
 * A minimal ustar writer: regular files, directories and symlinks with fixed owner root and mtime 0,
 * so the same input always gives the same bytes (and image digests stay stable). Enough for image
 * layers and docker-archive tarballs; names must fit ustar's 100-byte name field.
 */

export type TarEntry =
  | { type: 'file'; name: string; data: Buffer; mode?: number }
  | { type: 'dir'; name: string; mode?: number }
  | { type: 'symlink'; name: string; target: string };

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mode: number, typeflag: string, linkname = ''): Buffer {
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) throw new Error(`tar: name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100);
  h.write(octal(mode, 8), 100, 8);
  h.write(octal(0, 8), 108, 8); // uid
  h.write(octal(0, 8), 116, 8); // gid
  h.write(octal(size, 12), 124, 12);
  h.write(octal(0, 12), 136, 12); // mtime
  h.write('        ', 148, 8); // checksum placeholder: spaces while summing
  h.write(typeflag, 156, 1);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257, 6);
  h.write('00', 263, 2);
  h.write('root', 265, 32); // uname
  h.write('root', 297, 32); // gname
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** The tar archive of `entries`, in order, with the two zero blocks that end it. */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'file') {
      parts.push(header(e.name, e.data.length, e.mode ?? 0o644, '0'), e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    } else if (e.type === 'dir') {
      parts.push(header(e.name.endsWith('/') ? e.name : `${e.name}/`, 0, e.mode ?? 0o755, '5'));
    } else {
      parts.push(header(e.name, 0, 0o777, '2', e.target));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
