/**
 * The audit web page. The HTML carries no inline script so it works under a strict CSP
 * (`script-src 'self'`): the service serves AUDIT_PAGE_JS at /app.js. Styles are inline, so the
 * CSP needs `style-src 'unsafe-inline'` or AUDIT_PAGE_CSP below.
 */

export const AUDIT_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const PAGE_STYLE = `*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:1.5rem}h1{margin:.2rem 0 1rem}form{display:flex;gap:.5rem}
#repo-url{flex:1;padding:.5rem;font:inherit;border:1px solid #d0d7de;border-radius:6px}
button{padding:.5rem 1rem;font:inherit;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}button:disabled{opacity:.6}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:1rem 0}
#progress{min-height:1.5rem}#progress[data-state=failed]{color:#a40e26}#score{font-size:3rem;font-weight:700}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
.sev-critical{color:#a40e26;font-weight:700}.sev-high{color:#bc4c00}.sev-medium{color:#9a6700}.sev-low,.sev-info{color:#57606a}
h2{margin:0 0 .75rem;font-size:1.25rem}.hidden{display:none}.filters{display:flex;gap:.5rem;margin:.5rem 0}.downloads a{margin-right:1rem}`;

export function renderAuditPage(opts: { scriptSrc?: string; title?: string } = {}): string {
  const src = (opts.scriptSrc ?? '/app.js').replace(/[^A-Za-z0-9/._?=&-]/g, '');
  const title = (opts.title ?? 'LinkOps repository audit').replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${title}</title><style>${PAGE_STYLE}</style></head>
<body><main>
<h1>${title}</h1>
<form id="audit-form" autocomplete="off">
  <input id="repo-url" data-testid="repo-url" type="text" inputmode="url" spellcheck="false" autocapitalize="off" required maxlength="2048" placeholder="https://github.com/owner/repo" aria-label="Repository URL">
  <button id="audit-button" data-testid="audit-button" type="submit">Audit</button>
</form>
<section><div id="progress" data-testid="progress" role="status" aria-live="polite">Paste a repository URL and press Audit.</div></section>
<div id="results" class="hidden">
<section><div>GitOps compliance score</div><div><span id="score" data-testid="score"></span>/100</div>
<div class="downloads" id="downloads">
  <a data-format="json" data-testid="download-json" href="#" download>JSON</a>
  <a data-format="sarif" data-testid="download-sarif" href="#" download>SARIF</a>
  <a data-format="markdown" data-testid="download-markdown" href="#" download>Markdown</a>
</div></section>
<section><h2>Compliance checks</h2><table id="checks" data-testid="checks"><thead><tr><th>Check</th><th>Risk</th><th>Score</th><th>Reason</th><th>Fixed by</th></tr></thead><tbody></tbody></table></section>
<section><h2>Services</h2><table id="services" data-testid="services"><thead><tr><th>Service</th><th>Path</th><th>Runtime</th><th>Frameworks</th><th>Ports</th><th>Infrastructure</th><th>Depends on</th></tr></thead><tbody></tbody></table></section>
<section><h2>Findings</h2>
<div class="filters"><label>Severity <select id="filter-severity" data-testid="filter-severity"><option value="">all</option><option>critical</option><option>high</option><option>medium</option><option>low</option><option>info</option></select></label>
<label>Scanner <select id="filter-scanner" data-testid="filter-scanner"><option value="">all</option></select></label></div>
<table id="findings" data-testid="findings"><thead><tr><th>Severity</th><th>Scanner</th><th>Rule</th><th>Location</th><th>Finding</th></tr></thead><tbody></tbody></table></section>
</div>
</main><script src="${src}" defer></script></body></html>
`;
}

/** Client script for renderAuditPage (served at /app.js). Builds the DOM with textContent only. */
export const AUDIT_PAGE_JS = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var form = $('audit-form'), input = $('repo-url'), button = $('audit-button'), progress = $('progress');
  var report = null;
  function status(text, state) { progress.textContent = text; progress.setAttribute('data-state', state || 'running'); }
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text == null ? '' : String(text); if (cls) td.className = cls; tr.appendChild(td); return td; }
  function fill(tableId, rows) {
    var body = $(tableId).querySelector('tbody');
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (cells) { var tr = document.createElement('tr'); cells.forEach(function (c) { cell(tr, c[0], c[1]); }); body.appendChild(tr); });
  }
  function renderFindings() {
    var sev = $('filter-severity').value, sc = $('filter-scanner').value;
    var list = (report.findings || []).filter(function (f) { return (!sev || f.severity === sev) && (!sc || f.scanner === sc); });
    fill('findings', list.map(function (f) {
      return [[f.severity, 'sev-' + f.severity], [f.scanner], [f.rule_id], [f.location.path + ':' + f.location.start_line], [f.title + ': ' + f.message + (f.evidence ? ' (' + f.evidence + ')' : '')]];
    }));
  }
  function render(id, r) {
    report = r;
    $('results').classList.remove('hidden');
    $('score').textContent = String(r.score);
    fill('checks', (r.checks || []).map(function (c) { return [[c.title + ' (' + c.id + ')'], [c.risk], [c.score == null ? 'n/a' : c.score + '/10'], [c.reason], [(c.fixed_by || []).join(', ')]]; }));
    fill('services', (r.services || []).map(function (s) { return [[s.name], [s.path == null ? '(image)' : s.path], [s.runtime], [(s.frameworks || []).join(', ')], [(s.ports || []).join(', ')], [(s.infrastructure || []).join(', ')], [(s.depends_on || []).join(', ')]]; }));
    var scanners = {}; (r.findings || []).forEach(function (f) { scanners[f.scanner] = true; });
    var sel = $('filter-scanner'); while (sel.options.length > 1) sel.remove(1);
    Object.keys(scanners).sort().forEach(function (s) { var o = document.createElement('option'); o.value = s; o.textContent = s; sel.appendChild(o); });
    renderFindings();
    Array.prototype.forEach.call(document.querySelectorAll('a[data-format]'), function (a) {
      a.href = '/scan/' + encodeURIComponent(id) + '/report?format=' + a.getAttribute('data-format');
    });
  }
  function fetchJson(url, init) {
    return fetch(url, init).then(function (res) {
      return res.text().then(function (t) { var b = null; try { b = JSON.parse(t); } catch (e) { b = { error: t }; } if (!res.ok) { var m = (b && ((b.error && b.error.message) || b.message || b.reason || b.error)) || res.statusText; throw new Error(typeof m === 'string' ? m : JSON.stringify(m)); } return b; });
    });
  }
  function poll(id) {
    return fetchJson('/scan/' + encodeURIComponent(id)).then(function (s) {
      var state = String(s.status || s.state || '');
      if (state === 'done' || state === 'completed') return fetchJson('/scan/' + encodeURIComponent(id) + '/report').then(function (r) { status('Done: ' + (r.summary ? r.summary.total : 0) + ' findings.', 'done'); render(id, r); });
      if (state === 'failed') throw new Error(s.error || s.reason || 'the audit failed');
      var p = s.progress || {};
      status('Auditing… ' + (p.phase || state || 'queued') + (p.total ? ' ' + p.done + '/' + p.total : ''), 'running');
      return new Promise(function (r) { setTimeout(r, 1000); }).then(function () { return poll(id); });
    });
  }
  $('filter-severity').addEventListener('change', function () { if (report) renderFindings(); });
  $('filter-scanner').addEventListener('change', function () { if (report) renderFindings(); });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    button.disabled = true; $('results').classList.add('hidden'); status('Submitting…', 'running');
    fetchJson('/scan/audit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repo_url: input.value.trim() }) })
      .then(function (r) { var id = r.scan_id || r.id; if (!id) throw new Error('no scan id in the response'); if (Array.isArray(r.findings) && Array.isArray(r.checks)) { status('Done.', 'done'); render(id, r); return; } return poll(id); })
      .catch(function (e) { status('Failed: ' + e.message, 'failed'); })
      .then(function () { button.disabled = false; });
  });
})();
`;
