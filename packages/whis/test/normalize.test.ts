import { describe, expect, it } from 'vitest';
import { SubmissionSchema, TrainingRecordSchema } from '@linkops/shared/contracts';
import { contentHash, detectCodeLanguage, extractCodeBlocks, normalizeSubmission, normalizeText } from '../src/index.js';

describe('normalizeText', () => {
  it('applies NFC and normalizes line endings, odd spaces and invisible characters', () => {
    const out = normalizeText('cafe\u0301\r\nuse\u00a0\u00a0kubectl\u200b  get   pods\r\n\r\n\r\n\r\nnext');
    expect(out).toBe('caf\u00e9\nuse kubectl get pods\n\nnext');
  });

  it('keeps indentation inside code blocks', () => {
    const out = normalizeText('Values:\n```yaml\nimage:\n  tag: "1.2"   \n  pullPolicy: IfNotPresent\n```');
    expect(out).toContain('image:\n  tag: "1.2"\n  pullPolicy: IfNotPresent');
  });

  it('closes an unclosed fence and labels it with the detected language', () => {
    const out = normalizeText('Run:\n```\nkubectl get pods -n prod\nkubectl rollout restart deploy/api');
    expect(out).toBe('Run:\n\n```bash\nkubectl get pods -n prod\nkubectl rollout restart deploy/api\n```');
  });

  it('strips HTML but keeps the text of code and pre (as a fenced block) and decodes entities', () => {
    const html =
      '<p>Install the chart:</p><pre><code class="language-bash">helm upgrade --install api ./chart &amp;&amp; echo ok</code></pre>' +
      '<ul><li>Check <code>kubectl get pods</code></li><li>Done</li></ul><script>alert("x")</script>';
    const out = normalizeText(html);
    expect(out).not.toMatch(/<\/?(p|pre|code|ul|li|script)>/);
    expect(out).not.toContain('alert');
    expect(out).toContain('```bash\nhelm upgrade --install api ./chart && echo ok\n```');
    expect(out).toContain('- Check `kubectl get pods`');
  });

  it('leaves angle-bracket placeholders alone when there is no HTML', () => {
    const text = 'kubectl logs <pod-name> -c app 2>&1 | grep Array<string>';
    expect(normalizeText(text)).toBe(text);
  });

  it('does not strip tags inside fenced code', () => {
    const out = normalizeText('<p>Template:</p>\n```html\n<div class="x">{{ .Values.name }}</div>\n```');
    expect(out).toContain('<div class="x">{{ .Values.name }}</div>');
    expect(out.startsWith('Template:')).toBe(true);
  });

  it('turns a line break inside inline <code> into a space, so normalizing twice changes nothing (fuzz finds)', () => {
    for (const input of ['x <code>foo\n</code> y', '<A<pre><code>```python\n']) {
      const once = normalizeText(input);
      expect(once).not.toContain('\n');
      expect(normalizeText(once)).toBe(once);
    }
    expect(normalizeText('run <code>kubectl get\npods</code> now')).toBe('run `kubectl get pods` now');
  });

  it('treats a fence indented by a tab, four spaces or a line separator as a fence (fuzz finds)', () => {
    for (const input of ['\t``` ', '    ```', '``` \u2028', '\u000b``` ']) {
      const once = normalizeText(input);
      expect(once, JSON.stringify(input)).toBe('```\n\n```');
      expect(normalizeText(once)).toBe(once);
    }
    expect(normalizeText('Run:\n\t```bash\n\tkubectl get pods\n\t```')).toBe('Run:\n\n```bash\n\tkubectl get pods\n```');
  });
});

describe('detectCodeLanguage', () => {
  const cases: Array<[string, string]> = [
    ['kubectl apply -f deploy.yaml\nkubectl get pods -w', 'bash'],
    ['#!/usr/bin/env bash\nset -euo pipefail\necho "$HOME"', 'bash'],
    ['apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2', 'yaml'],
    ['on:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4', 'yaml'],
    ['import os\n\ndef main():\n    print(os.environ["HOME"])\n\nif __name__ == "__main__":\n    main()', 'python'],
    ["const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));", 'js'],
    ["import type { Foo } from './foo.js';\nexport interface Bar { name: string }\nconst x: number = 1;", 'ts'],
    ['package main\n\nimport "fmt"\n\nfunc main() {\n\tmsg := "hi"\n\tfmt.Println(msg)\n}', 'go'],
    ['FROM node:20-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER node\nCMD ["node", "index.js"]', 'dockerfile'],
    ['resource "aws_s3_bucket" "logs" {\n  bucket = var.bucket_name\n}\n\nvariable "bucket_name" {\n  type = string\n}', 'hcl'],
    ['{\n  "name": "api",\n  "private": true\n}', 'json'],
    ['just some words here', 'text'],
  ];
  it.each(cases)('%#: detects %s', (code, expected) => {
    expect(detectCodeLanguage(code)).toBe(expected);
  });

  it('extractCodeBlocks prefers the fence info over detection', () => {
    const blocks = extractCodeBlocks('```yml\nname: ci\n```\n```\nterraform plan -out tfplan\n```');
    expect(blocks.map((b) => b.language)).toEqual(['yaml', 'bash']);
  });
});

describe('normalizeSubmission', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');

  it('maps solution onto answer and produces a valid TrainingRecord', () => {
    const sub = SubmissionSchema.parse({ task: '  Convert repo to GitOps ', solution: 'Add helm chart, ArgoCD app, update CI pipeline', tags: ['GitOps', 'gitops', ' Argo '] });
    const record = normalizeSubmission(sub, now);
    expect(TrainingRecordSchema.parse(record)).toEqual(record);
    expect(record.answer).toBe('Add helm chart, ArgoCD app, update CI pipeline');
    expect(record.task).toBe('Convert repo to GitOps');
    expect(record.tags).toEqual(['gitops', 'argo']);
    expect(record.received_at).toBe(now.toISOString());
    expect(record.source).toBe('human');
  });

  it('ids sort by creation time and are unique within the same millisecond', () => {
    const sub = SubmissionSchema.parse({ task: 't', answer: 'a' });
    const ids = Array.from({ length: 50 }, (_, i) => normalizeSubmission(sub, new Date(now.getTime() + Math.floor(i / 10))).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const later = normalizeSubmission(sub, new Date('2027-01-01T00:00:00Z')).id;
    expect(later > (ids[ids.length - 1] ?? '')).toBe(true);
  });

  it('content hash ignores case, Unicode form and whitespace but not content', () => {
    const a = contentHash('Convert repo to GitOps', 'Add helm chart,  ArgoCD app');
    expect(contentHash('convert REPO to gitops ', 'Add helm chart,\nArgoCD app')).toBe(a);
    expect(contentHash('Convert repo to GitOps', 'Add helm chart, Flux app')).not.toBe(a);
    expect(contentHash('cafe\u0301', 'x')).toBe(contentHash('caf\u00e9', 'x'));
    // the separator keeps the task/answer boundary significant
    expect(contentHash('a b', 'c')).not.toBe(contentHash('a', 'b c'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('normalizeText regressions found by fuzzing', () => {
  it('does not read "<A ... =>" spanning lines as an HTML tag, so a second pass changes nothing', () => {
    const text = "<A\tpassword = \"x\nconst app = express();\napp.get('/run', (req, res) => res.send('ok'));\n";
    const once = normalizeText(text);
    expect(once).toContain("app.get('/run'");
    expect(normalizeText(once)).toBe(once);
  });
});
