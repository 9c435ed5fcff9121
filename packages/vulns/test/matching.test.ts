import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdvisoryDatabase,
  DEFAULT_OSV_DB_DIR,
  chooseFixedVersion,
  compareComposer,
  compareGo,
  compareMaven,
  compareRubyGems,
  compareVersions,
  loadOsvDirectory,
  matchAdvisory,
  matchPackages,
  type Ecosystem,
} from '../src/index.js';

let db: AdvisoryDatabase;
beforeAll(async () => {
  db = await loadOsvDirectory(DEFAULT_OSV_DB_DIR);
});

/** Whether the real advisory `id` (from db/osv) affects ecosystem/name@version. */
function affects(id: string, ecosystem: Ecosystem, name: string, version: string): boolean {
  const advisory = db.get(id);
  if (!advisory) throw new Error(`advisory ${id} missing from the database`);
  return matchAdvisory(advisory, ecosystem, name, version) !== null;
}

function fixedFor(id: string, ecosystem: Ecosystem, name: string, version: string): string | null {
  const hit = matchAdvisory(db.get(id)!, ecosystem, name, version);
  return hit ? chooseFixedVersion(ecosystem, name, version, [hit]) : null;
}

describe('npm (semver)', () => {
  it('introduced/fixed ranges, boundaries exclusive at fixed', () => {
    expect(affects('GHSA-p6mc-m468-83gw', 'npm', 'lodash', '4.17.15')).toBe(true);
    expect(affects('GHSA-p6mc-m468-83gw', 'npm', 'lodash', '4.17.19')).toBe(true);
    expect(affects('GHSA-p6mc-m468-83gw', 'npm', 'lodash', '4.17.20')).toBe(false);
    expect(affects('GHSA-p6mc-m468-83gw', 'npm', 'lodash-es', '4.17.15')).toBe(true);
    expect(affects('GHSA-p6mc-m468-83gw', 'npm', 'underscore', '1.0.0')).toBe(false);
    // qs has nine disjoint ranges; 6.7.0 sits in [6.7.0, 6.7.3), 6.7.3 is fixed, 6.8.0 re-enters a range.
    expect(fixedFor('GHSA-hrpp-h998-j3pp', 'npm', 'qs', '6.7.0')).toBe('6.7.3');
    expect(affects('GHSA-hrpp-h998-j3pp', 'npm', 'qs', '6.7.3')).toBe(false);
    expect(affects('GHSA-hrpp-h998-j3pp', 'npm', 'qs', '6.8.0')).toBe(true);
    expect(affects('GHSA-hrpp-h998-j3pp', 'npm', 'qs', '6.11.0')).toBe(false);
  });

  it('pre-releases order before their release', () => {
    // express: [5.0.0-alpha.1, 5.0.0-beta.3)
    expect(affects('GHSA-rv95-896h-c2vc', 'npm', 'express', '5.0.0-beta.1')).toBe(true);
    expect(affects('GHSA-rv95-896h-c2vc', 'npm', 'express', '5.0.0-beta.3')).toBe(false);
    expect(affects('GHSA-qw6h-vgh9-j6wx', 'npm', 'express', '5.0.0-beta.3')).toBe(true);
    expect(affects('GHSA-qw6h-vgh9-j6wx', 'npm', 'express', '5.0.0')).toBe(false);
    // @xmldom/xmldom: [0.9.0-beta.1, 0.9.0-beta.4)
    expect(affects('GHSA-crh6-fp67-6883', 'npm', '@xmldom/xmldom', '0.9.0-beta.2')).toBe(true);
    expect(affects('GHSA-crh6-fp67-6883', 'npm', '@xmldom/xmldom', '0.9.0')).toBe(false);
  });

  it('last_affected is inclusive, explicit versions lists match exactly', () => {
    expect(affects('GHSA-p8p7-x288-28g6', 'npm', 'request', '2.88.2')).toBe(true);
    expect(affects('GHSA-p8p7-x288-28g6', 'npm', 'request', '2.88.3')).toBe(false);
    expect(fixedFor('GHSA-p8p7-x288-28g6', 'npm', 'request', '2.88.2')).toBeNull();
    expect(affects('GHSA-73qr-pfmq-6rp8', 'npm', 'coa', '2.0.3')).toBe(true);
    expect(affects('GHSA-73qr-pfmq-6rp8', 'npm', 'coa', '2.0.2')).toBe(false);
  });

  it('withdrawn advisories never match', () => {
    expect(db.get('GHSA-32vw-r77c-gm67')?.withdrawn).toBeTruthy();
    expect(affects('GHSA-32vw-r77c-gm67', 'npm', 'marked', '0.3.0')).toBe(false);
    expect(affects('GHSA-8v27-2fg9-7h62', 'npm', 'static-eval', '2.0.0')).toBe(false);
  });
});

describe('PyPI (PEP 440)', () => {
  it('pre-releases, dev releases and name normalization', () => {
    // zodb3 fixed in 3.10.0a1: 3.10.0.dev1 < 3.10.0a1 < 3.10.0b1
    expect(affects('PYSEC-2010-27', 'PyPI', 'ZODB3', '3.9.7')).toBe(true);
    expect(affects('PYSEC-2010-27', 'PyPI', 'zodb3', '3.10.0.dev1')).toBe(true);
    expect(affects('PYSEC-2010-27', 'PyPI', 'zodb3', '3.10.0a1')).toBe(false);
    expect(affects('PYSEC-2010-27', 'PyPI', 'zodb3', '3.10.0b1')).toBe(false);
    expect(affects('PYSEC-2019-133', 'PyPI', 'urllib3', '1.24.1')).toBe(true);
    expect(affects('PYSEC-2019-133', 'PyPI', 'urllib3', '1.24.2')).toBe(false);
    // certifi's GHSA record writes 2015.04.28; PEP 440 normalizes leading zeros.
    expect(affects('GHSA-xqr8-7jwr-rhp7', 'PyPI', 'certifi', '2015.4.28')).toBe(true);
    expect(affects('GHSA-xqr8-7jwr-rhp7', 'PyPI', 'certifi', '2023.7.22')).toBe(false);
    expect(compareVersions('PyPI', '1.0.post1', '1.0')).toBeGreaterThan(0);
    expect(compareVersions('PyPI', '1.0rc1', '1.0')).toBeLessThan(0);
    expect(compareVersions('PyPI', 'not a version', '1.0')).toBeNull();
  });

  it('merges a PYSEC record and its GHSA alias into one finding', () => {
    const findings = matchPackages(db, [{ ecosystem: 'PyPI', name: 'Flask', version: '2.2.4', direct: true, file: 'requirements.txt', line: 1 }]);
    const merged = findings.filter((f) => f.references.includes('GHSA-m2qf-hxjv-5gpq'));
    expect(merged).toHaveLength(1);
    expect(merged[0]!.rule_id).toBe('GHSA-m2qf-hxjv-5gpq');
    expect(merged[0]!.references).toEqual(expect.arrayContaining(['PYSEC-2023-62', 'CVE-2023-30861']));
    expect(merged[0]!.metadata?.fixed_version).toBe('2.2.5');
  });

  it('withdrawn PyPI records are ignored', () => {
    expect(affects('PYSEC-2019-144', 'PyPI', 'arrayfire', '3.0.20150914')).toBe(false);
  });
});

describe('Go (v-prefixed semver, pseudo-versions, +incompatible)', () => {
  it('pseudo-versions order by their base version and timestamp', () => {
    expect(compareGo('v0.0.0-20220524220425-1d687d428aca', 'v0.0.0-20220906165146-f3363e06e74c')).toBeLessThan(0);
    expect(compareGo('v0.1.0', 'v0.0.0-20220906165146-f3363e06e74c')).toBeGreaterThan(0);
    expect(affects('GHSA-69cg-p879-7622', 'Go', 'golang.org/x/net', 'v0.0.0-20220524220425-1d687d428aca')).toBe(true);
    expect(affects('GHSA-69cg-p879-7622', 'Go', 'golang.org/x/net', 'v0.0.0-20221004154528-8021a29435af')).toBe(false);
    expect(affects('GHSA-69cg-p879-7622', 'Go', 'golang.org/x/net', 'v0.1.0')).toBe(false);
    // introduced at a pseudo-version, fixed at a pre-release pseudo-version of 0.1.1
    expect(affects('GHSA-fxg5-wq6x-vr4w', 'Go', 'golang.org/x/net', 'v0.1.0')).toBe(true);
    expect(affects('GHSA-fxg5-wq6x-vr4w', 'Go', 'golang.org/x/net', 'v0.0.0-20220101000000-aaaaaaaaaaaa')).toBe(false);
    expect(affects('GHSA-fxg5-wq6x-vr4w', 'Go', 'golang.org/x/net', 'v0.1.1')).toBe(false);
  });

  it('+incompatible major versions and last_affected', () => {
    expect(affects('GHSA-v23v-6jw2-98fq', 'Go', 'github.com/docker/docker', 'v24.0.5+incompatible')).toBe(true);
    expect(fixedFor('GHSA-v23v-6jw2-98fq', 'Go', 'github.com/docker/docker', 'v24.0.5+incompatible')).toBe('25.0.6');
    expect(affects('GHSA-w73w-5m7g-f7qc', 'Go', 'github.com/dgrijalva/jwt-go', 'v3.2.0+incompatible')).toBe(true);
    expect(affects('GHSA-w73w-5m7g-f7qc', 'Go', 'github.com/dgrijalva/jwt-go/v4', 'v4.0.0-preview1')).toBe(false);
  });
});

describe('Maven (ComparableVersion)', () => {
  it('qualifier order and equivalences', () => {
    const ordered = ['1.0-alpha1', '1.0-beta', '1.0-milestone-1', '1.0-rc1', '1.0-SNAPSHOT', '1.0', '1.0-sp1', '1.0.1', '1.1'];
    for (let i = 0; i + 1 < ordered.length; i++) expect(compareMaven(ordered[i]!, ordered[i + 1]!), `${ordered[i]} < ${ordered[i + 1]}`).toBeLessThan(0);
    expect(compareMaven('1.0', '1.0.0')).toBe(0);
    expect(compareMaven('1.0.RELEASE', '1.0')).toBe(0);
    expect(compareMaven('1.0-ga', '1.0-final')).toBe(0);
    expect(compareMaven('1.0-cr1', '1.0-rc1')).toBe(0);
    expect(compareMaven('4.1.94.Final', '4.1.100.Final')).toBeLessThan(0);
    expect(compareMaven('1.0-a1', '1.0-alpha-1')).toBe(0);
  });

  it('real ranges: .RELEASE suffixes, 4-part fixes, rc introductions, Jetty dates', () => {
    expect(affects('GHSA-36p3-wjmg-h94x', 'Maven', 'org.springframework:spring-beans', '5.2.19.RELEASE')).toBe(true);
    expect(affects('GHSA-36p3-wjmg-h94x', 'Maven', 'org.springframework:spring-beans', '5.2.20.RELEASE')).toBe(false);
    expect(affects('GHSA-36p3-wjmg-h94x', 'Maven', 'org.springframework:spring-beans', '5.3.17')).toBe(true);
    expect(affects('GHSA-57j2-w4cx-62h2', 'Maven', 'com.fasterxml.jackson.core:jackson-databind', '2.13.2')).toBe(true);
    expect(affects('GHSA-57j2-w4cx-62h2', 'Maven', 'com.fasterxml.jackson.core:jackson-databind', '2.13.2.1')).toBe(false);
    expect(affects('GHSA-735f-pc8j-v9w8', 'Maven', 'com.google.protobuf:protobuf-java', '4.27.4')).toBe(true);
    expect(affects('GHSA-735f-pc8j-v9w8', 'Maven', 'com.google.protobuf:protobuf-java', '3.25.5')).toBe(false);
    expect(affects('GHSA-qw69-rqj8-6qw8', 'Maven', 'org.eclipse.jetty:jetty-server', '9.4.50.v20221201')).toBe(true);
    expect(affects('GHSA-qw69-rqj8-6qw8', 'Maven', 'org.eclipse.jetty:jetty-server', '9.4.51.v20230217')).toBe(false);
  });

  it('open-ended and last_affected ranges', () => {
    expect(affects('GHSA-w9p3-5cr8-m3jj', 'Maven', 'log4j:log4j', '1.2.17')).toBe(true);
    expect(affects('GHSA-65fg-84f6-3jq3', 'Maven', 'log4j:log4j', '1.2.17')).toBe(true);
    expect(affects('GHSA-65fg-84f6-3jq3', 'Maven', 'log4j:log4j', '1.2.18')).toBe(false);
  });
});

describe('RubyGems (Gem::Version)', () => {
  it('segment order, prerelease letters, trailing zeros', () => {
    expect(compareRubyGems('1.0.0.pre', '1.0.0')).toBeLessThan(0);
    expect(compareRubyGems('1.0.0.rc1', '1.0.0.rc2')).toBeLessThan(0);
    expect(compareRubyGems('1.0', '1.0.0')).toBe(0);
    expect(compareRubyGems('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareRubyGems('2.2.3.1', '2.2.3')).toBeGreaterThan(0);
  });

  it('real ranges with four-part fixes; withdrawn record ignored', () => {
    expect(affects('GHSA-wq4h-7r42-5hrr', 'RubyGems', 'rack', '2.2.3')).toBe(true);
    expect(affects('GHSA-wq4h-7r42-5hrr', 'RubyGems', 'rack', '2.2.3.1')).toBe(false);
    expect(affects('GHSA-3hhc-qp5v-9p2j', 'RubyGems', 'activerecord', '6.0.0')).toBe(true);
    expect(fixedFor('GHSA-3hhc-qp5v-9p2j', 'RubyGems', 'activerecord', '6.0.0')).toBe('6.0.5.1');
    // 6.0.0.rc1 sorts below 6.0.0 (introduced) and above 5.2.8.1 (fixed): outside every range.
    expect(affects('GHSA-3hhc-qp5v-9p2j', 'RubyGems', 'activerecord', '6.0.0.rc1')).toBe(false);
    expect(affects('GHSA-3hhc-qp5v-9p2j', 'RubyGems', 'activerecord', '6.0.5')).toBe(true);
    expect(affects('GHSA-9jfq-54vc-9rr2', 'RubyGems', 'foreman', '0.87.2')).toBe(false);
  });
});

describe('crates.io, Packagist, NuGet', () => {
  it('crates.io: semver plus two-part introduced versions and last_affected', () => {
    expect(affects('GHSA-m5pq-gvj9-9vr8', 'crates.io', 'regex', '1.5.4')).toBe(true);
    expect(affects('GHSA-m5pq-gvj9-9vr8', 'crates.io', 'regex', '1.5.5')).toBe(false);
    expect(affects('GHSA-wcg3-cvx6-7396', 'crates.io', 'time', '0.1.43')).toBe(true);
    // The record's first range is open-ended ({introduced: "0.1"} only; "< 0.2" lives in database_specific),
    // so by OSV semantics every later version matches too, as osv-scanner reports it.
    expect(affects('GHSA-wcg3-cvx6-7396', 'crates.io', 'time', '0.2.23')).toBe(true);
    expect(affects('GHSA-wcg3-cvx6-7396', 'crates.io', 'time', '0.0.9')).toBe(false);
    expect(affects('GHSA-f8vr-r385-rh5r', 'crates.io', 'hyper', '0.14.25')).toBe(true);
    expect(affects('GHSA-f8vr-r385-rh5r', 'crates.io', 'hyper', '0.14.26')).toBe(false);
  });

  it('Packagist: v-prefixed versions and stability suffixes', () => {
    expect(compareComposer('1.0.0-beta2', '1.0.0-RC1')).toBeLessThan(0);
    expect(compareComposer('1.0.0-RC1', '1.0.0')).toBeLessThan(0);
    expect(compareComposer('1.0.0', '1.0.0-patch1')).toBeLessThan(0);
    expect(compareComposer('v2.0', '2.0.0.0')).toBe(0);
    expect(compareComposer('dev-master', '1.0.0')).toBeNull();
    expect(affects('GHSA-25mq-v84q-4j7r', 'Packagist', 'guzzlehttp/guzzle', 'v7.4.4')).toBe(true);
    expect(affects('GHSA-25mq-v84q-4j7r', 'Packagist', 'guzzlehttp/guzzle', '7.4.5')).toBe(false);
    expect(affects('GHSA-25mq-v84q-4j7r', 'Packagist', 'guzzlehttp/guzzle', 'dev-master')).toBe(false);
  });

  it('NuGet: case-insensitive names, preview builds, withdrawn', () => {
    expect(affects('GHSA-8g4q-xg66-9fp4', 'NuGet', 'system.text.json', '8.0.4')).toBe(true);
    expect(affects('GHSA-8g4q-xg66-9fp4', 'NuGet', 'System.Text.Json', '8.0.5')).toBe(false);
    expect(affects('GHSA-qj66-m88j-hmgj', 'NuGet', 'System.IO.Packaging', '9.0.0-preview.3.24172.9')).toBe(true);
    expect(affects('GHSA-qj66-m88j-hmgj', 'NuGet', 'System.IO.Packaging', '9.0.0')).toBe(false);
    expect(affects('GHSA-8g9c-28fc-mcx2', 'NuGet', 'System.IdentityModel.Tokens.Jwt', '5.6.0')).toBe(false);
  });
});

describe('remediation choice', () => {
  it('picks the smallest fix above the installed version that no merged record still affects', () => {
    // PYSEC-2023-62 says [0, 2.2.5) and [2.3.0, 2.3.2); 2.3.0 needs 2.3.2, not 2.2.5.
    const hit = matchAdvisory(db.get('PYSEC-2023-62')!, 'PyPI', 'flask', '2.3.0')!;
    expect(chooseFixedVersion('PyPI', 'flask', '2.3.0', [hit])).toBe('2.3.2');
  });
});
