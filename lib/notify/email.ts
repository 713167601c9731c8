import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { env } from '../env';
import { log } from '../log';
import { emailBody, type NotifyEventName, type Rendered } from './events';

/**
 * SMTP options from PORTICO_SMTP_URL: smtp:// (STARTTLS when the server offers it, port 587 by default) or
 * smtps:// (TLS from the start, port 465). The URL holds a password: it is never logged.
 */
function smtpOptions(url: string): SMTPPool.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    pool: true,
    maxConnections: 2,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** What a failed send may log: nodemailer's error code and the server's reply code, never the URL. */
function failure(err: unknown): { code?: string; responseCode?: number } {
  const e = err as { code?: unknown; responseCode?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
  };
}

/** One message per recipient (nobody sees the others' addresses), over a small pool closed afterwards. */
export async function sendEmails(event: NotifyEventName, to: string[], r: Rendered): Promise<void> {
  const { PORTICO_SMTP_URL: url, PORTICO_MAIL_FROM: from } = env();
  if (!url || to.length === 0) return;
  const transport = nodemailer.createTransport(smtpOptions(url));
  try {
    const { text, html } = emailBody(r);
    const results = await Promise.allSettled(
      to.map((address) => transport.sendMail({ from, to: address, subject: r.subject, text, html })),
    );
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed.length > 0)
      log().warn(
        { event, failed: failed.length, recipients: to.length, ...failure(failed[0]!.reason) },
        'notification email failed',
      );
  } finally {
    transport.close();
  }
}
