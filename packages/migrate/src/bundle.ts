/** Deterministic .tar.gz of the generated files: sorted entries, fixed mtimes, owners and modes. */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

const FIXED_MTIME = new Date(0);

export async function createBundle(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  for (const path of Object.keys(files).sort()) {
    const body = Buffer.from(files[path]!, 'utf8');
    await new Promise<void>((resolve, reject) => {
      archive.entry(
        { name: path, size: body.length, mode: 0o644, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: '', gname: '', type: 'file' },
        body,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  archive.finalize();
  await done;
  // zlib writes mtime 0 and a fixed OS byte, so the same tar gives the same gzip.
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}
