import { defineRule } from '../../core/rule.js';
import type { FixBuilder } from '../../core/rule.js';
import { imageReference, isPinnedReference } from '../../knowledge/image-ref.js';
import { describeContainer } from '../describe.js';

const GENERIC_HINT = 'set image to a reference pinned by digest, e.g. registry.example.com/app:1.0@sha256:<64 hex digits>';

export default defineRule({
  id: 'image-pinned-by-digest',
  severity: 'warning',
  enforcement: 'warn',
  admission: () => import('./admission.js'),
  // Resolving a tag to its digest needs a registry: `rootlock fix --pin-digests` asks it and hands the answers over.
  fixable: false,
  fixSafety: {
    manualReason: 'the digest must come from the registry: pass --pin-digests',
    options: ['pinnedImages'],
  },
  checklist: 'Image pinned by digest, not just tag',
  docs: {
    summary: 'Container image not pinned by a full sha256 digest',
    rationale:
      'A tag is a movable pointer: whoever can push to the repository can make nginx:1.25, and above all :latest or an ' +
      'untagged name, resolve to a different image tomorrow, and every pod that restarts or reschedules then runs ' +
      'code nobody reviewed. Pinning by digest (@sha256:...) makes the image content-addressed, so what runs is ' +
      'byte for byte the image that was built, scanned and approved, and an audit can prove it.',
    remediation:
      'Write each image as name:tag@sha256:<digest> with the full 64-hex-digit digest (keeping the tag for readers; ' +
      'the runtime pulls by digest). Get the digest from your registry or CI, for example with ' +
      '`docker buildx imagetools inspect nginx:1.25` or `crane digest nginx:1.25`, and let a bot such as Renovate ' +
      'keep the pins up to date. Every container, init container and ephemeral container needs an image.',
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://kubernetes.io/docs/concepts/configuration/overview/#container-images',
    ],
  },
  check(context) {
    for (const container of context.containers()) {
      const path = [...container.path, 'image'];
      const image = container.spec['image'];
      if (image === undefined || image === null || image === '') {
        context.report({ container, path, message: () => `${describeContainer(container)} has no image, so what it runs is not pinned to any build`, hint: GENERIC_HINT });
        continue;
      }
      if (typeof image !== 'string') {
        context.report({ container, path, message: () => `${describeContainer(container)} has an image that is not a string, so it names no image at all`, hint: GENERIC_HINT });
        continue;
      }
      // The API server rejects surrounding whitespace, which the reference parser would trim away.
      const untrimmed = image !== image.trim();
      const reference = untrimmed ? undefined : imageReference(image);
      if (isPinnedReference(reference)) continue;
      let problem: string;
      let hint: string;
      if (!reference || reference.tag === '') {
        problem = `uses ${JSON.stringify(image)}, which is not a valid image reference`;
        hint = GENERIC_HINT;
      } else if (reference.digest !== undefined) {
        problem = `uses "${image}", whose digest is not a full sha256 digest of 64 lowercase hex digits`;
        hint = `replace the digest with the full one: ${image.slice(0, image.indexOf('@'))}@sha256:<64 hex digits>`;
      } else if (reference.tag === undefined || reference.tag === 'latest') {
        const name = reference.tag === undefined ? image : image.slice(0, -':latest'.length);
        problem = reference.tag === undefined
          ? `uses "${image}" without a tag or digest, which means :latest, a tag that moves with every push`
          : `uses "${image}", and :latest is a tag that moves with every push`;
        hint = `choose a version and pin it by digest: ${name}:<version>@sha256:<64 hex digits>`;
      } else {
        problem = `uses "${image}", which is pinned by tag only, and a tag can be moved to a different image`;
        hint = `pin it as ${image}@sha256:<64 hex digits>, the digest your registry reports for that tag`;
      }
      const pinned = context.fixOptions.pinnedImages?.get(image);
      context.report({
        container,
        path,
        message: () => `${describeContainer(container)} ${problem}`,
        hint,
        ...(pinned !== undefined && pinned !== image ? { fix: (fix: FixBuilder) => fix.set(path, pinned).fromOption(`pinned ${image} to ${pinned} (--pin-digests)`) } : {}),
      });
    }
  },
});
