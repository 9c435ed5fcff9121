import { readFileSync } from 'node:fs';
import { isRecord } from '../util.js';

export interface ActionPin {
  sha: string;
  version: string;
  /** Job permissions the action needs beyond contents: read. */
  permissions?: Record<string, 'read' | 'write'>;
}

export const FULL_SHA = /^[0-9a-f]{40}$/;

function loadPins(): Record<string, ActionPin> {
  const raw: unknown = JSON.parse(readFileSync(new URL('./action-pins.json', import.meta.url), 'utf8'));
  const actions = isRecord(raw) && isRecord(raw.actions) ? raw.actions : {};
  const out: Record<string, ActionPin> = {};
  for (const [name, value] of Object.entries(actions)) {
    if (isRecord(value) && typeof value.sha === 'string' && FULL_SHA.test(value.sha) && typeof value.version === 'string') {
      out[name] = value as unknown as ActionPin;
    }
  }
  return out;
}

/** The curated pin map (src/enhance/action-pins.json), keyed by owner/repo[/path]. */
export const ACTION_PINS: Readonly<Record<string, ActionPin>> = loadPins();

export interface UsesRef {
  action: string;
  ref: string | undefined;
}

/** Split "owner/repo/path@ref"; local ("./x") and docker:// references return undefined. */
export function parseUses(uses: string): UsesRef | undefined {
  const trimmed = uses.trim();
  if (trimmed.startsWith('./') || trimmed.startsWith('docker://')) return undefined;
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return { action: trimmed, ref: undefined };
  return { action: trimmed.slice(0, at), ref: trimmed.slice(at + 1) };
}

export function pinnedUses(action: string): { uses: string; version: string } | undefined {
  const pin = ACTION_PINS[action];
  return pin ? { uses: `${action}@${pin.sha}`, version: pin.version } : undefined;
}

/** Version tag for a uses value already pinned to a curated SHA (for the trailing "# vX.Y.Z" comment). */
export function versionForPinned(uses: string): string | undefined {
  const ref = parseUses(uses);
  if (!ref?.ref) return undefined;
  const pin = ACTION_PINS[ref.action];
  return pin && pin.sha === ref.ref ? pin.version : undefined;
}
