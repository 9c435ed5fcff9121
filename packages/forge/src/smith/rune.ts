/**
 * Renders a rune: a self-contained Python 3 script, one function per planned step, dry run by default.
 * Every string that came from a record or the library is embedded as a JSON string literal (valid Python),
 * never spliced into code; commands run as argument lists with a timeout, never through a shell.
 */
import type { ArtifactInput } from '@linkops/shared/contracts';
import type { PlannedStep } from './match.js';
import type { OrbBody } from './orb.js';
import type { RuneOp } from './snippets.js';
import { renderYaml } from '../yaml-io.js';

export interface RuneRenderInput {
  id: string;
  orbId: string;
  summary: string;
  description: string;
  version: string;
  digest: string;
  plan: PlannedStep[];
  inputs: ArtifactInput[];
  body: OrbBody;
  tools: string[];
  provenance: { records: string[]; urls: string[] };
}

const py = (s: string) => JSON.stringify(s);

function docText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}

function pyIdent(s: string): string {
  const parts = s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  return parts.join('_') || 'step';
}

function fileContent(op: Extract<RuneOp, { kind: 'file' }>, body: OrbBody): { text: string; template: boolean } {
  if (typeof op.content === 'object') return { text: op.content.text, template: true };
  if (op.content === 'workflow') return { text: renderYaml(body.workflow ?? {}), template: false };
  const manifest = body.manifests?.[op.content];
  return { text: renderYaml(manifest ?? {}), template: true };
}

function opLines(op: RuneOp, body: OrbBody): string[] {
  switch (op.kind) {
    case 'cmd':
      return [`    run_command(ctx, [${op.argv.map(py).join(', ')}], timeout=${op.timeout}${op.split ? ', split=True' : ''})`];
    case 'file': {
      const { text, template } = fileContent(op, body);
      return [`    write_file(ctx, ${py(op.path)}, ${py(text)}, template=${template ? 'True' : 'False'})`];
    }
    case 'slack':
      return [`    notify_slack(ctx, ${py(op.text)})`];
  }
}

export function stepFunctionName(index: number, p: PlannedStep): string {
  const n = String(index + 1).padStart(2, '0');
  return `step_${n}_${p.kind === 'snippet' ? pyIdent(p.snippet.id) : 'manual'}`;
}

function stepFunction(index: number, p: PlannedStep, body: OrbBody): string {
  const name = stepFunctionName(index, p);
  const title = p.kind === 'snippet' ? p.snippet.title : `Manual: ${p.source.text.slice(0, 100)}`;
  const lines = [
    `def ${name}(ctx: Context) -> None:`,
    `    """${docText(title)} (source step ${p.source.order}: ${docText(p.source.text.slice(0, 160).replace(/\n/g, ' '))})."""`,
    `    announce(ctx, ${index + 1}, ${py(title)})`,
  ];
  if (p.kind === 'manual') {
    lines.push(`    manual(ctx, ${py(p.source.code ? `${p.source.text}\n${p.source.code}` : p.source.text)})`);
  } else if (p.snippet.rune.length === 0) {
    const note = p.snippet.gha?.triggers?.length
      ? `configured in the orb workflow trigger (on: ${p.snippet.gha.triggers.join(', ')}); nothing to run locally`
      : 'handled by the orb workflow; nothing to run locally';
    lines.push(`    note(ctx, ${py(note)})`);
  } else {
    for (const op of p.snippet.rune) lines.push(...opLines(op, body));
  }
  return lines.join('\n');
}

function argparseLines(inputs: ArtifactInput[]): string[] {
  const lines: string[] = [];
  for (const i of inputs) {
    if (i.secret) continue;
    const flag = `--${i.name.replace(/_/g, '-')}`;
    const dflt = i.default === undefined ? 'None' : py(String(i.default));
    const help = `${i.description}${i.required ? ' (required with --execute)' : ''}`;
    const choices = i.type === 'enum' && i.options ? `, choices=[${i.options.map(py).join(', ')}]` : '';
    lines.push(`    parser.add_argument(${py(flag)}, dest=${py(i.name)}, default=${dflt}${choices}, help=${py(help)})`);
  }
  return lines;
}

export function renderRune(input: RuneRenderInput): string {
  const { plan, inputs, body } = input;
  const stepList = plan.map((p, i) => `  ${i + 1}. ${p.kind === 'snippet' ? p.snippet.title : `(manual) ${p.source.text.slice(0, 100)}`}`);
  const required = inputs.filter((i) => i.required && !i.secret).map((i) => i.name);
  const secrets = inputs.filter((i) => i.secret).map((i) => [i.name, i.name.toUpperCase()] as const);
  const functions = plan.map((p, i) => stepFunction(i, p, body));
  const doc = [
    `${docText(input.summary)}`,
    '',
    `Purpose: ${docText(input.description)}`,
    '',
    'Steps:',
    ...stepList.map(docText),
    '',
    `Provenance: records ${docText(input.provenance.records.join(', ') || '-')}; urls ${docText(input.provenance.urls.join(', ') || '-')}`,
    `Orb: ${input.orbId}`,
    `Id: ${input.id}`,
    `Version: ${input.version}`,
    `Digest: ${input.digest}`,
    '',
    'Dry run is the default: nothing is executed or written unless --execute is given.',
    'Secrets are read from the environment only: ' + (secrets.map(([, env]) => env).join(', ') || 'none') + '.',
    'Exit codes: 0 ok, 1 a step failed, 2 usage or missing input, 3 missing tool, 4 timeout, 130 interrupted.',
  ].join('\n');
  return `#!/usr/bin/env python3
"""${doc}
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

LOG = logging.getLogger(${py(input.id)})
REQUIRED_TOOLS: list[str] = [${input.tools.map(py).join(', ')}]
REQUIRED_INPUTS: list[str] = [${required.map(py).join(', ')}]
SECRET_ENV: dict[str, str] = {${secrets.map(([n, e]) => `${py(n)}: ${py(e)}`).join(', ')}}


class MissingTool(Exception):
    """A command's executable is not on PATH."""


@dataclass
class Context:
    params: dict[str, str]
    execute: bool
    secrets: dict[str, str] = field(default_factory=dict)


def render(text: str, params: dict[str, str]) -> str:
    """Fill \${name} placeholders; anything else (including GitHub \${{ }} expressions) is left as is."""
    return Template(text).safe_substitute(params)


def announce(ctx: Context, number: int, title: str) -> None:
    mode = "dry-run" if not ctx.execute else "execute"
    print(f"[{mode}] step {number}: {title}", flush=True)


def note(ctx: Context, text: str) -> None:
    print(f"    note: {text}", flush=True)


def manual(ctx: Context, text: str) -> None:
    """Steps no library snippet matched stay manual: shown, never guessed."""
    print("    MANUAL STEP (do this by hand): " + text.replace("\\n", "\\n    "), flush=True)


def run_command(ctx: Context, argv: list[str], timeout: int, split: bool = False) -> None:
    cmd: list[str] = []
    for arg in argv:
        value = render(arg, ctx.params)
        cmd.extend(shlex.split(value) if split else [value])
    print("    would run: " + shlex.join(cmd) if not ctx.execute else "    running: " + shlex.join(cmd), flush=True)
    if not ctx.execute:
        return
    if not cmd or shutil.which(cmd[0]) is None:
        raise MissingTool(cmd[0] if cmd else "(empty command)")
    subprocess.run(cmd, check=True, timeout=timeout)


def write_file(ctx: Context, path: str, content: str, template: bool) -> None:
    target = Path(render(path, ctx.params))
    text = render(content, ctx.params) if template else content
    if not ctx.execute:
        print(f"    would write: {target} ({len(text)} bytes)", flush=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    LOG.info("wrote %s", target)


def notify_slack(ctx: Context, text: str) -> None:
    url = ctx.secrets.get("slack_webhook_url", "")
    if not ctx.execute:
        print("    would post to Slack: " + text + ("" if url else " (SLACK_WEBHOOK_URL not set: skipped)"), flush=True)
        return
    if not url.startswith("https://hooks.slack.com/"):
        LOG.warning("SLACK_WEBHOOK_URL missing or not a Slack webhook: notification skipped")
        return
    body = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - URL checked above
        LOG.info("slack responded %s", response.status)


${functions.join('\n\n\n')}


STEPS = [${plan.map((p, i) => stepFunctionName(i, p)).join(', ')}]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=${py(input.summary.slice(0, 200))})
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", dest="execute", action="store_false", default=False, help="print the steps without running them (default)")
    mode.add_argument("--execute", dest="execute", action="store_true", help="really run the steps")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
${argparseLines(inputs).join('\n')}
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    params = {k: str(v) for k, v in vars(args).items() if k not in ("execute", "verbose") and v is not None}
    missing = [name for name in REQUIRED_INPUTS if not params.get(name)]
    if missing and args.execute:
        LOG.error("missing required inputs: %s", ", ".join("--" + m.replace("_", "-") for m in missing))
        return 2
    for name in missing:
        params[name] = "<" + name + ">"
    secrets = {name: os.environ.get(env, "") for name, env in SECRET_ENV.items()}
    ctx = Context(params=params, execute=args.execute, secrets=secrets)
    if args.execute:
        absent = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
        if absent:
            LOG.error("missing tools: %s", ", ".join(absent))
            return 3
    try:
        for step in STEPS:
            step(ctx)
    except MissingTool as error:
        LOG.error("missing tool: %s", error)
        return 3
    except subprocess.TimeoutExpired as error:
        LOG.error("timed out: %s", error)
        return 4
    except (subprocess.CalledProcessError, OSError) as error:
        LOG.error("step failed: %s", error)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
