import http from 'node:http';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { seedApp, seedUser, uid } from './support/seed';
import { reject, requestAccess, resubmit, requestChanges } from '../lib/apps';
import { parseConfig } from '../lib/config';
import { db } from '../lib/db';
import { parseEnv, resolveEnv } from '../lib/env';
import { rejectAmendment, requestAmendment } from '../lib/apps/amendments';
import { createKey, revokeKey } from '../lib/keys/manage';
import { log } from '../lib/log';
import { notify, setNotificationsConfig, sweepNotifications } from '../lib/notify';
import { SYSTEM } from '../lib/audit';
import { setDisabled } from '../lib/users';

const MODEL = 'gpt-4o-mini-2024-07-18';
const PUBLIC = 'https://portico.example.org';
const SLACK_SECRET = 'T0000/B0000/slack-secret-for-tests';
const SMTP_PASS = 'smtp-password-for-tests';

interface Mail {
  to: string[];
  subject: string;
  /** Headers and decoded (quoted-printable) body. */
  text: string;
}

/** Decodes a raw message enough to read it: unfolded headers, quoted-printable soft breaks and escapes. */
function readMail(raw: Buffer, to: string[]): Mail {
  const s = raw
    .toString('latin1')
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  const text = Buffer.from(s, 'latin1').toString('utf8');
  return { to, subject: /^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '', text };
}

interface Hook {
  path: string;
  body: Record<string, unknown>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

const mails: Mail[] = [];
const hooks: Hook[] = [];
const logins: string[] = [];
let smtp: SMTPServer;
let receiver: http.Server;
let smtpPort = 0;
let hookBase = '';

const config = (webhooks: string) =>
  parseConfig(
    `providers: { echo: { type: echo } }\nmodels: { ${MODEL}: { provider: echo } }\nnotifications:\n  webhooks:\n${webhooks}`,
    'notify test config',
  ).notifications;

/** Slack (secret in its URL, from the environment), JSON (whole URL from the environment), budget events only. */
const standardHooks = () =>
  config(`
    - url: ${hookBase}/slack/\${{ NOTIFY_TEST_SLACK_SECRET }}
      format: slack
    - url: \${{ NOTIFY_TEST_JSON_URL }}
      format: json
    - url: ${hookBase}/budget-only
      events: [budget.threshold]
`);

function useSmtp(url: string | undefined) {
  if (url === undefined) delete process.env.PORTICO_SMTP_URL;
  else process.env.PORTICO_SMTP_URL = url;
  resolveEnv({}); // env() parses the environment again on its next call
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      logins.push(`${auth.username}:${auth.password}`);
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(
          readMail(
            Buffer.concat(chunks),
            session.envelope.rcptTo.map((a) => a.address),
          ),
        );
        cb();
      });
    },
  });
  smtpPort = await listen(smtp.server);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(req.url === '/fail' ? 500 : 200).end('ok');
    });
  });
  hookBase = `http://127.0.0.1:${await listen(receiver)}`;
  process.env.PORTICO_PUBLIC_URL = PUBLIC;
  process.env.PORTICO_MAIL_FROM = 'Portico Test <portico@test.portico>';
  process.env.NOTIFY_TEST_SLACK_SECRET = SLACK_SECRET;
  process.env.NOTIFY_TEST_JSON_URL = `${hookBase}/json`;
  useSmtp(`smtp://notify:${SMTP_PASS}@127.0.0.1:${smtpPort}`);
});

beforeEach(() => {
  setNotificationsConfig(standardHooks());
});

afterAll(async () => {
  setNotificationsConfig(undefined);
  useSmtp(undefined);
  await new Promise<void>((r) => smtp?.close(() => r()));
  await new Promise((r) => receiver?.close(r));
});

/** A pending app requested by `owner`. */
async function requestApp(owner: { id: string }) {
  return requestAccess(
    {
      name: `notify-${uid()}`,
      description: 'notification test',
      useCase: 'notifications',
      sponsor: 'QA',
      expectedReturn: 'reviewers hear of requests',
      involvesPhi: false,
      requestedModels: [MODEL],
      expectedVolume: 'low',
      internalOnlyAttested: true,
    },
    owner.id,
    SYSTEM,
  );
}

const mailsTo = (email: string) => mails.filter((m) => m.to.includes(email));
const mailsAbout = (appName: string) => mails.filter((m) => m.subject.includes(appName));
const hooksAbout = (appName: string, path?: string) =>
  hooks.filter((h) => JSON.stringify(h.body).includes(appName) && (!path || h.path.startsWith(path)));

describe('app.requested', () => {
  it('emails every enabled reviewer and admin, not the requester nor a disabled reviewer', async () => {
    const requester = await seedUser('reviewer');
    const [reviewer, admin, disabled, member] = await Promise.all([
      seedUser('reviewer'),
      seedUser('admin'),
      seedUser('reviewer'),
      seedUser('member'),
    ]);
    await setDisabled(disabled.id, true, SYSTEM);
    const app = await requestApp(requester);

    await notify({
      event: 'app.requested',
      appId: app.id,
      appName: app.name,
      requestedBy: requester.email.toUpperCase(),
      resubmitted: false,
    });

    const sent = mailsAbout(app.name);
    const to = sent.flatMap((m) => m.to);
    expect(to).toContain(reviewer.email);
    expect(to).toContain(admin.email);
    expect(to).not.toContain(requester.email);
    expect(to).not.toContain(disabled.email);
    expect(to).not.toContain(member.email);
    // One message per recipient: nobody sees the others' addresses.
    expect(sent.every((m) => m.to.length === 1)).toBe(true);
    expect(new Set(to).size).toBe(to.length);
    const [mail] = mailsTo(reviewer.email).filter((m) => m.subject.includes(app.name));
    expect(mail!.subject).toBe(`[Portico] New access request: ${app.name}`);
    expect(mail!.text).toMatch(/^From: Portico Test <portico@test\.portico>$/m);
    expect(mail!.text).toContain(`requested access for "${app.name}"`);
    expect(mail!.text).toContain(`${PUBLIC}/review/${app.id}`);
    expect(mail!.text).toContain(`<a href="${PUBLIC}/review/${app.id}">`);
    // The SMTP URL's credentials were used.
    expect(logins).toContain(`notify:${SMTP_PASS}`);
  });

  it('says so when the request is a resubmission', async () => {
    const requester = await seedUser('member');
    const reviewer = await seedUser('reviewer');
    const app = await requestApp(requester);
    await notify({
      event: 'app.requested',
      appId: app.id,
      appName: app.name,
      requestedBy: requester.email,
      resubmitted: true,
    });
    const [mail] = mailsTo(reviewer.email).filter((m) => m.subject.includes(app.name));
    expect(mail!.subject).toBe(`[Portico] Access request resubmitted: ${app.name}`);
  });

  it('posts {text} to a Slack webhook and the structured payload to a JSON one, ${{ VAR }} resolved', async () => {
    const requester = await seedUser('member');
    const app = await requestApp(requester);
    const before = Date.now();
    await notify({
      event: 'app.requested',
      appId: app.id,
      appName: app.name,
      requestedBy: requester.email,
      resubmitted: false,
    });

    const slack = hooksAbout(app.name, '/slack/');
    expect(slack).toHaveLength(1);
    expect(slack[0]!.path).toBe(`/slack/${SLACK_SECRET}`);
    expect(Object.keys(slack[0]!.body)).toEqual(['text']);
    expect(slack[0]!.body.text).toBe(
      `${requester.email} requested access for "${app.name}". <${PUBLIC}/review/${app.id}|Review the request>`,
    );

    const json = hooksAbout(app.name, '/json');
    expect(json).toHaveLength(1);
    expect(json[0]!.body).toEqual({
      event: 'app.requested',
      occurredAt: expect.any(String) as string,
      app: { id: app.id, name: app.name },
      requestedBy: requester.email,
      resubmitted: false,
      url: `${PUBLIC}/review/${app.id}`,
    });
    expect(Date.parse(json[0]!.body.occurredAt as string)).toBeGreaterThanOrEqual(before - 1000);
    // The webhook limited to budget events did not get it.
    expect(hooksAbout(app.name, '/budget-only')).toHaveLength(0);
  });
});

describe('app.decided', () => {
  it('emails the enabled owners with the decision and the reason', async () => {
    const { app, owner } = await seedApp({ models: [MODEL], approved: false });
    const second = await seedUser('member');
    const gone = await seedUser('member');
    const reviewer = await seedUser('reviewer');
    await db().appOwner.createMany({
      data: [
        { appId: app.id, userId: second.id },
        { appId: app.id, userId: gone.id },
      ],
    });
    await setDisabled(gone.id, true, SYSTEM);

    await notify({
      event: 'app.decided',
      appId: app.id,
      appName: app.name,
      decision: 'rejected',
      reason: 'Needs a data protection impact assessment first.',
      decidedBy: reviewer.email,
    });

    const sent = mailsAbout(app.name);
    expect(sent.flatMap((m) => m.to).sort()).toEqual([owner.email, second.email].sort());
    for (const m of sent) {
      expect(m.subject).toBe(`[Portico] Access rejected: ${app.name}`);
      expect(m.text).toContain(`${reviewer.email} rejected "${app.name}".`);
      expect(m.text).toContain('Reason: Needs a data protection impact assessment first.');
      expect(m.text).toContain(`${PUBLIC}/apps/${app.id}`);
    }
    const [json] = hooksAbout(app.name, '/json');
    expect(json!.body).toMatchObject({
      event: 'app.decided',
      app: { id: app.id, name: app.name },
      decision: 'rejected',
      reason: 'Needs a data protection impact assessment first.',
      decidedBy: reviewer.email,
      url: `${PUBLIC}/apps/${app.id}`,
    });
    // The chat line says why too.
    const [slack] = hooksAbout(app.name, '/slack/');
    expect(slack!.body.text).toBe(
      `${reviewer.email} rejected "${app.name}". Reason: Needs a data protection impact assessment first. <${PUBLIC}/apps/${app.id}|Open the app>`,
    );
  });
});

describe('the workflow notifies', () => {
  const until = async <T>(read: () => T[], n = 1) => {
    await vi.waitFor(() => expect(read().length).toBeGreaterThanOrEqual(n), { timeout: 5_000 });
    return read();
  };

  it('a request a person makes reaches the reviewers; a decision reaches the owners, with its reason', async () => {
    const owner = await seedUser('member');
    const reviewer = await seedUser('reviewer');
    const input = {
      name: `flow-${uid()}`,
      description: 'notification flow',
      useCase: 'notifications',
      sponsor: 'QA',
      expectedReturn: 'owners hear of decisions',
      involvesPhi: false,
      requestedModels: [MODEL],
      expectedVolume: 'low',
      internalOnlyAttested: true as const,
    };
    const app = await requestAccess(input, owner.id, { id: owner.id, email: owner.email });
    const asked = await until(() => mailsTo(reviewer.email).filter((m) => m.subject.includes(app.name)));
    expect(asked[0]!.subject).toBe(`[Portico] New access request: ${app.name}`);

    await requestChanges({
      appId: app.id,
      reason: 'Name the sponsor',
      actor: { id: reviewer.id, email: reviewer.email },
    });
    const back = await until(() => mailsTo(owner.email).filter((m) => m.subject.includes(app.name)));
    expect(back[0]!.text).toContain('Name the sponsor');

    await resubmit({ appId: app.id, request: input, actor: { id: owner.id, email: owner.email } });
    await until(() => mailsTo(reviewer.email).filter((m) => m.subject.includes(app.name)), 2);

    await reject({
      appId: app.id,
      reason: 'Out of scope for Portico',
      actor: { id: reviewer.id, email: reviewer.email },
    });
    const decided = await until(() => mailsTo(owner.email).filter((m) => m.subject.includes(app.name)), 2);
    expect(decided.map((m) => m.text).join('\n')).toContain('Out of scope for Portico');
  });

  it('an amendment reaches the reviewers (not its requester); its decision reaches the owners, with the reason', async () => {
    const { app, owner } = await seedApp({ models: [MODEL] });
    const reviewer = await seedUser('reviewer');
    const ownerActor = { id: owner.id, email: owner.email };
    const a = await requestAmendment({
      appId: app.id,
      request: { rpmLimit: 100, reason: 'More users from next week.' },
      actor: ownerActor,
    });
    const asked = await until(() => mailsTo(reviewer.email).filter((m) => m.subject.includes(app.name)));
    expect(asked[0]!.subject).toBe(`[Portico] More access requested: ${app.name}`);
    expect(asked[0]!.text).toContain(`${PUBLIC}/review/${app.id}`);
    expect(mailsTo(owner.email).filter((m) => m.subject.includes('More access requested'))).toHaveLength(0);
    await rejectAmendment({
      appId: app.id,
      amendmentId: a.id,
      reason: 'Try the mini model first',
      actor: { id: reviewer.id, email: reviewer.email },
    });
    const decided = await until(() =>
      mailsTo(owner.email).filter((m) => m.subject === `[Portico] More access rejected: ${app.name}`),
    );
    expect(decided[0]!.text).toContain('Reason: Try the mini model first');
    expect(decided[0]!.text).toContain('The app keeps the access it had.');
  });
});

describe('the sweep', () => {
  // Seeding approves the app, which notifies its owners of the decision: these tests read the sweep's alone.
  const mailsAbout = (appName: string) =>
    mails.filter((m) => m.subject.includes(appName) && /expiring|budget/.test(m.subject));
  const hooksAbout = (appName: string, path?: string) =>
    hooks.filter(
      (h) =>
        h.body.event !== 'app.decided' &&
        !String(h.body.text ?? '').includes('approved') &&
        JSON.stringify(h.body).includes(appName) &&
        (!path || h.path.startsWith(path)),
    );

  it('notifies a key expiring in 3 days once, however many sweeps run (two instances at once)', async () => {
    const { app, owner } = await seedApp({ models: [MODEL] });
    const soon = await createKey(app.id, { name: `soon-${uid()}`, expiresInDays: 3 }, SYSTEM);
    const later = await createKey(app.id, { name: `later-${uid()}`, expiresInDays: 30 }, SYSTEM);
    const revoked = await createKey(app.id, { name: `revoked-${uid()}`, expiresInDays: 2 }, SYSTEM);
    await revokeKey({ keyId: revoked.record.id, actor: SYSTEM });

    await Promise.all([sweepNotifications(), sweepNotifications()]);
    await sweepNotifications();

    const sent = mailsAbout(app.name);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual([owner.email]);
    expect(sent[0]!.subject).toBe(`[Portico] API key expiring: ${app.name} / ${soon.record.name}`);
    expect(sent[0]!.text).toContain(`${soon.record.prefix}…${soon.record.last4}`);
    expect(sent[0]!.text).not.toContain(later.record.name);
    expect(sent[0]!.text).not.toContain(soon.key); // never the key itself
    expect(hooksAbout(app.name, '/slack/')).toHaveLength(1);
    const [json] = hooksAbout(app.name, '/json');
    expect(json!.body).toMatchObject({
      event: 'key.expiring',
      keyId: soon.record.id,
      keyName: soon.record.name,
      expiresAt: soon.record.expiresAt!.toISOString(),
    });
    expect(
      await db().notificationSent.count({ where: { dedupeKey: `key.expiring:${soon.record.id}` } }),
    ).toBe(1);
  });

  it('budgets: 79% notifies nothing, 80% once, 100% once more', async () => {
    const { app, owner } = await seedApp({ models: [MODEL], monthlyTokenBudget: 1000 });
    const day = new Date().toISOString().slice(0, 10);
    await db()
      .$executeRaw`INSERT INTO usage_daily (day, app_id, model, key_id, requests, errors, prompt_tokens, completion_tokens, latency_buckets)
      VALUES (${day}::date, ${app.id}, ${MODEL}, 'k1', 10, 0, 700, 90, '{}')`;
    const setTokens = (prompt: number) =>
      db().$executeRaw`UPDATE usage_daily SET prompt_tokens = ${prompt} WHERE app_id = ${app.id}`;

    await sweepNotifications();
    expect(mailsAbout(app.name)).toHaveLength(0);

    await setTokens(710); // 800 of 1000
    await sweepNotifications();
    await sweepNotifications();
    expect(mailsAbout(app.name).map((m) => m.subject)).toEqual([
      `[Portico] ${app.name} has used 80% of its monthly token budget`,
    ]);
    expect(mailsAbout(app.name)[0]!.to).toEqual([owner.email]);
    expect(mailsAbout(app.name)[0]!.text).toContain('used 800 of its monthly token budget of 1,000');

    await setTokens(950); // 1040 of 1000
    await Promise.all([sweepNotifications(), sweepNotifications()]);
    await sweepNotifications();
    expect(mailsAbout(app.name).map((m) => m.subject)).toEqual([
      `[Portico] ${app.name} has used 80% of its monthly token budget`,
      `[Portico] ${app.name} has used 100% of its monthly token budget`,
    ]);
    const budgetOnly = hooksAbout(app.name, '/budget-only');
    expect(budgetOnly.map((h) => h.body.threshold)).toEqual([80, 100]);
    expect(budgetOnly[1]!.body).toMatchObject({
      event: 'budget.threshold',
      app: { id: app.id, name: app.name },
      month: day.slice(0, 7),
      kind: 'tokens',
      threshold: 100,
      used: 1040,
      budget: 1000,
    });
  });

  it('budgets in dollars reach 80% exactly, despite floating point', async () => {
    const { app } = await seedApp({ models: [MODEL], monthlyCostBudgetUsd: 3 });
    const day = new Date().toISOString().slice(0, 10);
    await db()
      .$executeRaw`INSERT INTO usage_daily (day, app_id, model, key_id, requests, errors, cost_usd, latency_buckets)
      VALUES (${day}::date, ${app.id}, ${MODEL}, 'k1', 1, 0, 2.4, '{}')`;
    await sweepNotifications();
    expect(mailsAbout(app.name).map((m) => m.subject)).toEqual([
      `[Portico] ${app.name} has used 80% of its monthly cost budget`,
    ]);
    expect(mailsAbout(app.name)[0]!.text).toContain('used $2.40 of its monthly cost budget of $3.00');
  });
});

describe('failures', () => {
  it('a refused SMTP connection, a refused webhook and a 500 do not throw, and the log names no URL', async () => {
    const dead = await closedPort();
    useSmtp(`smtp://notify:${SMTP_PASS}@127.0.0.1:${dead}`);
    setNotificationsConfig(
      config(`
    - url: http://127.0.0.1:${dead}/\${{ NOTIFY_TEST_SLACK_SECRET }}
      format: slack
    - url: ${hookBase}/fail
    - url: ${hookBase}/\${{ NOTIFY_TEST_UNSET_VARIABLE }}
`),
    );
    const warn = vi.spyOn(log(), 'warn');
    try {
      const { app, owner } = await seedApp({ models: [MODEL], approved: false });
      await expect(
        notify({
          event: 'app.decided',
          appId: app.id,
          appName: app.name,
          decision: 'changes_requested',
          reason: 'Say which data it reads.',
          decidedBy: owner.email,
        }),
      ).resolves.toBeUndefined();
      await expect(sweepNotifications()).resolves.toBeUndefined();
      expect(mailsAbout(app.name)).toHaveLength(0);
      expect(hooksAbout(app.name, '/fail')).toHaveLength(1);

      const logged = warn.mock.calls.map((c) => JSON.stringify(c));
      const about = (what: string) => logged.filter((l) => l.includes(what));
      expect(about('notification email failed')[0]).toContain('"event":"app.decided"');
      expect(about('notification webhook failed').join('\n')).toContain('"status":500');
      expect(about('notification webhook failed').join('\n')).toContain('"error":"ECONNREFUSED"');
      expect(about('notification webhook skipped').join('\n')).toContain('NOTIFY_TEST_UNSET_VARIABLE');
      for (const l of logged) {
        expect(l).not.toContain(SMTP_PASS);
        expect(l).not.toContain(SLACK_SECRET);
        expect(l).not.toContain(hookBase);
      }
    } finally {
      warn.mockRestore();
      useSmtp(`smtp://notify:${SMTP_PASS}@127.0.0.1:${smtpPort}`);
    }
  });

  it('a malformed event is logged, not thrown', async () => {
    const broken = { event: 'app.decided', appId: 'x', appName: 'x', decidedBy: 'x' } as unknown;
    await expect(notify(broken as Parameters<typeof notify>[0])).resolves.toBeUndefined();
  });
});

describe('settings', () => {
  it('PORTICO_SMTP_URL must be smtp:// or smtps://, and the error does not echo the value', () => {
    const parse = (vars: Record<string, string>) => parseEnv({ NODE_ENV: 'test', ...vars });
    const bad = () => parse({ PORTICO_SMTP_URL: `http://u:${SMTP_PASS}@host` });
    expect(bad).toThrow(/PORTICO_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(bad).not.toThrow(new RegExp(SMTP_PASS));
    expect(parse({}).PORTICO_MAIL_FROM).toBe('Portico <portico@localhost>');
    expect(parse({}).PORTICO_SMTP_URL).toBeUndefined();
    expect(parse({ PORTICO_SMTP_URL: 'smtps://u:p@mail.example.org' }).PORTICO_SMTP_URL).toBe(
      'smtps://u:p@mail.example.org',
    );
  });

  it('a webhook is an http(s) URL or a ${{ VARIABLE }}, json or slack, with known events', () => {
    expect(config(`    - url: \${{ SLACK_URL }}\n      format: slack`)).toEqual({
      webhooks: [{ url: '${{ SLACK_URL }}', format: 'slack' }],
    });
    expect(() => config(`    - url: ftp://example.org/hook`)).toThrow(/notifications\.webhooks\.0\.url/);
    expect(() => config(`    - url: https://example.org/hook\n      events: [app.deleted]`)).toThrow(
      /notifications\.webhooks\.0\.events\.0/,
    );
    expect(() => config(`    - url: https://example.org/hook\n      format: teams`)).toThrow(/format/);
  });
});
