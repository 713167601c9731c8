import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { FormData } from 'undici';
import { z } from 'zod';
import { errors } from './errors';
import { BASE_HEADERS, collect, pipeBody, readJsonObject, sendJson, sendRaw } from './http';
import {
  applyLimits,
  datedApiVersion,
  resolveModel,
  upstreamFailureError,
  withApiKey,
  type ApiContext,
  type ProxyDeps,
} from './api-call';
import { checkMediaParts, restoreJson, scanOutgoing } from './phi-step';
import { sendUpstream } from './providers';
import type { MediaOp, OaiRoute } from './routes';
import { mapUpstreamError } from './upstream-errors';
import { env } from '../env';

// Bounded like OpenAI's own (32,000 characters for gpt-image-1): the PHI check of a media prompt runs inline.
export const imageRequest = z.looseObject({
  prompt: z.string({ error: '"prompt" must be a string' }).min(1).max(32_000),
  n: z.number().int().min(1).max(10).optional(),
  model: z.string().optional(),
});
export const speechRequest = z.looseObject({
  input: z.string({ error: '"input" must be a string' }).min(1).max(10_000),
  voice: z.unknown(),
  model: z.string().optional(),
});

const notAllowed = (op: MediaOp) => errors.mediaRouteNotAllowed(op === 'images' ? 'images' : 'audio');

export interface Upload {
  fields: Record<string, string>;
  file?: { name: string; type: string; data: Buffer };
}

/** Longest text field of an upload (a transcription prompt is a few hundred characters in practice). */
const MAX_FIELD_CHARS = 32_000;

/**
 * Parses a multipart upload as it arrives: fields are kept, the one `file` part is collected once (bounded by
 * PORTICO_MAX_AUDIO_BYTES, 413 the moment it is passed, before the rest is read). The file is held in memory, never
 * on disk: the `model` field that picks the upstream often follows the file (the openai SDKs send it after).
 */
export function readUpload(
  req: IncomingMessage,
  limit = env().PORTICO_MAX_AUDIO_BYTES,
  what = 'the audio',
): Promise<Upload> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(type))
    return Promise.reject(errors.badRequest(`Send ${what} as multipart/form-data with a "file" part.`));
  if (Number(req.headers['content-length'] ?? NaN) > limit + 64 * 1024) {
    req.resume();
    return Promise.reject(errors.tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const out: Upload = { fields: {} };
    let pending: Promise<void> = Promise.resolve();
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      req.resume(); // drain what is left so the connection can answer
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 50, fieldSize: MAX_FIELD_CHARS, parts: 60 },
      });
    } catch {
      return reject(errors.badRequest('The multipart body is malformed.'));
    }
    bb.on('field', (name, value, info) => {
      // busboy cuts a longer field short; forwarding a cut prompt would be wrong, so it is refused.
      if (info.valueTruncated)
        fail(
          errors.badRequest(
            `The "${name.slice(0, 40)}" field is longer than ${MAX_FIELD_CHARS} characters.`,
            name.slice(0, 40),
          ),
        );
      else out.fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file') return stream.resume();
      pending = collect(stream, limit, () => errors.tooLarge(limit)).then(
        (data) => void (out.file = { name: info.filename || 'audio', type: info.mimeType, data }),
        (err: Error) => fail(err),
      );
    });
    bb.on('error', () => fail(errors.badRequest('The multipart body is malformed.')));
    bb.on('close', () => void pending.then(() => !settled && ((settled = true), resolve(out))));
    req.on('aborted', () => fail(errors.clientClosed()));
    req.pipe(bb);
  });
}

/** "audio.<ext>": the extension tells the upstream the format; the rest of a name is the client's words. */
export function neutralFileName(name: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase();
  return ext ? `audio.${ext}` : 'audio';
}

/** Images and audio: opt-in per app, metered by what they bill (images, audio seconds, characters). */
export function handleMedia(
  req: IncomingMessage,
  res: ServerResponse,
  route: OaiRoute,
  url: URL,
  deps: ProxyDeps,
): Promise<void> {
  const op = route.op as MediaOp;
  return withApiKey({ op, route: `${route.style}:${op}`, methods: ['POST'] }, (rq, rs, ctx) =>
    media(rq, rs, op, route, url, ctx),
  )(req, res, deps);
}

async function media(
  req: IncomingMessage,
  res: ServerResponse,
  op: MediaOp,
  route: OaiRoute,
  url: URL,
  ctx: ApiContext,
): Promise<void> {
  const { principal, config: cfg, deps, meter, headers, abort } = ctx;
  if (op === 'images' ? !principal.app.allowImages : !principal.app.allowAudio) throw notAllowed(op);

  let body: Record<string, unknown>;
  let upload: Upload | undefined;
  if (op === 'transcriptions') {
    upload = await readUpload(req);
    if (!upload.file) throw errors.badRequest('The upload has no "file" part.', 'file');
    body = { ...upload.fields, file: { name: upload.file.name, size: upload.file.data.length } };
  } else {
    body = await readJsonObject(req, deps.maxBodyBytes);
    const parsed = (op === 'images' ? imageRequest : speechRequest).safeParse(body);
    if (!parsed.success)
      throw errors.badRequest(
        parsed.error.issues[0]!.message,
        parsed.error.issues[0]!.path.join('.') || null,
      );
  }
  const name = route.deployment ?? (typeof body.model === 'string' ? body.model : undefined);
  if (!name) throw errors.badRequest('Name the model: set "model" (or use a deployment URL).', 'model');
  const model = resolveModel(cfg, principal, name);
  meter.model = name;
  await applyLimits(ctx, model, op === 'transcriptions' ? {} : body);

  // Every field goes out scanned (the prompt, the voice's instructions, the end user, fields no one listed yet);
  // the uploaded file's own name never goes out (it is often the patient's): the upstream gets "audio.<ext>".
  const inputChars = typeof body.input === 'string' ? body.input.length : 0;
  const fields = upload ? { ...upload.fields } : body;
  checkMediaParts(op, fields, principal.app);
  const phi = await scanOutgoing(ctx, op, fields, { param: null });
  const fileName = upload?.file ? neutralFileName(upload.file.name) : undefined;
  if (upload) body = { ...fields, file: { name: fileName, size: upload.file!.data.length } };

  let raw: FormData | undefined;
  if (upload && model.provider.type !== 'echo') {
    raw = new FormData();
    for (const [k, v] of Object.entries(fields)) if (k !== 'model' && typeof v === 'string') raw.set(k, v);
    raw.set('model', model.provider.type === 'azure' ? model.deployment : model.upstreamModel);
    raw.set(
      'file',
      new Blob([upload.file!.data as Uint8Array<ArrayBuffer>], { type: upload.file!.type }),
      fileName,
    );
  }
  const t0 = performance.now();
  let upstream;
  try {
    upstream = await sendUpstream({
      op,
      model,
      body,
      raw,
      apiVersion: datedApiVersion(url.searchParams.get('api-version')),
      abort,
    });
  } catch (err) {
    throw upstreamFailureError(err, name);
  }
  meter.upstreamMs = Math.round(performance.now() - t0);
  // Images and speech go to the model's first deployment, once: a second attempt could repeat their effect.
  meter.upstream = model.targets[0]!.name;
  if (upstream.status < 200 || upstream.status >= 300) throw await mapUpstreamError(upstream, name);
  const contentType = String(upstream.headers['content-type'] ?? 'application/octet-stream');
  meter.status = 200;

  if (op === 'speech') {
    // Metered by input characters; the audio streams back as it comes.
    meter.units = inputChars;
    meter.unit = 'characters';
    meter.unitCostUsd = (meter.units * model.perMillionCharacters) / 1e6;
    res.writeHead(200, { ...BASE_HEADERS, ...headers, 'content-type': contentType });
    if (await pipeBody(upstream.body, res)) meter.fail(errors.upstreamUnavailable(name));
    return;
  }
  const buf = await collect(upstream.body, 256 * 1024 * 1024, () =>
    errors.upstreamError(name, upstream.status),
  );
  if (!/json/i.test(contentType)) {
    // Text, srt and vtt transcripts: a token the prompt carried comes back as its value.
    const out = phi.session ? Buffer.from(phi.session.restore(buf.toString('utf8'))) : buf;
    return sendRaw(res, 200, out, contentType, headers);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw errors.upstreamError(name, upstream.status);
  }
  const usage = json.usage as Record<string, unknown> | undefined;
  if (op === 'images') {
    meter.units = Array.isArray(json.data) ? json.data.length : 0;
    meter.unit = 'images';
    meter.unitCostUsd = meter.units * model.perImage;
    if (usage && typeof usage.input_tokens === 'number') meter.promptTokens = usage.input_tokens;
    if (usage && typeof usage.output_tokens === 'number') meter.completionTokens = usage.output_tokens;
  } else {
    const seconds =
      usage?.type === 'duration' && typeof usage.seconds === 'number'
        ? usage.seconds
        : typeof json.duration === 'number'
          ? json.duration
          : null;
    meter.units = seconds;
    meter.unit = 'seconds';
    meter.unitCostUsd = ((seconds ?? 0) / 60) * model.perAudioMinute;
    if (usage && typeof usage.input_tokens === 'number') meter.promptTokens = usage.input_tokens;
    if (usage && typeof usage.output_tokens === 'number') meter.completionTokens = usage.output_tokens;
  }
  // Restored when something was replaced (a revised prompt, a transcript); else the upstream's bytes as they came.
  if (!phi.session) return sendRaw(res, 200, buf, contentType, headers);
  restoreJson(op, json, phi.session);
  sendJson(res, 200, json, headers);
}
