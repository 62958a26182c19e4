import assert from 'node:assert/strict';
import type { RouterConfig, RouteRule } from '../../src/core/router/rules';
import { BUCKETS, decideRoute, eventShape, MAX_GROUP_VALUES, stickyBucket, validateRouterConfig } from '../../src/core/router/rules';

const base = (rules: RouteRule[], salt = 'salt-a'): RouterConfig => ({ target: 'checkout-api', stable: '3', canary: '4', salt, rules });
const betaHeader: RouteRule = { kind: 'group', key: { from: 'header', name: 'x-canary-group' }, values: ['beta', 'staff'] };

/** An unsigned JWT with these claims (the router never checks a signature). */
function jwt(claims: unknown): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const rest = (extra: Record<string, unknown> = {}) => ({
  resource: '/orders',
  path: '/orders',
  httpMethod: 'GET',
  headers: {},
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  requestContext: { identity: { sourceIp: '198.51.100.7' } },
  body: null,
  ...extra,
});
const http = (extra: Record<string, unknown> = {}) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/orders',
  headers: {},
  requestContext: { http: { method: 'GET', path: '/orders', sourceIp: '203.0.113.9' } },
  ...extra,
});
const alb = (extra: Record<string, unknown> = {}) => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' } },
  httpMethod: 'GET',
  path: '/orders',
  headers: {},
  ...extra,
});
const sqs = { Records: [{ messageId: '1', eventSource: 'aws:sqs', body: '{}', messageAttributes: { 'x-canary-group': { stringValue: 'beta' } } }] };

describe('router rules: validation', () => {
  const sticky = (weight: unknown): RouteRule => ({ kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight }) as RouteRule;
  const refuses = (config: unknown, message: RegExp) => assert.throws(() => validateRouterConfig(config), (e: Error) => (assert.match(e.message, /^Invalid router configuration|must be a JSON object/), assert.match(e.message, message), true));

  it('accepts a group rule and a sticky rule, and returns the configuration', () => {
    const c = base([betaHeader, { kind: 'sticky', keys: [{ from: 'claim', name: 'sub' }, { from: 'sourceIp' }], weight: 12.5 }]);
    assert.equal(validateRouterConfig(c), c);
    assert.doesNotThrow(() => validateRouterConfig(base([sticky(0)])));
    assert.doesNotThrow(() => validateRouterConfig(base([sticky(100)])));
    assert.doesNotThrow(() => validateRouterConfig({ ...base([]), target: 'arn:aws:lambda:eu-west-1:123456789012:function:checkout-api' }));
  });

  it('refuses a weight outside 0–100 or finer than the buckets', () => {
    refuses(base([sticky(150)]), /Rule 1: weight must be a number from 0 to 100/);
    refuses(base([sticky(-1)]), /weight must be a number from 0 to 100/);
    refuses(base([sticky('10')]), /weight must be a number/);
    refuses(base([sticky(Number.NaN)]), /weight must be a number/);
    refuses(base([sticky(10.125)]), /at most two decimals/);
  });

  it('refuses too many values, values with separators, and invalid header names', () => {
    const many = Array.from({ length: MAX_GROUP_VALUES + 1 }, (_, i) => `g${i}`);
    refuses(base([{ ...betaHeader, values: many }]), new RegExp(`at most ${MAX_GROUP_VALUES} values`));
    refuses(base([{ ...betaHeader, values: [] }]), /values must be a list of 1 to/);
    refuses(base([{ ...betaHeader, values: ['beta users'] }]), /no space or comma/);
    refuses(base([{ ...betaHeader, values: ['a,b'] }]), /no space or comma/);
    refuses(base([{ ...betaHeader, key: { from: 'header', name: 'x canary' } }]), /'x canary' is not a valid header name/);
    refuses(base([{ ...betaHeader, key: { from: 'header', name: 'x-group:' } }]), /not a valid header name/);
    refuses(base([{ ...betaHeader, key: { from: 'cookie', name: 'g' } } as unknown as RouteRule]), /from must be header, query, claim, authorizer or sourceIp/);
    refuses(base([{ ...betaHeader, key: { from: 'sourceIp' } }]), /sourceIp is a sticky key only/);
  });

  it('refuses a malformed configuration with every problem named', () => {
    refuses(null, /must be a JSON object/);
    refuses({ ...base([]), stable: '4' }, /two different versions/);
    refuses({ ...base([]), stable: '$LATEST' }, /stable must be a published version number/);
    refuses({ ...base([]), target: 'has space' }, /target must be a function name/);
    refuses({ ...base([]), salt: '' }, /salt must be/);
    refuses({ ...base([]), rules: {} }, /rules must be a list/);
    refuses({ ...base([]), extra: 1 }, /Unknown field 'extra'/);
    refuses(base(Array.from({ length: 11 }, () => betaHeader)), /At most 10 rules/);
    refuses(base([{ kind: 'random' } as unknown as RouteRule]), /kind must be 'group' or 'sticky'/);
    refuses(base([{ kind: 'sticky', keys: [], weight: 5 }]), /keys must be a list of 1 to 4/);
    // Two problems, one sentence each.
    refuses({ ...base([sticky(101)]), canary: 'x' }, /canary must be .*weight must be/);
  });

  it('refuses a configuration too large for Lambda’s 4 KB of environment', () => {
    const long = (i: number) => `${'v'.repeat(100)}${i}`;
    const rules = Array.from({ length: 3 }, () => ({ ...betaHeader, values: Array.from({ length: 20 }, (_, i) => long(i)) }));
    refuses(base(rules), /bytes as JSON; a router keeps at most 3072/);
  });
});

describe('router rules: event shapes', () => {
  it('tells REST, HTTP API / function URL, ALB and other events apart', () => {
    assert.equal(eventShape(rest()), 'rest');
    assert.equal(eventShape(http()), 'http');
    // A function URL's event is the HTTP API's payload 2.0.
    assert.equal(eventShape({ version: '2.0', rawPath: '/', headers: {}, requestContext: { domainName: 'abc.lambda-url.us-east-1.on.aws', http: { method: 'GET', sourceIp: '1.2.3.4' } } }), 'http');
    assert.equal(eventShape(alb()), 'alb');
    assert.equal(eventShape(sqs), 'other');
    for (const e of [null, undefined, 'text', 42, [], {}, { requestContext: 'x' }]) assert.equal(eventShape(e), 'other');
  });
});

describe('router rules: group', () => {
  const c = base([betaHeader]);
  const route = (event: unknown, config = c) => decideRoute(config, event);

  it('sends a request whose header names a listed group to the canary, by case-insensitive name', () => {
    assert.deepEqual(route(http({ headers: { 'x-canary-group': 'beta' } })), { route: 'canary', version: '4', rule: 'group', ruleIndex: 0 });
    assert.equal(route(rest({ headers: { 'X-Canary-Group': 'staff' } })).route, 'canary');
    assert.equal(route(rest({ multiValueHeaders: { 'X-CANARY-GROUP': ['other', 'beta'] }, headers: { 'X-CANARY-GROUP': 'beta' } })).route, 'canary');
    // HTTP API joins repeated headers with commas.
    assert.equal(route(http({ headers: { 'x-canary-group': 'alpha, beta' } })).route, 'canary');
    assert.equal(route(alb({ headers: { 'x-canary-group': 'beta' } })).route, 'canary');
    // An ALB with multi-value headers on sends only multiValueHeaders.
    assert.equal(route(alb({ headers: undefined, multiValueHeaders: { 'X-Canary-Group': ['beta'] } })).route, 'canary');
  });

  it('sends everyone else to stable', () => {
    assert.deepEqual(route(http({ headers: { 'x-canary-group': 'Beta' } })), { route: 'stable', version: '3', rule: 'default' });
    assert.equal(route(http({ headers: { 'x-canary-group': 'betas' } })).route, 'stable');
    assert.equal(route(http({ headers: {} })).route, 'stable');
    assert.equal(route(http({ headers: { 'x-other': 'beta' } })).route, 'stable');
  });

  it('reads a query parameter (decoded by API Gateway, percent-encoded by ALB)', () => {
    const q = base([{ kind: 'group', key: { from: 'query', name: 'cohort' }, values: ['beta'] }]);
    assert.equal(route(rest({ queryStringParameters: { cohort: 'beta' } }), q).route, 'canary');
    assert.equal(route(rest({ multiValueQueryStringParameters: { cohort: ['x', 'beta'] } }), q).route, 'canary');
    assert.equal(route(http({ queryStringParameters: { cohort: 'beta' } }), q).route, 'canary');
    assert.equal(route(alb({ queryStringParameters: { cohort: '%62eta' } }), q).route, 'canary');
    assert.equal(route(alb({ multiValueQueryStringParameters: { 'coh%6Frt': ['beta'] } }), q).route, 'canary');
    assert.equal(route(alb({ queryStringParameters: { cohort: '%E0%A4%A' } }), q).route, 'stable');
    assert.equal(route(http({ queryStringParameters: { Cohort: 'beta' } }), q).route, 'stable');
  });

  it('reads a JWT claim: a string, a list, a space or comma list, a namespaced or nested claim', () => {
    const claim = (name: string) => base([{ kind: 'group', key: { from: 'claim', name }, values: ['beta'] }]);
    const bearer = (claims: unknown) => http({ headers: { authorization: `Bearer ${jwt(claims)}` } });
    assert.equal(route(bearer({ 'cognito:groups': ['admin', 'beta'] }), claim('cognito:groups')).route, 'canary');
    assert.equal(route(bearer({ groups: 'admin beta' }), claim('groups')).route, 'canary');
    assert.equal(route(bearer({ groups: 'admin,beta' }), claim('groups')).route, 'canary');
    assert.equal(route(bearer({ tier: 'beta' }), claim('tier')).route, 'canary');
    assert.equal(route(bearer({ 'https://example.com/tier': 'beta' }), claim('https://example.com/tier')).route, 'canary');
    assert.equal(route(bearer({ realm_access: { roles: ['beta'] } }), claim('realm_access.roles')).route, 'canary');
    assert.equal(route(rest({ headers: { Authorization: `bearer ${jwt({ tier: 'beta' })}` } }), claim('tier')).route, 'canary');
    assert.equal(route(bearer({ 'cognito:groups': ['admin'] }), claim('cognito:groups')).route, 'stable');
    assert.equal(route(bearer({ tier: { beta: true } }), claim('tier')).route, 'stable');
  });

  it('reads API Gateway’s authorizer context: REST Lambda and Cognito authorizers, HTTP API JWT and Lambda authorizers', () => {
    const field = (name: string) => base([{ kind: 'group', key: { from: 'authorizer', name }, values: ['beta', 'acme'] }]);
    assert.equal(route(rest({ requestContext: { authorizer: { tenant: 'acme', principalId: 'u1' } } }), field('tenant')).route, 'canary');
    assert.equal(route(rest({ requestContext: { authorizer: { claims: { 'cognito:groups': 'admin,beta' } } } }), field('cognito:groups')).route, 'canary');
    assert.equal(route(http({ requestContext: { http: {}, authorizer: { jwt: { claims: { 'cognito:groups': '[admin beta]' }, scopes: null } } } }), field('cognito:groups')).route, 'canary');
    assert.equal(route(http({ requestContext: { http: {}, authorizer: { lambda: { tenant: 'acme' } } } }), field('tenant')).route, 'canary');
    assert.equal(route(http({ requestContext: { http: {}, authorizer: { lambda: { tenant: 'globex' } } } }), field('tenant')).route, 'stable');
    assert.equal(route(http(), field('tenant')).route, 'stable');
  });

  it('gives a non-HTTP event (SQS) no key: stable, whatever it holds', () => {
    assert.deepEqual(route(sqs), { route: 'stable', version: '3', rule: 'default' });
    assert.equal(route({ headers: { 'x-canary-group': 'beta' } }).route, 'stable');
  });
});

describe('router rules: sticky percent', () => {
  const userHeader: RouteRule = { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }, { from: 'claim', name: 'sub' }, { from: 'sourceIp' }], weight: 10 };

  it('hashes a user to a bucket below weight × 100 for the canary, the same every time', () => {
    const c = base([userHeader]);
    let canary = 0;
    for (let i = 0; i < 1000; i++) {
      const e = http({ headers: { 'x-user-id': `user-${i}` } });
      const d = decideRoute(c, e);
      assert.equal(d.rule, 'sticky');
      assert.equal(d.ruleIndex, 0);
      assert.equal(d.route, stickyBucket('salt-a', `user-${i}`) < 1000 ? 'canary' : 'stable');
      for (let k = 0; k < 3; k++) assert.deepEqual(decideRoute(c, e), d);
      if (d.route === 'canary') canary++;
    }
    assert.ok(canary > 70 && canary < 130, `${canary} of 1000 on the canary at 10 %`);
  });

  it('keeps the hash fixed: HMAC-SHA256(salt, key), its first 4 bytes scaled to 10,000 buckets', () => {
    // Pinned: a change would move every user of every router to another version.
    assert.equal(stickyBucket('salt-a', 'user-1'), 6637);
    assert.equal(stickyBucket('salt-a', 'user-2'), 9461);
    assert.equal(stickyBucket('salt-b', 'user-1'), 3163);
    assert.equal(stickyBucket('', ''), 7112);
  });

  it('takes the first key the request has: a header, then a claim, then the source IP', () => {
    const c = base([userHeader]);
    const byKey = (key: string) => (stickyBucket('salt-a', key) < 1000 ? 'canary' : 'stable');
    // Find users of each route so that each source is seen deciding.
    const user = (route: string) => Array.from({ length: 200 }, (_, i) => `u${i}`).find((u) => byKey(u) === route)!;
    for (const r of ['canary', 'stable']) {
      const u = user(r);
      assert.equal(decideRoute(c, rest({ headers: { 'X-User-Id': u } })).route, r);
      assert.equal(decideRoute(c, http({ headers: { authorization: `Bearer ${jwt({ sub: u })}` } })).route, r);
      assert.equal(decideRoute(c, http({ requestContext: { http: { sourceIp: u } } })).route, r);
      assert.equal(decideRoute(c, rest({ requestContext: { identity: { sourceIp: u } } })).route, r);
      // ALB: the address the load balancer appended (the last), not what the client wrote first.
      assert.equal(decideRoute(c, alb({ headers: { 'x-forwarded-for': `${user(r === 'canary' ? 'stable' : 'canary')}, ${u}` } })).route, r);
    }
    // The header wins over the claim and the address.
    const h = user('canary');
    const s = user('stable');
    assert.equal(decideRoute(c, http({ headers: { 'x-user-id': h, authorization: `Bearer ${jwt({ sub: s })}` }, requestContext: { http: { sourceIp: s } } })).route, 'canary');
  });

  it('leaves a request with no key to the next rule, then stable', () => {
    const noIp: RouteRule = { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 100 };
    assert.deepEqual(decideRoute(base([noIp]), http()), { route: 'stable', version: '3', rule: 'default' });
    const all: RouteRule = { kind: 'sticky', keys: [{ from: 'sourceIp' }], weight: 100 };
    assert.deepEqual(decideRoute(base([noIp, all]), http()), { route: 'canary', version: '4', rule: 'sticky', ruleIndex: 1 });
    // A non-HTTP event has no key, not even an address.
    assert.deepEqual(decideRoute(base([all]), sqs), { route: 'stable', version: '3', rule: 'default' });
  });

  it('lets a group rule decide before a sticky one, and a sticky rule decide both ways', () => {
    const c = base([betaHeader, { kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight: 0 }, betaHeader]);
    assert.deepEqual(decideRoute(c, http({ headers: { 'x-canary-group': 'beta', 'x-user-id': 'u1' } })), { route: 'canary', version: '4', rule: 'group', ruleIndex: 0 });
    assert.deepEqual(decideRoute(c, http({ headers: { 'x-user-id': 'u1' } })), { route: 'stable', version: '3', rule: 'sticky', ruleIndex: 1 });
  });

  it('spreads keys uniformly over the buckets (chi-square over 100,000 keys)', () => {
    const bins = 100;
    const counts = new Array<number>(bins).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[Math.floor((stickyBucket('salt-a', `user-${i}`) * bins) / BUCKETS)]++;
    const expected = n / bins;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: mean 99; the 0.9999 quantile is about 157, the 0.0001 one about 53.
    assert.ok(chi2 > 53 && chi2 < 157, `chi-square ${chi2.toFixed(1)}`);
    // And the share a weight asks for.
    let below = 0;
    for (let i = 0; i < n; i++) if (stickyBucket('salt-a', `user-${i}`) < 1000) below++;
    assert.ok(Math.abs(below / n - 0.1) < 0.005, `${below} of ${n} below 10 %`);
  });

  it('gives two routers independent cohorts, and raising the weight only adds users', () => {
    const n = 20_000;
    let both = 0;
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const a = stickyBucket('salt-a', `user-${i}`);
      const b = stickyBucket('salt-b', `user-${i}`);
      if (a < 1000 && b < 1000) both++;
      // A user on the canary at 10 % is still on it at 20 %.
      const at = (weight: number) => decideRoute(base([{ kind: 'sticky', keys: [{ from: 'header', name: 'x-user-id' }], weight }]), http({ headers: { 'x-user-id': `user-${i}` } })).route;
      if (i < 2000 && at(10) === 'canary' && at(20) !== 'canary') moved++;
    }
    // Independent: about 10 % × 10 % = 1 % of users are on both canaries (the same salt: 10 %).
    assert.ok(Math.abs(both / n - 0.01) < 0.003, `${both} of ${n} on both canaries`);
    assert.equal(moved, 0);
  });
});

describe('router rules: what a request may hold never throws', () => {
  const c = base([
    { kind: 'group', key: { from: 'claim', name: 'cognito:groups' }, values: ['beta'] },
    { kind: 'group', key: { from: 'authorizer', name: 'tenant' }, values: ['beta'] },
    betaHeader,
    { kind: 'sticky', keys: [{ from: 'claim', name: 'sub' }, { from: 'header', name: 'x-user-id' }], weight: 100 },
  ]);
  const bearer = (token: string) => http({ headers: { authorization: token } });
  const stable = { route: 'stable', version: '3', rule: 'default' };

  it('ignores malformed JWTs: two parts, bad base64, not JSON, not an object, another scheme', () => {
    const good = jwt({ sub: 'u1', 'cognito:groups': ['beta'] });
    const [h, p, s] = good.split('.');
    assert.equal(decideRoute(c, bearer(`Bearer ${good}`)).rule, 'group');
    for (const token of [
      `Bearer ${h}.${p}`,
      `Bearer ${h}.${p}.${s}.x.y`,
      `Bearer ${h}.@@not*base64@@.${s}`,
      // Node's decoder would skip the stray characters and read the claims: the token is refused instead.
      `Bearer ${h}.${p.slice(0, 4)}*${p.slice(4)}.${s}`,
      `Bearer ${h}.${p.slice(0, 4)}+/${p.slice(4)}.${s}`,
      `Bearer ${h}.${Buffer.from('{"sub": "u1"').toString('base64url')}.${s}`,
      `Bearer ${h}.${Buffer.from('["beta"]').toString('base64url')}.${s}`,
      `Bearer ${h}.${Buffer.from('42').toString('base64url')}.${s}`,
      `Bearer ${h}..${s}`,
      `Basic ${Buffer.from('u1:pw').toString('base64')}`,
      'Bearer',
      `Bearer ${good} extra`,
      '',
    ]) {
      assert.deepEqual(decideRoute(c, bearer(token)), stable, token);
    }
  });

  it('ignores huge values: a 10 KB header, a 1 MB token', () => {
    assert.deepEqual(decideRoute(c, http({ headers: { 'x-canary-group': `beta,${'x'.repeat(10_000)}`, 'x-user-id': 'u'.repeat(10_000) } })), stable);
    assert.deepEqual(decideRoute(c, bearer(`Bearer ${jwt({ sub: 'u1', pad: 'x'.repeat(1_000_000) })}`)), stable);
  });

  it('ignores values of the wrong type and events of any shape', () => {
    for (const headers of [null, 'x', [], { 'x-canary-group': null }, { 'x-canary-group': 7 }, { 'x-canary-group': { beta: 1 } }, { authorization: 5 }]) {
      assert.equal(decideRoute(c, http({ headers })).route, 'stable', JSON.stringify(headers));
    }
    for (const event of [null, undefined, 0, 'beta', [], [http({ headers: { 'x-canary-group': 'beta' } })], sqs, { requestContext: { elb: {} }, headers: 'x', multiValueHeaders: { 'x-canary-group': 'beta' } }]) {
      assert.doesNotThrow(() => decideRoute(c, event));
    }
  });

  it('never throws on random events (a thousand, built from odd parts)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const odd = (): unknown => [null, undefined, 0, -1, Infinity, '', ' ', 'beta', '[beta', 'beta]', ',,,', [], [null], {}, { jwt: null }, true, jwt({ sub: 1 }), `Bearer ${jwt(null)}`][Math.floor(rnd() * 18)];
    for (let i = 0; i < 1000; i++) {
      const event = {
        version: rnd() < 0.5 ? '2.0' : odd(),
        httpMethod: rnd() < 0.5 ? 'GET' : odd(),
        headers: rnd() < 0.7 ? { 'x-canary-group': odd(), authorization: odd(), 'x-user-id': odd() } : odd(),
        multiValueHeaders: rnd() < 0.5 ? { 'x-canary-group': [odd(), odd()] } : odd(),
        queryStringParameters: odd(),
        requestContext: rnd() < 0.8 ? { http: rnd() < 0.5 ? {} : odd(), elb: rnd() < 0.2 ? {} : odd(), identity: odd(), authorizer: rnd() < 0.5 ? { tenant: odd(), jwt: { claims: odd() }, lambda: odd(), claims: odd() } : odd() } : odd(),
      };
      const d = decideRoute(c, event);
      assert.ok(d.version === '3' || d.version === '4');
    }
  });
});
