import { describe, expect, it } from 'vitest';
import { renderTemplates } from './gotemplate.js';

const render = (src: string, data: unknown = {}, helpers = '') => renderTemplates({ 't.yaml': src, '_h.tpl': helpers }, data)['t.yaml'];

describe('Go template subset used by the chart tests', () => {
  it('trims whitespace around {{- and -}} and drops comments', () => {
    expect(render('a  {{- "b" -}}  c {{/* note */}}d')).toBe('abc d');
    expect(render('x\n{{- if true }}\ny\n{{- end }}\n')).toBe('x\ny\n');
  });

  it('declares variables, ranges over sorted map keys with $k, $v and keeps $ as the root', () => {
    const out = render('{{- $n := 0 }}{{ range $k, $v := .m }}{{ $k }}={{ $v }}:{{ $.tag }};{{ end }}', { m: { b: 2, a: 1 }, tag: 't' });
    expect(out).toBe('a=1:t;b=2:t;');
    expect(render('{{ range $i, $x := .l }}{{ $i }}{{ $x }} {{ end }}', { l: ['p', 'q'] })).toBe('0p 1q ');
    expect(render('{{ range .l }}{{ . }}{{ else }}none{{ end }}', { l: [] })).toBe('none');
  });

  it('include passes its argument as both . and $, with dict building the argument', () => {
    const helpers = '{{- define "h" -}}{{ .name }}@{{ $.root.x }}{{- end }}';
    expect(render('{{ include "h" (dict "root" $ "name" "n") | upper }}', { x: 'r' }, helpers)).toBe('N@R');
  });

  it('supports the Sprig functions the chart uses', () => {
    expect(render('{{ "a_b_c" | replace "_" "-" | trunc 3 | trimSuffix "-" }}')).toBe('a-b');
    expect(render('{{ default "d" .missing }} {{ default "d" "" }} {{ .p | quote }}', { p: 8001 })).toBe('d d "8001"');
    expect(render('{{ toYaml .m | nindent 2 }}', { m: { z: 1, a: [1] } })).toBe('\n  a:\n    - 1\n  z: 1');
    expect(render('{{ if and (has "x" .l) (hasKey .m "k") (not .f) (eq .s "s") (ne .s "t") }}yes{{ end }}', { l: ['x'], m: { k: 0 }, f: false, s: 's' })).toBe('yes');
    expect(render('{{ join "," .l }} {{ index .m "k" }} {{ printf "%s:%v" "a" .n }}', { l: ['a', 'b'], m: { k: 'v' }, n: 3 })).toBe('a,b v a:3');
    expect(render('{{ if or (eq .mode "all") (has .mode .modes) }}on{{ else }}off{{ end }}', { mode: 'day', modes: ['night'] })).toBe('off');
  });

  it('and/or short-circuit like Go 1.18+, so a nil guard protects the field access after it', () => {
    expect(render('{{ if and .a .a.b }}y{{ else }}n{{ end }}', {})).toBe('n');
  });

  it('fails loudly where Helm would fail or print something different', () => {
    expect(() => render('{{ .a.b }}', {})).toThrow(/nil pointer/);
    expect(() => render('{{ nosuch 1 }}')).toThrow(/unsupported function nosuch/);
    expect(() => render('{{ printf "%d" 3 }}')).toThrow(/%d/);
    expect(() => render('{{ .m }}', { m: { a: 1 } })).toThrow(/without toYaml/);
    expect(() => render('{{ .n }}', { n: 1000000 })).toThrow(/exponent/);
    expect(() => render('{{ required "need x" .x }}')).toThrow(/need x/);
    expect(() => render('{{ if true }}x')).toThrow(/without end/);
    expect(() => render('{{ eq 1 "1" }}')).toThrow(/incompatible types/);
    expect(() => render('{{ $undefined }}')).toThrow(/undefined variable/);
  });
});
