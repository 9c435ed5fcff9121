import type { AuditReport, Finding, Severity } from '@linkops/shared/contracts';
import { SCAN_CORE_VERSION } from './report.js';

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning reads this as a CVSS-like number to bucket alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

const INFO_URI = 'https://github.com/linkops/linkops';

function helpUriOf(f: Finding): string | undefined {
  return f.references.find((r) => /^https:\/\//.test(r));
}

/** Relative, forward-slash, percent-encoded path usable as a SARIF artifact URI. */
function artifactUri(p: string): string {
  return p
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, rules with help text, levels mapped from
 * severity, security-severity, partialFingerprints and regions starting at line 1 or later.
 */
export function toSarif(report: AuditReport): Record<string, unknown> {
  const ruleIndex = new Map<string, number>();
  const rules: Record<string, unknown>[] = [];
  for (const f of report.findings) {
    if (ruleIndex.has(f.rule_id)) continue;
    ruleIndex.set(f.rule_id, rules.length);
    const helpUri = helpUriOf(f);
    const helpText = [f.remediation || f.title, f.references.length ? `References: ${f.references.join(', ')}` : ''].filter(Boolean).join('\n\n');
    rules.push({
      id: f.rule_id,
      name: f.rule_id.replace(/[^A-Za-z0-9]+/g, '_'),
      shortDescription: { text: f.title },
      fullDescription: { text: f.title },
      help: { text: helpText, markdown: helpText },
      ...(helpUri ? { helpUri } : {}),
      defaultConfiguration: { level: SARIF_LEVEL[f.severity] },
      properties: {
        tags: ['security', f.scanner, ...f.references.filter((r) => /^CWE-\d+$/.test(r)).map((r) => `external/cwe/${r.toLowerCase()}`)],
        'security-severity': SECURITY_SEVERITY[f.severity],
        precision: 'high',
      },
    });
  }
  const results = report.findings.map((f) => {
    const startLine = Math.max(1, f.location.start_line);
    const endLine = Math.max(startLine, f.location.end_line);
    return {
      ruleId: f.rule_id,
      ruleIndex: ruleIndex.get(f.rule_id)!,
      level: SARIF_LEVEL[f.severity],
      message: { text: f.evidence ? `${f.message} (${f.evidence})` : f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(f.location.path || '.'), uriBaseId: '%SRCROOT%' },
            region: { startLine, endLine },
          },
        },
      ],
      partialFingerprints: { 'primaryLocationLineHash/v1': f.fingerprint.slice(0, 32), 'linkops/v1': f.fingerprint },
      properties: { severity: f.severity, scanner: f.scanner, 'security-severity': SECURITY_SEVERITY[f.severity] },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'LinkOps',
            version: SCAN_CORE_VERSION,
            informationUri: INFO_URI,
            rules,
          },
        },
        automationDetails: { id: `linkops/audit/${report.scan_id}` },
        ...(/^https:\/\/[A-Za-z0-9._~/-]+$/.test(report.repo_url)
          ? { versionControlProvenance: [{ repositoryUri: report.repo_url, revisionId: report.commit, ...(report.ref ? { branch: report.ref } : {}) }] }
          : {}),
        results,
        properties: { score: report.score, commit: report.commit },
      },
    ],
  };
}

/** Escapes text for Markdown table cells and inline text (no raw HTML gets through). */
function md(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, ' ');
}

const scoreText = (s: number | null) => (s === null ? 'n/a' : `${s}/10`);

export function toMarkdown(report: AuditReport): string {
  const lines: string[] = [];
  lines.push(`# LinkOps audit: ${md(report.repo_url)}`, '');
  lines.push(`- **GitOps compliance score:** ${report.score}/100`);
  lines.push(`- **Commit:** \`${md(report.commit)}\`${report.ref ? ` (ref ${md(report.ref)})` : ''}`);
  lines.push(`- **Scanned:** ${report.inventory.files} files, ${report.inventory.bytes} bytes at ${md(report.created_at)}`);
  lines.push(`- **Findings:** ${report.summary.total} (${Object.entries(report.summary.by_severity).map(([s, n]) => `${s} ${n}`).join(', ')})`);
  lines.push(`- **Engines:** ${report.engines.map((e) => `${md(e.name)} ${md(e.version)}${e.ran ? '' : ` (not run${e.note ? `: ${md(e.note)}` : ''})`}`).join(', ') || 'none'}`, '');
  lines.push('## Compliance checks', '', '| Check | Risk | Score | Reason | Fixed by |', '|---|---|---|---|---|');
  for (const c of report.checks) lines.push(`| ${md(c.title)} (\`${md(c.id)}\`) | ${c.risk} | ${scoreText(c.score)} | ${md(c.reason)} | ${md(c.fixed_by.join(', '))} |`);
  lines.push('', '## Services', '', '| Service | Path | Runtime | Frameworks | Ports | Infrastructure | Depends on | Health |', '|---|---|---|---|---|---|---|---|');
  for (const s of report.services) {
    lines.push(`| ${md(s.name)} | ${md(s.path ?? '(image)')} | ${md(s.runtime ?? '')} | ${md(s.frameworks.join(', '))} | ${s.ports.join(', ')} | ${md(s.infrastructure.join(', '))} | ${md(s.depends_on.join(', '))} | ${md(s.health_path ?? '')} |`);
  }
  if (report.edges.length) {
    lines.push('', '### Dependencies', '');
    for (const e of report.edges) lines.push(`- ${md(e.from)} → ${md(e.to)} (${md(e.via)})`);
  }
  lines.push('', '## Findings', '');
  if (report.findings.length === 0) lines.push('No findings.');
  else {
    lines.push('| Severity | Scanner | Rule | Location | Message |', '|---|---|---|---|---|');
    for (const f of report.findings) {
      lines.push(`| ${f.severity} | ${md(f.scanner)} | \`${md(f.rule_id)}\` | ${md(f.location.path)}:${f.location.start_line} | ${md(f.title)}: ${md(f.message)}${f.evidence ? ` — ${md(f.evidence)}` : ''} |`);
    }
  }
  if (report.warnings.length) {
    lines.push('', '## Warnings', '');
    for (const w of report.warnings) lines.push(`- ${md(w)}`);
  }
  lines.push('');
  return lines.join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const HTML_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
.score{font-size:2.5rem;font-weight:700}.sev-critical{color:#a40e26}.sev-high{color:#bc4c00}.sev-medium{color:#9a6700}.sev-low,.sev-info{color:#57606a}
code{background:#f6f8fa;padding:0 3px}`;

/** A self-contained HTML report: inline CSS, no scripts, no external assets; every value escaped. */
export function toHtml(report: AuditReport): string {
  const e = escapeHtml;
  const rows = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const checks = report.checks
    .map((c) => rows([`${e(c.title)} <code>${e(c.id)}</code>`, e(c.risk), e(scoreText(c.score)), e(c.reason), e(c.evidence.join(', ')), e(c.fixed_by.join(', '))]))
    .join('');
  const services = report.services
    .map((s) => rows([e(s.name), e(s.path ?? '(image)'), e(s.runtime ?? ''), e(s.frameworks.join(', ')), e(s.ports.join(', ')), e(s.infrastructure.join(', ')), e(s.depends_on.join(', ')), e(s.health_path ?? '')]))
    .join('');
  const findings = report.findings
    .map((f) => rows([`<span class="sev-${e(f.severity)}">${e(f.severity)}</span>`, e(f.scanner), `<code>${e(f.rule_id)}</code>`, `${e(f.location.path)}:${f.location.start_line}`, `${e(f.title)}<br>${e(f.message)}${f.evidence ? `<br><code>${e(f.evidence)}</code>` : ''}`, e(f.remediation)]))
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>LinkOps audit: ${e(report.repo_url)}</title><style>${HTML_STYLE}</style></head>
<body>
<h1>LinkOps audit</h1>
<p>${e(report.repo_url)} at <code>${e(report.commit)}</code>${report.ref ? ` (ref ${e(report.ref)})` : ''} — ${e(report.created_at)}</p>
<p>GitOps compliance score: <span class="score" id="score">${report.score}</span>/100 · ${report.summary.total} findings · ${report.inventory.files} files</p>
<h2>Compliance checks</h2>
<table id="checks"><thead><tr><th>Check</th><th>Risk</th><th>Score</th><th>Reason</th><th>Evidence</th><th>Fixed by</th></tr></thead><tbody>${checks}</tbody></table>
<h2>Services</h2>
<table id="services"><thead><tr><th>Service</th><th>Path</th><th>Runtime</th><th>Frameworks</th><th>Ports</th><th>Infrastructure</th><th>Depends on</th><th>Health</th></tr></thead><tbody>${services}</tbody></table>
<h2>Findings</h2>
<table id="findings"><thead><tr><th>Severity</th><th>Scanner</th><th>Rule</th><th>Location</th><th>Finding</th><th>Remediation</th></tr></thead><tbody>${findings}</tbody></table>
${report.warnings.length ? `<h2>Warnings</h2><ul>${report.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
