// The two archive formats images travel in, built here from the same layers as
// the OCI layout tests: an OCI archive (the layout directory in a tar, as
// `skopeo copy ... oci-archive:` and `docker save` since Docker 25 write it)
// and a `docker save` tarball in the older format (`manifest.json`,
// `<id>/layer.tar` uncompressed, `<config-hex>.json`, `repositories`), with a
// repeated layer stored once and linked, as docker does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ImageConfigFields, LayerEntry } from './oci-image.js';
import { tarLayer } from './oci-image.js';

function hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function walk(root: string, dir: string, out: LayerEntry[]): LayerEntry[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const path = relative(root, full);
    if (statSync(full).isDirectory()) {
      out.push({ path, type: 'dir' });
      walk(root, full, out);
    } else out.push({ path, type: 'file', content: readFileSync(full) });
  }
  return out;
}

/** An OCI layout directory as an OCI archive (a tar of the layout's files). */
export function ociArchive(layoutDir: string): Buffer {
  return tarLayer(walk(layoutDir, layoutDir, []));
}

/** A `docker save` tarball (pre-Docker-25 format) of one image; a layer identical to an earlier one is stored as a link to it, as docker does. */
export function dockerSaveArchive(layers: LayerEntry[][], config: ImageConfigFields, repoTag: string): Buffer {
  const tars = layers.map(tarLayer);
  const diffIds = tars.map((tar) => `sha256:${hex(tar)}`);
  const entries: LayerEntry[] = [];
  const layerFiles: string[] = [];
  tars.forEach((tar, i) => {
    // Docker's v1 layer ids: any unique hex; derived from the position so the archive is reproducible.
    const id = hex(Buffer.from(`layer ${i} ${diffIds[i]!}`));
    const first = diffIds.indexOf(diffIds[i]!);
    entries.push({ path: id, type: 'dir' }, { path: `${id}/VERSION`, type: 'file', content: '1.0' });
    if (first < i) entries.push({ path: `${id}/layer.tar`, type: 'symlink', target: `../${layerFiles[first]!}` });
    else entries.push({ path: `${id}/layer.tar`, type: 'file', content: tar });
    layerFiles.push(`${id}/layer.tar`);
  });
  const configBytes = Buffer.from(JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const configFile = `${hex(configBytes)}.json`;
  const [repository, tag] = [repoTag.slice(0, repoTag.lastIndexOf(':')), repoTag.slice(repoTag.lastIndexOf(':') + 1)];
  entries.push(
    { path: configFile, type: 'file', content: configBytes },
    { path: 'manifest.json', type: 'file', content: JSON.stringify([{ Config: configFile, RepoTags: [repoTag], Layers: layerFiles }]) },
    { path: 'repositories', type: 'file', content: JSON.stringify({ [repository]: { [tag]: layerFiles[layerFiles.length - 1]!.split('/')[0] } }) },
  );
  return tarLayer(entries);
}
