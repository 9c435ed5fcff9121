/**
 * Curated pins. Kept as data so a reviewer can audit (and Dependabot-style tooling can bump) them in one place.
 */

/** GitHub Actions pinned to full commit SHAs; the tag goes into a trailing comment for humans and Dependabot. */
export interface ActionPin {
  action: string;
  sha: string;
  tag: string;
}

export const ACTION_PINS: readonly ActionPin[] = [
  { action: 'actions/checkout', sha: '11bd71901bbe5b1630ceea73d27597364c9af683', tag: 'v4.2.2' },
  { action: 'docker/build-push-action', sha: '263435318d21b8e681c14492fe198d362a7d2c83', tag: 'v6.18.0' },
  { action: 'docker/login-action', sha: '74a5d142397b4f367a81961eba4e8cd7edddf772', tag: 'v3.4.0' },
  { action: 'docker/setup-buildx-action', sha: 'e468171a9de216ec08956ac3ada2f0791b6bd435', tag: 'v3.11.1' },
];

export function actionPin(action: string): ActionPin {
  const pin = ACTION_PINS.find((p) => p.action === action);
  if (!pin) throw new Error(`no curated pin for ${action}`);
  return pin;
}

/** `uses:` value with the SHA pin and the tag comment, e.g. `actions/checkout@<sha> # v4.2.2`. */
export function pinnedUses(action: string): string {
  const pin = actionPin(action);
  return `${pin.action}@${pin.sha} # ${pin.tag}`;
}

/**
 * Base images: the tag we pin to when a Dockerfile uses no tag or `latest`. Slim Debian variants where they
 * exist, because they carry `useradd` (for the non-root user) and glibc (fewer surprises than musl).
 */
export interface BaseImagePin {
  image: string;
  tag: string;
  /** How to add a system user in this image family; null when the image has no shell (distroless). */
  userAdd: 'debian' | 'alpine' | null;
}

export const BASE_IMAGE_PINS: readonly BaseImagePin[] = [
  { image: 'node', tag: '20-bookworm-slim', userAdd: 'debian' },
  { image: 'python', tag: '3.12-slim', userAdd: 'debian' },
  { image: 'golang', tag: '1.22-bookworm', userAdd: 'debian' },
  { image: 'ruby', tag: '3.3-slim', userAdd: 'debian' },
  { image: 'php', tag: '8.3-apache', userAdd: 'debian' },
  { image: 'openjdk', tag: '21-jdk-slim', userAdd: 'debian' },
  { image: 'eclipse-temurin', tag: '21-jre', userAdd: 'debian' },
  { image: 'maven', tag: '3.9-eclipse-temurin-21', userAdd: 'debian' },
  { image: 'gradle', tag: '8.10-jdk21', userAdd: 'debian' },
  { image: 'rust', tag: '1.80-slim-bookworm', userAdd: 'debian' },
  { image: 'mcr.microsoft.com/dotnet/sdk', tag: '8.0', userAdd: 'debian' },
  { image: 'mcr.microsoft.com/dotnet/aspnet', tag: '8.0', userAdd: 'debian' },
  { image: 'nginx', tag: '1.27-alpine', userAdd: 'alpine' },
  { image: 'alpine', tag: '3.20', userAdd: 'alpine' },
  { image: 'debian', tag: 'bookworm-slim', userAdd: 'debian' },
  { image: 'ubuntu', tag: '24.04', userAdd: 'debian' },
  { image: 'busybox', tag: '1.36', userAdd: 'alpine' },
];

/** Strip `docker.io/` and `docker.io/library/` so `docker.io/library/node` and `node` look the same. */
export function canonicalImageName(name: string): string {
  return name.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

export function baseImagePin(name: string): BaseImagePin | undefined {
  const canonical = canonicalImageName(name);
  return BASE_IMAGE_PINS.find((p) => p.image === canonical);
}

/** Guess the user-creation flavour from an image reference (tag included). */
export function userAddFlavour(imageRef: string): 'debian' | 'alpine' | null {
  const { name, tag } = splitImageRef(imageRef);
  if (/distroless|scratch|chainguard/.test(name)) return null;
  if (tag && /alpine/.test(tag)) return 'alpine';
  if (/alpine|busybox/.test(name)) return 'alpine';
  return baseImagePin(name)?.userAdd ?? 'debian';
}

export interface ImageRef {
  name: string;
  tag: string | null;
  digest: string | null;
}

/** Split `registry:5000/ns/name:tag@sha256:...` into name, tag and digest (a port colon is not a tag). */
export function splitImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: null, digest };
}
